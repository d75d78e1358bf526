package auth

import (
	"context"
	"log/slog"
	"regexp"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/redisx"
)

// streamID matches the digits of a stream id; the numbers must also fit
// in 64 bits, or Redis refuses the id (see validBefore).
var streamID = regexp.MustCompile(`^[0-9]{1,20}-[0-9]{1,20}$`)

// validBefore reports whether id is a stream id Redis accepts as an
// exclusive end: both numbers fit in 64 bits and it is not 0-0, which
// nothing is before.
func validBefore(id string) bool {
	if !streamID.MatchString(id) {
		return false
	}
	ms, seq, _ := strings.Cut(id, "-")
	m, err1 := strconv.ParseUint(ms, 10, 64)
	q, err2 := strconv.ParseUint(seq, 10, 64)
	return err1 == nil && err2 == nil && (m != 0 || q != 0)
}

// Entry is one audit record: who did what, when, where.
type Entry struct {
	ID     string `json:"id"`             // stream id, ordered by time
	At     int64  `json:"at"`             // Unix ms
	Who    string `json:"who"`            // kind:id, e.g. user:alice, token:9f…
	Role   Role   `json:"role,omitempty"` // the actor's role at the time
	Action string `json:"action"`         // login, login.failed, token.create, user.update, rules.put…
	Room   string `json:"room,omitempty"`
	Target string `json:"target,omitempty"` // the user, token or rule set acted on
	IP     string `json:"ip,omitempty"`
	Detail string `json:"detail,omitempty"` // what changed, never a secret
	// RequestID is the id of the HTTP request that did it (X-Request-Id),
	// to find its log lines.
	RequestID string `json:"request_id,omitempty"`
}

// Audit appends e on behalf of p (nil: anonymous). A failure to write is
// logged, not returned: the action itself already happened.
func (s *Service) Audit(ctx context.Context, p *Principal, e Entry) {
	e.Who = who(p)
	if p != nil {
		e.Role = p.Role
	}
	if e.IP == "" {
		e.IP = clientIPFrom(ctx)
	}
	if e.RequestID == "" {
		e.RequestID = RequestIDFrom(ctx)
	}
	if e.At == 0 {
		e.At = s.nowMs()
	}
	ctx = context.WithoutCancel(ctx) // a caller hanging up must not lose the record
	err := s.rdb.XAdd(ctx, &redis.XAddArgs{
		Stream: redisx.AuditKey, MaxLen: s.cfg.AuditMaxLen, Approx: true,
		Values: []any{"at", e.At, "who", e.Who, "role", string(e.Role), "action", e.Action,
			"room", e.Room, "target", e.Target, "ip", e.IP, "detail", e.Detail, "request", e.RequestID},
	}).Err()
	if err != nil {
		slog.Default().WarnContext(ctx, "audit write failed", "action", e.Action, "err", err)
	}
}

// AuditLog reads up to count entries, newest first, older than the stream
// id before (empty: from the newest).
func (s *Service) AuditLog(ctx context.Context, count int64, before string) ([]Entry, error) {
	out, _, err := s.AuditLogFor(ctx, nil, count, before)
	return out, err
}

// auditScanMax bounds how many entries one read of a scoped caller's audit
// log looks at: its rooms' entries may be rare in a busy log.
const auditScanMax = 10_000

// AuditLogFor reads up to count entries by may see (SeesEntry), newest
// first, older than the stream id before (empty: from the newest). When the
// scan stopped at auditScanMax entries before count were found, scanned is
// the oldest id looked at: pass it as before to read on. Otherwise "".
func (s *Service) AuditLogFor(ctx context.Context, by *Principal, count int64, before string) (out []Entry, scanned string, err error) {
	if count <= 0 || count > 1000 {
		count = 100
	}
	end := "+"
	if before != "" {
		if !validBefore(before) {
			return nil, "", livedeck.Errorf(livedeck.EINVALID, "before", "want an entry id such as 1700000000000-0 (not 0-0)")
		}
		end = "(" + before
	}
	chunk := count
	if by != nil && !by.AllRooms() {
		chunk = 1000
	}
	out = make([]Entry, 0, count)
	for seen := int64(0); ; {
		msgs, err := s.rdb.XRevRangeN(ctx, redisx.AuditKey, end, "-", chunk).Result()
		if err != nil {
			return nil, "", unavailable("read audit log", err)
		}
		for _, m := range msgs {
			if e := entryOf(m); by.SeesEntry(e) {
				out = append(out, e)
				if int64(len(out)) == count {
					return out, "", nil
				}
			}
		}
		seen += int64(len(msgs))
		if int64(len(msgs)) < chunk {
			return out, "", nil
		}
		last := msgs[len(msgs)-1].ID
		if seen >= auditScanMax {
			return out, last, nil
		}
		end = "(" + last
	}
}

func entryOf(m redis.XMessage) Entry {
	str := func(k string) string { v, _ := m.Values[k].(string); return v }
	at, _ := strconv.ParseInt(str("at"), 10, 64)
	return Entry{ID: m.ID, At: at, Who: str("who"), Role: Role(str("role")), Action: str("action"),
		Room: str("room"), Target: str("target"), IP: str("ip"), Detail: str("detail"), RequestID: str("request")}
}
