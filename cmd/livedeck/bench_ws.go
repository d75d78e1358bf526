package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/benchutil"
	"github.com/livedeck/livedeck/redisx"
)

// wsBench is one run of `livedeck bench ws`.
type wsBench struct {
	server, redis      string
	token              string
	clients, rooms     int
	rate, pid          int
	duration, settle   time.Duration
	rdb                redis.UniversalClient
	ids                []string
	conns              []*websocket.Conn
	readers            sync.WaitGroup
	measuring          atomic.Bool
	received, payloadB atomic.Int64
	lat                benchutil.Latencies
}

// benchWS opens many console websockets to a running server, publishes
// metrics updates for their rooms into the server's Redis, and reports
// delivery lag, server CPU and server memory per idle connection.
func benchWS(ctx context.Context, args []string) error {
	b := &wsBench{}
	fs := newFlagSet("bench ws", "Opens --clients console websockets to a running server (--rooms rooms, clients spread evenly, host view), publishes --rate metrics updates per second per room into the server's Redis, and reports p50/p99 delivery lag (publish → client read; Snapshot.as_of carries the publish time in ms), the server's CPU and its memory per idle connection. Creates rooms bench-ws-<run>-N and removes them afterwards.")
	fs.String(&b.server, "server", "", "http://127.0.0.1:8080", "server base URL")
	fs.String(&b.redis, "redis", "LIVEDECK_REDIS_URL", "", "the server's Redis URL (required: updates are published there)")
	fs.Int(&b.clients, "clients", "", 5000, "websocket clients")
	fs.Int(&b.rooms, "rooms", "", 10, "rooms")
	fs.Int(&b.rate, "rate", "", 4, "metrics updates per second per room, so per client")
	fs.Duration(&b.duration, "duration", "", 30*time.Second, "how long to publish")
	fs.Duration(&b.settle, "settle", "", 10*time.Second, "idle time after connecting, before memory is read")
	fs.Int(&b.pid, "pid", "", 0, "server process id: CPU from /proc/<pid>/stat (default: process_cpu_seconds_total from its /metrics)")
	tokenFlag(fs, &b.token)
	if err := fs.parse(args); err != nil {
		return err
	}
	if b.redis == "" || b.clients < 1 || b.rooms < 1 || b.rate < 1 {
		return errors.New("bench ws: --redis is required; --clients, --rooms and --rate must be positive")
	}
	var err error
	if b.rdb, err = redisx.New(ctx, b.redis, redisx.Options{}); err != nil {
		return err
	}
	defer b.rdb.Close()
	if err := b.createRooms(ctx); err != nil {
		return err
	}
	defer b.removeRooms()
	return b.run(ctx)
}

func (b *wsBench) run(ctx context.Context) error {
	base, err := scrape(b.server)
	if err != nil {
		return err
	}
	start := time.Now()
	if err := b.connect(ctx); err != nil {
		b.closeAll()
		return err
	}
	fmt.Printf("bench ws: %d clients in %d rooms connected in %s\n", b.clients, b.rooms, time.Since(start).Round(time.Millisecond))
	time.Sleep(b.settle)
	idle, err := scrape(b.server)
	if err != nil {
		b.closeAll()
		return err
	}
	b.reportMemory(base, idle)

	cpu0, _ := b.serverCPU()
	var self0 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self0)
	b.measuring.Store(true)
	t0 := time.Now()
	published := b.publish(ctx)
	time.Sleep(500 * time.Millisecond) // let the last updates arrive
	elapsed := time.Since(t0)
	b.measuring.Store(false)
	cpu1, cpuErr := b.serverCPU()
	var self1 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self1)
	b.closeAll()

	want := published * int64(b.clients) / int64(b.rooms)
	fmt.Printf("published %d updates (%d B each) in %s; clients read %d of %d expected\n",
		published, b.payloadB.Load(), b.duration, b.received.Load(), want)
	fmt.Printf("delivery lag (publish → client read): %s\n", b.lat.Summary())
	if cpuErr == nil {
		fmt.Printf("server CPU: %.0f%% of one core\n", (cpu1-cpu0)/elapsed.Seconds()*100)
	} else {
		fmt.Printf("server CPU: unknown (%v)\n", cpuErr)
	}
	self := time.Duration(self1.Utime.Nano() + self1.Stime.Nano() - self0.Utime.Nano() - self0.Stime.Nano())
	fmt.Printf("this process (clients + publisher) CPU: %.0f%% of one core\n", self.Seconds()/elapsed.Seconds()*100)
	return nil
}

