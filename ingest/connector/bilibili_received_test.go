package connector_test

import (
	"testing"
	"time"

	"github.com/livedeck/livedeck/ingest/connector"
)

// Likes and online counts carry no id and no time. The pull connector adds
// ld_received_ms when it reads them; a batch sent again later (its
// acknowledgement lost) must then map to the same ids and times, whatever
// second the server receives it in.
func TestBilibiliConnectorReceiveTimeKeepsIDs(t *testing.T) {
	a, _ := connector.Lookup("bilibili")
	body := []byte(`[{"cmd":"LIKE_INFO_V3_CLICK","data":{"uid":1,"uname":"a","msg_type":6},"ld_received_ms":1764619200123},` +
		`{"cmd":"ONLINE_RANK_COUNT","data":{"online_count":321},"ld_received_ms":1764619200456},` +
		`{"cmd":"LIKE_INFO_V3_CLICK","data":{"uid":1,"uname":"a","msg_type":6}}]`)
	decode := func(at time.Time) []connector.Message {
		ms, err := a.Decode(&connector.Delivery{Body: body, Room: "r", Received: at}, &connector.Settings{})
		if err != nil || len(ms) != 3 {
			t.Fatalf("decode: %v, %d messages", err, len(ms))
		}
		return ms
	}
	first, later := decode(time.Unix(1764619201, 0)), decode(time.Unix(1764619263, 0))
	for i, want := range []int64{1764619200123, 1764619200456} {
		e1, e2 := first[i].Events[0], later[i].Events[0]
		if e1.ID != e2.ID || e1.TS != want || e2.TS != want {
			t.Errorf("message %d: ids %s / %s, ts %d / %d, want one id and ts %d", i, e1.ID, e2.ID, e1.TS, e2.TS, want)
		}
	}
	// Without the connector's time, the arrival second stands in, as before.
	if first[2].Events[0].ID == later[2].Events[0].ID {
		t.Errorf("unstamped like: same id in different seconds")
	}
}
