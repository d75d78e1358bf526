package ingest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/internal/redistest"
	"github.com/livedeck/livedeck/redisx"
)

// backend is a Redis the ingest tests run against: standalone or a 3-node
// Redis Cluster. server is the redis-server holding a room's keys (to stop
// or pause it); healed waits after that server restarts until the backend
// serves every key again.
type backend struct {
	url    string
	server func(t *testing.T, room string) *redistest.Server
	healed func(tb testing.TB)
}

// backends start a Redis of each kind, with extra arguments for every
// redis-server (e.g. AOF on).
var backends = []struct {
	name  string
	start func(t *testing.T, extra ...string) backend
}{
	{"standalone", func(t *testing.T, extra ...string) backend {
		s := redistest.Start(t, extra...)
		return backend{s.URL(), func(*testing.T, string) *redistest.Server { return s }, func(testing.TB) {}}
	}},
	{"cluster", func(t *testing.T, extra ...string) backend {
		c := redistest.StartCluster(t, 3, extra...)
		return backend{c.URL(), func(t *testing.T, room string) *redistest.Server { return c.NodeFor(t, redisx.Room(room).Events()) }, c.WaitOK}
	}},
}

// TestIngest runs the same behaviour against a standalone Redis and a
// 3-node Redis Cluster: a CROSSSLOT error or any difference fails it.
func TestIngest(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			rdb := open(t, b.start(t).url)
			s := newService(t, rdb, Config{})
			t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, s, rdb) })
			t.Run("PartlyBadBatch", func(t *testing.T) { testPartlyBad(t, s, rdb) })
			t.Run("Duplicates", func(t *testing.T) { testDuplicates(t, s, rdb) })
			t.Run("BodyErrors", func(t *testing.T) { testBodyErrors(t, s) })
			t.Run("RoomStock", func(t *testing.T) { testRoomStock(t, s, rdb) })
		})
	}
}

