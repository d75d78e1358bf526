package gateway

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"

	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/ingest/connector"
	"github.com/livedeck/livedeck/redisx"
)

// Saved is a connector as stored: its settings and platform secrets.
// Secrets are kept as they are (verifying a platform's HMAC needs them)
// and never leave the server.
type Saved struct {
	Settings      connector.Settings `json:"settings"`
	Secret        string             `json:"secret,omitempty"`
	Previous      string             `json:"previous,omitempty"`       // the replaced secret, during a rotation
	PreviousUntil int64              `json:"previous_until,omitempty"` // Unix ms after which Previous no longer verifies
	UpdatedAt     int64              `json:"updated_at"`
	UpdatedBy     string             `json:"updated_by,omitempty"`
}

// secrets are the secrets that verify a delivery at now (Unix ms): the
// current one, and the previous one until its overlap ends.
func (sv *Saved) secrets(now int64) []string {
	var out []string
	if sv.Secret != "" {
		out = append(out, sv.Secret)
	}
	if sv.Previous != "" && now < sv.PreviousUntil {
		out = append(out, sv.Previous)
	}
	return out
}

// Connector is a connector as the API shows it: never its secrets.
type Connector struct {
	Source    string             `json:"source"`
	Format    string             `json:"format"`
	Platform  string             `json:"platform"`
	Settings  connector.Settings `json:"settings"`
	Saved     bool               `json:"saved"` // false: a source that delivered with ?format= but has no saved settings
	HasSecret bool               `json:"has_secret"`
	UpdatedAt int64              `json:"updated_at,omitempty"`
	UpdatedBy string             `json:"updated_by,omitempty"`
	IngestURL string             `json:"ingest_url"`
	Stats     Stats              `json:"stats"`
	Secret    string             `json:"secret,omitempty"` // only in the answer that generated it
}

// PutRequest is the body of PUT …/connectors/{source}: the settings, and
// optionally the platform-issued secret or a request to generate one.
type PutRequest struct {
	connector.Settings
	Secret         string `json:"secret,omitempty"`
	GenerateSecret bool   `json:"generate_secret,omitempty"`
}

// InvalidError refuses settings, with every problem located.
type InvalidError struct {
	Problems connector.Problems
}

func (e *InvalidError) Error() string { return "invalid connector settings: " + e.Problems.Error() }

// Unwrap makes the refusal a 400 for callers that only know codes.
func (e *InvalidError) Unwrap() error {
	field := ""
	if len(e.Problems) > 0 {
		field = e.Problems[0].Path
	}
	return livedeck.Errorf(livedeck.EINVALID, field, "%s", e.Problems.Error())
}

const maxSecretLen = 512

// Load returns a room's saved connector for source; ok is false when none
// is saved.
func (s *Service) Load(ctx context.Context, room, source string) (*Saved, bool, error) {
	raw, err := s.rdb.HGet(ctx, redisx.Room(room).Connectors(), source).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, unavailable("read connector", err)
	}
	var sv Saved
	if err := json.Unmarshal(raw, &sv); err != nil {
		return nil, false, fmt.Errorf("connector %s/%s: stored settings unreadable: %w", room, source, err)
	}
	return &sv, true, nil
}

// Put checks and saves a room's connector for source. A new secret keeps
// the old one verifying for the overlap (rotation); a generated secret is
// returned once in Connector.Secret.
func (s *Service) Put(ctx context.Context, room, source string, req PutRequest, by string) (Connector, error) {
	if err := checkSource(source); err != nil {
		return Connector{}, err
	}
	if _, err := s.ingest.Rooms().Get(ctx, room); err != nil {
		return Connector{}, err
	}
	ps := req.Settings.Check()
	switch {
	case len(req.Secret) > maxSecretLen:
		ps = append(ps, connector.Problem{Path: "secret", Message: fmt.Sprintf("longer than %d bytes", maxSecretLen)})
	case req.Secret != "" && req.GenerateSecret:
		ps = append(ps, connector.Problem{Path: "generate_secret", Message: "send a secret or ask for one to be generated, not both"})
	}
	if len(ps) > 0 {
		return Connector{}, &InvalidError{Problems: ps}
	}
	old, _, err := s.Load(ctx, room, source)
	if err != nil {
		return Connector{}, err
	}
	now := s.now().UnixMilli()
	sv := Saved{Settings: req.Settings, UpdatedAt: now, UpdatedBy: by}
	if old != nil {
		sv.Secret, sv.Previous, sv.PreviousUntil = old.Secret, old.Previous, old.PreviousUntil
	}
	generated := ""
	if req.GenerateSecret {
		generated = newSecret()
		req.Secret = generated
	}
	if req.Secret != "" && req.Secret != sv.Secret {
		if sv.Secret != "" {
			sv.Previous, sv.PreviousUntil = sv.Secret, now+s.cfg.SecretOverlap.Milliseconds()
		}
		sv.Secret = req.Secret
	}
	b, _ := json.Marshal(sv)
	defer s.routes.Drop(routeKey{room, source}) // after the write: a lookup racing it is not kept
	if err := s.rdb.HSet(ctx, redisx.Room(room).Connectors(), source, b).Err(); err != nil {
		return Connector{}, unavailable("save connector", err)
	}
	c, err := s.view(ctx, room, source, &sv)
	c.Secret = generated
	return c, err
}

