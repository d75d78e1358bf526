package rules

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/backoff"
	"github.com/livedeck/livedeck/internal/webhooksig"
)

// WebhookConfig tunes outbound webhook delivery.
type WebhookConfig struct {
	// Policy says which internal addresses webhooks may reach; the zero
	// value allows none.
	Policy AddrPolicy
	// Timeout bounds one attempt; zero means 5 s.
	Timeout time.Duration
	// Tries is how many attempts a delivery gets before it is given up
	// with an alert; zero means 8.
	Tries int
	// Backoff is the wait before the first retry, doubled each retry
	// (jittered) up to 5 minutes; zero means 1 s.
	Backoff time.Duration
	// Lease is how long a delivery claimed by an instance is hidden from
	// the others: an instance that dies mid-delivery hands it over when
	// the lease ends. Zero means 30 s; at least twice Timeout.
	Lease time.Duration
	// Poll is how often an instance looks for due deliveries; zero means
	// 250 ms.
	Poll time.Duration
	// Workers is how many deliveries an instance makes at once; zero
	// means 8.
	Workers int
	// MaxPending is how many deliveries a room may have pending before
	// new ones are dropped with an alert; zero means 10,000.
	MaxPending int64
}

func (c *WebhookConfig) defaults() {
	if c.Timeout <= 0 {
		c.Timeout = 5 * time.Second
	}
	if c.Tries <= 0 {
		c.Tries = 8
	}
	if c.Backoff <= 0 {
		c.Backoff = time.Second
	}
	if c.Lease <= 0 {
		c.Lease = 30 * time.Second
	}
	c.Lease = max(c.Lease, 2*c.Timeout)
	if c.Poll <= 0 {
		c.Poll = 250 * time.Millisecond
	}
	if c.Workers <= 0 {
		c.Workers = 8
	}
	if c.MaxPending <= 0 {
		c.MaxPending = 10000
	}
}

// Delivery headers besides the signature's: the delivery id is the same
// for every attempt of a firing, on any instance, so a receiver can drop
// repeats (delivery is at least once).
const (
	HeaderDelivery = "X-LiveDeck-Delivery"
	HeaderAttempt  = "X-LiveDeck-Attempt"
)

// webhooks delivers firings to shop systems: queued in Redis (hook_queue.go),
// claimed by any instance, signed with HMAC-SHA256 over "timestamp.body"
// (internal/webhooksig) with a named secret, retried with back-off; a
// delivery that is dropped or keeps failing raises an alert.
type webhooks struct {
	cfg     WebhookConfig
	q       *hookQueue
	store   *Store
	secrets *Secrets
	log     *slog.Logger
	client  *http.Client
	wake    chan struct{}
	now     func() time.Time
}

func newWebhooks(cfg WebhookConfig, rdb redis.UniversalClient, store *Store, secrets *Secrets, log *slog.Logger) *webhooks {
	cfg.defaults()
	tr := &http.Transport{
		Proxy:                 nil, // the address policy is checked on the address dialled: no proxy in between
		DialContext:           cfg.Policy.dialer().DialContext,
		TLSHandshakeTimeout:   cfg.Timeout,
		ResponseHeaderTimeout: cfg.Timeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
	}
	client := &http.Client{Transport: tr, Timeout: cfg.Timeout,
		// A redirect is an answer, not a new address to post to.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &webhooks{cfg: cfg, store: store, secrets: secrets, log: log, client: client, wake: make(chan struct{}, 1), now: time.Now,
		q: &hookQueue{rdb: rdb, lease: cfg.Lease, recheck: 5 * time.Second, maxPending: cfg.MaxPending}}
}

