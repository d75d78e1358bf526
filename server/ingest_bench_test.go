package server

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/livedeck/livedeck/ingest"
	"github.com/livedeck/livedeck/internal/redistest"
)

// BenchmarkIngestHTTP posts batches of 100 new events to the echo handler
// over loopback HTTP, against a real redis-server, from parallel clients.
// ns/event is the full cost on this machine: client, server and Redis.
func BenchmarkIngestHTTP(b *testing.B) {
	hs, _ := ingestServer(b, redistest.Start(b).URL(), ingest.Config{})
	call(b, "POST", hs.URL+"/api/v1/rooms", "application/json", roomJSON, nil)
	url := hs.URL + "/api/v1/rooms/r1/events"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var seq atomic.Int64
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var body bytes.Buffer
		for pb.Next() {
			n := seq.Add(1)
			body.Reset()
			body.WriteByte('[')
			for i := range 100 {
				if i > 0 {
					body.WriteByte(',')
				}
				id := strconv.FormatInt(n, 10) + "-" + strconv.Itoa(i)
				fmt.Fprintf(&body, `{"id":"%s","type":"comment","ts":1732280000000,"user_id":"u1","nickname":"观众","text":"想要 how much? 😍"}`, id)
			}
			body.WriteByte(']')
			resp, err := client.Post(url, "application/json", &body)
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*100), "ns/event")
}