// Delete removes a room's connector for source, saved or only seen (its
// statistics and dead letters stay until they age out).
func (s *Service) Delete(ctx context.Context, room, source string) error {
	k := redisx.Room(room)
	defer s.routes.Drop(routeKey{room, source})
	pipe := s.rdb.TxPipeline()
	saved := pipe.HDel(ctx, k.Connectors(), source)
	seen := pipe.SRem(ctx, k.ConnectorsSeen(), source)
	if _, err := pipe.Exec(ctx); err != nil {
		return unavailable("delete connector", err)
	}
	if saved.Val() == 0 && seen.Val() == 0 {
		return livedeck.Errorf(livedeck.ENOTFOUND, "source", "no connector %q in room %q", source, room)
	}
	return nil
}

// Get returns one connector: a saved one, or a source that delivered
// through a format without saved settings.
func (s *Service) Get(ctx context.Context, room, source string) (Connector, error) {
	if err := checkSource(source); err != nil {
		return Connector{}, err
	}
	sv, ok, err := s.Load(ctx, room, source)
	if err != nil {
		return Connector{}, err
	}
	if !ok {
		seen, err := s.rdb.SIsMember(ctx, redisx.Room(room).ConnectorsSeen(), source).Result()
		if err != nil {
			return Connector{}, unavailable("read connector", err)
		}
		if !seen {
			return Connector{}, livedeck.Errorf(livedeck.ENOTFOUND, "source", "no connector %q in room %q", source, room)
		}
	}
	return s.view(ctx, room, source, sv)
}

// List returns a room's connectors, saved or seen, by source.
func (s *Service) List(ctx context.Context, room string) ([]Connector, error) {
	k := redisx.Room(room)
	saved, err := s.rdb.HGetAll(ctx, k.Connectors()).Result()
	if err != nil {
		return nil, unavailable("list connectors", err)
	}
	seen, err := s.rdb.SMembers(ctx, k.ConnectorsSeen()).Result()
	if err != nil {
		return nil, unavailable("list connectors", err)
	}
	sources := make([]string, 0, len(saved)+len(seen))
	for src := range saved {
		sources = append(sources, src)
	}
	for _, src := range seen {
		if _, ok := saved[src]; !ok {
			sources = append(sources, src)
		}
	}
	sort.Strings(sources)
	out := make([]Connector, 0, len(sources))
	for _, src := range sources {
		var sv *Saved
		if raw, ok := saved[src]; ok {
			sv = new(Saved)
			if err := json.Unmarshal([]byte(raw), sv); err != nil {
				return nil, fmt.Errorf("connector %s/%s: stored settings unreadable: %w", room, src, err)
			}
		}
		c, err := s.view(ctx, room, src, sv)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// view builds the API form of a connector (sv nil: seen, not saved).
func (s *Service) view(ctx context.Context, room, source string, sv *Saved) (Connector, error) {
	st, format, err := s.stats(ctx, room, source)
	if err != nil {
		return Connector{}, err
	}
	c := Connector{Source: source, Stats: st, Format: format}
	if sv != nil {
		c.Saved, c.Settings, c.Format = true, sv.Settings, sv.Settings.Format
		c.HasSecret, c.UpdatedAt, c.UpdatedBy = sv.Secret != "", sv.UpdatedAt, sv.UpdatedBy
	} else {
		c.Settings.Format = format
	}
	c.Platform = c.Format
	if a, ok := connector.Lookup(c.Format); ok {
		c.Platform, _ = connector.Describe(a)
	}
	c.IngestURL = IngestURL(room, c.Format, source)
	return c, nil
}

// IngestURL is the path a platform posts a source's deliveries to.
func IngestURL(room, format, source string) string {
	q := url.Values{"format": {format}, "source": {source}}
	return "/api/v1/rooms/" + url.PathEscape(room) + "/events?" + q.Encode()
}

func checkSource(source string) error {
	if !livedeck.ValidID(source) {
		return livedeck.Errorf(livedeck.EINVALID, "source", "want 1-64 letters, digits, '_', '.' or '-'")
	}
	return nil
}

// newSecret is 32 random bytes, URL-safe, for platforms that take a secret
// from the receiver rather than issuing one.
func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return "ldc_" + base64.RawURLEncoding.EncodeToString(b)
}

// unavailable wraps a Redis failure as a 503 that keeps the cause for logs.
func unavailable(what string, err error) error {
	return fmt.Errorf("%s: %w: %w", what, err, livedeck.Errorf(livedeck.EUNAVAILABLE, "", "connector store unavailable: retry"))
}
