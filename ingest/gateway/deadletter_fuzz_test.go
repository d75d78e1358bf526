package gateway

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/redisx"
)

// FuzzDeadLetterQuery reads dead letters with the ?count=, ?source= and
// ?after= of GET …/dead-letters (count parsed as the route does) from a
// real Redis holding a few: at most count letters (100 by default), of
// that source, after the given id, in order; a bad count or id is an
// invalid error on its field, never a Redis error.
// Seeds: testdata/fuzz/FuzzDeadLetterQuery.
func FuzzDeadLetterQuery(f *testing.F) {
	rdb := redistest.Start(f).Client(f)
	ctx := context.Background()
	for i := range 6 {
		src := []string{"shopify", "doudian"}[i%2]
		if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: redisx.Room("r1").DeadLetters(), Values: []any{"source", src, "reason", "bad " + strconv.Itoa(i)}}).Err(); err != nil {
			f.Fatal(err)
		}
	}
	s := New(rdb, nil, prometheus.NewRegistry(), Config{})
	f.Fuzz(func(t *testing.T, countParam, source, after string) {
		count := 0
		if countParam != "" {
			var err error
			if count, err = strconv.Atoi(countParam); err != nil || count < 1 {
				return // the route refuses it on field count
			}
		}
		list, err := s.DeadLetters(ctx, "r1", source, count, after)
		if err != nil {
			var le *livedeck.Error
			if !errors.As(err, &le) || le.Code != livedeck.EINVALID || (le.Field != "count" && le.Field != "after") {
				t.Fatalf("count %q, after %q: %v, want an invalid error on count or after", countParam, after, err)
			}
			return
		}
		limit := count
		if limit == 0 {
			limit = defaultDeadLetters
		}
		if len(list) > limit {
			t.Fatalf("count %q: %d letters", countParam, len(list))
		}
		prev := after
		for _, dl := range list {
			if source != "" && dl.Source != source {
				t.Fatalf("source %q: letter of %q", source, dl.Source)
			}
			if prev != "" && !idBefore(prev, dl.ID) {
				t.Fatalf("letter %s after %s (after=%q)", dl.ID, prev, after)
			}
			prev = dl.ID
		}
	})
}

// idBefore compares stream ids a < b.
func idBefore(a, b string) bool {
	am, as, _ := strings.Cut(a, "-")
	bm, bs, _ := strings.Cut(b, "-")
	x, _ := strconv.ParseUint(am, 10, 64)
	y, _ := strconv.ParseUint(bm, 10, 64)
	p, _ := strconv.ParseUint(as, 10, 64)
	q, _ := strconv.ParseUint(bs, 10, 64)
	return x < y || x == y && p < q
}
