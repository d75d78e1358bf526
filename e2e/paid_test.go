package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestDashboardShowsROISpendAndCart sends a scripted stretch of a show —
// spend reports with a correction, clicks, cart adds and attributed paid
// orders — and checks the operator dashboard shows the hand-computed ROI
// and spend, the cart step of the funnel, the product's cart columns and
// the spend/GMV chart.
func TestDashboardShowsROISpendAndCart(t *testing.T) {
	st := startStack(t, stackOpts{seed: true})
	now := time.Now().UnixMilli()
	var evs []string
	add := func(format string, args ...any) { evs = append(evs, fmt.Sprintf(format, args...)) }
	for i := range 20 {
		add(`{"id":"x%d","type":"product_exposure","ts":%d,"sku":"serum-02"}`, i, now-50_000)
	}
	for i := range 10 {
		add(`{"id":"k%d","type":"product_click","ts":%d,"sku":"serum-02","user_id":"u%d"}`, i, now-40_000, i)
	}
	for i := range 4 {
		add(`{"id":"ca%d","type":"cart_add","ts":%d,"sku":"serum-02","user_id":"u%d"}`, i, now-30_000, i)
	}
	for i := range 3 {
		add(`{"id":"oc%d","type":"order","ts":%d,"user_id":"u%d","order_id":"SO-%d","sku":"serum-02","qty":1,"amount":39900,"status":"created","channel":"qianchuan"}`, i, now-20_000, i, i)
		add(`{"id":"op%d","type":"order","ts":%d,"user_id":"u%d","order_id":"SO-%d","sku":"serum-02","qty":1,"amount":39900,"status":"paid"}`, i, now-10_000, i, i)
	}
	// ¥400.00 reported, then corrected to ¥450.00 for the same period.
	add(`{"id":"sp1","type":"ad_spend","ts":%d,"channel":"qianchuan","campaign":"p1","period":%d,"amount":40000}`, now-5_000, now-60_000)
	add(`{"id":"sp2","type":"ad_spend","ts":%d,"channel":"qianchuan","campaign":"p1","period":%d,"amount":45000}`, now-1_000, now-60_000)
	if code, body := st.api(t, "POST", "/api/v1/rooms/demo-beauty/events", "application/json", "["+strings.Join(evs, ",")+"]"); code != 200 || !strings.Contains(body, `"accepted":42`) {
		t.Fatalf("post events: %d %s", code, body)
	}

	ctx := browser(t)
	login(t, ctx, st.URL+"/#/operator?rooms=demo-beauty", "demo-operator", st.Logins["demo-operator"], "operator-view")
	// GMV 3 × ¥399.00 = ¥1,197.00; spend ¥450.00; ROI 1197 ÷ 450 = 2.66.
	waitText(t, ctx, textOf("kpi-roi-value"), 20*time.Second, func(s string) bool { return strings.TrimSpace(s) == "2.66" })
	waitText(t, ctx, textOf("kpi-spend-value"), 5*time.Second, func(s string) bool { return strings.Contains(s, "450.00") })
	// Funnel: 20 exposures → 10 clicks → 4 carts (40.0 %) → 3 orders → 3 paid.
	waitText(t, ctx, textOf("funnel-carts"), 5*time.Second, func(s string) bool { return strings.TrimSpace(s) == "4" })
	waitText(t, ctx, textOf("funnel"), 5*time.Second, func(s string) bool { return strings.Contains(s, "40.0%") })
	waitText(t, ctx, textOf("sku-carts-serum-02"), 5*time.Second, func(s string) bool { return strings.TrimSpace(s) == "4" })
	waitText(t, ctx, textOf("sku-cart-rate-serum-02"), 5*time.Second, func(s string) bool { return strings.TrimSpace(s) == "40.0%" })
	if err := do(ctx, 10*time.Second, chromedp.WaitVisible(sel("chart-spend-gmv")), chromedp.WaitVisible(`[data-testid="chart-spend-gmv"] canvas`)); err != nil {
		screenshot(t, ctx, "failed-paid-traffic")
		t.Fatalf("spend/GMV chart: %v", err)
	}
	screenshot(t, ctx, "operator-paid-traffic")
}
