// A review as the server writes it, for the tests: Go's null lists, a
// missing number, and viewer text that looks like markup.

export const T0 = Date.UTC(2026, 10, 30, 12, 0, 0)

export function sampleReview(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    room: 'r1',
    title: '美妆专场',
    currency: 'CNY',
    status: 'closed',
    built_at: T0 + 3_600_000,
    from: T0,
    to: T0 + 3 * 60_000,
    events: 1234,
    partial: false,
    window_min: 5,
    source: 'redis',
    headline: {
      gmv: 1_234_500, orders: 40, orders_created: 50, orders_cancelled: 6, orders_refunded: 2, uv: 800, buyers: 32,
      peak_online: 321, conversion: 0.04, uv_value: 1543.125, aov: 30862.5, avg_watch_seconds: 95, comments: 600,
      likes: 5000, follows: 12, shares: 3, duration_seconds: 180,
    },
    timeline: [
      { t: T0 + 60_000, online: 200, gmv: 500_000, orders: 10, comments: 100, visitors: 300, buyers: 9 },
      { t: T0, online: 100, gmv: 0, orders: 0, comments: 50, visitors: 150 },
      { t: T0 + 120_000, online: 321, gmv: 734_500, orders: 30, comments: 450, visitors: 400, buyers: 23 },
    ],
    markers: [
      { t: T0 + 61_000, kind: 'cue', rule: 'push-coat', text: '<img src=x onerror=alert(1)>', needs_ack: true, acked: false },
      { t: T0 + 30_000, kind: 'tier', rule: 'tier-1', text: 'T1 满199减20', acked: false },
      { t: T0 + 90_000, kind: 'alert', rule: 'stock-low', text: 'stock low', severity: 'critical', acked: true, acked_by: 'ops' },
      { t: T0 + 95_000, kind: 'cue', rule: 'thanks', text: 'say thanks', acked: true, acked_by: 'host' },
    ],
    tiers: [
      { tier: '', seconds: 30, orders: 0, gmv: 0, buyers: 0, visitors: 150, conversion: 0, gmv_per_min: 0 },
      { tier: 'T1', coupon: '满199减20', seconds: 150, orders: 40, gmv: 1_234_500, buyers: 32, visitors: 700, conversion: 0.0457, gmv_per_min: 493_800 },
    ],
    skus: [
      { sku: 'A', name: '口红', exposures: 900, clicks: 90, ctr: 0.1, orders: 20, click_to_order: 0.22, units_sold: 18, gmv: 358_200, stock: 82 },
      { sku: 'B', name: '<b>粉底</b>', exposures: 500, clicks: 80, ctr: 0.16, orders: 30, click_to_order: 0.37, units_sold: 22, gmv: 876_300, stock: 3 },
    ],
    funnel: { exposures: 1400, clicks: 170, carts: 60, orders: 50, paid: 40 },
    channels: [
      { channel: 'douplus', spend: 100_000, gmv: 150_000, orders: 4, roi: 1.5 },
      { channel: 'qianchuan', spend: 300_000, gmv: 900_000, orders: 20, roi: 3 },
    ],
    keywords: [{ word: '链接', count: 40 }, { word: '尺码', count: 12 }],
    questions: [{ text: '<script>alert(1)</script> 有没有优惠?', count: 7 }, { text: '发什么快递', count: 3 }],
    abuse: { comments: 5, users: 2, peak_per_min: 3 },
    cues: [
      {
        rule: 'push-coat', text: '<img src=x onerror=alert(1)>', firings: 2, acked: 1, measured: 2,
        before: { conversion: 0.02, uv_value: 1000, gmv_per_min: 200_000, roi: 2, cart_rate: 0.08 },
        after: { conversion: 0.035, uv_value: 900, gmv_per_min: 260_000, roi: 2.5, cart_rate: 0.06 },
        change: { conversion: 0.015, uv_value: -100, gmv_per_min: 60_000, roi: 0.5, cart_rate: -0.02 },
      },
      {
        rule: 'late', text: 'last call', firings: 3, acked: 3, measured: 0,
        before: { conversion: 0, uv_value: 0, gmv_per_min: 0 }, after: { conversion: 0, uv_value: 0, gmv_per_min: 0 }, change: { conversion: 0, uv_value: 0, gmv_per_min: 0 },
      },
    ],
    ...over,
  }
}
