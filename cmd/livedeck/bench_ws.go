package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

// Servers `bench ws` can measure.
const (
	targetLiveDeck   = "livedeck"
	targetCentrifugo = "centrifugo"
)

// wsBench is one run of `livedeck bench ws`.
type wsBench struct {
	server, redis      string
	target             string
	token              string
	jsonOut, gcURL     string
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
	res                wsResult
}

// benchWS opens many websockets to a running server, publishes metrics
// updates for their rooms into the server's Redis, and reports delivery
// lag, server CPU and server memory per idle connection.
func benchWS(ctx context.Context, args []string) error {
	b := &wsBench{}
	fs := newFlagSet("bench ws", "Opens --clients websockets to a running server (--rooms rooms, clients spread evenly), publishes --rate metrics updates per second per room into the server's Redis, and reports p50/p99 delivery lag (publish → client read; Snapshot.as_of carries the publish time in ms), the server's CPU and its memory per idle connection. --target livedeck: console websockets (host view) to rooms bench-ws-<run>-N, created and removed again. --target centrifugo: Centrifugo's JSON client protocol (anonymous connect, subscribe to channel bench-ws-<run>-N), the same payload published into Redis the way Centrifugo's Redis broker does for a channel without history.")
	fs.String(&b.server, "server", "", "http://127.0.0.1:8080", "server base URL")
	fs.String(&b.target, "target", "", targetLiveDeck, "the server under test: livedeck or centrifugo")
	fs.String(&b.redis, "redis", "LIVEDECK_REDIS_URL", "", "the server's Redis URL (required: updates are published there)")
	fs.Int(&b.clients, "clients", "", 5000, "websocket clients")
	fs.Int(&b.rooms, "rooms", "", 10, "rooms")
	fs.Int(&b.rate, "rate", "", 4, "metrics updates per second per room, so per client")
	fs.Duration(&b.duration, "duration", "", 30*time.Second, "how long to publish")
	fs.Duration(&b.settle, "settle", "", 10*time.Second, "idle time after connecting, before memory is read")
	fs.Int(&b.pid, "pid", "", 0, "server process id: CPU from /proc/<pid>/stat, resident memory from /proc/<pid>/status (default: the process_* samples of its /metrics)")
	fs.String(&b.jsonOut, "json", "", "", "also write the figures to this file as JSON (for scripts/bench-fanout.sh)")
	fs.String(&b.gcURL, "gc-url", "", "", "a URL of the server that runs a garbage collection, e.g. http://127.0.0.1:6060/debug/pprof/heap?gc=1: the baseline is taken after one, and the memory per connection is also reported after one")
	tokenFlag(fs, &b.token)
	if err := fs.parse(args); err != nil {
		return err
	}
	if b.redis == "" || b.clients < 1 || b.rooms < 1 || b.rate < 1 {
		return errors.New("bench ws: --redis is required; --clients, --rooms and --rate must be positive")
	}
	if b.target != targetLiveDeck && b.target != targetCentrifugo {
		return fmt.Errorf("bench ws: --target: want livedeck or centrifugo, got %q", b.target)
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
	if err := b.run(ctx); err != nil {
		return err
	}
	return b.writeJSON()
}

func (b *wsBench) run(ctx context.Context) error {
	base, err := b.quiet(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	if err := b.connect(ctx); err != nil {
		b.closeAll()
		return err
	}
	fmt.Printf("bench ws: %d %s clients in %d rooms connected in %s\n", b.clients, b.target, b.rooms, time.Since(start).Round(time.Millisecond))
	time.Sleep(b.settle)
	idle, err := b.sample()
	if err != nil {
		b.closeAll()
		return err
	}
	b.res.RSSKB, b.res.HeapStacksKB = b.reportMemory("", base, idle)
	if b.gcURL != "" {
		collected, err := b.collected()
		if err != nil {
			b.closeAll()
			return err
		}
		_, b.res.HeapStacksGCKB = b.reportMemory("after a GC", base, collected)
	}

	cpu0, _ := b.serverCPU()
	var self0 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self0)
	b.measuring.Store(true)
	t0 := time.Now()
	want := b.publish(ctx)
	time.Sleep(500 * time.Millisecond) // let the last updates arrive
	elapsed := time.Since(t0)
	b.measuring.Store(false)
	cpu1, cpuErr := b.serverCPU()
	var self1 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self1)
	b.closeAll()

	got := b.received.Load()
	b.res.Delivered, b.res.Expected = got, want
	b.res.P50ms, b.res.P99ms, b.res.MaxMs = msOf(b.lat.Percentile(50)), msOf(b.lat.Percentile(99)), msOf(b.lat.Percentile(100))
	fmt.Printf("published %d B updates for %s; clients read %d of %d expected\n", b.payloadB.Load(), b.duration, got, want)
	fmt.Printf("delivery lag (publish → client read): %s\n", b.lat.Summary())
	if cpuErr == nil {
		b.res.CPUPercent = (cpu1 - cpu0) / elapsed.Seconds() * 100
		fmt.Printf("server CPU: %.0f%% of one core", b.res.CPUPercent)
		if got > 0 {
			b.res.CPUPerMsgUs = (cpu1 - cpu0) / float64(got) * 1e6
			fmt.Printf(", %.1f µs per delivered message", b.res.CPUPerMsgUs)
		}
		fmt.Println()
	} else {
		fmt.Printf("server CPU: unknown (%v)\n", cpuErr)
	}
	self := time.Duration(self1.Utime.Nano() + self1.Stime.Nano() - self0.Utime.Nano() - self0.Stime.Nano())
	b.res.ClientCPUPercent = self.Seconds() / elapsed.Seconds() * 100
	fmt.Printf("this process (clients + publisher) CPU: %.0f%% of one core\n", b.res.ClientCPUPercent)
	return nil
}

