package review

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/live"
)

// t0 is the scripted broadcast's start, on a minute boundary.
const t0 = int64(1793534400000) // 2026-11-02T12:00:00Z

var showRoom = livedeck.Room{ID: "show", Title: "晚场", Currency: "CNY", Status: livedeck.RoomClosed,
	Products: []livedeck.Product{{SKU: "A", Name: "羽绒服", Price: 19900, Stock: 100}, {SKU: "B", Name: "袜子", Price: 2300, Stock: 10}}}

func at(s int64) int64 { return t0 + s*1000 }

// script is a ten-minute broadcast; the comments next to each event say
// what it adds to the hand-computed figures in TestScriptedBroadcast.
func script() ([]livedeck.Event, []livedeck.Signal) {
	n := 0
	ev := func(s int64, e livedeck.Event) livedeck.Event {
		n++
		e.ID, e.TS = fmt.Sprintf("e%d", n), at(s)
		return e
	}
	online := func(v int64) *int64 { return &v }
	order := func(s int64, id, user, sku string, amount int64, st livedeck.OrderStatus) livedeck.Event {
		return ev(s, livedeck.Event{Type: livedeck.EventOrder, OrderID: id, UserID: user, SKU: sku, Qty: 1, Amount: amount, Status: st})
	}
	events := []livedeck.Event{
		ev(0, livedeck.Event{Type: livedeck.EventViewers, Online: online(300)}),
		ev(10, livedeck.Event{Type: livedeck.EventEnter, UserID: "u1"}),
		ev(20, livedeck.Event{Type: livedeck.EventEnter, UserID: "u2"}),
		order(30, "o1", "u1", "A", 19900, livedeck.OrderCreated),
		order(35, "o1", "u1", "A", 19900, livedeck.OrderPaid),
		ev(60, livedeck.Event{Type: livedeck.EventComment, UserID: "u2", Nickname: "小二", Text: "包邮吗？"}),
		// 120: tier 满199减20
		ev(130, livedeck.Event{Type: livedeck.EventViewers, Online: online(600)}),
		ev(150, livedeck.Event{Type: livedeck.EventEnter, UserID: "u3"}),
		order(160, "o2", "u3", "A", 19900, livedeck.OrderCreated),
		order(170, "o2", "u3", "A", 19900, livedeck.OrderPaid),
		ev(180, livedeck.Event{Type: livedeck.EventComment, UserID: "u2", Nickname: "小二", Text: "骗子"}),
		order(200, "o3", "u2", "B", 2300, livedeck.OrderCreated),
		order(210, "o3", "u2", "B", 2300, livedeck.OrderPaid),
		order(240, "o3", "u2", "B", 2300, livedeck.OrderRefunded),
		ev(250, livedeck.Event{Type: livedeck.EventEnter, UserID: "u5"}),
		// 300: cue 关注领券, acknowledged
		ev(330, livedeck.Event{Type: livedeck.EventEnter, UserID: "u4"}),
		order(360, "o4", "u4", "A", 19900, livedeck.OrderCreated),
		order(370, "o4", "u4", "A", 19900, livedeck.OrderPaid),
		order(400, "o5", "u1", "B", 2300, livedeck.OrderCreated),
		// 420: tier 满199减50
		order(450, "o5", "u1", "B", 2300, livedeck.OrderPaid),
		ev(500, livedeck.Event{Type: livedeck.EventComment, UserID: "u6", Nickname: "六", Text: "包邮吗？"}),
		// 500: cue 关注领券 again, not acknowledged
		ev(540, livedeck.Event{Type: livedeck.EventViewers, Online: online(500)}),
	}
	signals := []livedeck.Signal{
		{Kind: livedeck.SignalTier, Room: "show", Rule: "tier-500", At: at(120), Tier: &livedeck.Tier{Name: "t500", Coupon: "满199减20"}},
		{Kind: livedeck.SignalCue, Room: "show", Rule: "uv-low", At: at(300), Cue: &livedeck.Cue{Key: "uv-low#1", Text: "关注领券", NeedsAck: true}},
		{Kind: livedeck.SignalAck, Room: "show", At: at(305), Ack: &livedeck.Ack{Key: "uv-low#1", By: "host1"}},
		{Kind: livedeck.SignalTier, Room: "show", Rule: "tier-2000", At: at(420), Tier: &livedeck.Tier{Name: "t2000", Coupon: "满199减50"}},
		{Kind: livedeck.SignalAlert, Room: "show", Rule: "online-drop", At: at(480), Alert: &livedeck.Alert{Key: "online-drop#1", Severity: "warning", Message: "在线下降"}},
		{Kind: livedeck.SignalCue, Room: "show", Rule: "uv-low", At: at(500), Cue: &livedeck.Cue{Key: "uv-low#2", Text: "关注领券", NeedsAck: true}},
	}
	return events, signals
}

