package live

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/redisx"
)

// Observer receives each room's updates on the instance that processes it.
// Observe runs on the room's goroutine: it should be quick.
type Observer interface {
	Observe(ctx context.Context, u livedeck.Update)
}

// ObserverFunc adapts a function to Observer.
type ObserverFunc func(ctx context.Context, u livedeck.Update)

// Observe calls f.
func (f ObserverFunc) Observe(ctx context.Context, u livedeck.Update) { f(ctx, u) }

// Processor discovers rooms, takes a fair share of their leases, and runs a
// runner per owned room.
type Processor struct {
	cfg      Config
	rdb      redis.UniversalClient // short commands
	blocking redis.UniversalClient // blocking stream reads only
	obs      Observer
	text     *Text
	m        *Metrics
	log      *slog.Logger

	mu      sync.Mutex
	running map[string]*handle

	warnedFull time.Time // last warning that rooms wait on a full instance (scan goroutine only)
}

type handle struct {
	cancel context.CancelFunc
	done   chan struct{}
	r      *runner
}

// New builds a processor. blocking must be a client of its own, with a pool
// of at least cfg.MaxRooms connections, because each blocking stream read
// holds a connection for its whole block time.
func New(cfg Config, rdb, blocking redis.UniversalClient, obs Observer, reg prometheus.Registerer, log *slog.Logger) (*Processor, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.setDefaults()
	text, err := LoadText(cfg.Classifier)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	m := NewMetrics(reg)
	m.limit.Set(float64(cfg.MaxRooms))
	p := &Processor{cfg: cfg, rdb: rdb, blocking: blocking, obs: obs, text: text, m: m, log: log,
		running: map[string]*handle{}}
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "livedeck", Subsystem: "live", Name: "processing_lag_seconds",
		Help: "The largest processing lag of the rooms this instance owns: time since the room's stream was last read to its end (up to the block time while it keeps up; it grows while a room falls behind or its reads fail)."},
		func() float64 { return p.lag(time.Now()).Seconds() }))
	return p, nil
}

// lag is the largest processing lag of the rooms this instance owns.
func (p *Processor) lag(now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	var worst time.Duration
	for _, h := range p.running {
		select {
		case <-h.done:
			continue // stopped; reaped at the next scan
		default:
		}
		if d := now.Sub(time.Unix(0, h.r.caughtUp.Load())); d > worst {
			worst = d
		}
	}
	return worst
}

// Text is the processor's comment classifier and segmenter.
func (p *Processor) Text() *Text { return p.text }

