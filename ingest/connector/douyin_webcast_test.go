package connector_test

import (
	"testing"

	"github.com/livedeck/livedeck/ingest/connector"
)

func TestDouyinWebcastFixtures(t *testing.T) {
	all := fixtures(t, "douyin-webcast", &connector.Settings{})
	m := all["messages"]
	want := []string{"comment", "comment", "enter", "like", "follow", "share", "viewers", "", "", "", "comment"}
	for i, k := range want {
		got := ""
		if len(m[i].Events) == 1 {
			got = string(m[i].Events[0].Type)
		}
		if got != k || (k == "" && !m[i].Ignored) {
			t.Errorf("messages[%d] %s: want %q, got %+v", i, m[i].Kind, k, m[i])
		}
	}
	if *m[6].Events[0].Online != 2317 || m[3].Events[0].Count != 8 || m[0].Events[0].ID != "dyweb:7380000000000000001" ||
		m[0].Events[0].UserID != "dyweb:98765432101" || m[10].Events[0].TS != 1777636810000 || m[11].Err == "" {
		t.Errorf("messages: %+v", m)
	}
	g := all["gifts"]
	if len(g[0].Events) != 1 || g[0].Events[0].Value != 10 || !g[1].Ignored || !g[2].Ignored ||
		g[3].Events[0].Value != 50 || g[3].Events[0].ID != g[4].Events[0].ID || g[5].Events[0].Value != 300000 || g[6].Err == "" {
		t.Errorf("gifts: diamonds × count × 10 fen, a combo counted once at repeatEnd under one id: %+v", g)
	}
}