func loadText(t testing.TB) *live.Text {
	t.Helper()
	text, err := live.LoadText("")
	if err != nil {
		t.Fatal(err)
	}
	return text
}

func buildOffline(t *testing.T, window int) *Review {
	t.Helper()
	events, signals := script()
	b := NewBuilder(showRoom, loadText(t), window)
	for i := range events {
		b.Event(&events[i], fmt.Sprintf("%d-0", i+1))
	}
	for _, s := range signals {
		b.Signal(s)
	}
	return b.Build(t0 + 3_600_000)
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

// TestScriptedBroadcast checks a review against figures worked out by hand
// from the script (see the comments there).
func TestScriptedBroadcast(t *testing.T) {
	r := buildOffline(t, 3)

	h := r.Headline
	// GMV: o1 19900 + o2 19900 + o3 2300 − 2300 refunded + o4 19900 + o5 2300.
	if h.GMV != 62000 || h.Orders != 5 || h.OrdersCreated != 5 || h.OrdersRefunded != 1 {
		t.Errorf("headline money = gmv %d, paid %d, created %d, refunded %d; want 62000, 5, 5, 1", h.GMV, h.Orders, h.OrdersCreated, h.OrdersRefunded)
	}
	// u1..u6 seen; u1..u4 paid.
	if h.UV != 6 || h.Buyers != 4 || !near(h.Conversion, 4.0/6) || !near(h.UVValue, 62000.0/6) || !near(h.AOV, 62000.0/5) {
		t.Errorf("headline rates = %+v; want UV 6, buyers 4, conversion 0.667, UV value 10333, AOV 12400", h)
	}
	if h.PeakOnline != 600 || h.DurationSeconds != 540 || h.Comments != 3 {
		t.Errorf("peak %d, duration %d, comments %d; want 600, 540, 3", h.PeakOnline, h.DurationSeconds, h.Comments)
	}

	// Tiers: none [0,120), t500 [120,420), t2000 [420,540]. Orders by the tier
	// at creation: o1 none; o2..o5 t500 (o5 created at 400, paid under t2000).
	want := []TierResult{
		{Tier: "", Seconds: 120, Orders: 1, GMV: 19900, Buyers: 1, Visitors: 2, Conversion: 0.5, GMVPerMin: 9950},
		{Tier: "t500", Coupon: "满199减20", Seconds: 300, Orders: 4, GMV: 42100, Buyers: 4, Visitors: 5, Conversion: 0.8, GMVPerMin: 8420},
		{Tier: "t2000", Coupon: "满199减50", Seconds: 120, Orders: 0, GMV: 0, Buyers: 0, Visitors: 2, Conversion: 0, GMVPerMin: 0},
	}
	if len(r.Tiers) != len(want) {
		t.Fatalf("tiers = %+v, want %+v", r.Tiers, want)
	}
	for i, w := range want {
		g := r.Tiers[i]
		if g.Tier != w.Tier || g.Coupon != w.Coupon || g.Seconds != w.Seconds || g.Orders != w.Orders || g.GMV != w.GMV ||
			g.Buyers != w.Buyers || g.Visitors != w.Visitors || !near(g.Conversion, w.Conversion) || !near(g.GMVPerMin, w.GMVPerMin) {
			t.Errorf("tier %d = %+v, want %+v", i, g, w)
		}
	}

	// Cue uv-low, N = 3 min.
	// At 300: before [120,300) visitors u3 u2 u5, buyers u3 u2, GMV 19900+2300−2300;
	//         after [300,480) visitors u4 u1, buyers u4 u1, GMV 19900+2300.
	// At 500: before [320,500) visitors u4 u1, buyers u4 u1, GMV 22200;
	//         after [500,541) visitor u6 only, nothing paid.
	if len(r.Cues) != 1 {
		t.Fatalf("cues = %+v, want one rule", r.Cues)
	}
	c := r.Cues[0]
	if c.Rule != "uv-low" || c.Text != "关注领券" || c.Firings != 2 || c.Measured != 2 || c.Acked != 1 {
		t.Errorf("cue = %+v; want uv-low 关注领券, 2 firings, 2 measured, 1 acked", c)
	}
	before := Window{Conversion: (2.0/3 + 1) / 2, UVValue: (19900.0/3 + 11100) / 2, GMVPerMin: (19900.0/3 + 7400) / 2}
	after := Window{Conversion: (1.0 + 0) / 2, UVValue: (11100.0 + 0) / 2, GMVPerMin: (7400.0 + 0) / 2}
	for _, chk := range []struct {
		name      string
		got, want Window
	}{{"before", c.Before, before}, {"after", c.After, after}, {"change", c.Change, add(after, scale(before, -1))}} {
		if !near(chk.got.Conversion, chk.want.Conversion) || !near(chk.got.UVValue, chk.want.UVValue) || !near(chk.got.GMVPerMin, chk.want.GMVPerMin) {
			t.Errorf("cue %s = %+v, want %+v", chk.name, chk.got, chk.want)
		}
	}

	// Timeline: ten minutes, online carried forward.
	wantMin := []Minute{
		{Online: 300, GMV: 19900, Orders: 1, Visitors: 2, Buyers: 1},
		{Online: 300, Comments: 1, Visitors: 1},
		{Online: 600, GMV: 19900, Orders: 1, Visitors: 1, Buyers: 1},
		{Online: 600, GMV: 2300, Orders: 1, Comments: 1, Visitors: 1, Buyers: 1},
		{Online: 600, GMV: -2300, Visitors: 2},
		{Online: 600, Visitors: 1},
		{Online: 600, GMV: 19900, Orders: 1, Visitors: 2, Buyers: 1},
		{Online: 600, GMV: 2300, Orders: 1, Visitors: 1, Buyers: 1},
		{Online: 600, Comments: 1, Visitors: 1},
		{Online: 500},
	}
	if len(r.Timeline) != len(wantMin) {
		t.Fatalf("timeline has %d minutes, want %d: %+v", len(r.Timeline), len(wantMin), r.Timeline)
	}
	for i, w := range wantMin {
		w.T = t0 + int64(i)*minuteMs
		if r.Timeline[i] != w {
			t.Errorf("minute %d = %+v, want %+v", i, r.Timeline[i], w)
		}
	}

	// Markers: two tiers, two cues (first acknowledged), one alert.
	if len(r.Markers) != 5 || r.Markers[1].Kind != MarkCue || !r.Markers[1].Acked || r.Markers[1].AckedBy != "host1" ||
		r.Markers[4].Acked || r.Markers[3].Kind != MarkAlert || r.Markers[3].Severity != "warning" || r.Markers[0].Text != "t500 满199减20" {
		t.Errorf("markers = %+v", r.Markers)
	}

	// What viewers said.
	if len(r.Questions) != 1 || r.Questions[0] != (TextCount{Text: "包邮吗？", Count: 2}) {
		t.Errorf("questions = %+v, want 包邮吗？ ×2", r.Questions)
	}
	if r.Abuse != (Abuse{Comments: 1, Users: 1, PeakPerMin: 1}) {
		t.Errorf("abuse = %+v, want 1 comment by 1 user", r.Abuse)
	}
	if len(r.SKUs) != 2 || r.SKUs[0].SKU != "A" || r.SKUs[0].GMV != 59700 || r.SKUs[0].Name != "羽绒服" || r.SKUs[1].GMV != 2300 {
		t.Errorf("skus = %+v; want A first with GMV 59700, B with 2300", r.SKUs)
	}
	if r.Funnel.Orders != 5 || r.Funnel.Paid != 5 {
		t.Errorf("funnel = %+v, want 5 orders, 5 paid", r.Funnel)
	}
}

// TestOrderTiersFromEngine: the tier the live engine recorded for an order
// wins over the tier by time (the engine saw the tier the buyer saw).
func TestOrderTiersFromEngine(t *testing.T) {
	events, signals := script()
	b := NewBuilder(showRoom, nil, 3)
	for i := range events {
		b.Event(&events[i], fmt.Sprintf("%d-0", i+1))
	}
	for _, s := range signals {
		b.Signal(s)
	}
	b.OrderTiers(map[string]string{"o5": "t2000"})
	r := b.Build(0)
	got := map[string]int64{}
	for _, tr := range r.Tiers {
		got[tr.Tier] = tr.GMV
	}
	if got["t500"] != 42100-2300 || got["t2000"] != 2300 {
		t.Errorf("GMV per tier = %v; want t500 39800, t2000 2300", got)
	}
}

// TestEmptyBroadcast: a room closed before any event has an empty review,
// not an error, and it encodes with lists, not nulls.
func TestEmptyBroadcast(t *testing.T) {
	r := NewBuilder(livedeck.Room{ID: "none"}, nil, 0).Build(1)
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"timeline", "markers", "tiers", "skus", "keywords", "questions", "cues"} {
		if _, ok := m[k].([]any); !ok {
			t.Errorf("%s = %v, want a list", k, m[k])
		}
	}
	if r.Window != DefaultWindow || r.Headline.UV != 0 || r.Status != livedeck.RoomLive {
		t.Errorf("review = %+v", r)
	}
}

