package rules

import (
	"context"
	"strings"
	"testing"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
)

func stockSnap(stock map[string][2]int64) livedeck.Snapshot {
	s := livedeck.Snapshot{SKUs: map[string]livedeck.SKUStats{}}
	for sku, v := range stock {
		s.SKUs[sku] = livedeck.SKUStats{Stock: v[0], Oversold: v[1], UnitsSold: 10}
	}
	return s
}

// TestOversellAlertOncePerSKU: units sold past stock raise one critical
// 超卖 alert per product, naming the product and the units, however many
// evaluations and instances see it; a second product gets its own.
func TestOversellAlertOncePerSKU(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	ctx := context.Background()
	setRoomProducts(t, rdb, "os", livedeck.Product{SKU: "lip", Name: "丝绒口红", Price: 100, Stock: 10},
		livedeck.Product{SKU: "mask", Name: "面膜", Price: 100, Stock: 10})
	a, b := newTestService(rdb), newTestService(rdb) // two instances
	mustPut(t, a, "os", "rules:\n- name: any\n  when: online > 1000000\n  actions: [{alert: {severity: info, message: x}}]\n")
	steps := []map[string][2]int64{
		{"lip": {5, 0}, "mask": {9, 0}},
		{"lip": {0, 43}, "mask": {9, 0}},
		{"lip": {0, 45}, "mask": {9, 0}},
		{"lip": {0, 45}, "mask": {0, 2}},
		{"lip": {100, 0}, "mask": {0, 3}},
	}
	for i, st := range steps {
		for _, svc := range []*Service{a, b} {
			if err := svc.Engine.evaluate(ctx, livedeck.Update{Room: "os", Now: caseStart + int64(i)*1000, Snapshot: stockSnap(st)}); err != nil {
				t.Fatal(err)
			}
		}
		b.Engine.Forget("os") // the second instance starts from Redis every time
	}
	h, err := a.Store.History(ctx, "os", 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := len(h) - 1; i >= 0; i-- {
		if al := h[i].Alert; al != nil {
			if al.Severity != "critical" || h[i].Rule != "oversold" {
				t.Errorf("alert %+v: want critical, rule oversold", al)
			}
			got = append(got, al.Message)
		}
	}
	want := []string{
		"超卖 丝绒口红 (lip)：已超出库存 43 件 · Oversold: 丝绒口红 (lip) sold 43 units past its stock",
		"超卖 面膜 (mask)：已超出库存 2 件 · Oversold: 面膜 (mask) sold 2 units past its stock",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("alerts:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestStockCueNamesItsProduct: a for_sku cue carries the product it is
// about (the match with the least stock above zero), so the host's stock
// box shows that product; no cue promotes a sold-out or oversold product.
func TestStockCueNamesItsProduct(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	ctx := context.Background()
	cases := []struct {
		name  string
		rule  string
		stock map[string][2]int64
		want  string // the cue's SKU; "-" for no cue
	}{
		{"the product running out", "when: any(sku_list, {.stock > 0 && .stock <= 3})\n  actions: [{cue: {text: 最后3组！, for_sku: '.stock > 0 && .stock <= 3'}}]",
			map[string][2]int64{"serum": {238, 0}, "lip": {2, 0}, "mask": {3, 0}}, "lip"},
		{"an oversold product is not promoted", "when: any(sku_list, {.stock <= 3})\n  actions: [{cue: {text: 最后3组！, for_sku: '.stock <= 3'}}]",
			map[string][2]int64{"serum": {238, 0}, "lip": {0, 5}}, "-"},
		{"a fixed SKU that is oversold", "when: 'true'\n  actions: [{cue: {text: 快抢, sku: lip}}]",
			map[string][2]int64{"serum": {238, 0}, "lip": {0, 1}}, "-"},
		{"a fixed SKU in stock", "when: 'true'\n  actions: [{cue: {text: 快抢, sku: lip}}]",
			map[string][2]int64{"lip": {8, 0}}, "lip"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			room := "cue-" + strings.ReplaceAll(tc.name, " ", "-")
			svc := newTestService(rdb)
			mustPut(t, svc, room, "rules:\n- name: r\n  "+tc.rule+"\n")
			if err := svc.Engine.evaluate(ctx, livedeck.Update{Room: room, Now: caseStart, Snapshot: stockSnap(tc.stock)}); err != nil {
				t.Fatal(err)
			}
			h, err := svc.Store.History(ctx, room, 10)
			if err != nil {
				t.Fatal(err)
			}
			got := "-"
			for _, s := range h {
				if s.Cue != nil {
					got = s.Cue.SKU
				}
			}
			if got != tc.want {
				t.Errorf("cue SKU %q, want %q", got, tc.want)
			}
		})
	}
}

func TestForSKUValidation(t *testing.T) {
	for src, want := range map[string]string{
		"rules:\n- {name: a, when: 'true', actions: [{cue: {text: x, for_sku: '.stok < 3'}}]}\n":          "for_sku",
		"rules:\n- {name: a, when: 'true', actions: [{cue: {text: x, sku: A, for_sku: '.stock < 3'}}]}\n": "not both",
	} {
		rs, err := Parse([]byte(src))
		if err != nil {
			t.Fatal(err)
		}
		if _, probs := Compile(rs, nil); !strings.Contains(probs.Error(), want) {
			t.Errorf("%s: problems %q, want %q", src, probs.Error(), want)
		}
	}
}