func (b *wsBench) createRooms(ctx context.Context) error {
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	for i := range b.rooms {
		id := fmt.Sprintf("bench-ws-%s-%d", run, i)
		if err := b.rdb.SAdd(ctx, redisx.RoomsKey, id).Err(); err != nil {
			return err
		}
		b.ids = append(b.ids, id)
	}
	return nil
}

func (b *wsBench) removeRooms() {
	ctx := context.Background()
	for _, id := range b.ids {
		k := redisx.Room(id)
		b.rdb.Del(ctx, k.Signals(), k.Snapshot())
		b.rdb.SRem(ctx, redisx.RoomsKey, id)
	}
}

// connect opens every client, 64 at a time, and starts its reader once it
// has read hello and the snapshot.
func (b *wsBench) connect(ctx context.Context) error {
	u := "ws" + strings.TrimPrefix(strings.TrimSuffix(b.server, "/"), "http") + "/ws?view=host&rooms="
	d := &websocket.Dialer{HandshakeTimeout: 10 * time.Second, ReadBufferSize: 2 << 10, WriteBufferPool: &sync.Pool{}}
	b.conns = make([]*websocket.Conn, b.clients)
	sem := make(chan struct{}, 64)
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	for i := range b.clients {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			conn, _, err := d.DialContext(ctx, u+b.ids[i%b.rooms], authHeader(b.token))
			if err == nil {
				err = readGreeting(conn)
			}
			if err != nil {
				select {
				case errs <- fmt.Errorf("client %d: %w", i, err):
				default:
				}
				return
			}
			b.conns[i] = conn
			b.readers.Add(1)
			go b.read(conn)
		}()
	}
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

// readGreeting reads hello and the snapshot.
func readGreeting(conn *websocket.Conn) error {
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	defer conn.SetReadDeadline(time.Time{})
	for range 2 {
		if _, _, err := conn.ReadMessage(); err != nil {
			return err
		}
	}
	return nil
}

var asOfField = []byte(`"as_of":`)

// read records the lag of every metrics message until the connection ends.
func (b *wsBench) read(conn *websocket.Conn) {
	defer b.readers.Done()
	var buf bytes.Buffer
	for {
		_, r, err := conn.NextReader()
		if err != nil {
			return
		}
		buf.Reset()
		if _, err := buf.ReadFrom(r); err != nil {
			return
		}
		now := time.Now().UnixMicro()
		msg := buf.Bytes()
		i := bytes.Index(msg, asOfField)
		if i < 0 || !b.measuring.Load() {
			continue
		}
		rest := msg[i+len(asOfField):]
		end := bytes.IndexAny(rest, ",}")
		ms, err := strconv.ParseInt(string(rest[:max(end, 0)]), 10, 64)
		if err != nil || ms <= 0 {
			continue // not ours: the server's own processor also publishes these rooms' (empty) snapshots
		}
		b.received.Add(1)
		b.lat.Add(time.Duration(now-ms*1000) * time.Microsecond)
	}
}

func (b *wsBench) closeAll() {
	for _, c := range b.conns {
		if c != nil {
			c.Close()
		}
	}
	b.readers.Wait()
}

