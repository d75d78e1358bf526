package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/redisx"
)

func TestWSSnapshotThenDeltas(t *testing.T) {
	rs := redistest.Start(t)
	in := startWSInstance(t, rs.URL(), HubConfig{Instance: "i1"}, Config{})
	rdb, ctx := in.rdb, context.Background()
	addRoom(t, rdb, "r1")
	k := redisx.Room("r1")
	snap, _ := json.Marshal(livedeck.Snapshot{Room: "r1", Seq: 5, GMV: 19900})
	tier, _ := json.Marshal(livedeck.Tier{Name: "满199减20", Threshold: 19900, Discount: 2000})
	c1, _ := json.Marshal(livedeck.Comment{ID: "c1", Text: "<img src=x onerror=alert(1)>"})
	c2, _ := json.Marshal(livedeck.Comment{ID: "c2", Text: "还有货吗", Class: livedeck.ClassQuestion})
	rdb.Set(ctx, k.Snapshot(), snap, 0)
	rdb.Set(ctx, k.Tier(), tier, 0)
	rdb.LPush(ctx, k.Comments(), c1, c2) // newest first: c2, c1
	addSignal(t, rdb, cue("r1", "acked"))
	ackID := addSignal(t, rdb, livedeck.Signal{Kind: livedeck.SignalAck, Room: "r1", Ack: &livedeck.Ack{Key: "acked"}})
	expired := cue("r1", "expired")
	expired.At, expired.Cue.TTLms = time.Now().Add(-time.Minute).UnixMilli(), 1000
	addSignal(t, rdb, expired)
	liveID := addSignal(t, rdb, cue("r1", "live"))
	addSignal(t, rdb, livedeck.Signal{Kind: livedeck.SignalAlert, Room: "r1", Alert: &livedeck.Alert{Key: "a1", Severity: "warning", Message: "库存告急"}})

	op := dialWS(t, in.wsURL("rooms=r1&view=operator"), nil)
	hello := decode[helloData](t, op.expect(typeHello, "").Data)
	if hello.Instance != "i1" || hello.View != viewOperator || len(hello.Rooms) != 1 {
		t.Fatalf("hello %+v", hello)
	}
	got := decode[snapshotData](t, op.expect(typeSnapshot, "r1").Data)
	if s := decode[livedeck.Snapshot](t, got.Metrics); s.Seq != 5 || s.GMV != 19900 {
		t.Fatalf("snapshot metrics %+v", s)
	}
	if tr := decode[livedeck.Tier](t, got.Tier); tr.Name != "满199减20" {
		t.Fatalf("tier %+v", tr)
	}
	if len(got.Cues) != 1 || got.Cues[0].Cue.Key != "live" || got.Cues[0].ID != liveID {
		t.Fatalf("cues %+v, want only the unacknowledged unexpired one (%s)", got.Cues, ackID)
	}
	if len(got.Alerts) != 1 || got.Alerts[0].Alert.Key != "a1" {
		t.Fatalf("alerts %+v", got.Alerts)
	}
	if len(got.Comments) != 2 || decode[livedeck.Comment](t, got.Comments[0]).ID != "c1" {
		t.Fatalf("comments %s, want oldest first", got.Comments)
	}

	host := dialWS(t, in.wsURL("rooms=r1&view=host"), nil)
	host.expect(typeHello, "")
	if hs := decode[snapshotData](t, host.expect(typeSnapshot, "r1").Data); len(hs.Comments) != 0 {
		t.Fatalf("host snapshot has comments %s", hs.Comments)
	}

	publishLive(t, rdb, "r1", livedeck.LiveMessage{
		Metrics:  &livedeck.Snapshot{Room: "r1", Seq: 6, GMV: 39800},
		Comments: []livedeck.Comment{{ID: "c3", Text: "拍了", Class: livedeck.ClassIntent}},
	})
	if s := decode[livedeck.Snapshot](t, op.expect(typeMetrics, "r1").Data); s.Seq != 6 || s.GMV != 39800 {
		t.Fatalf("metrics %+v", s)
	}
	if c := decode[livedeck.Comment](t, op.expect(typeComment, "r1").Data); c.ID != "c3" || c.Class != livedeck.ClassIntent {
		t.Fatalf("comment %+v", c)
	}
	host.expect(typeMetrics, "r1")
	tierID := addSignal(t, rdb, livedeck.Signal{Kind: livedeck.SignalTier, Room: "r1", Tier: &livedeck.Tier{Name: "满299减50"}})
	for _, c := range []*wsClient{op, host} { // the host got no comment before the tier
		e := c.expect("tier", "r1")
		if sig := decode[livedeck.Signal](t, e.Data); e.ID != tierID || sig.ID != tierID || sig.Tier.Name != "满299减50" {
			t.Fatalf("tier message %+v", e)
		}
	}
}

