package connector_test

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/ingest/connector"
)

// The TikTok forwarder's recorded session (events as tiktok-live-connector
// 2.5 emits them, v3 schema) maps through the tiktok-live adapter with no
// dead letter: what the forwarder sends is what the adapter reads.
func TestTikTokForwarderFixtureMaps(t *testing.T) {
	raw, err := os.ReadFile("../../connectors/tiktok-forwarder/test/fixtures/events.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Events []json.RawMessage }
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(doc.Events)
	a, _ := connector.Lookup("tiktok-live")
	msgs, err := a.Decode(&connector.Delivery{Body: body, Room: "r", Received: time.Now()}, &connector.Settings{})
	if err != nil || len(msgs) != len(doc.Events) {
		t.Fatalf("decode: %v, %d messages of %d", err, len(msgs), len(doc.Events))
	}
	got := map[livedeck.EventType]int{}
	ids := map[string]bool{}
	ignored := 0
	for _, m := range msgs {
		if m.Err != nil {
			t.Errorf("message %d (%s): %v", m.Index, m.Kind, m.Err)
		}
		if m.Ignored {
			ignored++
		}
		for _, ev := range m.Events {
			got[ev.Type]++
			ids[ev.ID] = true
			if ev.Type == livedeck.EventComment && (ev.Text == "" || ev.UserID == "") {
				t.Errorf("comment without text or user: %+v", ev)
			}
		}
	}
	// chat ×3 (one a redelivery) + questionNew; member; like ×2; follow;
	// share; roomUser ×2; gifts: the streak's end, a single gift, the envelope.
	want := map[livedeck.EventType]int{livedeck.EventComment: 4, livedeck.EventEnter: 1, livedeck.EventLike: 2, livedeck.EventFollow: 1,
		livedeck.EventShare: 1, livedeck.EventViewers: 2, livedeck.EventGift: 3}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s events: %d, want %d (all: %v)", k, got[k], n, got)
		}
	}
	// Ignored: the streak's first gift, the repost (social), streamEnd.
	if ignored != 3 {
		t.Errorf("%d ignored, want 3", ignored)
	}
	if !ids["tt:7443600000000000002"] || len(ids) != 13 { // 14 events, the redelivered chat sharing its id
		t.Errorf("ids %v: want tt:<msgId>, the redelivered chat once", ids)
	}
}
