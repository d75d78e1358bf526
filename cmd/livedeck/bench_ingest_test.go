package main

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/ingest"
)

// TestBatchTemplateFill checks that patched templates are valid batches
// whose ids and unique comments never repeat across batch numbers.
func TestBatchTemplateFill(t *testing.T) {
	const n = 100
	tmpl := benchTemplates("run", 3, n)
	now := time.UnixMilli(1733000000123)
	ids, texts := map[string]bool{}, map[string]bool{}
	for seq := range 2 * templates {
		var evs []livedeck.Event
		if err := json.Unmarshal(tmpl[seq%templates].fill(seq, n, now), &evs); err != nil {
			t.Fatalf("batch %d: %v", seq, err)
		}
		if len(evs) != n {
			t.Fatalf("batch %d: %d events, want %d", seq, len(evs), n)
		}
		for i, ev := range evs {
			if ids[ev.ID] {
				t.Fatalf("batch %d event %d: id %s repeats", seq, i, ev.ID)
			}
			ids[ev.ID] = true
			if ev.TS != now.UnixMilli() {
				t.Errorf("batch %d event %d: ts %d", seq, i, ev.TS)
			}
			if ev.Type == livedeck.EventOrder && ev.OrderID != ev.ID {
				t.Errorf("batch %d event %d: order id %s, want the event id %s", seq, i, ev.OrderID, ev.ID)
			}
			if ev.Type == livedeck.EventComment && len(ev.Text) > 20 {
				if texts[ev.Text] {
					t.Errorf("batch %d event %d: unique comment %q repeats", seq, i, ev.Text)
				}
				texts[ev.Text] = true
			}
		}
	}
	if len(texts) != 2*templates*n/10 {
		t.Errorf("%d unique comments, want %d", len(texts), 2*templates*n/10)
	}
}

// TestBenchSenders sends the same batches over each transport against a
// real server: new events are accepted, a resend is all duplicates, and a
// room that does not exist is a failed request, not a silent zero.
func TestBenchSenders(t *testing.T) {
	base := startCLIApp(t)
	ctx := context.Background()
	for _, via := range []string{transportHTTP, transportWS} {
		t.Run(via, func(t *testing.T) {
			room := "bench-send-" + via
			cliDo(t, base, http.MethodPost, "/api/v1/rooms", `{"id":"`+room+`","title":"t","products":[{"sku":"A","name":"a","price":19900,"stock":1000}]}`)
			rooms := []string{room, "no-such-room-" + via}
			var send batchSender
			switch via {
			case transportHTTP:
				urls := []string{base + "/api/v1/rooms/" + rooms[0] + "/events?source=bench", base + "/api/v1/rooms/" + rooms[1] + "/events?source=bench"}
				send = &httpSender{client: &http.Client{Transport: bearer{cliToken, http.DefaultTransport}}, urls: urls}
			case transportWS:
				send = newWSSender(base, cliToken, rooms)
			}
			defer send.close()
			tmpl := benchTemplates("run-"+via, 0, 50)
			for seq, want := range []ingest.Result{{Accepted: 50}, {Accepted: 50}} {
				res, err := send.send(ctx, 0, tmpl[seq].fill(seq, 50, time.Now()))
				if err != nil || res.Accepted != want.Accepted || res.Duplicates != 0 || len(res.Rejected) != 0 {
					t.Fatalf("batch %d: %+v, %v; want %d accepted", seq, res, err, want.Accepted)
				}
			}
			again := tmpl[1].fill(1, 50, time.Now())
			if res, err := send.send(ctx, 0, again); err != nil || res.Accepted != 0 || res.Duplicates != 50 {
				t.Fatalf("resend: %+v, %v; want 50 duplicates", res, err)
			}
			if res, err := send.send(ctx, 1, again); err == nil {
				t.Fatalf("unknown room: %+v, want an error", res)
			}
		})
	}
}