// roundTrips is one event per type: the JSON an integrator sends and the
// stored event it must become.
var roundTrips = []struct {
	in   string
	want livedeck.Event
}{
	{`{"id":"v1","type":"viewers","ts":1732280000000,"online":0}`,
		livedeck.Event{ID: "v1", Type: "viewers", TS: 1732280000000, Online: i64(0)}},
	{`{"id":"en1","type":"enter","ts":"2024-11-22T20:53:20+08:00","user_id":"u1"}`,
		livedeck.Event{ID: "en1", Type: "enter", TS: 1732280000000, UserID: "u1"}},
	{`{"id":"le1","type":"leave","ts":"2024-11-22T12:53:20.250Z","user_id":"u1"}`,
		livedeck.Event{ID: "le1", Type: "leave", TS: 1732280000250, UserID: "u1"}},
	{`{"id":"c1","type":"comment","ts":1732280000001,"user_id":"u2","nickname":"小红 \"Red\"","text":"<img src=x onerror=alert(1)> 上链接 😍\n1"}`,
		livedeck.Event{ID: "c1", Type: "comment", TS: 1732280000001, UserID: "u2", Nickname: `小红 "Red"`, Text: "<img src=x onerror=alert(1)> 上链接 😍\n1"}},
	{`{"id":"l1","type":"like","ts":1732280000002,"count":12}`,
		livedeck.Event{ID: "l1", Type: "like", TS: 1732280000002, Count: 12}},
	{`{"id":"l2","type":"like","ts":1732280000002,"user_id":"u3"}`,
		livedeck.Event{ID: "l2", Type: "like", TS: 1732280000002, UserID: "u3", Count: 1}},
	{`{"id":"f1","type":"follow","ts":1732280000003,"user_id":"u3","text":"dropped: not a follow field"}`,
		livedeck.Event{ID: "f1", Type: "follow", TS: 1732280000003, UserID: "u3"}},
	{`{"id":"s1","type":"share","ts":1732280000004,"user_id":"u3"}`,
		livedeck.Event{ID: "s1", Type: "share", TS: 1732280000004, UserID: "u3"}},
	{`{"id":"g1","type":"gift","ts":1732280000005,"user_id":"u4","gift":"嘉年华","value":300000}`,
		livedeck.Event{ID: "g1", Type: "gift", TS: 1732280000005, UserID: "u4", Gift: "嘉年华", Value: 300000}},
	{`{"id":"x1","type":"product_exposure","ts":1732280000006,"sku":"A"}`,
		livedeck.Event{ID: "x1", Type: "product_exposure", TS: 1732280000006, SKU: "A"}},
	{`{"id":"k1","type":"product_click","ts":1732280000007,"sku":"A","user_id":"u5"}`,
		livedeck.Event{ID: "k1", Type: "product_click", TS: 1732280000007, SKU: "A", UserID: "u5"}},
	{`{"id":"o1","type":"order","ts":1732280000008,"user_id":"u5","order_id":"SO-1","sku":"A","qty":2,"amount":39800,"status":"created","extra":{"ignored":[1.5]}}`,
		livedeck.Event{ID: "o1", Type: "order", TS: 1732280000008, UserID: "u5", OrderID: "SO-1", SKU: "A", Qty: 2, Amount: 39800, Status: "created"}},
	{`{"id":"o2","type":"order","ts":1732280000009,"user_id":"u5","order_id":"SO-1","sku":"A","qty":2,"amount":39800,"status":"paid"}`,
		livedeck.Event{ID: "o2", Type: "order", TS: 1732280000009, UserID: "u5", OrderID: "SO-1", SKU: "A", Qty: 2, Amount: 39800, Status: "paid"}},
	{`{"id":"o3","type":"order","ts":1732280000010,"user_id":"u6","order_id":"SO-2","sku":"B","qty":1,"amount":0,"status":"cancelled"}`,
		livedeck.Event{ID: "o3", Type: "order", TS: 1732280000010, UserID: "u6", OrderID: "SO-2", SKU: "B", Qty: 1, Status: "cancelled"}},
	{`{"id":"o4","type":"order","ts":1732280000011,"user_id":"u5","order_id":"SO-1","sku":"A","qty":2,"amount":39800,"status":"refunded"}`,
		livedeck.Event{ID: "o4", Type: "order", TS: 1732280000011, UserID: "u5", OrderID: "SO-1", SKU: "A", Qty: 2, Amount: 39800, Status: "refunded"}},
	{`{"id":"o5","type":"order","ts":1732280000012,"user_id":"u7","order_id":"SO-3","sku":"A","qty":1,"amount":19900,"status":"paid","channel":"qianchuan"}`,
		livedeck.Event{ID: "o5", Type: "order", TS: 1732280000012, UserID: "u7", OrderID: "SO-3", SKU: "A", Qty: 1, Amount: 19900, Status: "paid", Channel: "qianchuan"}},
	{`{"id":"ca1","type":"cart_add","ts":1732280000013,"user_id":"u5","sku":"A","qty":2,"channel":"dropped"}`,
		livedeck.Event{ID: "ca1", Type: "cart_add", TS: 1732280000013, UserID: "u5", SKU: "A", Qty: 2}},
	{`{"id":"ca2","type":"cart_add","ts":1732280000014,"user_id":"u6","sku":"B"}`,
		livedeck.Event{ID: "ca2", Type: "cart_add", TS: 1732280000014, UserID: "u6", SKU: "B", Qty: 1}},
	{`{"id":"sp1","type":"ad_spend","ts":"2024-11-22T20:55:00+08:00","channel":"qianchuan","campaign":"plan-7","period":"2024-11-22T20:50:00+08:00","amount":128000,"user_id":"dropped"}`,
		livedeck.Event{ID: "sp1", Type: "ad_spend", TS: 1732280100000, Channel: "qianchuan", Campaign: "plan-7", Period: 1732279800000, Amount: 128000}},
	{`{"id":"sp2","type":"ad_spend","ts":1732280000015,"channel":"douplus","amount":0}`,
		livedeck.Event{ID: "sp2", Type: "ad_spend", TS: 1732280000015, Channel: "douplus", Period: 1732280000015}},
}

