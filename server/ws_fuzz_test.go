package server

import (
	"context"
	"encoding/json"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/redisx"
)

// FuzzParseStreamID checks stream ids round-trip: a parsed id prints in
// canonical form and parses back to itself. Seeds: testdata/fuzz.
func FuzzParseStreamID(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		id, err := parseStreamID(s)
		if err != nil {
			if !strings.Contains(err.Error(), "want <ms>-<seq>") {
				t.Fatalf("error %q does not say what is wanted", err)
			}
			return
		}
		back, err := parseStreamID(id.String())
		if err != nil || back != id {
			t.Fatalf("%q → %v → %q → %v, %v", s, id, id.String(), back, err)
		}
		if id.less(id) || back.less(id) {
			t.Fatalf("less is not strict on %v", id)
		}
	})
}

// FuzzWSQuery checks the GET /ws query: a refusal names its field, and an
// accepted query has a known view, 1..max distinct valid rooms and resume
// ids only for those rooms, and means the same once written back out.
func FuzzWSQuery(f *testing.F) {
	const maxRooms = 4
	f.Fuzz(func(t *testing.T, raw string) {
		q, _ := url.ParseQuery(raw) // as echo's QueryParams: bad pairs dropped
		req, err := parseWSRequest(q, maxRooms)
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "view: ") && !strings.HasPrefix(msg, "rooms: ") && !strings.HasPrefix(msg, "resume: ") {
				t.Fatalf("error %q names no field", msg)
			}
			return
		}
		if !slices.Contains([]string{viewOperator, viewHost, viewProducer}, req.view) {
			t.Fatalf("view %q accepted", req.view)
		}
		if len(req.rooms) < 1 || len(req.rooms) > maxRooms {
			t.Fatalf("%d rooms accepted", len(req.rooms))
		}
		for i, r := range req.rooms {
			if !livedeck.ValidID(r) || slices.Contains(req.rooms[:i], r) {
				t.Fatalf("room %q accepted in %q", r, req.rooms)
			}
		}
		back := url.Values{"view": {req.view}, "rooms": {strings.Join(req.rooms, ",")}}
		var parts []string
		for room, id := range req.resume {
			if !slices.Contains(req.rooms, room) {
				t.Fatalf("resume for room %q outside %q", room, req.rooms)
			}
			parts = append(parts, room+":"+id.String())
		}
		back.Set("resume", strings.Join(parts, ","))
		again, err := parseWSRequest(back, maxRooms)
		if err != nil || !reflect.DeepEqual(again, req) {
			t.Fatalf("%q → %+v; written back %q → %+v, %v", raw, req, back.Encode(), again, err)
		}
	})
}

// FuzzClientMessage feeds console messages to a connection's handler
// against a real Redis: a valid ack of an alert in the room is stored once
// in that room's signal stream, anything else is answered with exactly one
// well-formed error message naming the field, and nothing is stored.
func FuzzClientMessage(f *testing.F) {
	rdb := redistest.Start(f).Client(f)
	h := NewHub(HubConfig{SendQueue: 4}, rdb, nil, newTestRegistry(), nil)
	rooms := []string{"r1", "r2"}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, raw []byte) {
		c := newClient(h, nil, wsRequest{rooms: rooms, view: viewOperator, by: "ops"})
		var msg clientMsg
		valid := json.Unmarshal(raw, &msg) == nil && msg.Type == "ack" && slices.Contains(rooms, msg.Room) &&
			msg.Data.Key != "" && len(msg.Data.Key) <= 200
		if valid { // an alert to acknowledge, not acknowledged before
			addSignal(t, rdb, alert(msg.Room, msg.Data.Key))
			rdb.Del(ctx, redisx.Room(msg.Room).Acked(msg.Data.Key))
		}
		var before [2]int64
		for i, r := range rooms {
			before[i] = rdb.XLen(ctx, redisx.Room(r).Signals()).Val()
		}
		c.handle(raw)
		for i, r := range rooms {
			added := rdb.XLen(ctx, redisx.Room(r).Signals()).Val() - before[i]
			want := int64(0)
			if valid && r == msg.Room {
				want = 1
			}
			if added != want {
				t.Fatalf("%q: %d signals added to room %s, want %d", raw, added, r, want)
			}
		}
		if valid {
			checkStoredAck(t, h, msg.Room, msg.Data.Key)
			if len(c.backlog) != 0 {
				t.Fatalf("%q: valid ack answered with a message", raw)
			}
			return
		}
		if len(c.backlog) != 1 { // greeting: the answer waits for the handler
			t.Fatalf("%q: %d answers, want one error", raw, len(c.backlog))
		}
		m := c.backlog[0]
		frame := string(m.head) + `,"seq":1` + string(m.body)
		var out struct {
			Type string `json:"type"`
			Data struct {
				Message string `json:"message"`
			} `json:"data"`
		}
		if err := json.Unmarshal([]byte(frame), &out); err != nil || out.Type != typeError || out.Data.Message == "" {
			t.Fatalf("%q: answer %s is not an error message (%v)", raw, frame, err)
		}
	})
}

// checkStoredAck reads the newest signal of room: an ack of key by "ops".
func checkStoredAck(t *testing.T, h *Hub, room, key string) {
	t.Helper()
	xs, err := h.rdb.XRevRangeN(context.Background(), redisx.Room(room).Signals(), "+", "-", 1).Result()
	if err != nil || len(xs) != 1 {
		t.Fatalf("reading the stored ack: %v", err)
	}
	_, sig, ok := h.signalMsg(room, xs[0], time.Now())
	if !ok || sig.Kind != livedeck.SignalAck || sig.Ack == nil || sig.Ack.By != "ops" || sig.Ack.Key != strings.ToValidUTF8(key, "\uFFFD") {
		t.Fatalf("stored signal %+v, want an ack of %q by ops", sig, key)
	}
}
