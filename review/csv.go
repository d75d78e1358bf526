package review

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/livedeck/livedeck/internal/csvsafe"
)

// WriteCSV writes the review as CSV: one section after another, each a
// title row, a header row and its rows, separated by an empty row. Money is
// in minor units and rates are ratios, as in the JSON, so a spreadsheet can
// compute with them.
func WriteCSV(w io.Writer, r *Review) error {
	cw := csv.NewWriter(w)
	i := func(v int64) string { return strconv.FormatInt(v, 10) }
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 6, 64) }
	ts := func(ms int64) string { return time.UnixMilli(ms).UTC().Format(time.RFC3339) }
	b := func(v bool) string { return strconv.FormatBool(v) }
	t := safeCell
	section := func(title string, header []string, rows [][]string) {
		cw.Write([]string{"# " + title})
		cw.Write(header)
		cw.WriteAll(rows)
		cw.Write(nil)
	}
	h := r.Headline
	section("review", []string{"field", "value"}, [][]string{
		{"room", t(r.Room)}, {"title", t(r.Title)}, {"currency", r.Currency}, {"status", r.Status},
		{"from", ts(r.From)}, {"to", ts(r.To)}, {"events", i(r.Events)}, {"partial", b(r.Partial)},
		{"cue_window_min", strconv.Itoa(r.Window)},
		{"gmv", i(h.GMV)}, {"orders_paid", i(h.Orders)}, {"orders_created", i(h.OrdersCreated)},
		{"orders_cancelled", i(h.OrdersCancelled)}, {"orders_refunded", i(h.OrdersRefunded)},
		{"uv", i(h.UV)}, {"buyers", i(h.Buyers)}, {"peak_online", i(h.PeakOnline)},
		{"conversion", f(h.Conversion)}, {"uv_value", f(h.UVValue)}, {"aov", f(h.AOV)},
		{"avg_watch_seconds", f(h.AvgWatchSeconds)}, {"comments", i(h.Comments)}, {"likes", i(h.Likes)},
		{"follows", i(h.Follows)}, {"shares", i(h.Shares)}, {"duration_seconds", i(h.DurationSeconds)},
		{"spend", i(h.Spend)}, {"roi", f(h.ROI)}, {"cost_per_buyer", f(h.CostPerBuyer)},
		{"cart_adds", i(h.CartAdds)}, {"cart_rate", f(h.CartRate)},
	})
	rows := make([][]string, 0, len(r.Timeline))
	for _, m := range r.Timeline {
		rows = append(rows, []string{ts(m.T), i(m.Online), i(m.GMV), i(m.Orders), i(m.Comments), i(m.Visitors), i(m.Buyers), i(m.Spend), i(m.CartAdds)})
	}
	section("timeline", []string{"minute", "online", "gmv", "orders_paid", "comments", "visitors", "buyers", "spend", "cart_adds"}, rows)
	rows = rows[:0]
	for _, m := range r.Markers {
		rows = append(rows, []string{ts(m.T), m.Kind, t(m.Rule), t(m.Text), m.Severity, b(m.NeedsAck), b(m.Acked), t(m.AckedBy)})
	}
	section("markers", []string{"at", "kind", "rule", "text", "severity", "needs_ack", "acked", "acked_by"}, rows)
	rows = rows[:0]
	for _, t2 := range r.Tiers {
		rows = append(rows, []string{t(t2.Tier), t(t2.Coupon), i(t2.Seconds), i(t2.Orders), i(t2.GMV), i(t2.Buyers), i(t2.Visitors), f(t2.Conversion), f(t2.GMVPerMin),
			i(t2.Spend), f(t2.ROI), i(t2.CartAdds), f(t2.CartRate)})
	}
	section("tiers", []string{"tier", "coupon", "seconds", "orders_paid", "gmv", "buyers", "visitors", "conversion", "gmv_per_min",
		"spend", "roi", "cart_adds", "cart_rate"}, rows)
	rows = rows[:0]
	for _, c := range r.Channels {
		rows = append(rows, []string{t(c.Channel), i(c.Spend), i(c.GMV), i(c.Orders), f(c.ROI)})
	}
	section("channels", []string{"channel", "spend", "gmv", "orders_paid", "roi"}, rows)
	rows = rows[:0]
	for _, s := range r.SKUs {
		rows = append(rows, []string{t(s.SKU), t(s.Name), i(s.Exposures), i(s.Clicks), f(s.CTR), i(s.Orders), f(s.ClickToOrder), i(s.UnitsSold), i(s.GMV), i(s.Stock), i(s.Oversold)})
	}
	section("skus", []string{"sku", "name", "exposures", "clicks", "ctr", "orders", "click_to_order", "units_sold", "gmv", "stock", "oversold"}, rows)
	fu := r.Funnel
	section("funnel", []string{"step", "count"}, [][]string{{"exposures", i(fu.Exposures)}, {"clicks", i(fu.Clicks)}, {"carts", i(fu.Carts)}, {"orders", i(fu.Orders)}, {"paid", i(fu.Paid)}})
	rows = rows[:0]
	for _, c := range r.Cues {
		rows = append(rows, []string{t(c.Rule), t(c.Text), strconv.Itoa(c.Firings), strconv.Itoa(c.Acked), strconv.Itoa(c.Measured),
			f(c.Before.Conversion), f(c.After.Conversion), f(c.Change.Conversion),
			f(c.Before.UVValue), f(c.After.UVValue), f(c.Change.UVValue),
			f(c.Before.GMVPerMin), f(c.After.GMVPerMin), f(c.Change.GMVPerMin),
			f(c.Before.ROI), f(c.After.ROI), f(c.Change.ROI), f(c.Before.CartRate), f(c.After.CartRate), f(c.Change.CartRate)})
	}
	section(fmt.Sprintf("cue effectiveness (%d min before vs after)", r.Window), []string{"rule", "text", "firings", "acked", "measured",
		"conversion_before", "conversion_after", "conversion_change", "uv_value_before", "uv_value_after", "uv_value_change",
		"gmv_per_min_before", "gmv_per_min_after", "gmv_per_min_change",
		"roi_before", "roi_after", "roi_change", "cart_rate_before", "cart_rate_after", "cart_rate_change"}, rows)
	rows = rows[:0]
	for _, k := range r.Keywords {
		rows = append(rows, []string{t(k.Word), i(k.Count)})
	}
	section("keywords", []string{"word", "count"}, rows)
	rows = rows[:0]
	for _, q := range r.Questions {
		rows = append(rows, []string{t(q.Text), i(q.Count)})
	}
	section("questions", []string{"text", "count"}, rows)
	section("abuse", []string{"comments", "users", "peak_per_min"}, [][]string{{i(r.Abuse.Comments), i(r.Abuse.Users), i(r.Abuse.PeakPerMin)}})
	cw.Flush()
	return cw.Error()
}

// safeCell keeps a spreadsheet from reading text as a formula: comment
// texts come from anonymous viewers, and ids (room, SKU, rule, user) may
// start with '-' or '@' ("-A1" is a formula), so every text cell goes
// through it.
func safeCell(s string) string { return csvsafe.Cell(s) }