func testRoundTrip(t *testing.T, s *Service, rdb redis.UniversalClient) {
	ctx := context.Background()
	var array, ndjson []string
	for _, rt := range roundTrips {
		array, ndjson = append(array, rt.in), append(ndjson, rt.in)
	}
	bodies := []struct {
		name, source, body string
	}{
		{"array", "", "[" + strings.Join(array, ",") + "]"},
		{"ndjson", "webhook", strings.Join(ndjson, "\n") + "\n"},
	}
	for _, b := range bodies {
		t.Run(b.name, func(t *testing.T) {
			room := "rt-" + b.name
			createRoom(t, s, room)
			res, err := s.IngestReader(ctx, room, b.source, strings.NewReader(b.body))
			if err != nil {
				t.Fatal(err)
			}
			if res.Accepted != len(roundTrips) || res.Duplicates != 0 || len(res.Rejected) != 0 {
				t.Fatalf("result %+v, want %d accepted", res, len(roundTrips))
			}
			got := stream(t, rdb, room)
			want := b.source
			if want == "" {
				want = DefaultSource
			}
			for i, rt := range roundTrips {
				w := rt.want
				w.Source = want
				if !reflect.DeepEqual(got[i], w) {
					t.Errorf("event %d:\n got %+v\nwant %+v", i, got[i], w)
				}
			}
		})
	}
}

