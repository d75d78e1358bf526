package connector_test

import (
	"testing"

	"github.com/livedeck/livedeck/ingest/connector"
)

func TestTikTokLiveFixtures(t *testing.T) {
	all := fixtures(t, "tiktok-live", &connector.Settings{})
	g := all["gifts"]
	if !g[0].Ignored || !g[1].Ignored || len(g[2].Events) != 1 || g[2].Events[0].Value != 4 || g[2].Events[0].Gift != "Rose" {
		t.Errorf("a Rose streak counts once, at repeatEnd: 7 diamonds × 0.5 cent = 3.5 → 4: %+v", g[:3])
	}
	if g[3].Events[0].Value != 15 || g[4].Err == "" {
		t.Errorf("Doughnut 30 diamonds = 15 cents; a gift without user is an error: %+v", g[3:5])
	}
	if g[5].Events[0].ID != g[6].Events[0].ID || g[5].Events[0].Value != 50 {
		t.Errorf("a treasure chest announced twice has one id: %+v", g[5:])
	}
	e := all["events"]
	kinds := []string{"comment", "enter", "like", "follow", "share", "follow", "viewers", "comment"}
	for i, k := range kinds {
		if len(e[i].Events) != 1 || string(e[i].Events[0].Type) != k {
			t.Errorf("events[%d] (%s): want %s, got %+v", i, e[i].Kind, k, e[i])
		}
	}
	if *e[6].Events[0].Online != 1487 || e[2].Events[0].Count != 15 || e[0].Events[0].ID != "tt:7374000000000000001" ||
		e[0].Events[0].UserID != "tt:6812345678901234567" || e[7].Events[0].Text != "Does it ship to Canada?" {
		t.Errorf("events: %+v", e)
	}
	if !e[8].Ignored || e[8].Kind != "streamEnd" || !e[9].Ignored {
		t.Errorf("streamEnd and emote are ignored: %+v", e[8:])
	}
	// The forwarder's recorded session, in the v3 schema's names.
	v3 := all["forwarder-v3"]
	if len(v3) != 17 || v3[1].Events[0].Text != "Is the serum good for dry skin?" || v3[2].Events[0].Count != 15 ||
		*v3[3].Events[0].Online != 1534 || !v3[6].Ignored || v3[8].Events[0].Value != 50 || v3[9].Events[0].Text != "Do you ship to Canada?" ||
		v3[12].Events[0].ID != v3[13].Events[0].ID || v3[0].Events[0].UserID != "tt:6812345678901234567" || !v3[16].Ignored {
		t.Errorf("forwarder session (v3 names): %+v", v3)
	}
}

func TestTikTokLiveGiftRate(t *testing.T) {
	a, _ := connector.Lookup("tiktok-live")
	got := decodeAll(t, a, loadDelivery(t, "tiktok-live", "gifts"), &connector.Settings{GiftRate: "1.3", Currency: "CNY"})
	if got[2].Events[0].Value != 9 || got[3].Events[0].Value != 39 {
		t.Errorf("GiftRate 1.3 fen per diamond: 7 → 9.1 → 9, 30 → 39: %+v %+v", got[2].Events, got[3].Events)
	}
}
