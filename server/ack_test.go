package server

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/redisx"
)

// TestWSAckFlood: one host connection sends 12,000 acknowledgements as fast
// as it can, cycling over the room's three cues, an unknown key and an
// alert. The signal stream keeps its cues, tier and alert (before the limit
// the acks filled the ~10,000-entry stream and trimmed them), each cue's ack
// is stored once, every ack is answered (limited, refused, already
// acknowledged, or the stored ack relayed back), and a second connection's
// ack of an acknowledged cue is answered without being stored again.
func TestWSAckFlood(t *testing.T) {
	const flood = 12_000
	in := startWSInstance(t, redistest.Start(t).URL(), HubConfig{SendQueue: 2 * flood}, Config{})
	rdb, ctx := in.rdb, context.Background()
	addRoom(t, rdb, "r1")
	tier := livedeck.Signal{Kind: livedeck.SignalTier, Room: "r1", Rule: "t", Tier: &livedeck.Tier{Name: "T1", Coupon: "满199减20"}}
	history := []string{addSignal(t, rdb, tier)}
	for _, k := range []string{"c1", "c2", "c3"} {
		history = append(history, addSignal(t, rdb, cue("r1", k)))
	}
	history = append(history, addSignal(t, rdb, alert("r1", "al1")))

	host := dialWS(t, in.wsURL("rooms=r1&view=host"), nil)
	host.expect(typeHello, "")
	host.expect(typeSnapshot, "r1")
	keys := []string{"c1", "c2", "c3", "nope", "al1"}
	answers := make(chan map[string]int, 1)
	go func() { // count the answers by kind until every ack has one
		got := map[string]int{}
		defer func() { answers <- got }()
		_ = host.conn.SetReadDeadline(time.Now().Add(60 * time.Second))
		for n := 0; n < flood; n++ {
			var e envelope
			if host.conn.ReadJSON(&e) != nil {
				return
			}
			kind := e.Type
			switch {
			case e.Type == typeError && strings.Contains(string(e.Data), "too many acknowledgements"):
				kind = "limited"
			case e.Type == typeError && strings.Contains(string(e.Data), "no cue or alert"):
				kind = "unknown"
			case e.Type == typeError && strings.Contains(string(e.Data), "operator or producer view"):
				kind = "wrong view"
			case e.Type == "ack" && e.ID == "":
				kind = "ack answered"
			case e.Type == "ack":
				kind = "ack stored"
			}
			got[kind]++
		}
	}()
	for i := range flood {
		msg := `{"type":"ack","room":"r1","data":{"key":"` + keys[i%len(keys)] + `"}}`
		if err := host.conn.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	got := <-answers
	total := 0
	for _, n := range got {
		total += n
	}
	if total != flood || got["ack stored"] != 3 || got["limited"] < flood-200 || got["unknown"] < 1 || got["wrong view"] < 1 || got["ack answered"] < 1 {
		t.Fatalf("answers %v (%d), want one per ack: 3 stored, the rest limited, refused or answered", got, total)
	}

	// Another console's ack of an acknowledged cue: answered, not stored.
	other := dialWS(t, in.wsURL("rooms=r1&view=host"), nil)
	other.expect(typeHello, "")
	other.expect(typeSnapshot, "r1")
	if err := other.conn.WriteJSON(map[string]any{"type": "ack", "room": "r1", "data": map[string]string{"key": "c2"}}); err != nil {
		t.Fatal(err)
	}
	if e := other.expect("ack", "r1"); e.ID != "" || decode[livedeck.Signal](t, e.Data).Ack.By != viewHost {
		t.Fatalf("second ack of c2 answered %+v, want the first ack, without an id", e)
	}

	for _, id := range history {
		if xs, err := rdb.XRange(ctx, redisx.Room("r1").Signals(), id, id).Result(); err != nil || len(xs) != 1 {
			t.Fatalf("signal %s (tier, cue or alert) gone from the stream: %v %v", id, xs, err)
		}
	}
	xs, err := rdb.XRange(ctx, redisx.Room("r1").Signals(), "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	acks := map[string]int{}
	for _, x := range xs {
		var s livedeck.Signal
		if err := json.Unmarshal([]byte(x.Values["s"].(string)), &s); err == nil && s.Kind == livedeck.SignalAck {
			acks[s.Ack.Key]++
		}
	}
	if len(xs) != len(history)+3 || acks["c1"] != 1 || acks["c2"] != 1 || acks["c3"] != 1 {
		t.Fatalf("stream holds %d entries, acks %v; want the %d signals and one ack per cue", len(xs), acks, len(history))
	}
	if n := testutil.ToFloat64(in.hub.m.acks.WithLabelValues(ackLimited)); n < flood-200 {
		t.Fatalf("acks_total{outcome=limited} = %v, want the flood counted", n)
	}
}
