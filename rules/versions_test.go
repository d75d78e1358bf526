package rules

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/redisx"
)

// TestVersionChecks: another instance's save reaches a room through the
// batched check, through the room's own check when no batch comes, and a
// save on this instance applies at once even when an older batch arrives
// after it.
func TestVersionChecks(t *testing.T) {
	rdb := redistest.Start(t).Client(t)

	plan := "rules:\n- name: crowd\n  when: online >= %d\n  actions: [{cue: {text: '%d: {{.Online}}'}}]\n"
	for _, tc := range []struct {
		name  string
		steps func(t *testing.T, a, b *Service, room string, clock *time.Time)
		want  string // cues, in order
	}{
		{"batched check on the other instance", func(t *testing.T, a, b *Service, room string, clock *time.Time) {
			evalAt(t, b, room, clock, 0, 450) // loaded: v1, 500 does not match
			mustPut(t, a, room, fmt.Sprintf(plan, 400, 400))
			evalAt(t, b, room, clock, 100, 450) // no check due yet: v1
			pollAt(t, b, clock, 100)
			evalAt(t, b, room, clock, 100, 460) // the batch says v2
		}, "400: 460"},
		{"a room checks itself when no batch comes", func(t *testing.T, a, b *Service, room string, clock *time.Time) {
			evalAt(t, b, room, clock, 0, 450)
			mustPut(t, a, room, fmt.Sprintf(plan, 400, 400))
			evalAt(t, b, room, clock, 100, 450)
			evalAt(t, b, room, clock, 200, 460) // 300 ms since its check
		}, "400: 460"},
		{"batches missing the room, it checks itself", func(t *testing.T, a, b *Service, room string, clock *time.Time) {
			evalAt(t, b, room, clock, 0, 450)
			mustPut(t, a, room, fmt.Sprintf(plan, 400, 400))
			b.Engine.lastPoll.Store(clock.UnixNano()) // batches come, without this room
			b.Engine.lock(room).polled.Store(nil)
			b.Engine.rooms[room].mu.Unlock()
			evalAt(t, b, room, clock, 300, 450) // batches come: a room waits for them
			b.Engine.lastPoll.Store(clock.UnixNano())
			evalAt(t, b, room, clock, 250, 460) // 550 ms since its check
		}, "400: 460"},
		{"a save here applies at once, an older batch after it is overruled", func(t *testing.T, a, b *Service, room string, clock *time.Time) {
			evalAt(t, b, room, clock, 0, 450)
			pollAt(t, b, clock, 100) // sent before the save, says v1
			stale := b.Engine.lock(room).polled.Load()
			b.Engine.rooms[room].mu.Unlock()
			mustPut(t, b, room, fmt.Sprintf(plan, 400, 400))
			evalAt(t, b, room, clock, 0, 460) // v2 at once
			late := *stale
			late.at = clock.Add(time.Millisecond) // arrives after the room's own check
			b.Engine.lock(room).polled.Store(&late)
			b.Engine.rooms[room].mu.Unlock()
			evalAt(t, b, room, clock, 100, 470) // still v2: 470 is no new firing
			mustPut(t, a, room, fmt.Sprintf(plan, 465, 465))
			evalAt(t, b, room, clock, 600, 480) // v3 from the room's own check: no batches lately
		}, "400: 460,465: 480"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			room := strings.ReplaceAll(tc.name, " ", "-")
			a, b := newTestService(rdb), newTestService(rdb)
			clock := time.Unix(1_800_000_000, 0)
			b.Engine.clock = func() time.Time { return clock }
			mustPut(t, a, room, fmt.Sprintf(plan, 500, 500))
			tc.steps(t, a, b, room, &clock)
			if got := strings.Join(cueTexts(t, b, room), ","); got != tc.want {
				t.Fatalf("cues %q, want %q", got, tc.want)
			}
		})
	}

}

// evalAt moves the clock on by ms and evaluates room with online viewers.
func evalAt(t *testing.T, svc *Service, room string, clock *time.Time, ms int, online int64) {
	t.Helper()
	*clock = clock.Add(time.Duration(ms) * time.Millisecond)
	mustEval(t, svc, livedeck.Update{Room: room, Now: clock.UnixMilli(), Snapshot: livedeck.Snapshot{Online: online}})
}