// Owned lists the rooms this instance processes now.
func (p *Processor) Owned() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]string, 0, len(p.running))
	for r := range p.running {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// Run scans for rooms until ctx ends, then stops every runner (each
// checkpoints and releases its lease) and leaves the instance set.
//
// Rooms are processed while the comment segmenter loads: comments folded
// before it is ready are checkpointed as they are, and their keywords
// counted once it is (State.CountLateWords), by whichever instance then
// owns the room.
func (p *Processor) Run(ctx context.Context) error {
	go p.text.Warm()
	// Lease scripts loaded up front (on every shard of a cluster), so a
	// renewal is one round trip even on a slow network; a failure here only
	// costs the first call an extra one.
	if err := renewScript.Load(ctx, p.rdb).Err(); err != nil {
		p.log.Warn("loading the lease script failed", "err", err)
	}
	t := time.NewTicker(p.cfg.ScanInterval)
	defer t.Stop()
	for {
		if err := p.scan(ctx); err != nil && ctx.Err() == nil {
			p.log.Warn("room scan failed", "err", err)
		}
		select {
		case <-ctx.Done():
			p.stopAll()
			cctx, cancel := context.WithTimeout(context.Background(), time.Second)
			p.rdb.ZRem(cctx, redisx.InstancesKey, p.cfg.Instance)
			cancel()
			return nil
		case <-t.C:
		}
	}
}

// scan heartbeats, reaps finished runners, and takes or gives up rooms so
// that each live instance holds about an equal share.
func (p *Processor) scan(ctx context.Context) error {
	now := time.Now().UnixMilli()
	dead := now - (p.cfg.LeaseTTL + 2*p.cfg.ScanInterval).Milliseconds()
	pipe := p.rdb.Pipeline()
	pipe.ZAdd(ctx, redisx.InstancesKey, redis.Z{Score: float64(now), Member: p.cfg.Instance})
	pipe.ZRemRangeByScore(ctx, redisx.InstancesKey, "-inf", strconv.FormatInt(dead, 10))
	ncmd := pipe.ZCard(ctx, redisx.InstancesKey)
	rcmd := pipe.SMembers(ctx, redisx.RoomsKey)
	restcmd := pipe.SMembers(ctx, redisx.RestingKey)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	rooms := active(rcmd.Val(), restcmd.Val())
	p.m.known.Set(float64(len(rooms)))
	n := max(int(ncmd.Val()), 1)
	share := min((len(rooms)+n-1)/n, p.cfg.MaxRooms)

	p.mu.Lock()
	for room, h := range p.running {
		select {
		case <-h.done:
			delete(p.running, room)
		default:
		}
	}
	owned := len(p.running)
	p.mu.Unlock()

	if owned > share { // give one room back per scan so others can take it
		p.stopOne()
	}
	for _, room := range rooms {
		if owned >= share {
			break
		}
		p.mu.Lock()
		_, mine := p.running[room]
		p.mu.Unlock()
		if mine {
			continue
		}
		ok, err := acquire(ctx, p.rdb, redisx.Room(room).Lease(), p.cfg.Instance, p.cfg.LeaseTTL)
		if err != nil {
			return fmt.Errorf("lease room %s: %w", room, err)
		}
		if ok {
			p.m.leases.WithLabelValues("taken").Inc()
			p.start(ctx, room)
			owned++
		}
	}
	p.m.rooms.Set(float64(len(p.Owned())))
	p.m.resting.Set(float64(len(restcmd.Val())))
	return p.countWaiting(ctx, rooms)
}

// active is rooms less those at rest, sorted.
func active(rooms, resting []string) []string {
	rest := make(map[string]bool, len(resting))
	for _, r := range resting {
		rest[r] = true
	}
	out := rooms[:0]
	for _, r := range rooms {
		if !rest[r] {
			out = append(out, r)
		}
	}
	sort.Strings(out)
	return out
}

// countWaiting sets the gauge of rooms to process that no instance holds,
// and warns (once a minute) when this instance is full while rooms wait.
func (p *Processor) countWaiting(ctx context.Context, rooms []string) error {
	p.mu.Lock()
	others := make([]string, 0, len(rooms))
	for _, r := range rooms {
		if _, mine := p.running[r]; !mine {
			others = append(others, r)
		}
	}
	owned := len(p.running)
	p.mu.Unlock()
	cmds := make([]*redis.IntCmd, len(others))
	if len(others) > 0 {
		_, err := p.rdb.Pipelined(ctx, func(pipe redis.Pipeliner) error {
			for i, r := range others {
				cmds[i] = pipe.Exists(ctx, redisx.Room(r).Lease())
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("scan: leases: %w", err)
		}
	}
	waiting := 0
	for _, c := range cmds {
		if c.Val() == 0 {
			waiting++
		}
	}
	p.m.waiting.Set(float64(waiting))
	if waiting > 0 && owned >= p.cfg.MaxRooms && time.Since(p.warnedFull) >= time.Minute {
		p.warnedFull = time.Now()
		p.log.Warn("room limit reached: rooms wait for an owner", "owned", owned, "max_rooms", p.cfg.MaxRooms, "waiting", waiting)
	}
	return nil
}

func (p *Processor) start(ctx context.Context, room string) {
	rctx, cancel := context.WithCancel(ctx)
	r := &runner{p: p, room: room, token: p.cfg.Instance, keys: redisx.Room(room)}
	r.caughtUp.Store(time.Now().UnixNano()) // lag counts from the taking
	h := &handle{cancel: cancel, done: make(chan struct{}), r: r}
	p.mu.Lock()
	p.running[room] = h
	p.mu.Unlock()
	go func() {
		defer close(h.done)
		switch err := r.run(rctx); {
		case errors.Is(err, errRested):
			p.log.Info("room at rest", "room", room)
		case errors.Is(err, errRoomGone):
			p.log.Info("room deleted", "room", room)
		case err != nil:
			p.log.Warn("room processing stopped", "room", room, "err", err)
		}
	}()
	p.log.Info("room taken", "room", room, "instance", p.cfg.Instance)
}

func (p *Processor) stopOne() {
	p.mu.Lock()
	var room string
	for r := range p.running {
		if room == "" || r > room {
			room = r
		}
	}
	h := p.running[room]
	p.mu.Unlock()
	if h != nil {
		h.cancel()
		<-h.done
		p.log.Info("room given back", "room", room)
	}
}

func (p *Processor) stopAll() {
	p.mu.Lock()
	hs := make([]*handle, 0, len(p.running))
	for _, h := range p.running {
		h.cancel()
		hs = append(hs, h)
	}
	p.running = map[string]*handle{}
	p.mu.Unlock()
	for _, h := range hs {
		<-h.done
	}
}