// send queues a firing's delivery in Redis. An error means it was not
// queued: the caller tries the firing's effects again. A room whose queue
// is full drops the delivery with an alert and a metric.
func (w *webhooks) send(ctx context.Context, m *Metrics, room, key string, hook *WebhookAction, rule string, at int64, snap livedeck.Snapshot) error {
	id := deliveryID(room, key)
	body, _ := json.Marshal(map[string]any{"id": id, "room": room, "rule": rule, "key": key, "at": at, "metrics": snap})
	j := hookJob{ID: id, Room: room, Rule: rule, Key: key, URL: hook.URL, Secret: hook.Secret, Body: body, At: w.now().UnixMilli()}
	added, err := w.q.enqueue(ctx, j, w.now())
	if errors.Is(err, errQueueFull) {
		m.webhooks.WithLabelValues("dropped").Inc()
		w.log.Warn("webhook queue full, delivery dropped", "room", room, "rule", rule)
		w.alert(ctx, room, rule, "webhook-dropped:"+key, fmt.Sprintf("webhook of rule %q dropped: %d deliveries are already pending for this room", rule, w.cfg.MaxPending))
		return nil
	}
	if added {
		m.webhooks.WithLabelValues("queued").Inc()
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
	return err
}

// run delivers due webhooks of every room until ctx ends, a few at a time,
// so one slow or failing endpoint does not hold up the others. A delivery
// under way when ctx ends stays claimed until its lease ends, then any
// instance delivers it.
func (w *webhooks) run(ctx context.Context, m *Metrics) {
	sem := make(chan struct{}, w.cfg.Workers)
	token := newToken()
	t := time.NewTicker(w.cfg.Poll)
	defer t.Stop()
	for {
		if err := w.poll(ctx, m, sem, token); err != nil && ctx.Err() == nil {
			w.log.Warn("webhook poll failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.wake:
		}
	}
}

func newToken() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// poll claims due deliveries, as many as there are free workers, and
// starts them.
func (w *webhooks) poll(ctx context.Context, m *Metrics, sem chan struct{}, token string) error {
	free := cap(sem) - len(sem)
	if free == 0 {
		return nil
	}
	now := w.now()
	rooms, err := w.q.due(ctx, now, 64)
	if err != nil {
		return err
	}
	for _, room := range rooms {
		if free = cap(sem) - len(sem); free == 0 {
			return nil
		}
		jobs, err := w.q.claim(ctx, room, now, free, token)
		if err != nil {
			w.log.Warn("webhook claim failed", "room", room, "err", err)
		}
		for _, c := range jobs {
			sem <- struct{}{}
			go func() {
				defer func() { <-sem }()
				w.deliver(ctx, m, c)
			}()
		}
	}
	return nil
}

// deliver makes one attempt and settles the delivery: done, due again
// after a back-off, or given up with an alert after the last try.
func (w *webhooks) deliver(ctx context.Context, m *Metrics, c claimed) {
	code := w.post(ctx, c)
	if ctx.Err() != nil {
		return // shutting down: the lease runs out and another instance (or this one, restarted) tries again
	}
	if code == "" {
		m.webhooks.WithLabelValues("ok").Inc()
		if err := w.q.done(ctx, c); err != nil {
			w.log.Warn("delivered webhook not cleared; it may be sent again with the same id", "room", c.Room, "rule", c.Rule, "err", err)
		}
		return
	}
	m.hookFailures.WithLabelValues(codeClass(code)).Inc()
	if c.attempt < w.cfg.Tries {
		m.webhooks.WithLabelValues("retry").Inc()
		wait := backoff.Policy{Min: w.cfg.Backoff, Max: 5 * time.Minute}.Delay(c.attempt - 1)
		if err := w.q.retry(ctx, c, w.now().Add(wait)); err != nil {
			w.log.Warn("webhook retry not scheduled; it is tried again when its lease ends", "room", c.Room, "rule", c.Rule, "err", err)
		}
		return
	}
	mine, err := w.q.drop(ctx, c)
	if err != nil {
		w.log.Warn("failed webhook not cleared; it is tried again when its lease ends", "room", c.Room, "rule", c.Rule, "err", err)
		return
	}
	if !mine {
		return // another instance took it over meanwhile and decides
	}
	m.webhooks.WithLabelValues("failed").Inc()
	w.log.Warn("webhook given up", "room", c.Room, "rule", c.Rule, "code", code, "tries", c.attempt)
	w.alert(ctx, c.Room, c.Rule, "webhook:"+c.Key, fmt.Sprintf("webhook of rule %q failed %d times (last: %s); the delivery was given up", c.Rule, c.attempt, code))
}

// alert raises an operator alert. Its text carries a short failure code,
// never an address or a raw error.
func (w *webhooks) alert(ctx context.Context, room, rule, key, msg string) {
	sig := livedeck.Signal{Kind: livedeck.SignalAlert, Room: room, Rule: rule, At: w.now().UnixMilli(),
		Alert: &livedeck.Alert{Key: key, Severity: "critical", Message: msg}}
	if _, err := w.store.emit(ctx, room, "w:"+key, sig, nil); err != nil {
		w.log.Error("webhook alert not written", "room", room, "rule", rule, "err", err)
	}
}

// post makes one attempt; it returns "" on a 2xx answer, else a short
// failure code: timeout, refused, reset, dns, tls, blocked, network,
// secret, "http 503", …
func (w *webhooks) post(ctx context.Context, c claimed) string {
	ctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(c.Body))
	if err != nil {
		return "url"
	}
	ts := w.now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "LiveDeck-Webhook/1")
	req.Header.Set("Idempotency-Key", c.Room+":"+c.Key)
	req.Header.Set(HeaderDelivery, c.ID)
	req.Header.Set(HeaderAttempt, fmt.Sprint(c.attempt))
	req.Header.Set(webhooksig.HeaderTimestamp, fmt.Sprint(ts))
	if c.Secret != "" {
		secret, err := w.secrets.Value(ctx, c.Secret)
		if err != nil {
			if livedeck.ErrorCode(err) == livedeck.ENOTFOUND {
				return "secret"
			}
			return "unavailable"
		}
		req.Header.Set(webhooksig.HeaderSignature, webhooksig.Sign(secret, ts, c.Body))
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return failureCode(err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return fmt.Sprintf("http %d", resp.StatusCode)
	}
	return ""
}

// failureCode names why a request failed, without its detail.
func failureCode(err error) string {
	var (
		ne  net.Error
		dns *net.DNSError
		cv  *tls.CertificateVerificationError
		ua  x509.UnknownAuthorityError
		hn  x509.HostnameError
		ci  x509.CertificateInvalidError
		rh  tls.RecordHeaderError
		al  tls.AlertError
	)
	switch {
	case errors.Is(err, errBlocked):
		return "blocked"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused"
	case errors.As(err, &dns):
		return "dns"
	case errors.As(err, &cv), errors.As(err, &ua), errors.As(err, &hn), errors.As(err, &ci), errors.As(err, &rh), errors.As(err, &al):
		return "tls"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "reset"
	}
	return "network"
}

// codeClass is a failure code as a metric label: "http 503" → "http_5xx".
func codeClass(code string) string {
	if len(code) == len("http 503") && code[:5] == "http " {
		return "http_" + code[5:6] + "xx"
	}
	return code
}
