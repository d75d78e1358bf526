package auth

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/bcrypt"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
)

// FuzzAuditQuery sends GET /api/v1/audit's ?count= and ?before= (parsed as
// the route does) to a real Redis holding a few entries: the answer is at
// most count entries (100 when count is not 1..1000), newest first, all
// before the given id; a bad id is an invalid error on "before", never a
// Redis error. Seeds: testdata/fuzz/FuzzAuditQuery.
func FuzzAuditQuery(f *testing.F) {
	s, err := New(redistest.Start(f).Client(f), Config{BcryptCost: bcrypt.MinCost}, prometheus.NewRegistry())
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	for i := range 5 {
		s.Audit(ctx, nil, Entry{Action: "user.create", Target: "u" + strconv.Itoa(i)})
	}
	f.Fuzz(func(t *testing.T, countParam, before string) {
		count, _ := strconv.ParseInt(countParam, 10, 64) // as the route reads it
		es, err := s.AuditLog(ctx, count, before)
		if err != nil {
			var le *livedeck.Error
			if !errors.As(err, &le) || le.Code != livedeck.EINVALID || le.Field != "before" {
				t.Fatalf("count %q, before %q: %v, want an invalid error on before", countParam, before, err)
			}
			return
		}
		limit := count
		if count <= 0 || count > 1000 {
			limit = 100
		}
		if int64(len(es)) > limit {
			t.Fatalf("count %q: %d entries", countParam, len(es))
		}
		b, berr := parseID(before)
		for i, e := range es {
			id, err := parseID(e.ID)
			if err != nil {
				t.Fatalf("entry id %q: %v", e.ID, err)
			}
			if before != "" && (berr != nil || !id.less(b)) {
				t.Fatalf("entry %s returned for before=%q", e.ID, before)
			}
			if i > 0 {
				if prev, _ := parseID(es[i-1].ID); !id.less(prev) {
					t.Fatalf("entries not newest first: %s after %s", e.ID, es[i-1].ID)
				}
			}
		}
	})
}

type auditID struct{ ms, seq uint64 }

func (a auditID) less(b auditID) bool { return a.ms < b.ms || a.ms == b.ms && a.seq < b.seq }

func parseID(s string) (auditID, error) {
	var id auditID
	i := 0
	for i < len(s) && s[i] != '-' {
		i++
	}
	if i == len(s) {
		return id, errors.New("no '-'")
	}
	var err error
	if id.ms, err = strconv.ParseUint(s[:i], 10, 64); err != nil {
		return id, err
	}
	id.seq, err = strconv.ParseUint(s[i+1:], 10, 64)
	return id, err
}
