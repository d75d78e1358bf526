package gateway

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/ingest/connector"
	"github.com/livedeck/livedeck/redisx"
)

// DeadLetter is one platform message that could not be mapped (or whose
// event LiveDeck refused), kept to be replayed once the mapping is fixed.
type DeadLetter struct {
	ID         string `json:"id"` // the stream entry id
	Source     string `json:"source"`
	Format     string `json:"format"`
	Index      int    `json:"index"`      // the message's position in its delivery
	MessageID  string `json:"message_id"` // the platform's own id, if known
	Kind       string `json:"kind"`
	Reason     string `json:"reason"`
	Raw        string `json:"raw"`         // the message's own bytes
	ReceivedAt int64  `json:"received_at"` // Unix ms

	body   []byte      // the whole delivery, when small enough to keep
	header http.Header // the delivery's headers, without credentials
}

// Dead-letter listing bounds.
const (
	defaultDeadLetters = 100
	maxDeadLetters     = 1000
	scanChunk          = 500
)

// deadLetter adds one entry within pipe.
func (s *Service) deadLetter(ctx context.Context, pipe redis.Pipeliner, room string, dl DeadLetter) {
	vals := []any{"source", dl.Source, "format", dl.Format, "index", dl.Index, "message_id", dl.MessageID,
		"kind", dl.Kind, "reason", dl.Reason, "raw", dl.Raw, "received_at", dl.ReceivedAt}
	if dl.body != nil {
		vals = append(vals, "body", dl.body)
	}
	if len(dl.header) > 0 {
		h, _ := json.Marshal(dl.header)
		vals = append(vals, "header", h)
	}
	pipe.XAdd(ctx, &redis.XAddArgs{Stream: redisx.Room(room).DeadLetters(), MaxLen: s.cfg.DeadLetterMaxLen, Approx: true, Values: vals})
}

func parseDeadLetter(m redis.XMessage) DeadLetter {
	str := func(k string) string { v, _ := m.Values[k].(string); return v }
	dl := DeadLetter{ID: m.ID, Source: str("source"), Format: str("format"), MessageID: str("message_id"), Kind: str("kind"),
		Reason: str("reason"), Raw: str("raw")}
	dl.Index, _ = strconv.Atoi(str("index"))
	dl.ReceivedAt, _ = strconv.ParseInt(str("received_at"), 10, 64)
	if b := str("body"); b != "" {
		dl.body = []byte(b)
	}
	if h := str("header"); h != "" {
		_ = json.Unmarshal([]byte(h), &dl.header)
	}
	return dl
}

// DeadLetters lists a room's dead letters oldest first, of one source
// when source is set, after the entry id after (exclusive), at most count.
func (s *Service) DeadLetters(ctx context.Context, room, source string, count int, after string) ([]DeadLetter, error) {
	switch {
	case count == 0:
		count = defaultDeadLetters
	case count < 0 || count > maxDeadLetters:
		return nil, livedeck.Errorf(livedeck.EINVALID, "count", "want 1..%d", maxDeadLetters)
	}
	start := "-"
	if after != "" {
		if !validStreamID(after) {
			return nil, livedeck.Errorf(livedeck.EINVALID, "after", "want a dead letter id such as 1700000000000-0")
		}
		if lastStreamID(after) {
			return []DeadLetter{}, nil // nothing comes after it, and Redis refuses "(" before it
		}
		start = "(" + after
	}
	out := []DeadLetter{}
	err := s.scan(ctx, room, start, func(dl DeadLetter) bool {
		if source == "" || dl.Source == source {
			out = append(out, dl)
		}
		return len(out) < count
	})
	return out, err
}

// scan walks the dead-letter stream from start until f returns false.
func (s *Service) scan(ctx context.Context, room, start string, f func(DeadLetter) bool) error {
	key := redisx.Room(room).DeadLetters()
	for {
		msgs, err := s.rdb.XRangeN(ctx, key, start, "+", scanChunk).Result()
		if err != nil {
			return unavailable("read dead letters", err)
		}
		for _, m := range msgs {
			if !f(parseDeadLetter(m)) {
				return nil
			}
		}
		if len(msgs) < scanChunk {
			return nil
		}
		start = "(" + msgs[len(msgs)-1].ID
	}
}

func validStreamID(id string) bool {
	ms, seq, ok := strings.Cut(id, "-")
	if !ok {
		return false
	}
	_, err1 := strconv.ParseUint(ms, 10, 64)
	_, err2 := strconv.ParseUint(seq, 10, 64)
	return err1 == nil && err2 == nil
}

// keptHeader is a delivery's headers without credentials, kept with dead
// letters so a replay decodes as the first delivery did.
func keptHeader(h http.Header) http.Header {
	out := http.Header{}
	for k, vs := range h {
		switch http.CanonicalHeaderKey(k) {
		case "Authorization", "Cookie", "X-Csrf-Token":
			continue
		}
		out[k] = vs
	}
	return out
}

// messageRaw is what a dead letter shows of a message.
func messageRaw(m connector.Message, body []byte) string {
	if len(m.Raw) > 0 {
		return string(m.Raw)
	}
	return string(body)
}

// lastStreamID reports whether id is the largest stream id.
func lastStreamID(id string) bool {
	ms, seq, _ := strings.Cut(id, "-")
	m, _ := strconv.ParseUint(ms, 10, 64)
	q, _ := strconv.ParseUint(seq, 10, 64)
	return m == math.MaxUint64 && q == math.MaxUint64
}
