package server

import (
	"testing"
	"time"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/faultproxy"
	"github.com/livedeck/livedeck/internal/redistest"
)

// TestWSHealthWhenRedisHangs drops every Redis reply for 8 s: the operator
// and producer views are told within 2 s that the numbers are delayed and
// since when, and told again when data flows; the host view hears nothing
// of it. Before, the console got no message at all for the whole outage.
func TestWSHealthWhenRedisHangs(t *testing.T) {
	rs := redistest.Start(t)
	direct := rs.Client(t)
	addRoom(t, direct, "r1")
	proxy := faultproxy.Start(t, rs.Addr())
	in := startWSInstance(t, "redis://"+proxy.Addr(), HubConfig{Instance: "i1"}, Config{})

	op := dialWS(t, in.wsURL("rooms=r1&view=operator"), nil)
	op.expect(typeHello, "")
	op.expect(typeSnapshot, "r1")
	host := dialWS(t, in.wsURL("rooms=r1&view=host"), nil)
	host.expect(typeHello, "")
	host.expect(typeSnapshot, "r1")

	proxy.DropReplies(true)
	cut := time.Now()
	e := op.expect(typeHealth, "r1")
	took := time.Since(cut)
	hd := decode[healthData](t, e.Data)
	if hd.Status != "delayed" || hd.Reason != healthRedis || hd.Since < cut.UnixMilli()-10 {
		t.Fatalf("health %+v, want delayed by redis since the cut (%d)", hd, cut.UnixMilli())
	}
	if took > 2*time.Second {
		t.Errorf("delayed state shown %s after the cut, want within 2 s", took)
	}
	t.Logf("delayed state shown %s after the replies stopped", took.Round(time.Millisecond))

	time.Sleep(8*time.Second - time.Since(cut))
	proxy.DropReplies(false)
	proxy.Reset() // connections that lost replies are out of step; the clients reconnect
	healed := time.Now()
	for {
		e := op.next()
		if e.Type != typeHealth {
			continue // metrics or signals caught up meanwhile
		}
		if hd := decode[healthData](t, e.Data); hd.Status == "ok" {
			break
		}
	}
	t.Logf("cleared %s after replies resumed", time.Since(healed).Round(time.Millisecond))

	// The host view got nothing of it: its next message is a cue.
	addSignal(t, direct, cue("r1", "after"))
	_ = host.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, b, err := host.conn.ReadMessage()
		if err != nil {
			t.Fatalf("host read: %v", err)
		}
		var env envelope
		decodeJSONTest(t, b, &env)
		if env.Type == typeHealth {
			t.Fatalf("the host view got a health message: %s", b)
		}
		if env.Type == string(livedeck.SignalCue) {
			break
		}
	}
}
