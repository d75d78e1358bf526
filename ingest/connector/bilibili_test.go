package connector_test

import (
	"testing"

	"github.com/livedeck/livedeck/ingest/connector"
)

func TestBilibiliFixtures(t *testing.T) {
	all := fixtures(t, "bilibili", &connector.Settings{})
	// The rules the golden files encode, stated once more so that a
	// careless -update cannot change them unseen.
	gifts := eventsOf(all["gift"])
	want := map[string]int64{ // by tid
		"bili:gift:1777636798120200001": 30, "bili:gift:1777636799120200002": 1500, "bili:gift:1777636799120200003": 0,
		"bili:gift:1777636800120100001": 20, "bili:gift:1777636800120100002": 100,
	}
	for _, ev := range gifts {
		if v, ok := want[ev.ID]; !ok || v != ev.Value {
			t.Errorf("gift %s value %d fen, want %d (fen = total_coin / 10 rounded half up; silver gifts give no event)", ev.ID, ev.Value, v)
		}
	}
	if len(gifts) != 5 {
		t.Errorf("%d gift events, want 5 (3 SEND_GIFT gold, 2 gold items of a SEND_GIFT_V2)", len(gifts))
	}
	counts := all["counts"]
	if len(counts) != 8 || len(counts[2].Events) != 1 || *counts[2].Events[0].Online != 1234 || !counts[4].Ignored || counts[4].Kind != "WATCHED_CHANGE" {
		t.Errorf("ONLINE_RANK_COUNT must feed viewers with online_count and WATCHED_CHANGE be ignored: %+v", counts)
	}
	dm := all["danmaku"]
	if dm[0].Events[0].ID != "bili:a1b2c3d4e5f60718293a4b5c6d7e8f9012" || dm[1].Kind != "DANMU_MSG" || dm[3].Err == "" {
		t.Errorf("danmaku: %+v", dm)
	}
	if dm[1].Events[0].UserID == dm[2].Events[0].UserID && dm[1].Events[0].ID == dm[2].Events[0].ID {
		t.Errorf("two masked (uid 0) comments collapse into one: %+v", dm)
	}
}