// TestExports: the CSV has every section and keeps viewer text from being
// read as a formula; the HTML is self-contained and escapes viewer text.
func TestExports(t *testing.T) {
	r := buildOffline(t, 3)
	r.Questions = append(r.Questions, TextCount{Text: "=HYPERLINK(\"http://x\")<script>", Count: 1})
	var csvOut strings.Builder
	if err := WriteCSV(&csvOut, r); err != nil {
		t.Fatal(err)
	}
	cr := csv.NewReader(strings.NewReader(csvOut.String()))
	cr.FieldsPerRecord = -1 // sections differ in width
	if _, err := cr.ReadAll(); err != nil {
		t.Fatalf("CSV does not parse: %v", err)
	}
	for _, want := range []string{"# review", "# timeline", "# markers", "# tiers", "# skus", "# funnel", "# cue effectiveness (3 min before vs after)", "# keywords", "# questions", "# abuse",
		"gmv,62000", "t500,满199减20,300,4,42100,4,5,0.800000,8420.000000", `'=HYPERLINK`} {
		if !strings.Contains(csvOut.String(), want) {
			t.Errorf("CSV lacks %q:\n%s", want, csvOut.String())
		}
	}

	var page strings.Builder
	if err := WriteHTML(&page, r, nil, time.UTC); err != nil {
		t.Fatal(err)
	}
	html := page.String()
	for _, want := range []string{`data-chart="timeline"`, `data-chart="gmv-per-tier"`, `data-chart="funnel"`, "¥620.00", "满199减20", "关注领券", "-33.33 pp"} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "src=\"http", "href=\"http", "@import"} {
		if strings.Contains(html, bad) {
			t.Errorf("HTML contains %q: not self-contained or not escaped", bad)
		}
	}
	if n := strings.Count(html, `class="marker"`); n != len(r.Markers) {
		t.Errorf("chart has %d marker lines, want %d", n, len(r.Markers))
	}

	earlier := buildOffline(t, 3)
	earlier.Room, earlier.Headline.GMV = "last-week", 50000
	page.Reset()
	if err := WriteHTML(&page, r, earlier, time.UTC); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.String(), `id="comparison"`) || !strings.Contains(page.String(), "+¥120.00 vs earlier") {
		t.Errorf("comparison missing or wrong GMV change")
	}
	if c := Compare(r, earlier); c.Change.GMV != 12000 || c.Change.UV != 0 {
		t.Errorf("change = %+v, want GMV +12000, UV 0", c.Change)
	}
}

func TestMoney(t *testing.T) {
	for _, c := range []struct {
		minor int64
		cur   string
		want  string
	}{{19900, "CNY", "¥199.00"}, {-2300, "CNY", "-¥23.00"}, {123456789, "USD", "$1,234,567.89"}, {5000, "JPY", "¥5,000"}, {1234, "KWD", "KWD 1.234"}, {7, "XXX", "XXX 0.07"}} {
		if got := Money(c.minor, c.cur); got != c.want {
			t.Errorf("Money(%d, %s) = %q, want %q", c.minor, c.cur, got, c.want)
		}
	}
}
