//go:build linux

package scale

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"

	"github.com/livedeck/livedeck/app"
	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/live"
	"github.com/livedeck/livedeck/server"
)

// footprint is what one instance holds at a moment, read in its own process
// after two forced GCs, and Redis' count of connected clients.
type footprint struct {
	heap       float64 // bytes of live heap
	goroutines int
	redisConns int
}

// TestRoomFootprint measures what an instance holds per room it processes
// and per console: the app runs in this process (so GC can be forced and
// the live heap read exactly) on a standalone redis-server; 30 rooms, each
// fed 100 events (viewers, comments, paid orders) and then idle; then one
// console per room, then a second console per room. The bounds are the
// sizing figures docs/scaling.md gives, with room to spare: a change that
// breaks them must update the guide. The idle instance's heap is bounded
// too, so that the segmentation dictionary stays off it.
func TestRoomFootprint(t *testing.T) {
	const rooms = 30
	rs := redistest.Start(t)
	cfg := app.Config{RedisURL: rs.URL(), Instance: "footprint", Server: server.Config{Addr: "127.0.0.1:0"}}
	cfg.Auth.AdminToken = adminToken
	cfg.Auth.MaxConnsPerUser = 1000
	for _, l := range []*redis_rate.Limit{&cfg.Auth.Limits.APIPerIP, &cfg.Auth.Limits.APIPerPrincipal, &cfg.Auth.Limits.IngestPerCred} {
		*l = redis_rate.PerSecond(100000)
	}
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done; a.Close() })
	base := "http://" + a.Addr()
	// The segmentation dictionary is shared by the process: wait for it so
	// that it is in the baseline, not in the rooms' share.
	text, err := live.LoadText("")
	if err != nil {
		t.Fatal(err)
	}
	if err := text.Ready(ctx); err != nil {
		t.Fatal(err)
	}
	take := func() footprint {
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		info, err := rs.Client(t).Info(ctx, "clients").Result()
		if err != nil {
			t.Fatal(err)
		}
		return footprint{heap: float64(ms.HeapAlloc), goroutines: runtime.NumGoroutine(), redisConns: infoInt(info, "connected_clients")}
	}
	time.Sleep(time.Second) // let the first scan and the hub settle
	idle := take()

	load := &roomLoad{urls: []string{base}, orderIDs: map[string]bool{}}
	hard, stopHard := context.WithTimeout(ctx, 2*time.Minute)
	defer stopHard()
	for i := range rooms {
		room := fmt.Sprintf("fp-%02d", i)
		must(t, http.StatusCreated, http.MethodPost, base+"/api/v1/rooms", "application/json",
			fmt.Sprintf(`{"id":%q,"title":"footprint","products":[{"sku":"A","name":"Sample","price":9900,"stock":1000000}]}`, room))
		load.room, load.index, load.events = room, i, 0
		for seq := range 20 { // 100 events
			load.send(hard, seq)
		}
		if len(load.failures) > 0 {
			t.Fatalf("ingest: %v", load.failures)
		}
	}
	waitFor(t, 60*time.Second, "every room folded", func() (bool, string) {
		for i := range rooms {
			room := fmt.Sprintf("fp-%02d", i)
			if s := roomMetrics(t, base, room); s.Seq != 100 {
				return false, fmt.Sprintf("%s at seq %d", room, s.Seq)
			}
		}
		return true, ""
	})
	time.Sleep(2 * time.Second) // checkpoints written, ingest connections idle
	owned := take()

	ws := "ws" + strings.TrimPrefix(base, "http")
	var wg sync.WaitGroup
	cctx, stopConsoles := context.WithCancel(ctx)
	t.Cleanup(func() { stopConsoles(); wg.Wait() })
	connect := func() []*console {
		var cs []*console
		for i := range rooms {
			c := newConsole(fmt.Sprintf("fp-%02d", i), []string{ws}, 0, 1)
			cs = append(cs, c)
			wg.Add(1)
			go func() { defer wg.Done(); c.run(cctx) }()
		}
		waitFor(t, 30*time.Second, "consoles connected", func() (bool, string) {
			for _, c := range cs {
				if v := c.view(); v.current < 0 || len(v.instances) == 0 {
					return false, c.room + " not connected"
				}
			}
			return true, ""
		})
		time.Sleep(time.Second)
		return cs
	}
	connect()
	first := take()
	connect()
	second := take()

	// The test's own console clients (one goroutine each) live in this
	// process too; their goroutines are subtracted, their heap (small: a
	// websocket.Conn's buffers) is not.
	per := func(a, b footprint, n, clientGoroutines int) (heap float64, g, conns float64) {
		return (b.heap - a.heap) / float64(n), float64(b.goroutines-a.goroutines-clientGoroutines*n) / float64(n),
			float64(b.redisConns-a.redisConns) / float64(n)
	}
	rh, rg, rc := per(idle, owned, rooms, 0)
	fh, fg, fc := per(owned, first, rooms, 1)
	sh, sg, sc := per(first, second, rooms, 1)
	t.Logf("idle instance: live heap %.1f MB (the segmentation dictionary is read from the binary, not the heap), %d goroutines, %d Redis connections", idle.heap/1e6, idle.goroutines, idle.redisConns)
	t.Logf("per processed room (100 events folded, then idle): %.1f KB live heap, %.2f goroutines, %.2f Redis connections", rh/1e3, rg, rc)
	t.Logf("per console, first on its room on this instance: %.1f KB live heap (test client included), %.2f goroutines, %.2f Redis connections", fh/1e3, fg, fc)
	t.Logf("per further console on a room already watched: %.1f KB live heap (test client included), %.2f goroutines, %.2f Redis connections", sh/1e3, sg, sc)

	// The dictionary once put ~130 MB of pointers on the heap, which every
	// GC cycle marked: the ack → snapshot tail. About 5 MB is all the
	// idle instance holds now.
	if most := 32e6; idle.heap > most {
		t.Errorf("idle instance: live heap %.1f MB, more than %.0f MB: is the segmentation dictionary on the heap again?", idle.heap/1e6, most/1e6)
	}
	for _, b := range []struct {
		what      string
		got, most float64
	}{
		{"live heap per room, KB", rh / 1e3, 1024},
		{"goroutines per room", rg, 3},
		{"Redis connections per room", rc, 2.5},
		{"live heap per first console, KB", fh / 1e3, 512},
		{"goroutines per first console", fg, 3},
		{"Redis connections per first console", fc, 1.5},
		{"live heap per further console, KB", sh / 1e3, 256},
		{"goroutines per further console", sg, 1.5},
		{"Redis connections per further console", sc, 0.25},
	} {
		if b.got > b.most {
			t.Errorf("%s: %.2f, docs/scaling.md says at most %.2f", b.what, b.got, b.most)
		}
	}
}

// infoInt reads one integer field of an INFO reply.
func infoInt(info, field string) int {
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	return 0
}
