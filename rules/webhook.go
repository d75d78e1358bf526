package rules

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/livedeck/livedeck"
)

// webhooks delivers firings to shop systems in the background: signed with
// HMAC-SHA256 over "timestamp.body", an Idempotency-Key per firing, retried
// with exponential back-off; a delivery that keeps failing raises an alert.
type webhooks struct {
	store  *Store
	log    *slog.Logger
	client *http.Client
	queue  chan delivery
	wait   time.Duration // first back-off, doubled each retry; 500 ms
}

type delivery struct {
	room, key string
	hook      *WebhookAction
	body      []byte
}

func newWebhooks(store *Store, log *slog.Logger) *webhooks {
	return &webhooks{store: store, log: log, client: &http.Client{Timeout: 5 * time.Second}, queue: make(chan delivery, 1024), wait: 500 * time.Millisecond}
}

// send queues a delivery; when the queue is full the firing is dropped
// and logged rather than stalling the room's evaluation.
func (w *webhooks) send(m *Metrics, room, key string, hook *WebhookAction, rule string, at int64, snap livedeck.Snapshot) {
	body, _ := json.Marshal(map[string]any{"room": room, "rule": rule, "key": key, "at": at, "metrics": snap})
	select {
	case w.queue <- delivery{room: room, key: key, hook: hook, body: body}:
	default:
		m.webhooks.WithLabelValues("dropped").Inc()
		w.log.Warn("webhook queue full, firing dropped", "room", room, "rule", rule)
	}
}

// run delivers queued webhooks until ctx ends, a few at a time, so one
// slow or failing endpoint does not hold up the others.
func (w *webhooks) run(ctx context.Context, m *Metrics) {
	sem := make(chan struct{}, webhookWorkers)
	for {
		select {
		case <-ctx.Done():
			return
		case d := <-w.queue:
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			go func() {
				defer func() { <-sem }()
				w.deliver(ctx, d, m)
			}()
		}
	}
}

// webhookWorkers is how many deliveries may be under way at once.
const webhookWorkers = 8

func (w *webhooks) deliver(ctx context.Context, d delivery, m *Metrics) {
	backoff := w.wait
	var last error
	for attempt := 1; attempt <= 5; attempt++ {
		if last = w.post(ctx, d); last == nil {
			m.webhooks.WithLabelValues("ok").Inc()
			return
		}
		m.webhooks.WithLabelValues("retry").Inc()
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff *= 2
	}
	m.webhooks.WithLabelValues("failed").Inc()
	sig := livedeck.Signal{Kind: livedeck.SignalAlert, Room: d.room, At: time.Now().UnixMilli(),
		Alert: &livedeck.Alert{Key: "webhook:" + d.key, Severity: "critical", Message: fmt.Sprintf("webhook %s failed after 5 tries: %v", d.hook.URL, last)}}
	if _, err := w.store.emit(ctx, d.room, "w:"+d.key, sig, nil); err != nil {
		w.log.Error("webhook failure alert not written", "room", d.room, "err", err)
	}
}

func (w *webhooks) post(ctx context.Context, d delivery) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.hook.URL, bytes.NewReader(d.body))
	if err != nil {
		return err
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", d.room+":"+d.key)
	req.Header.Set("X-LiveDeck-Timestamp", ts)
	if d.hook.Secret != "" {
		mac := hmac.New(sha256.New, []byte(d.hook.Secret))
		mac.Write([]byte(ts + "."))
		mac.Write(d.body)
		req.Header.Set("X-LiveDeck-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}