func (b *wsBench) createRooms(ctx context.Context) error {
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	for i := range b.rooms {
		id := fmt.Sprintf("bench-ws-%s-%d", run, i)
		if b.target == targetLiveDeck {
			if err := b.rdb.SAdd(ctx, redisx.RoomsKey, id).Err(); err != nil {
				return err
			}
		}
		b.ids = append(b.ids, id)
	}
	return nil
}

func (b *wsBench) removeRooms() {
	if b.target != targetLiveDeck {
		return
	}
	ctx := context.Background()
	for _, id := range b.ids {
		k := redisx.Room(id)
		b.rdb.Del(ctx, k.Signals(), k.Snapshot())
		b.rdb.SRem(ctx, redisx.RoomsKey, id)
	}
}

// connect opens every client, 64 at a time, and starts its reader once it
// has joined its room.
func (b *wsBench) connect(ctx context.Context) error {
	base := "ws" + strings.TrimPrefix(strings.TrimSuffix(b.server, "/"), "http")
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
			room := b.ids[i%b.rooms]
			conn, err := b.join(ctx, d, base, room)
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

// join opens one client's websocket and joins room: LiveDeck sends hello
// and the snapshot; Centrifugo answers connect and subscribe.
func (b *wsBench) join(ctx context.Context, d *websocket.Dialer, base, room string) (*websocket.Conn, error) {
	u := base + "/ws?view=host&rooms=" + room
	if b.target == targetCentrifugo {
		u = base + centrifugoPath
	}
	conn, _, err := d.DialContext(ctx, u, authHeader(b.token))
	if err != nil {
		return nil, err
	}
	if b.target == targetCentrifugo {
		err = centrifugoJoin(conn, room)
	} else {
		err = readGreeting(conn)
	}
	if err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
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

// read records the lag of every metrics message until the connection
// ends. A Centrifugo frame may hold several messages, one per line, and
// its pings ({}) want a pong ({}).
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
		frame := buf.Bytes()
		if b.target == targetCentrifugo && centrifugoPings(frame) > 0 {
			_ = conn.WriteMessage(websocket.TextMessage, centrifugoPong)
		}
		if !b.measuring.Load() {
			continue
		}
		for msg := range bytes.SplitSeq(frame, []byte{'\n'}) {
			b.record(msg, now)
		}
	}
}

// record notes the lag of one message read at now (µs), if it is one of
// the bench's updates.
func (b *wsBench) record(msg []byte, now int64) {
	i := bytes.Index(msg, asOfField)
	if i < 0 {
		return
	}
	rest := msg[i+len(asOfField):]
	end := bytes.IndexAny(rest, ",}")
	ms, err := strconv.ParseInt(string(rest[:max(end, 0)]), 10, 64)
	if err != nil || ms <= 0 {
		return // not ours: the server's own processor also publishes these rooms' (empty) snapshots
	}
	b.received.Add(1)
	b.lat.Add(time.Duration(now-ms*1000) * time.Microsecond)
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
// rooms staggered over the interval, and returns how many messages the
// clients should read: each update times its room's clients.
func (b *wsBench) publish(ctx context.Context) int64 {
	interval := time.Second / time.Duration(b.rate)
	var want atomic.Int64
	var wg sync.WaitGroup
	for i, id := range b.ids {
		members := int64(b.clients / b.rooms)
		if i < b.clients%b.rooms {
			members++
		}
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
				if b.publishOne(ctx, id, msg) == nil {
					want.Add(members)
				}
				<-t.C
			}
		}()
	}
	wg.Wait()
	return want.Load()
}

// publishOne puts one update into Redis where the server under test
// listens: LiveDeck's room live channel, or Centrifugo's channel.
func (b *wsBench) publishOne(ctx context.Context, room string, msg []byte) error {
	if b.target == targetCentrifugo {
		return b.rdb.Publish(ctx, centrifugoChannel(room), centrifugoPublication(msg, time.Now().UnixMilli())).Err()
	}
	return b.rdb.Publish(ctx, redisx.Room(room).Live(), msg).Err()
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

// writeJSON writes the figures to --json, if set.
func (b *wsBench) writeJSON() error {
	if b.jsonOut == "" {
		return nil
	}
	raw, err := json.MarshalIndent(b.res, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(b.jsonOut, append(raw, '\n'), 0o644); err != nil {
		return fmt.Errorf("bench ws: %w", err)
	}
	return nil
}