func testPartlyBad(t *testing.T, s *Service, rdb redis.UniversalClient) {
	ctx := context.Background()
	room := "partly-bad"
	createRoom(t, s, room)
	items := []struct {
		json         string
		field, cause string // empty: the event is good
	}{
		{`{"id":"ok1","type":"like","ts":1732280000000}`, "", ""},
		{`{"id":"b1","type":"order","ts":1732280000000,"user_id":"u","order_id":"o","sku":"A","qty":1,"amount":199.5,"status":"paid"}`, "amount", "not a decimal"},
		{`{"id":"b2","type":"gift","ts":1732280000000,"user_id":"u","gift":"rose","value":1e3}`, "value", "not a decimal"},
		{`{"id":"b3","type":"order","ts":1732280000000,"user_id":"u","order_id":"o","sku":"A","qty":1,"amount":"100","status":"paid"}`, "amount", "JSON number"},
		{`{"type":"like","ts":1732280000000}`, "id", "required"},
		{`{"id":"b5","type":"stock","ts":1732280000000,"sku":"A","stock":3}`, "type", "internal"},
		{`{"id":"b6","type":"party","ts":1732280000000}`, "type", "unknown"},
		{`{"id":"b7","type":"like","ts":1732280000}`, "ts", "out of range"},
		{`{"id":"b8","type":"like","ts":"yesterday"}`, "ts", "RFC 3339"},
		{`"not an object"`, "", "JSON object"},
		{`{"id":"b10","type":"comment","ts":1732280000000,"user_id":"u","text":"` + strings.Repeat("长", 700) + `"}`, "text", "longer"},
		{`{"id":"b11","type":"order","ts":1732280000000,"user_id":"u","order_id":"o","sku":"A","qty":1,"amount":100,"status":"shipped"}`, "status", "must be"},
		{`{"id":"b12","type":"enter","ts":1732280000000}`, "user_id", "required"},
		{`{"id":"b13","type":"product_click","ts":1732280000000,"sku":"{A}"}`, "sku", "letters"},
		{`{"id":"b14","type":"comment","ts":1732280000000,"user_id":"u","text":"\udc00"}`, "text", "UTF-8"},
		{`{"id":"b15","type":"cart_add","ts":1732280000000,"sku":"A"}`, "user_id", "required"},
		{`{"id":"b16","type":"cart_add","ts":1732280000000,"user_id":"u","sku":"A","qty":1.5}`, "qty", "not a decimal"},
		{`{"id":"b17","type":"ad_spend","ts":1732280000000,"amount":100}`, "channel", "required"},
		{`{"id":"b18","type":"ad_spend","ts":1732280000000,"channel":"qianchuan","amount":12.5}`, "amount", "not a decimal"},
		{`{"id":"b19","type":"ad_spend","ts":1732280000000,"channel":"qianchuan","amount":-1}`, "amount", "out of range"},
		{`{"id":"b20","type":"ad_spend","ts":1732280000000,"channel":"qianchuan","amount":1,"period":1732280000001}`, "period", "after ts"},
		{`{"id":"b21","type":"ad_spend","ts":1732280000000,"channel":"  ","amount":1}`, "channel", "blank"},
		{`{"id":"b22","type":"order","ts":1732280000000,"user_id":"u","order_id":"o","sku":"A","qty":1,"amount":100,"status":"paid","channel":7}`, "channel", "string"},
		{`{"id":"ok2","type":"viewers","ts":1732280000000,"online":10}`, "", ""},
	}
	var parts []string
	var wantRej []Rejection
	for i, it := range items {
		parts = append(parts, it.json)
		if it.cause != "" {
			wantRej = append(wantRej, Rejection{Index: i, Field: it.field, Reason: it.cause})
		}
	}
	res, err := s.IngestReader(ctx, room, "", strings.NewReader("["+strings.Join(parts, ",")+"]"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Accepted != 2 || res.Duplicates != 0 {
		t.Errorf("accepted %d duplicates %d, want 2 and 0", res.Accepted, res.Duplicates)
	}
	if len(res.Rejected) != len(wantRej) {
		t.Fatalf("rejected %+v\nwant %+v", res.Rejected, wantRej)
	}
	for i, w := range wantRej {
		g := res.Rejected[i]
		if g.Index != w.Index || g.Field != w.Field || !strings.Contains(g.Reason, w.Reason) {
			t.Errorf("rejection %d = %+v, want index %d field %q reason containing %q", i, g, w.Index, w.Field, w.Reason)
		}
	}
	if got := stream(t, rdb, room); len(got) != 2 || got[0].ID != "ok1" || got[1].ID != "ok2" {
		t.Errorf("stream holds %+v, want ok1 and ok2", got)
	}
}

func testDuplicates(t *testing.T, s *Service, rdb redis.UniversalClient) {
	ctx := context.Background()
	room := "dupes"
	createRoom(t, s, room)
	order := func(id, status string) string {
		return fmt.Sprintf(`{"id":%q,"type":"order","ts":1732280000000,"user_id":"u","order_id":"SO-9","sku":"A","qty":1,"amount":100,"status":%q}`, id, status)
	}
	steps := []struct {
		name           string
		body           string
		accepted, dups int
	}{
		{"first", "[" + order("a", "created") + "," + `{"id":"c","type":"share","ts":1732280000000,"user_id":"u"}` + "]", 2, 0},
		{"retried batch", "[" + order("a", "created") + "," + `{"id":"c","type":"share","ts":1732280000000,"user_id":"u"}` + "]", 0, 2},
		{"same order status under a new id", "[" + order("b", "created") + "]", 0, 1},
		{"next status", "[" + order("d", "paid") + "]", 1, 0},
		{"twice in one batch", "[" + `{"id":"e","type":"like","ts":1732280000000},{"id":"e","type":"like","ts":1732280000000}` + "]", 1, 1},
	}
	total := 0
	for _, st := range steps {
		res, err := s.IngestReader(ctx, room, "", strings.NewReader(st.body))
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if res.Accepted != st.accepted || res.Duplicates != st.dups {
			t.Errorf("%s: accepted %d duplicates %d, want %d and %d", st.name, res.Accepted, res.Duplicates, st.accepted, st.dups)
		}
		total += st.accepted
	}
	if n := len(stream(t, rdb, room)); n != total {
		t.Errorf("stream has %d entries, want %d", n, total)
	}
}

func testBodyErrors(t *testing.T, s *Service) {
	ctx := context.Background()
	room := "body-errors"
	createRoom(t, s, room)
	cases := []struct {
		name, room, body, code string
	}{
		{"not JSON", room, "hello", livedeck.EINVALID},
		{"truncated", room, `[{"id":"a"`, livedeck.EINVALID},
		{"empty", room, "", livedeck.EINVALID},
		{"array in NDJSON", room, `{"id":"a","type":"like","ts":1732280000000}` + "\n[]", livedeck.EINVALID},
		{"data after array", room, `[] {}`, livedeck.EINVALID},
		{"too many events", room, "[" + strings.Repeat(`{},`, 10_000) + "{}]", livedeck.ETOOLARGE},
		{"unknown room", "no-such-room", `[{"id":"a","type":"like","ts":1732280000000}]`, livedeck.ENOTFOUND},
		{"unknown room, empty batch", "no-such-room", `[]`, livedeck.ENOTFOUND},
		{"bad room id", "{x}", `[]`, livedeck.ENOTFOUND},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := s.IngestReader(ctx, c.room, "", strings.NewReader(c.body))
			if code(err) != c.code {
				t.Fatalf("err %v (code %q), want code %q", err, code(err), c.code)
			}
			if res.Accepted != 0 {
				t.Errorf("accepted %d on error", res.Accepted)
			}
		})
	}
	t.Run("body over the byte limit", func(t *testing.T) {
		small := newService(t, s.rdb, Config{MaxBodyBytes: 1024})
		body := `[{"id":"a","type":"comment","ts":1732280000000,"user_id":"u","text":"` + strings.Repeat("x", 1100) + `"}]`
		if _, err := small.IngestReader(ctx, room, "", strings.NewReader(body)); code(err) != livedeck.ETOOLARGE {
			t.Fatalf("err %v, want too_large", err)
		}
	})
}