// publish sends rate updates per second to every room for the duration,
// rooms staggered over the interval, and returns how many it sent.
func (b *wsBench) publish(ctx context.Context) int64 {
	interval := time.Second / time.Duration(b.rate)
	var sent atomic.Int64
	var wg sync.WaitGroup
	for i, id := range b.ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(interval * time.Duration(i) / time.Duration(len(b.ids)))
			t := time.NewTicker(interval)
			defer t.Stop()
			end := time.Now().Add(b.duration)
			for seq := uint64(1); time.Now().Before(end) && ctx.Err() == nil; seq++ {
				msg := benchLiveMessage(id, seq)
				b.payloadB.Store(int64(len(msg)))
				if b.rdb.Publish(ctx, redisx.Room(id).Live(), msg).Err() == nil {
					sent.Add(1)
				}
				<-t.C
			}
		}()
	}
	wg.Wait()
	return sent.Load()
}

// benchLiveMessage is a metrics update about the size of a real one (five
// products, ten keywords), stamped with the publish time.
func benchLiveMessage(room string, seq uint64) []byte {
	s := livedeck.Snapshot{Room: room, Seq: seq, AsOf: time.Now().UnixMilli(), Online: 15321, PeakOnline: 18000, UV: 88211,
		GMV: 129900000, OrdersPaid: 5210, Conversion: 0.0591, Funnel: livedeck.Funnel{Exposures: 99000, Clicks: 21000, Orders: 6000, Paid: 5210},
		SKUs: map[string]livedeck.SKUStats{}}
	for i := range 5 {
		s.SKUs[fmt.Sprint("SKU-", i)] = livedeck.SKUStats{Exposures: 20000, Clicks: 4000, CTR: 0.2, Orders: 1200, UnitsSold: 1000, GMV: 26000000, Stock: 500}
	}
	for i := range 10 {
		s.Keywords = append(s.Keywords, livedeck.KeywordCount{Word: fmt.Sprint("词", i), Count: int64(100 - i)})
	}
	b, _ := json.Marshal(livedeck.LiveMessage{Metrics: &s})
	return b
}

// reportMemory prints the server's memory growth per connected client.
func (b *wsBench) reportMemory(base, idle map[string]float64) {
	n := float64(b.clients)
	per := func(names ...string) float64 {
		d := 0.0
		for _, name := range names {
			d += idle[name] - base[name]
		}
		return d / n / 1024
	}
	fmt.Printf("server per idle connection: %.1f KB resident, %.1f KB Go heap+stacks (heap %.1f, stacks %.1f); goroutines +%.0f; ws clients %.0f\n",
		per("process_resident_memory_bytes"), per("go_memstats_heap_inuse_bytes", "go_memstats_stack_inuse_bytes"),
		per("go_memstats_heap_inuse_bytes"), per("go_memstats_stack_inuse_bytes"),
		idle["go_goroutines"]-base["go_goroutines"], idle["livedeck_ws_clients"])
}

// serverCPU is the server's CPU time in seconds so far.
func (b *wsBench) serverCPU() (float64, error) {
	if b.pid == 0 {
		m, err := scrape(b.server)
		if err != nil {
			return 0, err
		}
		v, ok := m["process_cpu_seconds_total"]
		if !ok {
			return 0, errors.New("no process_cpu_seconds_total in /metrics; pass --pid")
		}
		return v, nil
	}
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", b.pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name (which may hold spaces): state is
	// field 3, utime 14, stime 15, in clock ticks (100 per second).
	f := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: too short", b.pid)
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100, nil
}

// scrape reads the unlabelled samples of a server's /metrics.
func scrape(server string) (map[string]float64, error) {
	resp, err := http.Get(strings.TrimSuffix(server, "/") + "/metrics")
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", server, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("scrape %s/metrics: %s", server, resp.Status)
	}
	m := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), " ")
		if !ok || strings.HasPrefix(name, "#") || strings.Contains(name, "{") {
			continue
		}
		if v, err := strconv.ParseFloat(val, 64); err == nil {
			m[name] = v
		}
	}
	return m, sc.Err()
}
