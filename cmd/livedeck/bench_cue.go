package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/livedeck/livedeck/ingest/sim"
	"github.com/livedeck/livedeck/internal/benchutil"
)

// benchCue measures how long a host waits for a cue: from the moment the
// server acknowledges the event that makes a rule's condition true to the
// moment the cue arrives on a connected host console, while background
// rooms take ingest load.
func benchCue(ctx context.Context, args []string) error {
	var (
		server      string
		n, loadRate int
		interval    time.Duration
	)
	fs := newFlagSet("bench cue", "Measures condition-true → cue delivered to a host console over the websocket, with background ingest load.")
	fs.String(&server, "server", "LIVEDECK_SERVER", "http://127.0.0.1:8080", "LiveDeck server base URL")
	fs.Int(&n, "cues", "", 200, "cues to measure")
	fs.Int(&loadRate, "load", "", 20000, "background ingest events/s over 10 other rooms (0: none)")
	fs.Duration(&interval, "interval", "", 250*time.Millisecond, "time between two cue triggers")
	var token string
	tokenFlag(fs, &token)
	if err := fs.parse(args); err != nil {
		return err
	}
	room := fmt.Sprintf("bench-cue-%d", time.Now().UnixNano())
	hc := &http.Client{Timeout: 10 * time.Second, Transport: bearer{token, http.DefaultTransport}}
	call := func(method, path, ctype, body string) error {
		req, _ := http.NewRequestWithContext(ctx, method, server+path, strings.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			b, _ := io.ReadAll(resp.Body)
			return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
		}
		return nil
	}
	if err := call("POST", "/api/v1/rooms", "application/json", `{"id":"`+room+`","title":"bench","currency":"CNY","products":[{"sku":"A","name":"a","price":100,"stock":10}]}`); err != nil {
		return err
	}
	// The cue fires on each rising edge of online above 1000 (for: 0).
	rule := "rules:\n- name: crowd\n  when: online >= 1000\n  actions: [{cue: {text: \"{{.Online}}\"}}]\n"
	if err := call("PUT", "/api/v1/rooms/"+room+"/rules", "application/yaml", rule); err != nil {
		return err
	}
	u, _ := url.Parse(server)
	u.Scheme = strings.Replace(u.Scheme, "http", "ws", 1)
	u.Path, u.RawQuery = "/ws", "rooms="+room+"&view=host"
	h := authHeader(token)
	h.Set("Origin", server)
	conn, _, err := websocket.DefaultDialer.DialContext(ctx, u.String(), h)
	if err != nil {
		return fmt.Errorf("websocket: %w", err)
	}
	defer conn.Close()

	var (
		mu       sync.Mutex
		finished atomic.Bool // set before the socket is closed on purpose
	)
	sentAt := map[string]time.Time{} // cue text (the online count) → ack time
	var lat benchutil.Latencies
	go func() {
		for {
			_, msg, err := conn.ReadMessage()
			if err != nil {
				if ctx.Err() == nil && !finished.Load() {
					fmt.Printf("websocket closed: %v\n", err)
				}
				return
			}
			now := time.Now()
			var env struct {
				Type string `json:"type"`
				Data struct {
					Cue *struct {
						Text string `json:"text"`
					} `json:"cue"`
				} `json:"data"`
			}
			if json.Unmarshal(msg, &env) != nil || env.Type != "cue" || env.Data.Cue == nil {
				continue
			}
			mu.Lock()
			if at, ok := sentAt[env.Data.Cue.Text]; ok {
				lat.Add(now.Sub(at))
				delete(sentAt, env.Data.Cue.Text)
			}
			mu.Unlock()
		}
	}()

	lctx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	if loadRate > 0 {
		go sim.Run(lctx, sim.Config{Rooms: 10, RoomPrefix: room + "-load", Rate: loadRate, Batch: 100, Seed: 7}, &sim.HTTPSink{Base: server, Token: token}, nil)
		time.Sleep(2 * time.Second) // let the load settle
	}
	viewers := func(id string, online int) error {
		body := fmt.Sprintf(`{"id":%q,"type":"viewers","ts":%d,"online":%d}`, id, time.Now().UnixMilli(), online)
		return call("POST", "/api/v1/rooms/"+room+"/events", "application/x-ndjson", body)
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		if err := viewers(fmt.Sprintf("low-%d", i), 10); err != nil {
			return err
		}
		time.Sleep(interval / 2)
		online := 1000 + i
		// The clock starts when the triggering event is sent, because the
		// cue can reach the console before the sender reads the ack: the
		// figure is an upper bound of ack → cue.
		mu.Lock()
		sentAt[fmt.Sprint(online)] = time.Now()
		mu.Unlock()
		if err := viewers(fmt.Sprintf("high-%d", i), online); err != nil {
			return err
		}
		time.Sleep(interval / 2)
	}
	time.Sleep(time.Second)
	stopLoad()
	// A trigger whose "low" and "high" events the processor folded in one
	// batch (it was behind) never made the condition false in between, so
	// no firing was due. The room's signal history tells those apart from
	// cues that fired but did not reach the console.
	emitted := map[string]bool{}
	if resp, err := hc.Get(server + "/api/v1/rooms/" + room + "/rules/history?limit=1000"); err == nil {
		var h []struct {
			Cue *struct {
				Text string `json:"text"`
			} `json:"cue"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&h)
		resp.Body.Close()
		for _, sig := range h {
			if sig.Cue != nil {
				emitted[sig.Cue.Text] = true
			}
		}
	}
	mu.Lock()
	lost, notFired := 0, 0
	for text := range sentAt {
		if emitted[text] {
			lost++
		} else {
			notFired++
		}
	}
	mu.Unlock()
	finished.Store(true)
	fmt.Printf("bench cue: %d cues, background load %d events/s\n", n, loadRate)
	fmt.Printf("event sent → cue on host console (upper bound of ack → cue): %s\n", lat.Summary())
	fmt.Printf("fired but not received: %d; not fired (low and high folded together): %d\n", lost, notFired)
	return nil
}
