package rules

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/redisx"
)

// TestGuardrails: a rule set that would sell below a floor is refused at
// save time with the rule, product and numbers; a tier that passed but
// breaks a guardrail raised later is blocked at firing with an alert; no
// cue goes out for a sold-out product.
func TestGuardrails(t *testing.T) {
	srv := redistest.Start(t)
	rdb := srv.Client(t)
	ctx := context.Background()
	setRoom := func(floor int64) {
		b, _ := json.Marshal(livedeck.Room{ID: "g", Title: "t", Currency: "CNY", Products: []livedeck.Product{
			{SKU: "socks", Name: "袜子", Price: 2300, Stock: 100, FloorPrice: floor}, {SKU: "coat", Name: "大衣", Price: 89900, Stock: 5}}})
		if err := rdb.Set(ctx, redisx.Room("g").Meta(), b, 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	setRoom(2000)
	svc := NewService(rdb, EngineConfig{}, NewMetrics(prometheus.NewRegistry()))
	plan := "rules:\n- name: tier-2000\n  when: online >= 2000\n  actions: [{tier: {name: big, coupon: 满199减50, threshold: 19900, discount: 5000}}]\n" +
		"- name: last-coats\n  when: online >= 1\n  actions: [{cue: {text: 大衣上链接, sku: coat}}]\n"

	_, _, err := svc.Put(ctx, "g", []byte(plan), "test", "")
	var inv *InvalidError
	if !errors.As(err, &inv) || !strings.Contains(err.Error(), `rule "tier-2000"`) || !strings.Contains(err.Error(), "socks (袜子, price ¥23.00)") ||
		!strings.Contains(err.Error(), "¥17.44 per unit") || !strings.Contains(err.Error(), "floor price ¥20.00") {
		t.Fatalf("save-time guardrail: %v", err)
	}
	if v, _ := svc.Store.CurrentVersion(ctx, "g"); v != 0 {
		t.Fatalf("refused set was saved as version %d", v)
	}

	// Without the floor the set saves; then the floor comes back mid-show.
	setRoom(0)
	if _, _, err := svc.Put(ctx, "g", []byte(plan), "test", ""); err != nil {
		t.Fatal(err)
	}
	setRoom(2000)
	time.Sleep(versionCheck) // the engine re-reads the line-up with its version check
	snap := livedeck.Snapshot{Online: 2500, SKUs: map[string]livedeck.SKUStats{"coat": {Stock: 0}, "socks": {Stock: 100}}}
	if err := svc.Engine.evaluate(ctx, livedeck.Update{Room: "g", Now: time.Now().UnixMilli(), Snapshot: snap}); err != nil {
		t.Fatal(err)
	}
	if tier, _ := svc.Store.Tier(ctx, "g"); tier != nil {
		t.Fatalf("tier set despite the guardrail: %+v", tier)
	}
	h, _ := svc.Store.History(ctx, "g", 100)
	alerted, cued := false, false
	for _, s := range h {
		alerted = alerted || (s.Alert != nil && strings.Contains(s.Alert.Message, "floor price ¥20.00"))
		cued = cued || s.Cue != nil
	}
	if !alerted {
		t.Errorf("no guardrail alert: %+v", h)
	}
	if cued {
		t.Errorf("a cue went out for the sold-out coat: %+v", h)
	}
}
