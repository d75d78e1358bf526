package live

import (
	"fmt"
	"strings"
	"syscall"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
)

// BenchmarkFold measures folding one event of a realistic mix into room
// state (no Redis): the processor's CPU cost per event.
func BenchmarkFold(b *testing.B) {
	text, _ := LoadText("")
	text.Warm()
	evs := script()
	for i := range evs {
		if evs[i].Type == livedeck.EventOrder {
			evs[i].OrderID = "" // ids are made unique per round below
		}
	}
	s := NewState("bench", nil)
	n := 0
	for b.Loop() {
		e := evs[n%len(evs)]
		if e.Type == livedeck.EventOrder {
			e.OrderID = fmt.Sprintf("o%d", n/len(evs))
		}
		e.TS = base + int64(n)
		n++
		s.Fold(&e, fmt.Sprintf("%d-0", n), text)
		if n%5000 == 0 {
			s.resetCaches() // as a checkpoint does
		}
	}
}

// BenchmarkSnapshot measures computing a snapshot with 20 SKUs.
func BenchmarkSnapshot(b *testing.B) {
	s := NewState("bench", nil)
	for i, e := range script() {
		s.Fold(&e, fmt.Sprintf("%d-0", i+1), nil)
	}
	for i := range 20 {
		s.sku(fmt.Sprintf("sku%d", i)).Exposures = 10
	}
	for b.Loop() {
		_ = s.Snapshot(base + 30_000)
	}
}

// benchEntries are packed stream entries of 100 events each in bench
// ingest's mix (comments, likes, viewers, clicks, new paid orders).
func benchEntries(n int) []redis.XMessage {
	msgs := make([]redis.XMessage, n)
	for m := range msgs {
		var b strings.Builder
		for i := range 100 {
			if i > 0 {
				b.WriteByte('\n')
			}
			k := m*100 + i
			fmt.Fprintf(&b, `{"id":"e%d","ts":%d,`, k, base+int64(k))
			switch i % 5 {
			case 0:
				fmt.Fprintf(&b, `"type":"comment","user_id":"u42","nickname":"观众","text":"什么时候发货 第%d次问"}`, k)
			case 1:
				b.WriteString(`"type":"like","user_id":"u42","count":3}`)
			case 2:
				b.WriteString(`"type":"viewers","online":12345}`)
			case 3:
				b.WriteString(`"type":"product_click","user_id":"u42","sku":"A"}`)
			default:
				fmt.Fprintf(&b, `"type":"order","user_id":"u42","sku":"A","qty":1,"amount":19900,"status":"paid","order_id":"o%d"}`, k)
			}
		}
		msgs[m] = redis.XMessage{ID: fmt.Sprintf("%d-0", base+int64(m)), Values: map[string]any{
			livedeck.EntryVersion: livedeck.EntryPacked, livedeck.EntryBatch: b.String()}}
	}
	return msgs
}

// BenchmarkDecodeFold measures what a runner does with a read of two
// packed entries, Redis and segmentation aside: decode, list what to load,
// fold. Reported per event.
func BenchmarkDecodeFold(b *testing.B) {
	msgs := benchEntries(64)
	s := NewState("bench", nil)
	var comments []livedeck.Comment // what a runner keeps for its flush
	var orders []livedeck.OrderChange
	kept := 0
	n := 0
	cpu0 := cpuTime()
	for b.Loop() {
		read := msgs[(n%32)*2 : (n%32)*2+2]
		n++
		buf := eventBufs.Get().(*eventBuf)
		all, ids := buf.decode(read, func(string, error) { b.Fatal("undecodable") })
		s.needs(all)
		for i := range all {
			out := s.Fold(&all[i], ids[i], nil)
			if out.hasComment {
				comments = append(comments, out.comment)
			}
			if out.hasOrder {
				orders = append(orders, out.order)
			}
		}
		buf.release()
		kept += len(comments) + len(orders)
		comments, orders = nil, nil
		if n%16 == 0 {
			s.resetCaches() // as a checkpoint does
		}
	}
	// CPU time rather than wall time: on a shared machine it is the
	// steadier figure, and it counts the collector's work too.
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N*200), "cpu-ns/event")
	if kept == 0 {
		b.Fatal("folded no comments nor orders")
	}
}

// cpuTime is the process's CPU time in ns.
func cpuTime() int64 {
	var u syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &u)
	return u.Utime.Nano() + u.Stime.Nano()
}
