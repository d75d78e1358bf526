package rules

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"time"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/redisx"
)

// Secrets are the named HMAC keys rule webhooks sign with. A rule names
// one (`secret: shop-hook`); admins create, rotate and delete them; the
// value never leaves Redis except in a signature.
type Secrets struct {
	rdb redis.UniversalClient
	now func() time.Time
}

// NewSecrets keeps named secrets in rdb.
func NewSecrets(rdb redis.UniversalClient) *Secrets { return &Secrets{rdb: rdb, now: time.Now} }

// SecretInfo is what anyone may see of a secret: its name and dates.
type SecretInfo struct {
	Name    string `json:"name"`
	Created int64  `json:"created_at"`           // Unix ms
	Rotated int64  `json:"rotated_at,omitempty"` // Unix ms of the last rotation
}

type storedSecret struct {
	SecretInfo
	Value string `json:"value"`
}

var secretNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,63}$`)

// Secret value bounds: long enough to be a key, short enough to be one.
const (
	minSecretLen = 16
	maxSecretLen = 512
)

// checkSecretName refuses a name a rule could not refer to.
func checkSecretName(name string) error {
	if !secretNamePattern.MatchString(name) {
		return livedeck.Errorf(livedeck.EINVALID, "name", "want 1-64 lower-case letters, digits, '_', '.', '-', starting with a letter or digit")
	}
	return nil
}

func checkSecretValue(v string) error {
	if n := len(v); n < minSecretLen || n > maxSecretLen || !utf8.ValidString(v) {
		return livedeck.Errorf(livedeck.EINVALID, "value", "want %d to %d bytes of text (e.g. openssl rand -hex 32)", minSecretLen, maxSecretLen)
	}
	return nil
}

// Create adds a secret; ECONFLICT if the name is taken.
func (s *Secrets) Create(ctx context.Context, name, value string) (SecretInfo, error) {
	if err := checkSecretName(name); err != nil {
		return SecretInfo{}, err
	}
	if err := checkSecretValue(value); err != nil {
		return SecretInfo{}, err
	}
	st := storedSecret{SecretInfo: SecretInfo{Name: name, Created: s.now().UnixMilli()}, Value: value}
	b, _ := json.Marshal(st)
	ok, err := s.rdb.HSetNX(ctx, redisx.RuleSecretsKey, name, b).Result()
	if err != nil {
		return SecretInfo{}, unavailable(err)
	}
	if !ok {
		return SecretInfo{}, livedeck.Errorf(livedeck.ECONFLICT, "name", "a secret called %q exists: rotate it with PUT", name)
	}
	return st.SecretInfo, nil
}

// Rotate gives a secret a new value: deliveries signed from now on use it.
func (s *Secrets) Rotate(ctx context.Context, name, value string) (SecretInfo, error) {
	if err := checkSecretName(name); err != nil {
		return SecretInfo{}, err
	}
	if err := checkSecretValue(value); err != nil {
		return SecretInfo{}, err
	}
	for {
		cur, err := s.get(ctx, name)
		if err != nil {
			return SecretInfo{}, err
		}
		st := storedSecret{SecretInfo: SecretInfo{Name: name, Created: cur.Created, Rotated: s.now().UnixMilli()}, Value: value}
		b, _ := json.Marshal(st)
		old, _ := json.Marshal(cur)
		// Compare-and-set so a concurrent rotation is not half undone.
		res, err := casScript.Run(ctx, s.rdb, []string{redisx.RuleSecretsKey}, name, old, b).Int()
		if err != nil {
			return SecretInfo{}, unavailable(err)
		}
		if res == 1 {
			return st.SecretInfo, nil
		}
	}
}

var casScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
`)

// Delete removes a secret. Webhooks of rules that still name it then
// fail (code "secret") and raise an alert when their retries run out.
func (s *Secrets) Delete(ctx context.Context, name string) error {
	n, err := s.rdb.HDel(ctx, redisx.RuleSecretsKey, name).Result()
	if err != nil {
		return unavailable(err)
	}
	if n == 0 {
		return livedeck.Errorf(livedeck.ENOTFOUND, "name", "no secret called %q", name)
	}
	return nil
}

// List returns every secret's name and dates, by name, never a value.
func (s *Secrets) List(ctx context.Context) ([]SecretInfo, error) {
	all, err := s.rdb.HGetAll(ctx, redisx.RuleSecretsKey).Result()
	if err != nil {
		return nil, unavailable(err)
	}
	out := make([]SecretInfo, 0, len(all))
	for name, raw := range all {
		var st storedSecret
		if json.Unmarshal([]byte(raw), &st) != nil {
			st.Name = name
		}
		out = append(out, st.SecretInfo)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Names is the set of secret names.
func (s *Secrets) Names(ctx context.Context) (map[string]bool, error) {
	names, err := s.rdb.HKeys(ctx, redisx.RuleSecretsKey).Result()
	if err != nil {
		return nil, unavailable(err)
	}
	out := make(map[string]bool, len(names))
	for _, n := range names {
		out[n] = true
	}
	return out, nil
}

// Value is a secret's value, for signing.
func (s *Secrets) Value(ctx context.Context, name string) (string, error) {
	st, err := s.get(ctx, name)
	if err != nil {
		return "", err
	}
	return st.Value, nil
}

func (s *Secrets) get(ctx context.Context, name string) (storedSecret, error) {
	raw, err := s.rdb.HGet(ctx, redisx.RuleSecretsKey, name).Bytes()
	if errors.Is(err, redis.Nil) {
		return storedSecret{}, livedeck.Errorf(livedeck.ENOTFOUND, "name", "no secret called %q", name)
	}
	if err != nil {
		return storedSecret{}, unavailable(err)
	}
	var st storedSecret
	if err := json.Unmarshal(raw, &st); err != nil {
		return storedSecret{}, fmt.Errorf("rule secret %s: corrupt: %w", name, err)
	}
	return st, nil
}
