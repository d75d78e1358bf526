package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/redisx"
)

// relay brings Redis to the hub for the rooms that have clients on this
// instance: one shared pub/sub connection for the live channels (metrics,
// comments), and per room an XREAD BLOCK loop on the signal stream.
type relay struct {
	h        *Hub
	rdb      redis.UniversalClient
	blocking redis.UniversalClient
	ctx      context.Context
	loops    sync.WaitGroup

	mu   sync.Mutex
	todo []subReq      // subscribe/unsubscribe requests, in order
	wake chan struct{} // cap 1: todo has work
}

// subReq asks the pub/sub loop to (un)subscribe a room's live channel.
type subReq struct {
	w   *roomWatch
	sub bool
}

// roomWatch is one room being relayed.
type roomWatch struct {
	room   string
	ready  chan struct{} // closed once both the subscription and the signal loop are live
	left   atomic.Int32
	r      *relay
	cancel context.CancelFunc
}

// part marks one of the two halves live.
func (w *roomWatch) part() {
	if w.left.Add(-1) == 0 {
		close(w.ready)
	}
}

func newRelay(h *Hub, rdb, blocking redis.UniversalClient) *relay {
	return &relay{h: h, rdb: rdb, blocking: blocking, wake: make(chan struct{}, 1)}
}

// start runs the pub/sub loop until ctx ends; watches started later end
// with it too.
func (r *relay) start(ctx context.Context) {
	r.ctx = ctx
	r.loops.Add(1)
	go func() {
		defer r.loops.Done()
		r.pubsubLoop(ctx)
	}()
}

// wait returns when every loop has returned (a blocking read returns
// within SignalBlock).
func (r *relay) wait() { r.loops.Wait() }

// watch starts relaying a room. It never blocks: the hub goroutine calls it.
func (r *relay) watch(room string) *roomWatch {
	ctx, cancel := context.WithCancel(r.ctx)
	w := &roomWatch{room: room, ready: make(chan struct{}), r: r, cancel: cancel}
	w.left.Store(2)
	r.request(subReq{w: w, sub: true})
	r.loops.Add(1)
	go func() {
		defer r.loops.Done()
		r.signalLoop(ctx, w)
	}()
	return w
}

// stop ends the room's relay.
func (w *roomWatch) stop() {
	w.cancel()
	w.r.request(subReq{w: w})
}

func (r *relay) request(q subReq) {
	r.mu.Lock()
	r.todo = append(r.todo, q)
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// pubsubLoop owns the pub/sub connection: it applies subscription
// requests and hands live messages to the hub.
func (r *relay) pubsubLoop(ctx context.Context) {
	ps := r.rdb.Subscribe(ctx)
	defer ps.Close()
	in := ps.ChannelWithSubscriptions(redis.WithChannelSize(1024))
	rooms := map[string]string{}         // channel → room
	waiting := map[string][]*roomWatch{} // channel → watches awaiting the subscribe confirmation
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
			r.applyRequests(ctx, ps, rooms, waiting)
		case x := <-in:
			switch v := x.(type) {
			case *redis.Subscription:
				if q := waiting[v.Channel]; v.Kind == "subscribe" && len(q) > 0 {
					q[0].part()
					waiting[v.Channel] = q[1:]
				}
			case *redis.Message:
				if room, ok := rooms[v.Channel]; ok {
					r.live(ctx, room, v.Payload)
				}
			}
		}
	}
}

func (r *relay) applyRequests(ctx context.Context, ps *redis.PubSub, rooms map[string]string, waiting map[string][]*roomWatch) {
	r.mu.Lock()
	todo := r.todo
	r.todo = nil
	r.mu.Unlock()
	for _, q := range todo {
		ch := redisx.Room(q.w.room).Live()
		var err error
		if q.sub {
			rooms[ch] = q.w.room
			waiting[ch] = append(waiting[ch], q.w)
			err = ps.Subscribe(ctx, ch)
		} else {
			delete(rooms, ch)
			err = ps.Unsubscribe(ctx, ch)
		}
		if err != nil && ctx.Err() == nil {
			// go-redis resubscribes the channels it holds when it reconnects.
			r.h.log.Warn("websocket relay: subscription change failed", "room", q.w.room, "err", err)
		}
	}
}

// liveMsg is LiveMessage with its parts kept as they were encoded.
type liveMsg struct {
	Metrics  json.RawMessage   `json:"metrics"`
	Comments []json.RawMessage `json:"comments"`
}