func testRoomStock(t *testing.T, s *Service, rdb redis.UniversalClient) {
	ctx := context.Background()
	room := "stock"
	createRoom(t, s, room)
	if _, err := s.IngestReader(ctx, room, "", strings.NewReader(`[{"id":"o","type":"order","ts":1732280000000,"user_id":"u","order_id":"1","sku":"B","qty":1,"amount":1,"status":"paid"}]`)); err != nil {
		t.Fatal(err)
	}
	r, err := s.Rooms().Update(ctx, room, RoomPatch{Stock: map[string]int64{"B": 3}})
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := r.Product("B"); p.Stock != 3 {
		t.Errorf("stock of B = %d, want 3", p.Stock)
	}
	got := stream(t, rdb, room)
	if len(got) != 2 || got[0].Type != livedeck.EventOrder || got[1].Type != livedeck.EventStock ||
		got[1].SKU != "B" || got[1].Stock == nil || *got[1].Stock != 3 {
		t.Fatalf("stream %+v, want the order then a stock event B=3", got)
	}
	if _, err := s.Rooms().Update(ctx, room, RoomPatch{Stock: map[string]int64{"Z": 1}}); code(err) != livedeck.EINVALID {
		t.Errorf("stock of unknown sku: err %v, want invalid", err)
	}
}

// TestIngestOverload fills one cap while Redis (the cluster node holding
// the room) is paused, so the batch in flight cannot finish, and checks the
// next batch is refused with a Retry-After, then that the held batch
// completes once Redis resumes.
func TestIngestOverload(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { testOverload(t, b.start(t)) })
	}
}

func testOverload(t *testing.T, b backend) {
	rdb := open(t, b.url)
	ctx := context.Background()
	like := func(id string) string { return fmt.Sprintf(`{"id":%q,"type":"like","ts":1732280000000}`, id) }
	cases := []struct {
		name string
		cfg  Config
		held string // the batch in flight while Redis is paused
	}{
		{"batches", Config{MaxInFlightBatches: 1}, "[" + like("h1") + "]"},
		{"events", Config{MaxBatchEvents: 3, MaxInFlightEvents: 3}, "[" + like("h2") + "," + like("h3") + "]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newService(t, rdb, c.cfg)
			room := "overload-" + c.name
			createRoom(t, s, room)
			admin := b.server(t, room).Client(t)
			if err := admin.Do(ctx, "CLIENT", "PAUSE", "60000", "WRITE").Err(); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			var held Result
			var heldErr error
			wg.Add(1)
			go func() {
				defer wg.Done()
				held, heldErr = s.IngestReader(ctx, room, "", strings.NewReader(c.held))
			}()
			for {
				if _, ev := s.InFlight(); ev > 0 {
					break
				}
				time.Sleep(time.Millisecond)
			}
			_, err := s.IngestReader(ctx, room, "", strings.NewReader("["+like("n"+c.name)+","+like("m"+c.name)+"]"))
			var oe *OverloadError
			if code(err) != livedeck.ERATELIMIT || !asOverload(err, &oe) || oe.RetryAfterSeconds() < 1 {
				t.Errorf("err %v, want rate_limited with a retry-after", err)
			}
			if err := admin.Do(ctx, "CLIENT", "UNPAUSE").Err(); err != nil {
				t.Fatal(err)
			}
			wg.Wait()
			if heldErr != nil || held.Accepted == 0 {
				t.Errorf("held batch: %+v %v, want accepted", held, heldErr)
			}
		})
	}
}

