package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/livedeck/livedeck/ingest"
	"github.com/livedeck/livedeck/internal/benchutil"
)

// benchIngest pushes batches at a running server from --conns connections
// and reports accepted events/s and acknowledgement latency. With a --rate,
// latency is measured from each batch's scheduled send time, so a stalled
// server cannot hide its queueing delay.
func benchIngest(ctx context.Context, args []string) error {
	var (
		server, via               string
		rate, batch, conns, rooms int
		duration, warmup          time.Duration
	)
	fs := newFlagSet("bench ingest", "Pushes event batches at a running server and prints accepted events/s and p50/p99 acknowledgement latency. It creates rooms bench-ingest-<run>-N.")
	fs.String(&server, "server", "LIVEDECK_SERVER", "http://127.0.0.1:8080", "LiveDeck server base URL")
	fs.Int(&rate, "rate", "", 0, "events per second over all connections; 0 sends as fast as the server acknowledges")
	fs.Int(&batch, "batch", "", 100, "events per request")
	fs.Duration(&duration, "duration", "", 20*time.Second, "how long to send")
	fs.Duration(&warmup, "warmup", "", 0, "how long to send before measuring, e.g. for the server to load its dictionaries")
	fs.Int(&conns, "conns", "", 8, "concurrent connections")
	fs.Int(&rooms, "rooms", "", 4, "rooms the batches spread over: batch s of connection c goes to room (c+s) mod rooms")
	fs.String(&via, "transport", "", transportHTTP, "http: a POST per batch on keep-alive connections; ws: a message per batch on each room's ingest websocket (one per connection and room), acknowledged before the next")
	var token string
	tokenFlag(fs, &token)
	if err := fs.parse(args); err != nil {
		return err
	}
	if via != transportHTTP && via != transportWS {
		return fmt.Errorf("--transport %q: want http or ws", via)
	}
	run := strconv.FormatInt(time.Now().UnixMilli(), 36)
	// Buffers that hold a whole batch: a request goes out in one write
	// instead of one per 4 KiB, which matters with the server on the same cores.
	transport := &http.Transport{MaxIdleConnsPerHost: conns, WriteBufferSize: 64 << 10, ReadBufferSize: 16 << 10}
	client := &http.Client{Timeout: 30 * time.Second, Transport: bearer{token, transport}}
	ids := make([]string, rooms)
	for i := range ids {
		ids[i] = fmt.Sprintf("bench-ingest-%s-%d", run, i)
		body, _ := json.Marshal(map[string]any{"id": ids[i], "title": "bench", "products": []map[string]any{{"sku": "A", "name": "a", "price": 19900, "stock": 1000}}})
		resp, err := client.Post(server+"/api/v1/rooms", "application/json", bytes.NewReader(body))
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			return fmt.Errorf("create room: HTTP %d", resp.StatusCode)
		}
	}
	var (
		lat                        benchutil.Latencies
		accepted, dups, rej, fails atomic.Int64
		wg                         sync.WaitGroup
	)
	ctx, cancel := context.WithTimeout(ctx, warmup+duration)
	defer cancel()
	var interval time.Duration // per connection
	if rate > 0 {
		interval = time.Duration(float64(time.Second) * float64(batch*conns) / float64(rate))
	}
	sent := make([]atomic.Int64, rooms) // events accepted per room, warm-up included
	begin := time.Now()
	measured := begin.Add(warmup) // acknowledgements before this are not counted
	cpuAtMeasure := make(chan time.Duration, 1)
	time.AfterFunc(warmup, func() { cpuAtMeasure <- processCPU() })
	urls := make([]string, rooms)
	for i, id := range ids {
		urls[i] = server + "/api/v1/rooms/" + id + "/events?source=bench"
	}
	for c := range conns {
		wg.Go(func() {
			var send batchSender = &httpSender{client: client, urls: urls}
			if via == transportWS {
				send = newWSSender(server, token, ids)
			}
			defer send.close()
			tmpl := benchTemplates(run, c, batch)
			next := begin.Add(time.Duration(c) * interval / time.Duration(conns))
			for seq := 0; ctx.Err() == nil; seq++ {
				at := time.Now()
				if interval > 0 {
					if d := time.Until(next); d > 0 {
						select {
						case <-ctx.Done():
							return
						case <-time.After(d):
						}
					}
					at = next
					next = next.Add(interval)
				}
				body := tmpl[seq%templates].fill(seq, batch, time.Now())
				room := (c + seq) % rooms
				res, err := send.send(ctx, room, body)
				if err == nil {
					sent[room].Add(int64(res.Accepted))
				}
				if ctx.Err() != nil {
					return
				}
				if time.Now().Before(measured) {
					continue
				}
				if err != nil {
					if fails.Add(1) == 1 {
						fmt.Fprintf(os.Stderr, "bench ingest: first failed request: %v\n", err)
					}
					continue
				}
				lat.Add(time.Since(at))
				accepted.Add(int64(res.Accepted))
				dups.Add(int64(res.Duplicates))
				rej.Add(int64(len(res.Rejected)))
			}
		})
	}
	wg.Wait()
	el := time.Since(measured)
	genCPU := processCPU() - <-cpuAtMeasure // the wait below is not the generator's work
	lastAck := time.Now()
	folded, foldErr := waitFolded(context.WithoutCancel(ctx), client, server, ids, sent)
	fmt.Printf("bench ingest: %d conns (%s), batch %d, target rate %s, %s\n", conns, via, batch, rateText(rate), el.Round(time.Millisecond))
	fmt.Printf("accepted %d events (%.0f events/s), duplicates %d, rejected %d, failed requests %d\n",
		accepted.Load(), float64(accepted.Load())/el.Seconds(), dups.Load(), rej.Load(), fails.Load())
	fmt.Printf("ack latency: %s\n", lat.Summary())
	fmt.Printf("generator CPU: %.2f µs per accepted event\n", float64(genCPU.Nanoseconds())/1000/float64(max(1, accepted.Load())))
	if foldErr != nil {
		return fmt.Errorf("live metrics did not catch up: %w", foldErr)
	}
	var all int64
	for i := range sent {
		all += sent[i].Load()
	}
	if folded.missed > 0 {
		fmt.Printf("live metrics: MISSED %d of %d accepted events (the processor fell further behind than the stream keeps)\n", folded.missed, all)
	}
	fmt.Printf("live metrics: folded %s after the last acknowledgement; end to end %.0f events/s (%d events from the first send until the last is folded)\n",
		folded.at.Sub(lastAck).Round(time.Millisecond), float64(all-folded.missed)/folded.at.Sub(begin).Seconds(), all-folded.missed)
	return nil
}

// processCPU is the user and system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func rateText(rate int) string {
	if rate == 0 {
		return "unlimited"
	}
	return strconv.Itoa(rate) + "/s"
}

func benchPost(ctx context.Context, client *http.Client, url string, body []byte) (ingest.Result, error) {
	var res ingest.Result
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return res, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return res, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return res, err
	}
	if resp.StatusCode != http.StatusOK {
		return res, fmt.Errorf("HTTP %d: %s", resp.StatusCode, b)
	}
	return res, json.Unmarshal(b, &res)
}
