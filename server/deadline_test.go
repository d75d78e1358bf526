package server

import (
	"net/http"
	"testing"
	"time"

	"github.com/livedeck/livedeck/auth"
	"github.com/livedeck/livedeck/internal/faultproxy"
	"github.com/livedeck/livedeck/internal/redistest"
)

// TestRoutesAnswerWithinBudgetWhenRedisHangs drops every Redis reply (the
// requests reach Redis, the answers never come back) and checks that each
// route still answers, with 503, within its documented budget. Before
// request deadlines reached Redis calls, each call waited out the client's
// own 3 s read timeout, one after another.
func TestRoutesAnswerWithinBudgetWhenRedisHangs(t *testing.T) {
	rs := redistest.Start(t)
	proxy := faultproxy.Start(t, rs.Addr())
	f := newAuthFixtureOn(t, "redis://"+proxy.Addr(), auth.Config{Limits: roomyLimits}, Config{RequestTimeout: time.Second})
	ingestTok := f.token(t, auth.Ingest, "a")
	proxy.DropReplies(true)
	defer proxy.DropReplies(false)

	const slack = 1500 * time.Millisecond // scheduling on a busy machine, not a target
	for _, tc := range []struct {
		name   string
		req    request
		budget time.Duration
	}{
		{"readyz", request{method: "GET", path: "/readyz"}, readyBudget},
		{"room", request{method: "GET", path: "/api/v1/rooms/a", header: bearer(f.admin)}, time.Second},
		{"rules", request{method: "GET", path: "/api/v1/rooms/a/rules", header: bearer(f.admin)}, time.Second},
		{"ingest", request{method: "POST", path: "/api/v1/rooms/a/events", header: jsonHeader(bearer(ingestTok)),
			body: `[{"id":"l1","type":"like","ts":1764554400000,"count":1}]`}, 5 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			rec := f.do(tc.req)
			took := time.Since(start)
			if rec.Code != http.StatusServiceUnavailable {
				t.Errorf("status %d, want 503: %s", rec.Code, rec.Body)
			}
			if took > tc.budget+slack {
				t.Errorf("answered after %s; the budget is %s", took.Round(time.Millisecond), tc.budget)
			}
			t.Logf("503 after %s (budget %s)", took.Round(time.Millisecond), tc.budget)
		})
	}
}