// TestIngestRedisDown stops Redis (on a cluster, the node holding the
// room): a batch gets unavailable and nothing is acknowledged; after a
// restart (AOF keeps the room) the same service ingests again without being
// rebuilt, and the retried batch counts once.
func TestIngestRedisDown(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { testRedisDown(t, b.start(t, "--appendonly", "yes", "--appendfsync", "always")) })
	}
}

func testRedisDown(t *testing.T, b backend) {
	rdb, err := redisx.Open(b.url, redisx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb.Close() })
	s := newService(t, rdb, Config{WriteTimeout: 5 * time.Second})
	ctx := context.Background()
	createRoom(t, s, "down")
	before := `[{"id":"b","type":"like","ts":1732280000000}]`
	if _, err := s.IngestReader(ctx, "down", "", strings.NewReader(before)); err != nil {
		t.Fatal(err)
	}

	srv := b.server(t, "down")
	srv.Stop()
	batch := `[{"id":"x","type":"like","ts":1732280000000},{"id":"y","type":"share","ts":1732280000000,"user_id":"u"}]`
	res, err := s.IngestReader(ctx, "down", "", strings.NewReader(batch))
	if code(err) != livedeck.EUNAVAILABLE {
		t.Fatalf("err %v, want unavailable", err)
	}
	if res.Accepted != 0 || res.Duplicates != 0 {
		t.Errorf("result %+v acknowledges events while Redis is down", res)
	}

	srv.Restart(t)
	b.healed(t)
	res, err = s.IngestReader(ctx, "down", "", strings.NewReader(batch))
	if err != nil {
		t.Fatalf("after restart: %v", err)
	}
	if res.Accepted != 2 || res.Duplicates != 0 {
		t.Errorf("after restart %+v, want 2 accepted", res)
	}
	res, err = s.IngestReader(ctx, "down", "", strings.NewReader(batch))
	if err != nil || res.Accepted != 0 || res.Duplicates != 2 {
		t.Errorf("retry after restart %+v %v, want 2 duplicates", res, err)
	}
	if n := len(stream(t, rdb, "down")); n != 3 {
		t.Errorf("stream has %d events, want 3", n)
	}
}

func asOverload(err error, oe **OverloadError) bool { return errors.As(err, oe) }

// TestIngestDrain holds a batch in a paused Redis: Drain refuses new
// batches at once and returns only after the held one is acknowledged.
func TestIngestDrain(t *testing.T) {
	srv := redistest.Start(t)
	rdb := open(t, srv.URL())
	admin := srv.Client(t)
	ctx := context.Background()
	s := newService(t, rdb, Config{})
	createRoom(t, s, "drain")
	if err := admin.Do(ctx, "CLIENT", "PAUSE", "60000", "WRITE").Err(); err != nil {
		t.Fatal(err)
	}
	held := make(chan error, 1)
	go func() {
		_, err := s.IngestReader(ctx, "drain", "", strings.NewReader(`[{"id":"a","type":"like","ts":1732280000000}]`))
		held <- err
	}()
	for {
		if _, ev := s.InFlight(); ev > 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	drained := make(chan error, 1)
	go func() { drained <- s.Drain(ctx) }()
	for {
		_, err := s.IngestReader(ctx, "drain", "", strings.NewReader(`[]`))
		if code(err) == livedeck.EUNAVAILABLE {
			break // Drain has begun
		}
		time.Sleep(time.Millisecond)
	}
	select {
	case err := <-drained:
		t.Fatalf("Drain returned %v with a batch in flight", err)
	default:
	}
	if err := admin.Do(ctx, "CLIENT", "UNPAUSE").Err(); err != nil {
		t.Fatal(err)
	}
	if err := <-held; err != nil {
		t.Errorf("held batch: %v", err)
	}
	if err := <-drained; err != nil {
		t.Errorf("Drain: %v", err)
	}
}