// pollAt moves the clock on by ms and runs a batched version check.
func pollAt(t *testing.T, svc *Service, clock *time.Time, ms int) {
	t.Helper()
	*clock = clock.Add(time.Duration(ms) * time.Millisecond)
	if err := svc.Engine.pollVersions(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestRunChecksVersionsForRooms: with Run going, rooms evaluated from many
// goroutines pick up another instance's save, the batched check reaches
// every room, and every room fires under the new rules.
func TestRunChecksVersionsForRooms(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	a, b := newTestService(rdb), newTestService(rdb)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = b.Engine.Run(ctx) }()
	plan := "rules:\n- name: crowd\n  when: online >= %d\n  actions: [{cue: {text: '%d: {{.Online}}'}}]\n"
	const rooms = 8
	for i := range rooms {
		mustPut(t, a, fmt.Sprintf("run%d", i), fmt.Sprintf(plan, 500, 500))
	}
	done := make(chan struct{})
	errs := make(chan error, rooms)
	for i := range rooms {
		go func() {
			room := fmt.Sprintf("run%d", i)
			for {
				select {
				case <-done:
					errs <- nil
					return
				case <-time.After(20 * time.Millisecond):
				}
				u := livedeck.Update{Room: room, Now: time.Now().UnixMilli(), Snapshot: livedeck.Snapshot{Online: 450}}
				if err := b.Engine.evaluate(ctx, u); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	time.Sleep(300 * time.Millisecond) // every room loaded, batches going
	for i := range rooms {
		mustPut(t, a, fmt.Sprintf("run%d", i), fmt.Sprintf(plan, 400, 400))
	}
	deadline := time.Now().Add(10 * time.Second)
	for fired := 0; fired < rooms && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		fired = 0
		for i := range rooms {
			if len(cueTexts(t, b, fmt.Sprintf("run%d", i))) > 0 {
				fired++
			}
		}
	}
	close(done)
	for range rooms {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for i := range rooms {
		room := fmt.Sprintf("run%d", i)
		if got := strings.Join(cueTexts(t, b, room), ","); got != "400: 450" {
			t.Errorf("room %s: cues %q, want the edited rule's", room, got)
		}
		b.Engine.mu.Lock()
		rr := b.Engine.rooms[room]
		b.Engine.mu.Unlock()
		if p := rr.polled.Load(); p == nil || p.version != 2 {
			t.Errorf("room %s: batched check %+v, want one that saw version 2", room, p)
		}
	}
}

// TestLineUpChecks: a changed room record (its line-up) reaches the room
// through the batched check and through its own, an unchanged one stays in
// effect, and a removed one takes the line-up away.
func TestLineUpChecks(t *testing.T) {
	rdb := redistest.Start(t).Client(t)
	ctx := context.Background()
	plan := "rules:\n- name: crowd\n  when: online >= 500\n  actions: [{cue: {text: hi}}]\n"
	priced := func(price int64) livedeck.Product {
		return livedeck.Product{SKU: "A", Name: "茶", Price: price, Stock: 10, FloorPrice: 100}
	}
	for _, tc := range []struct {
		name  string
		steps func(t *testing.T, svc *Service, room string, clock *time.Time)
	}{
		{"batched", func(t *testing.T, svc *Service, room string, clock *time.Time) {
			pollAt(t, svc, clock, 100)
			evalAt(t, svc, room, clock, 0, 1)
			wantPrice(t, svc, room, 900)
			for _, step := range []struct {
				change func()
				want   int64
			}{
				{func() { setRoomProducts(t, rdb, room, priced(800)) }, 800},
				{func() {}, 800}, // the same record
				{func() { setRoomProducts(t, rdb, room, priced(700)) }, 700},
				{func() {
					if err := rdb.Del(ctx, redisx.Room(room).Meta()).Err(); err != nil {
						t.Fatal(err)
					}
				}, 0},
			} {
				step.change()
				pollAt(t, svc, clock, 100)
				evalAt(t, svc, room, clock, 0, 1)
				wantPrice(t, svc, room, step.want)
			}
		}},
		{"the room's own", func(t *testing.T, svc *Service, room string, clock *time.Time) {
			evalAt(t, svc, room, clock, 0, 1)
			wantPrice(t, svc, room, 900)
			setRoomProducts(t, rdb, room, priced(800))
			evalAt(t, svc, room, clock, 100, 1) // no check due yet
			wantPrice(t, svc, room, 900)
			evalAt(t, svc, room, clock, 200, 1)
			wantPrice(t, svc, room, 800)
			evalAt(t, svc, room, clock, 300, 1) // the same record: kept
			wantPrice(t, svc, room, 800)
			if err := rdb.Del(ctx, redisx.Room(room).Meta()).Err(); err != nil {
				t.Fatal(err)
			}
			evalAt(t, svc, room, clock, 300, 1)
			wantPrice(t, svc, room, 0)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			room := "lineup-" + strings.ReplaceAll(tc.name, " ", "-")
			svc := newTestService(rdb)
			clock := time.Unix(1_800_000_000, 0)
			svc.Engine.clock = func() time.Time { return clock }
			mustPut(t, svc, room, plan)
			setRoomProducts(t, rdb, room, priced(900))
			tc.steps(t, svc, room, &clock)
		})
	}
}

// wantPrice fails unless the room's line-up as the engine has it prices
// its one product at price (0: no line-up).
func wantPrice(t *testing.T, svc *Service, room string, price int64) {
	t.Helper()
	rr := svc.Engine.lock(room)
	defer rr.mu.Unlock()
	got := int64(0)
	if len(rr.products) > 0 {
		got = rr.products[0].Price
	}
	if got != price {
		t.Fatalf("line-up price %d, want %d", got, price)
	}
}