// live turns one published LiveMessage into hub messages.
func (r *relay) live(ctx context.Context, room, payload string) {
	at := time.Now()
	var lm liveMsg
	if err := json.Unmarshal([]byte(payload), &lm); err != nil {
		r.h.log.Warn("websocket relay: live message is not JSON", "room", room, "err", err)
		return
	}
	if len(lm.Metrics) > 0 && string(lm.Metrics) != "null" {
		m := newOutMsg(typeMetrics, room, "", lm.Metrics, at)
		m.seq = metricsSeq(lm.Metrics)
		r.h.publish(ctx, m)
	}
	for _, c := range lm.Comments {
		m := newOutMsg(typeComment, room, "", c, at)
		m.commentID = commentID(c)
		r.h.publish(ctx, m)
	}
}

// signalLoop relays the room's signal stream: it notes the newest id,
// marks the watch live (a client reads its snapshot only after that, so
// nothing falls between the two), then reads on with XREAD BLOCK.
func (r *relay) signalLoop(ctx context.Context, w *roomWatch) {
	key := redisx.Room(w.room).Signals()
	last := ""
	for ctx.Err() == nil {
		if last == "" {
			newest, err := r.rdb.XRevRangeN(ctx, key, "+", "-", 1).Result()
			if err != nil {
				r.backoff(ctx, w.room, err)
				continue
			}
			last = "0-0"
			if len(newest) > 0 {
				last = newest[0].ID
			}
			w.part()
		}
		res, err := r.blocking.XRead(ctx, &redis.XReadArgs{Streams: []string{key, last}, Count: 100, Block: r.h.cfg.SignalBlock}).Result()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			r.backoff(ctx, w.room, err)
			continue
		}
		at := time.Now()
		for _, s := range res {
			for _, x := range s.Messages {
				last = x.ID
				if m, _, ok := r.h.signalMsg(w.room, x, at); ok {
					r.h.publish(ctx, m)
				}
			}
		}
	}
}

func (r *relay) backoff(ctx context.Context, room string, err error) {
	if ctx.Err() != nil {
		return
	}
	r.h.log.Warn("websocket relay: reading signals failed", "room", room, "err", err)
	t := time.NewTimer(500 * time.Millisecond)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// signalMsg decodes a signal stream entry (field s: Signal JSON) into a
// hub message whose id is the entry id.
func (h *Hub) signalMsg(room string, x redis.XMessage, at time.Time) (*outMsg, livedeck.Signal, bool) {
	var sig livedeck.Signal
	s, _ := x.Values["s"].(string)
	if err := json.Unmarshal([]byte(s), &sig); err != nil {
		h.log.Warn("websocket relay: bad signal entry", "room", room, "id", x.ID, "err", err)
		return nil, sig, false
	}
	switch sig.Kind {
	case livedeck.SignalCue, livedeck.SignalTier, livedeck.SignalAlert, livedeck.SignalGift, livedeck.SignalAck, livedeck.SignalWithdraw:
	default:
		return nil, sig, false
	}
	sig.ID, sig.Room = x.ID, room
	b, err := json.Marshal(sig)
	if err != nil {
		return nil, sig, false
	}
	return newOutMsg(sig.Kind, room, x.ID, b, at), sig, true
}

// signalsMaxLen trims the signal stream (approximately) on each ack
// (ack.go) to the cap the rules engine uses on each signal.
const signalsMaxLen = redisx.SignalsMaxLen

// streamID is a Redis stream id, ms-seq.
type streamID struct{ ms, seq uint64 }

func parseStreamID(s string) (streamID, error) {
	a, b, ok := strings.Cut(s, "-")
	ms, err1 := strconv.ParseUint(a, 10, 64)
	seq, err2 := strconv.ParseUint(b, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return streamID{}, fmt.Errorf("stream id %q: want <ms>-<seq>", s)
	}
	return streamID{ms, seq}, nil
}

// maxStreamID is the largest id a stream can hold.
var maxStreamID = streamID{math.MaxUint64, math.MaxUint64}

func (a streamID) less(b streamID) bool { return a.ms < b.ms || a.ms == b.ms && a.seq < b.seq }

func (a streamID) String() string {
	return strconv.FormatUint(a.ms, 10) + "-" + strconv.FormatUint(a.seq, 10)
}