func TestWSMetricsCoalesced(t *testing.T) {
	rs := redistest.Start(t)
	in := startWSInstance(t, rs.URL(), HubConfig{}, Config{})
	addRoom(t, in.rdb, "r1")
	c := dialWS(t, in.wsURL("rooms=r1"), nil)
	c.expect(typeHello, "")
	c.expect(typeSnapshot, "r1")

	ctx := context.Background()
	pipe := in.rdb.Pipeline()
	for seq := uint64(1); seq <= 100; seq++ {
		b, _ := json.Marshal(livedeck.LiveMessage{Metrics: &livedeck.Snapshot{Room: "r1", Seq: seq}})
		pipe.Publish(ctx, redisx.Room("r1").Live(), b)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	n, last := 0, uint64(0)
	for last < 100 {
		s := decode[livedeck.Snapshot](t, c.expect(typeMetrics, "r1").Data)
		if s.Seq <= last {
			t.Fatalf("metrics seq %d after %d", s.Seq, last)
		}
		n, last = n+1, s.Seq
	}
	if n > 20 {
		t.Fatalf("a burst of 100 updates reached the client as %d messages, want them coalesced", n)
	}
	t.Logf("100 published, %d delivered", n)
}

// TestHubCoalescesMetricsPerRoom: a room's metrics go out as they arrive
// while the room is within its budget (10/s, 2 at once here); only a room
// over it has its metrics held, the newest winning.
func TestHubCoalescesMetricsPerRoom(t *testing.T) {
	h := NewHub(HubConfig{MetricsInterval: 100 * time.Millisecond, MetricsBurst: 2, FanoutWorkers: 1}, nil, nil, newTestRegistry(), nil)
	s := &hubState{h: h, clients: map[*client]struct{}{}, rooms: map[string]*hubRoom{}, pending: map[string]*hubRoom{}}
	c := &client{h: h, view: viewOperator, rooms: []string{"a", "b"}, flushing: true} // greeting: messages wait in the backlog
	s.clients[c] = struct{}{}
	t0 := time.Unix(1000, 0)
	for _, id := range c.rooms {
		s.rooms[id] = &hubRoom{clients: map[*client]struct{}{c: {}}, changed: true, budget: h.metricsBudget()}
		s.rooms[id].budget.AllowN(t0, 0) // the bucket's clock starts full at t0
	}
	metrics := func(room string, seq uint64) *outMsg {
		m := newOutMsg(typeMetrics, room, "", []byte(`{}`), t0)
		m.seq = seq
		return m
	}
	tests := []struct {
		at       time.Duration
		msg      *outMsg // nil: a ticker flush
		wantSent []uint64
	}{
		{0, metrics("a", 1), []uint64{1}},                  // within budget: at once
		{10, metrics("a", 2), []uint64{2}},                 // the burst allows a second
		{20, metrics("a", 3), nil},                         // over budget: held
		{30, metrics("a", 4), nil},                         // replaces 3
		{40, metrics("b", 1), []uint64{1}},                 // another room has its own budget
		{50, nil, nil},                                     // too early
		{100, nil, []uint64{4}},                            // newest pending wins
		{120, metrics("a", 5), nil},                        // held again
		{150, &outMsg{typ: "cue", room: "a"}, []uint64{0}}, // signals are never held
		{210, nil, []uint64{5}},
		{250, metrics("a", 6), nil}, // still over budget
		{290, nil, nil},
		{300, nil, []uint64{6}},
		{900, metrics("a", 7), []uint64{7}}, // after a quiet spell: at once
		{905, metrics("a", 8), []uint64{8}}, // and the burst again
		{910, metrics("a", 9), nil},
	}
	for i, tc := range tests {
		now := t0.Add(tc.at * time.Millisecond)
		if tc.msg != nil {
			s.deliver(tc.msg, now)
		} else {
			s.flushMetrics(now)
		}
		for len(h.jobs[0]) > 0 {
			(<-h.jobs[0]).run(nil)
		}
		var sent []uint64
		for _, m := range c.backlog {
			sent = append(sent, m.seq)
		}
		c.backlog = c.backlog[:0]
		if fmt.Sprint(sent) != fmt.Sprint(tc.wantSent) {
			t.Fatalf("step %d (+%dms): sent seqs %v, want %v", i, tc.at, sent, tc.wantSent)
		}
	}
}

func TestHubCoalesceQueuedMetrics(t *testing.T) {
	m := func(typ, room string, seq uint64) *outMsg { return &outMsg{typ: typ, room: room, seq: seq} }
	batch := []*outMsg{m(typeMetrics, "a", 1), m("cue", "a", 0), m(typeMetrics, "b", 1), m(typeMetrics, "a", 2), m(typeComment, "a", 0), m(typeMetrics, "b", 2)}
	var got []string
	for _, x := range coalesceMetrics(batch) {
		got = append(got, fmt.Sprintf("%s/%s/%d", x.typ, x.room, x.seq))
	}
	if want := "[cue/a/0 metrics/a/2 comment/a/0 metrics/b/2]"; fmt.Sprint(got) != want {
		t.Fatalf("got %v, want %s", got, want)
	}
}

func TestWSSignalsImmediate(t *testing.T) {
	rs := redistest.Start(t)
	in := startWSInstance(t, rs.URL(), HubConfig{}, Config{})
	addRoom(t, in.rdb, "r1")
	addRoom(t, in.rdb, "r2")
	c := dialWS(t, in.wsURL("rooms=r1,r2&view=host"), nil)
	c.expect(typeHello, "")
	c.expect(typeSnapshot, "r1")
	c.expect(typeSnapshot, "r2")
	var ids []string
	for i := range 5 {
		ids = append(ids, addSignal(t, in.rdb, cue("r2", fmt.Sprint("k", i))))
	}
	for i := range 5 { // every cue, none coalesced, in stream order
		if e := c.expect("cue", "r2"); e.ID != ids[i] {
			t.Fatalf("cue %d id %s, want %s", i, e.ID, ids[i])
		}
	}
	gift := addSignal(t, in.rdb, livedeck.Signal{Kind: livedeck.SignalGift, Room: "r1", Gift: &livedeck.Gift{Quota: "q", OrderID: "o1", N: 1}})
	if e := c.expect("gift", "r1"); e.ID != gift {
		t.Fatalf("gift id %s, want %s", e.ID, gift)
	}
}

func TestWSResumeReplaysMissedSignals(t *testing.T) {
	rs := redistest.Start(t)
	in := startWSInstance(t, rs.URL(), HubConfig{}, Config{})
	addRoom(t, in.rdb, "r1")
	c := dialWS(t, in.wsURL("rooms=r1&view=host"), nil)
	c.expect(typeHello, "")
	c.expect(typeSnapshot, "r1")
	addSignal(t, in.rdb, cue("r1", "k0"))
	last := c.expect("cue", "r1").ID
	c.conn.Close() // a network blip

	missed := []string{
		addSignal(t, in.rdb, cue("r1", "k1")),
		addSignal(t, in.rdb, livedeck.Signal{Kind: livedeck.SignalTier, Room: "r1", Tier: &livedeck.Tier{Name: "t2"}}),
		addSignal(t, in.rdb, livedeck.Signal{Kind: livedeck.SignalAlert, Room: "r1", Alert: &livedeck.Alert{Key: "a1", Severity: "critical", Message: "支付失败率升高"}}),
	}
	c = dialWS(t, in.wsURL("rooms=r1&view=host&resume=r1:"+last), nil)
	c.expect(typeHello, "")
	for i, typ := range []string{"cue", "tier", "alert"} {
		if e := c.expect(typ, "r1"); e.ID != missed[i] {
			t.Fatalf("replayed %s id %s, want %s", typ, e.ID, missed[i])
		}
	}
	snap := decode[snapshotData](t, c.expect(typeSnapshot, "r1").Data)
	if len(snap.Cues) != 2 || len(snap.Alerts) != 1 {
		t.Fatalf("snapshot after resume: cues %+v alerts %+v", snap.Cues, snap.Alerts)
	}
	next := addSignal(t, in.rdb, cue("r1", "k2"))
	if e := c.expect("cue", "r1"); e.ID != next {
		t.Fatalf("live cue after resume %s, want %s", e.ID, next)
	}
}

func TestWSAckReachesEveryClient(t *testing.T) {
	rs := redistest.Start(t)
	in := startWSInstance(t, rs.URL(), HubConfig{}, Config{})
	addRoom(t, in.rdb, "r1")
	host := dialWS(t, in.wsURL("rooms=r1&view=host"), nil)
	op := dialWS(t, in.wsURL("rooms=r1&view=operator"), nil)
	for _, c := range []*wsClient{host, op} {
		c.expect(typeHello, "")
		c.expect(typeSnapshot, "r1")
	}
	for _, bad := range []string{`nope`, `{"type":"like","room":"r1"}`, `{"type":"ack","room":"r9","data":{"key":"k"}}`, `{"type":"ack","room":"r1","data":{}}`} {
		if err := host.conn.WriteMessage(websocket.TextMessage, []byte(bad)); err != nil {
			t.Fatal(err)
		}
		if e := host.next(); e.Type != typeError || !strings.Contains(string(e.Data), "message") {
			t.Fatalf("%s answered by %+v", bad, e)
		}
	}
	addSignal(t, in.rdb, cue("r1", "cue-7"))
	for _, c := range []*wsClient{host, op} {
		c.expect("cue", "r1")
	}
	if err := host.conn.WriteJSON(map[string]any{"type": "ack", "room": "r1", "data": map[string]string{"key": "cue-7"}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*wsClient{host, op} {
		sig := decode[livedeck.Signal](t, c.expect("ack", "r1").Data)
		if sig.Ack == nil || sig.Ack.Key != "cue-7" || sig.Ack.By != viewHost || sig.ID == "" {
			t.Fatalf("ack %+v", sig)
		}
	}
	n, err := in.rdb.XLen(context.Background(), redisx.Room("r1").Signals()).Result()
	if err != nil || n != 2 {
		t.Fatalf("signal stream length %d, %v; want the cue and its ack stored", n, err)
	}
}

func TestWSSlowClientEvicted(t *testing.T) {
	rs := redistest.Start(t)
	in := startWSInstance(t, rs.URL(), HubConfig{SendQueue: 64}, Config{})
	addRoom(t, in.rdb, "r1")
	slow := dialWS(t, in.wsURL("rooms=r1"), nil)
	fast := dialWS(t, in.wsURL("rooms=r1"), nil)
	for _, c := range []*wsClient{slow, fast} {
		c.expect(typeHello, "")
		c.expect(typeSnapshot, "r1")
	}
	// The slow client stops reading; bursts go out until its socket
	// buffers and queue fill. The fast one must get every comment meanwhile.
	text := strings.Repeat("库存", 700)
	for burst := 0; in.evictions(reasonSlow) == 0; burst++ {
		if burst == 2000 {
			t.Fatal("slow client never evicted")
		}
		cs := make([]livedeck.Comment, 16)
		for i := range cs {
			cs[i] = livedeck.Comment{ID: fmt.Sprintf("%d-%d", burst, i), Text: text}
		}
		publishLive(t, in.rdb, "r1", livedeck.LiveMessage{Comments: cs})
		for i := range cs {
			if got := decode[livedeck.Comment](t, fast.expect(typeComment, "r1").Data); got.ID != cs[i].ID {
				t.Fatalf("fast client got comment %s, want %s", got.ID, cs[i].ID)
			}
		}
	}
	if code := slow.closeCode(); code != closeSlow {
		t.Fatalf("slow client closed with %d, want %d", code, closeSlow)
	}
	addSignal(t, in.rdb, cue("r1", "after"))
	fast.expect("cue", "r1")
}

func TestWSOrigin(t *testing.T) {
	rs := redistest.Start(t)
	in := startWSInstance(t, rs.URL(), HubConfig{}, Config{AllowedOrigins: []string{"https://console.example"}})
	addRoom(t, in.rdb, "r1")
	for origin, ok := range map[string]bool{
		"https://evil.example":    false,
		"null":                    false,
		"https://console.example": true,
		in.hs.URL:                 true, // same host
		"":                        true, // not a browser
	} {
		hdr := http.Header{}
		if origin != "" {
			hdr.Set("Origin", origin)
		}
		conn, resp, err := websocket.DefaultDialer.Dial(in.wsURL("rooms=r1"), hdr)
		if ok != (err == nil) {
			t.Fatalf("origin %q: err %v, want allowed=%v", origin, err, ok)
		}
		if err == nil {
			conn.Close()
		} else if resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Fatalf("origin %q: refused without 403: %+v", origin, resp)
		}
	}
}

func TestWSRefusedRequests(t *testing.T) {
	rs := redistest.Start(t)
	in := startWSInstance(t, rs.URL(), HubConfig{MaxRooms: 3}, Config{})
	addRoom(t, in.rdb, "r1")
	tests := []struct {
		query string
		code  int
	}{
		{"rooms=r1,nope", closeUnknownRoom},
		{"rooms=r1&view=admin", closeBadRequest},
		{"rooms=", closeBadRequest},
		{"rooms=a,b,c,d", closeBadRequest},
		{"rooms=r1&resume=r1:abc", closeBadRequest},
		{"rooms=r1&resume=r2:1-0", closeBadRequest},
		{"rooms=bad%20id", closeBadRequest},
	}
	for _, tc := range tests {
		if code := dialWS(t, in.wsURL(tc.query), nil).closeCode(); code != tc.code {
			t.Errorf("%s: closed with %d, want %d", tc.query, code, tc.code)
		}
	}
	if n := in.evictions(reasonUnknownRoom); n != 1 {
		t.Errorf("unknown_room evictions %v, want 1", n)
	}
}

func TestWSShutdownSends1001(t *testing.T) {
	rs := redistest.Start(t)
	rdb := rs.Client(t)
	addRoom(t, rdb, "r1")
	hub := NewHub(HubConfig{}, rdb, nil, newTestRegistry(), nil)
	srv, err := New(Config{Addr: "127.0.0.1:0"}, Deps{Redis: rdb, Hub: hub})
	if err != nil {
		t.Fatal(err)
	}
	l, err := srv.Listen()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	hubDone, srvDone := make(chan error, 1), make(chan error, 1)
	go func() { hubDone <- hub.Run(ctx) }()
	go func() { srvDone <- srv.Serve(ctx, l) }()
	var cs []*wsClient
	for range 3 {
		c := dialWS(t, "ws://"+l.Addr().String()+"/ws?rooms=r1", nil)
		c.expect(typeHello, "")
		c.expect(typeSnapshot, "r1")
		cs = append(cs, c)
	}
	cancel()
	for i, c := range cs {
		if code := c.closeCode(); code != closeGoingAway {
			t.Fatalf("client %d closed with %d, want 1001", i, code)
		}
	}
	if err := <-srvDone; err != nil {
		t.Fatal(err)
	}
	if err := <-hubDone; err != nil {
		t.Fatal(err)
	}
}

// Two instances on one Redis (or one Cluster) each deliver every update to
// their own clients, and an ack made on one reaches the other's.
func TestWSFanOutTwoInstances(t *testing.T) {
	t.Run("standalone", func(t *testing.T) { testFanOut(t, redistest.Start(t).URL()) })
	t.Run("cluster", func(t *testing.T) { testFanOut(t, redistest.StartCluster(t, 3).URL()) })
}

func testFanOut(t *testing.T, url string) {
	a := startWSInstance(t, url, HubConfig{Instance: "a"}, Config{})
	b := startWSInstance(t, url, HubConfig{Instance: "b"}, Config{})
	rooms := []string{"r1", "r2", "r3"}
	for _, r := range rooms {
		addRoom(t, a.rdb, r)
	}
	ca := dialWS(t, a.wsURL("rooms=r1,r2,r3"), nil)
	cb := dialWS(t, b.wsURL("rooms=r1,r2,r3"), nil)
	for _, c := range []*wsClient{ca, cb} {
		c.expect(typeHello, "")
		for _, r := range rooms {
			c.expect(typeSnapshot, r)
		}
	}
	for i, r := range rooms { // rooms hash to different cluster nodes
		publishLive(t, a.rdb, r, livedeck.LiveMessage{Metrics: &livedeck.Snapshot{Room: r, Seq: uint64(i + 1)}})
		for _, c := range []*wsClient{ca, cb} {
			if s := decode[livedeck.Snapshot](t, c.expect(typeMetrics, r).Data); s.Seq != uint64(i+1) {
				t.Fatalf("room %s metrics seq %d", r, s.Seq)
			}
		}
		id := addSignal(t, a.rdb, cue(r, "k"))
		for _, c := range []*wsClient{ca, cb} {
			if e := c.expect("cue", r); e.ID != id {
				t.Fatalf("room %s cue id %s, want %s", r, e.ID, id)
			}
		}
	}
	addSignal(t, a.rdb, alert("r2", "al"))
	for _, c := range []*wsClient{ca, cb} {
		c.expect("alert", "r2")
	}
	if err := ca.conn.WriteJSON(map[string]any{"type": "ack", "room": "r2", "data": map[string]string{"key": "al"}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*wsClient{ca, cb} {
		c.expect("ack", "r2")
	}
}

// TestWSResumeAtLargestID: a resume id no stream can pass (the largest
// there is) connects with nothing replayed, not with a failed load.
func TestWSResumeAtLargestID(t *testing.T) {
	rs := redistest.Start(t)
	in := startWSInstance(t, rs.URL(), HubConfig{}, Config{})
	addRoom(t, in.rdb, "r1")
	addSignal(t, in.rdb, cue("r1", "k0"))
	for _, id := range []string{"18446744073709551615-18446744073709551615", "18446744073709551615-0", "99999999999999-18446744073709551615"} {
		c := dialWS(t, in.wsURL("rooms=r1&view=host&resume=r1:"+id), nil)
		c.expect(typeHello, "")
		snap := decode[snapshotData](t, c.expect(typeSnapshot, "r1").Data)
		if len(snap.Cues) != 1 {
			t.Fatalf("resume %s: snapshot cues %+v, want the one cue", id, snap.Cues)
		}
		c.conn.Close()
	}
}
