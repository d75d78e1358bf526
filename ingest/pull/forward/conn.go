package forward

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/gorilla/websocket"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/backoff"
)

// conn is one websocket connection's sending side. Only run writes
// (pongs aside, which gorilla allows concurrently).
type conn struct {
	f       *Forwarder
	ws      *websocket.Conn
	acks    <-chan Ack
	readErr <-chan error
	seq     int64
	limit   int // batch size now: MaxBatch, halved while LiveDeck refuses a batch as too large or invalid
}

// run sends batches until the connection fails or ctx ends.
func (c *conn) run(ctx context.Context) (progressed bool, err error) {
	c.limit = c.f.cfg.MaxBatch
	for {
		batch, changed := c.f.q.peek(c.limit, c.f.cfg.MaxBatchBytes)
		if len(batch) == 0 {
			select { // idle: wait for messages, watching the connection
			case <-changed:
				continue
			case a, ok := <-c.acks:
				if ok {
					return progressed, fmt.Errorf("acknowledgement %d of nothing sent", a.Seq)
				}
				return progressed, <-c.readErr
			case err := <-c.readErr:
				return progressed, err
			case <-ctx.Done():
				c.close()
				return progressed, ctx.Err()
			}
		}
		ack, err := c.send(ctx, batch)
		if err != nil {
			return progressed, err
		}
		done, err := c.handle(ctx, batch, ack)
		if err != nil {
			return progressed, err
		}
		progressed = progressed || done
	}
}

// close says goodbye; the reader then sees the close and ends.
func (c *conn) close() {
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(writeWait))
}

// send writes one batch as a JSON array and waits for its acknowledgement.
func (c *conn) send(ctx context.Context, batch [][]byte) (Ack, error) {
	if n := c.f.markSent(len(batch)); n > 0 {
		c.f.metrics.Retried.Add(float64(n))
	}
	body := make([]byte, 0, 64*len(batch))
	body = append(body, '[')
	body = append(body, bytes.Join(batch, []byte{','})...)
	body = append(body, ']')
	c.seq++
	_ = c.ws.SetWriteDeadline(time.Now().Add(writeWait))
	if err := c.ws.WriteMessage(websocket.TextMessage, body); err != nil {
		return Ack{}, fmt.Errorf("send batch: %w", err)
	}
	timer := time.NewTimer(c.f.cfg.AckTimeout)
	defer timer.Stop()
	select {
	case a, ok := <-c.acks:
		if !ok {
			return Ack{}, fmt.Errorf("awaiting acknowledgement %d: %w", c.seq, <-c.readErr)
		}
		if a.Seq != c.seq {
			return Ack{}, fmt.Errorf("acknowledgement %d, expected %d", a.Seq, c.seq)
		}
		return a, nil
	case <-timer.C:
		return Ack{}, fmt.Errorf("no acknowledgement of batch %d within %s", c.seq, c.f.cfg.AckTimeout)
	case <-ctx.Done():
		c.close()
		return Ack{}, ctx.Err()
	}
}

// handle acts on an acknowledgement: acknowledged messages leave the
// queue; a batch LiveDeck could not take now stays to be sent again.
// done reports whether messages left the queue; an error ends the
// connection (the batch is sent again on the next).
func (c *conn) handle(ctx context.Context, batch [][]byte, a Ack) (done bool, err error) {
	f := c.f
	if a.Error == nil {
		for _, r := range a.Rejected {
			f.log.Warn("livedeck rejected a message", "index", r.Index, "message_id", r.MessageID, "kind", r.Kind, "field", r.Field, "reason", r.Reason)
		}
		f.metrics.Forwarded.Add(float64(len(batch)))
		f.metrics.Rejected.Add(float64(len(a.Rejected)))
		f.metrics.Accepted.Add(float64(a.Accepted))
		f.metrics.Duplicates.Add(float64(a.Duplicates))
		f.ack(len(batch))
		c.limit = f.cfg.MaxBatch
		return true, nil
	}
	switch a.Error.Code {
	case livedeck.ERATELIMIT, livedeck.EUNAVAILABLE, livedeck.EINTERNAL:
		wait := time.Duration(a.RetryAfter) * time.Second
		if wait <= 0 {
			wait = f.cfg.Backoff.Delay(0)
		}
		f.log.Warn("livedeck could not take a batch now, sending it again", "err", a.Error, "in", wait)
		if !backoff.Sleep(ctx, wait) {
			return false, ctx.Err()
		}
		return false, nil
	case livedeck.ETOOLARGE, livedeck.EINVALID:
		if len(batch) > 1 { // find the message at fault by halves
			c.limit = max(1, len(batch)/2)
			return false, nil
		}
		f.log.Error("livedeck refused a message on its own; it is not forwarded", "err", a.Error, "message", truncate(batch[0], 500))
		f.metrics.Refused.Inc()
		f.ack(1)
		c.limit = f.cfg.MaxBatch
		return true, nil
	}
	return false, fmt.Errorf("batch refused: %w", a.Error)
}

// ack drops the n oldest messages, acknowledged.
func (f *Forwarder) ack(n int) {
	f.q.drop(n)
	m, _ := f.q.len()
	f.metrics.Queue.Set(float64(m))
	f.mu.Lock()
	f.sent = max(0, f.sent-n)
	f.mu.Unlock()
}

// markSent records that the n oldest messages are being sent and returns
// how many of them were sent before (retries).
func (f *Forwarder) markSent(n int) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	again := min(n, f.sent)
	f.sent = max(f.sent, n)
	return again
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}
