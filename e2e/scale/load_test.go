//go:build linux

package scale

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"
)

// roomLoad feeds one room through the ingest API of every instance in
// turn, as a connector behind a load balancer would, and keeps the sums
// of what was acknowledged. A batch that fails — connection refused or
// reset by a killed instance, 429, 503 — is sent again, unchanged (same
// event ids), to the next instance until one acknowledges it: what a
// failed attempt stored comes back as duplicates, so each event counts
// once.
type roomLoad struct {
	room  string
	index int
	urls  []string // every instance, dead or alive: the client does not know

	// Owned by run until it returns.
	events, orders, comments, gmv int64
	online                        int64 // the newest viewers value acknowledged
	orderIDs                      map[string]bool
	batches, retries, duplicates  int64
	failures                      []string // unexpected answers (rejections, bad counts)

	gmvAcked atomic.Int64 // gmv, readable while run goes on
}

const batchEvery = 250 * time.Millisecond

// run sends a batch every batchEvery until ctx ends; hard bounds the
// retries of the batch in flight when ctx ends.
func (l *roomLoad) run(ctx, hard context.Context) {
	l.orderIDs = map[string]bool{}
	tick := time.NewTicker(batchEvery)
	defer tick.Stop()
	for seq := 0; ctx.Err() == nil; seq++ {
		l.send(hard, seq)
		select {
		case <-ctx.Done():
		case <-tick.C:
		}
	}
}

type scaleEvent struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	TS      int64  `json:"ts"`
	UserID  string `json:"user_id,omitempty"`
	Text    string `json:"text,omitempty"`
	Online  int64  `json:"online,omitempty"`
	OrderID string `json:"order_id,omitempty"`
	SKU     string `json:"sku,omitempty"`
	Qty     int64  `json:"qty,omitempty"`
	Amount  int64  `json:"amount,omitempty"`
	Status  string `json:"status,omitempty"`
}

// batch is seq's events: a viewer count, two comments and two paid orders.
func (l *roomLoad) batch(seq int) []scaleEvent {
	ts := time.Now().UnixMilli()
	id := func(kind string, j int) string { return fmt.Sprintf("%s-%d-%s%d", l.room, seq, kind, j) }
	evs := []scaleEvent{{ID: id("v", 0), Type: "viewers", TS: ts, Online: int64(100 + seq)}}
	for j := range 2 {
		evs = append(evs, scaleEvent{ID: id("c", j), Type: "comment", TS: ts, UserID: fmt.Sprintf("u%d", seq%97), Text: "还有货吗 in stock?"})
	}
	for j := range 2 {
		amount := int64(100 + (seq*7919+j*104729+l.index*31)%50000)
		evs = append(evs, scaleEvent{ID: id("o", j), Type: "order", TS: ts, UserID: fmt.Sprintf("b%d", seq%89),
			OrderID: id("order", j), SKU: "A", Qty: 1, Amount: amount, Status: "paid"})
	}
	return evs
}

type ingestResult struct {
	Accepted   int64             `json:"accepted"`
	Duplicates int64             `json:"duplicates"`
	Rejected   []json.RawMessage `json:"rejected"`
}

func (l *roomLoad) send(hard context.Context, seq int) {
	evs := l.batch(seq)
	body, _ := json.Marshal(evs)
	for try := 0; ; try++ {
		if hard.Err() != nil {
			l.failures = append(l.failures, fmt.Sprintf("batch %d never acknowledged", seq))
			return
		}
		if try > 0 {
			l.retries++
			time.Sleep(50 * time.Millisecond)
		}
		url := l.urls[(l.index+seq+try)%len(l.urls)] + "/api/v1/rooms/" + l.room + "/events"
		status, b, err := call(hard, http.MethodPost, url, "application/json", body)
		if err != nil || status != http.StatusOK {
			continue // not acknowledged: the next instance gets the same batch
		}
		var res ingestResult
		if err := json.Unmarshal(b, &res); err != nil || len(res.Rejected) > 0 || res.Accepted+res.Duplicates != int64(len(evs)) {
			l.failures = append(l.failures, fmt.Sprintf("batch %d: %s", seq, b))
			return
		}
		if try == 0 && res.Duplicates > 0 {
			l.failures = append(l.failures, fmt.Sprintf("batch %d: duplicates on its first attempt: %s", seq, b))
		}
		l.duplicates += res.Duplicates
		break
	}
	l.batches++
	for _, e := range evs {
		l.events++
		switch e.Type {
		case "viewers":
			l.online = e.Online
		case "comment":
			l.comments++
		case "order":
			l.orders++
			l.gmv += e.Amount
			l.orderIDs[e.OrderID] = true
		}
	}
	l.gmvAcked.Store(l.gmv)
}
