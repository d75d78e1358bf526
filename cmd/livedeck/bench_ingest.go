package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
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
		server                    string
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
	fs.Int(&rooms, "rooms", "", 4, "rooms the connections spread over")
	var token string
	tokenFlag(fs, &token)
	if err := fs.parse(args); err != nil {
		return err
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
	begin := time.Now()
	measured := begin.Add(warmup) // acknowledgements before this are not counted
	for c := range conns {
		wg.Go(func() {
			url := server + "/api/v1/rooms/" + ids[c%rooms] + "/events?source=bench"
			var body []byte
			next := begin.Add(time.Duration(c) * interval / time.Duration(conns))
			for seq := 0; ctx.Err() == nil; seq++ {
				sent := time.Now()
				if interval > 0 {
					if d := time.Until(next); d > 0 {
						select {
						case <-ctx.Done():
							return
						case <-time.After(d):
						}
					}
					sent = next
					next = next.Add(interval)
				}
				body = benchBatch(body[:0], run, c, seq, batch)
				res, err := benchPost(ctx, client, url, body)
				if ctx.Err() != nil {
					return
				}
				if time.Now().Before(measured) {
					continue
				}
				if err != nil {
					fails.Add(1)
					continue
				}
				lat.Add(time.Since(sent))
				accepted.Add(int64(res.Accepted))
				dups.Add(int64(res.Duplicates))
				rej.Add(int64(len(res.Rejected)))
			}
		})
	}
	wg.Wait()
	el := time.Since(measured)
	fmt.Printf("bench ingest: %d conns, batch %d, target rate %s, %s\n", conns, batch, rateText(rate), el.Round(time.Millisecond))
	fmt.Printf("accepted %d events (%.0f events/s), duplicates %d, rejected %d, failed requests %d\n",
		accepted.Load(), float64(accepted.Load())/el.Seconds(), dups.Load(), rej.Load(), fails.Load())
	fmt.Printf("ack latency: %s\n", lat.Summary())
	return nil
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

// benchBatch appends a JSON array of n new events in a live room's mix
// (comments, likes, viewers, clicks, orders), built without reflection so
// the load generator leaves the CPU to the server. Half the comments repeat
// common ones; the other half are unique.
func benchBatch(b []byte, run string, conn, seq, n int) []byte {
	b = append(b, '[')
	ts := strconv.AppendInt(nil, time.Now().UnixMilli(), 10)
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":"`...)
		b = benchID(b, run, conn, seq, i)
		b = append(b, `","ts":`...)
		b = append(b, ts...)
		switch i % 5 {
		case 0:
			b = append(b, `,"type":"comment","user_id":"u42","nickname":"观众","text":"`...)
			if k := seq*n + i; k%10 == 0 { // every other comment is one many viewers send
				b = append(b, benchComments[(k/10)%len(benchComments)]...)
			} else { // the rest are unique, so no cache of repeated comments flatters the figures
				b = append(b, benchSentences[(k/10)%len(benchSentences)]...)
				b = append(strconv.AppendInt(append(b, " 第"...), int64(conn), 10), '-')
				b = append(strconv.AppendInt(b, int64(k), 10), "次问"...)
			}
			b = append(b, `"}`...)
		case 1:
			b = append(b, `,"type":"like","user_id":"u42","count":3}`...)
		case 2:
			b = append(b, `,"type":"viewers","online":12345}`...)
		case 3:
			b = append(b, `,"type":"product_click","user_id":"u42","sku":"A"}`...)
		default: // the event id doubles as the order id: every order is new
			b = append(b, `,"type":"order","user_id":"u42","sku":"A","qty":1,"amount":19900,"status":"paid","order_id":"`...)
			b = benchID(b, run, conn, seq, i)
			b = append(b, `"}`...)
		}
	}
	return append(b, ']')
}

// benchSentences start the unique comments: questions and chatter of the
// length and mix of scripts viewers type.
var benchSentences = []string{
	"这件大衣有没有黑色的，我一米六五穿什么码", "主播今天的口红色号是多少", "想要！多少钱 how much? 😍",
	"敏感肌能用吗 有没有试用装", "上次买的已经收到了 质量很好 回购", "is it waterproof? 下雨天能穿吗",
}

// benchID is run-conn-seq-i: unique for every event of every run.
func benchID(b []byte, run string, conn, seq, i int) []byte {
	b = append(append(b, run...), '-')
	b = append(strconv.AppendInt(b, int64(conn), 10), '-')
	b = append(strconv.AppendInt(b, int64(seq), 10), '-')
	return strconv.AppendInt(b, int64(i), 10)
}
