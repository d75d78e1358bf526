package rules

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/redisx"
)

func newTestService(rdb redis.UniversalClient) *Service {
	return NewService(rdb, EngineConfig{Location: time.UTC}, NewMetrics(prometheus.NewRegistry()))
}

func mustPut(t *testing.T, svc *Service, room, src string) Version {
	t.Helper()
	v, _, err := svc.Put(context.Background(), room, []byte(src), "test", "")
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func mustEval(t *testing.T, svc *Service, u livedeck.Update) {
	t.Helper()
	if err := svc.Engine.evaluate(context.Background(), u); err != nil {
		t.Fatal(err)
	}
}

// cueTexts lists the room's cue texts, oldest first.
func cueTexts(t *testing.T, svc *Service, room string) []string {
	t.Helper()
	h, err := svc.Store.History(context.Background(), room, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(h) - 1; i >= 0; i-- {
		if h[i].Cue != nil {
			out = append(out, h[i].Cue.Text)
		}
	}
	return out
}

func online(room string, at int64, n int64) livedeck.Update {
	return livedeck.Update{Room: room, Now: caseStart + at*1000, Snapshot: livedeck.Snapshot{Online: n}}
}

// TestEditedRuleFiresAgain: a threshold lowered while the show runs is used
// by the very next evaluation, and a rule that had fired before its edit
// fires again (its dedupe keys are new).
func TestEditedRuleFiresAgain(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	svc := newTestService(rdb)
	plan := "rules:\n- name: crowd\n  when: online >= %d\n  actions: [{cue: {text: '在线{{.Online}}'}}]\n"
	mustPut(t, svc, "e", fmt.Sprintf(plan, 500))
	mustEval(t, svc, online("e", 0, 600))
	mustEval(t, svc, online("e", 1, 450))
	mustPut(t, svc, "e", fmt.Sprintf(plan, 400))
	mustEval(t, svc, online("e", 2, 450))
	if got := cueTexts(t, svc, "e"); strings.Join(got, ",") != "在线600,在线450" {
		t.Fatalf("cues %v, want 在线600 then 在线450 under the edited threshold", got)
	}
}

// TestRoomMovesBetweenInstances: instance A evaluates a room, the room
// moves to B, which fires and resolves; when the room comes back to A, A
// reads the state B left instead of trusting its own stale copy, and its
// next firing is a new one.
func TestRoomMovesBetweenInstances(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	a, b := newTestService(rdb), newTestService(rdb)
	mustPut(t, a, "m", "rules:\n- name: crowd\n  when: online >= 500\n  for: 2s\n  actions: [{cue: {text: '在线{{.Online}}'}}]\n")
	mustEval(t, a, online("m", 0, 600)) // pending on A
	mustEval(t, b, online("m", 1, 610))
	mustEval(t, b, online("m", 2, 620)) // fires on B: held since 0 s
	mustEval(t, b, online("m", 3, 100)) // resolves on B
	mustEval(t, b, online("m", 4, 630)) // pending again on B
	a.Engine.lock("m").lastEval = time.Now().Add(-2 * staleAfter)
	a.Engine.rooms["m"].mu.Unlock()
	mustEval(t, a, online("m", 5, 640)) // A: still pending, since 4 s
	mustEval(t, a, online("m", 6, 650)) // A: fires, a new firing
	if got := cueTexts(t, a, "m"); strings.Join(got, ",") != "在线620,在线650" {
		t.Fatalf("cues %v, want 在线620 (B) then 在线650 (A)", got)
	}
}

// TestRedisFailureRetried: while Redis refuses writes, a firing, a gift and
// an order's tier cannot be written; the evaluation reports it, and the
// next one after Redis recovers writes each exactly once.
func TestRedisFailureRetried(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	svc := newTestService(rdb)
	ctx := context.Background()
	mustPut(t, svc, "f", "rules:\n- name: crowd\n  when: online >= 500\n  actions: [{cue: {text: hi}}, {gift: {quota: sample, limit: 5}}]\n")
	mustEval(t, svc, online("f", 0, 100)) // loaded
	order := livedeck.OrderChange{OrderID: "o1", SKU: "A", To: livedeck.OrderPaid}
	u := online("f", 1, 600)
	u.Orders = []livedeck.OrderChange{order}
	evalWritesPaused(t, rdb, svc, u)
	mustEval(t, svc, online("f", 2, 600))
	mustEval(t, svc, online("f", 3, 600))
	if got := cueTexts(t, svc, "f"); len(got) != 1 {
		t.Fatalf("cues %v, want exactly one", got)
	}
	gifts, err := svc.Gifts(ctx, "f", "")
	if err != nil || len(gifts) != 1 || gifts[0].OrderID != "o1" || gifts[0].N != 1 {
		t.Fatalf("gifts %+v (%v), want o1 as #1", gifts, err)
	}
	if tier, err := rdb.HExists(ctx, redisx.Room("f").OrderTier(), "o1").Result(); err != nil || !tier {
		t.Fatalf("order o1's tier not recorded (%v)", err)
	}
	if st, _ := svc.States(ctx, "f"); st[0].State != Firing || st[0].Fires != 1 {
		t.Fatalf("state %+v, want firing once", st[0])
	}
}

// TestOrderTierRecorded: each order is recorded with the tier in effect
// when it was created — the tier before the evaluation its batch causes —
// and keeps it when it is later paid under another tier.
func TestOrderTierRecorded(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	svc := newTestService(rdb)
	ctx := context.Background()
	mustPut(t, svc, "ot", "rules:\n- name: t500\n  when: online >= 500\n  actions: [{tier: {name: t500, coupon: 满199减20, threshold: 19900, discount: 2000}}]\n")
	created := func(id string) livedeck.OrderChange {
		return livedeck.OrderChange{OrderID: id, SKU: "A", To: livedeck.OrderCreated}
	}
	u := online("ot", 0, 600)
	u.Orders = []livedeck.OrderChange{created("before")}
	mustEval(t, svc, u)
	u = online("ot", 1, 600)
	u.Orders = []livedeck.OrderChange{created("during"), {OrderID: "before", From: livedeck.OrderCreated, To: livedeck.OrderPaid}}
	mustEval(t, svc, u)
	got, err := rdb.HGetAll(ctx, redisx.Room("ot").OrderTier()).Result()
	if err != nil {
		t.Fatal(err)
	}
	if got["before"] != "" || got["during"] != "t500" || len(got) != 2 {
		t.Fatalf("order tiers %v, want before under no tier and during under t500", got)
	}
	if tier, _ := svc.Store.Tier(ctx, "ot"); tier == nil || tier.Coupon != "满199减20" {
		t.Fatalf("active tier %+v", tier)
	}
}

// TestUnknownSKUShown: a condition naming a SKU the room does not have is
// not a match; the rule's state shows the error, and saving warns.
func TestUnknownSKUShown(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	svc := newTestService(rdb)
	ctx := context.Background()
	setRoomProducts(t, rdb, "u", livedeck.Product{SKU: "lipstick", Name: "口红", Price: 9900, Stock: 10})
	_, probs, err := svc.Put(ctx, "u", []byte("rules:\n- name: low\n  when: 'skus[\"lipstik\"].stock <= 3'\n  actions: [{cue: {text: 最后几件}}]\n"), "test", "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(fmt.Sprint([]Problem(probs)), `"lipstik"`) {
		t.Errorf("no warning about the unknown SKU: %v", probs)
	}
	mustEval(t, svc, livedeck.Update{Room: "u", Now: caseStart, Snapshot: livedeck.Snapshot{SKUs: map[string]livedeck.SKUStats{"lipstick": {Stock: 1}}}})
	st, _ := svc.States(ctx, "u")
	if st[0].State != Inactive || st[0].Error == "" {
		t.Fatalf("state %+v, want inactive with the error shown", st[0])
	}
	if got := cueTexts(t, svc, "u"); len(got) != 0 {
		t.Fatalf("cues %v for an unknown SKU", got)
	}
}

// TestUnchangedSaveKeepsHistoryReadable: saving the same rules again gives
// a version with an empty diff, and it reads back as an empty list with
// every field intact (the version is written by a script; a JSON round
// trip inside Redis once turned the empty list into an object).
func TestUnchangedSaveKeepsHistoryReadable(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	svc := newTestService(rdb)
	src := "rules:\n- name: crowd\n  when: online >= 500\n  actions: [{cue: {text: hi}}]\n"
	mustPut(t, svc, "u", src)
	v2 := mustPut(t, svc, "u", src)
	cur, err := svc.Store.Current(context.Background(), "u")
	if err != nil {
		t.Fatalf("current after an unchanged save: %v", err)
	}
	if cur.Version != 2 || v2.Version != 2 || cur.Diff == nil || len(cur.Diff) != 0 || cur.Source != src || cur.Author != "test" {
		t.Fatalf("current = %+v, want version 2, empty diff, same source and author", cur)
	}
	vs, err := svc.Store.Versions(context.Background(), "u")
	if err != nil || len(vs) != 2 || vs[0].Version != 2 || vs[1].Version != 1 || vs[0].Diff == nil {
		t.Fatalf("versions = %+v, %v; want 2 then 1", vs, err)
	}
}
