package rules

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
)

func benchSnapshot() livedeck.Snapshot {
	s := livedeck.Snapshot{Online: 1234, UV: 5000, UVValue: 180, IntentPerMin: 12, SKUs: map[string]livedeck.SKUStats{}}
	for i := range 20 {
		s.SKUs[fmt.Sprintf("sku%d", i)] = livedeck.SKUStats{Exposures: 500, Clicks: 20, CTR: 0.04, Stock: 40, UnitsSold: 5}
	}
	return s
}

// BenchmarkRuleEval is one compiled condition against a room's numbers.
func BenchmarkRuleEval(b *testing.B) {
	for _, cond := range []string{"online >= 500", "any(sku_list, {.exposures >= 200 && .ctr < 0.03})", "any(values(skus), {.exposures >= 200 && .ctr < 0.03})"} {
		b.Run(cond, func(b *testing.B) {
			p, err := compileCond(cond)
			if err != nil {
				b.Fatal(err)
			}
			snap := benchSnapshot()
			env := NewEnv(&snap, "")
			for b.Loop() {
				_, _ = run(p, &env)
			}
		})
	}
}

// BenchmarkRoomEval is one evaluation of a room with 20 rules (the
// playbook's 12 plus 8 more), state machine and tier choice included, as
// each room is evaluated up to every 100 ms.
func BenchmarkRoomEval(b *testing.B) {
	rs, err := Parse([]byte(bench20Rules()))
	if err != nil {
		b.Fatal(err)
	}
	c, probs := Compile(rs, nil)
	if c == nil || len(c.rules) < 20 { // 22 since the playbook has 14; per rule still divides by 20
		b.Fatalf("rules do not compile, or fewer than 20: %v", probs)
	}
	bt := NewBacktester(c, utc)
	snap := benchSnapshot()
	now := int64(0)
	for b.Loop() {
		now += 100
		bt.Step(now, &snap, nil)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/20, "ns/rule")
}

// bench20Rules is the playbook's 12 rules plus 8 more.
func bench20Rules() string {
	src := string(Playbook())
	for i := range 8 {
		src += fmt.Sprintf("  - name: extra-%d\n    when: online >= %d && uv_value < %d\n    for: 30s\n    actions: [{cue: {text: x}}]\n", i, 100*i, 200+i)
	}
	return src
}

// BenchmarkEngine1000Rooms is the engine itself on a real Redis: 1,000
// rooms of 20 rules each, evaluated in turn as the processors' idle ticks
// would, each op one room's evaluation (version checks every 250 ms, state
// writes on change, tier and signal writes included). Every 1,000 ops is
// one round of all rooms, 100 ms of show time; the engine's clock moves
// with it, and the batched version check runs every 250 ms of it, as Run
// does live. Each room has a line-up of 20 products.
//
//   - changing: every number a rule reads differs from the room's previous
//     evaluation (without changing what matches), so every condition runs:
//     the worst case.
//   - typical: the viewer count and its age change every evaluation, the
//     other numbers (rates, sales, products) once a second.
//   - steady: the same numbers every evaluation; only time moves on.
func BenchmarkEngine1000Rooms(b *testing.B) {
	for _, c := range []struct {
		name  string
		every int // rounds between changes of the slow numbers; 0: never
		fast  bool
	}{{"changing", 1, true}, {"typical", 10, true}, {"steady", 0, false}} {
		b.Run(c.name, func(b *testing.B) {
			benchEngine(b, func(round int) livedeck.Snapshot {
				slow, fast := 0, 0
				if c.every > 0 {
					slow = round / c.every
				}
				if c.fast {
					fast = round
				}
				return benchRoundSnapshot(slow, fast)
			})
		})
	}
}

func benchEngine(b *testing.B, snapshot func(round int) livedeck.Snapshot) {
	const rooms = 1000
	rdb := redistest.Start(b).Client(b)
	svc := NewService(rdb, EngineConfig{Location: utc}, NewMetrics(prometheus.NewRegistry()))
	wall := time.Unix(1_800_000_000, 0)
	svc.Engine.clock = func() time.Time { return wall }
	ctx := context.Background()
	ids := make([]string, rooms)
	var lineUp []livedeck.Product
	for i := range 20 {
		lineUp = append(lineUp, livedeck.Product{SKU: fmt.Sprintf("sku%d", i), Name: fmt.Sprintf("商品%d", i), Price: 9900, Stock: 40, FloorPrice: 5000})
	}
	for i := range ids {
		ids[i] = fmt.Sprintf("bench%d", i)
		setRoomProducts(b, rdb, ids[i], lineUp...)
		if _, _, err := svc.Put(ctx, ids[i], []byte(bench20Rules()), "bench", ""); err != nil {
			b.Fatal(err)
		}
	}
	snap := snapshot(0)
	for _, id := range ids { // load and compile every room first
		if err := svc.Engine.evaluate(ctx, livedeck.Update{Room: id, Now: wall.UnixMilli(), Snapshot: snap}); err != nil {
			b.Fatal(err)
		}
	}
	n := 0
	nextPoll := wall
	cpu := cpuTime()
	for b.Loop() {
		if n%rooms == 0 { // a new round: 100 ms later, new numbers
			wall = wall.Add(100 * time.Millisecond)
			snap = snapshot(n/rooms + 1)
			for !wall.Before(nextPoll) { // Run's batched version check
				if err := svc.Engine.pollVersions(ctx); err != nil {
					b.Fatal(err)
				}
				nextPoll = nextPoll.Add(versionCheck)
			}
		}
		u := livedeck.Update{Room: ids[n%rooms], Now: wall.UnixMilli(), Snapshot: snap}
		if err := svc.Engine.evaluate(ctx, u); err != nil {
			b.Fatal(err)
		}
		n++
	}
	used := cpuTime() - cpu
	b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(used.Nanoseconds())/float64(b.N)/20, "cpu-ns/rule")
}

// benchRoundSnapshot is benchSnapshot with numbers that move: fast ones
// (the viewer count, its age) with fast, the others with slow. What the
// 20 rules match stays the same, so the figures are evaluation, not
// firing.
func benchRoundSnapshot(slow, fast int) livedeck.Snapshot {
	s := benchSnapshot()
	s.Online += int64(fast % 50)
	s.ViewersAgeSeconds = float64(fast%10) / 10
	s.UV += int64(slow % 100)
	s.UVValue -= float64(slow%10) / 10
	s.IntentPerMin += float64(slow % 5)
	s.CommentsPerMin = float64(30 + slow%7)
	s.GMVPerMin, s.GMVPerMinPrev = int64(10000+slow%13), int64(10000+slow%11)
	for id, k := range s.SKUs {
		k.Exposures += int64(slow)
		k.Clicks += int64(slow / 20)
		k.CTR = float64(k.Clicks) / float64(k.Exposures)
		s.SKUs[id] = k
	}
	return s
}

// cpuTime is the CPU time this process has used, user and system, all
// goroutines and the garbage collector included.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
