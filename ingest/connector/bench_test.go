package connector_test

import (
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/ingest"
	"github.com/livedeck/livedeck/ingest/connector"
	"github.com/livedeck/livedeck/internal/redistest"
)

// benchFormat builds deliveries of one format: body(seq) has fresh message
// ids for every seq, so every batch is new to the dedupe sets.
type benchFormat struct {
	format string
	header func(body []byte) http.Header
	body   func(seq int) []byte
}

// messages joins n messages made by one(seq, i) as a JSON array.
func messages(n int, one func(seq, i int) string) func(int) []byte {
	return func(seq int) []byte {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = one(seq, i)
		}
		return []byte("[" + strings.Join(parts, ",") + "]")
	}
}

var benchFormats = []benchFormat{
	{format: "bilibili", body: messages(100, func(seq, i int) string {
		switch i % 5 {
		case 0:
			return fmt.Sprintf(`{"cmd":"DANMU_MSG","info":[[0,1,25,16777215,1777636795123,1777636790,0,"8a1b2c3d",0,0,0,"",0,"{}","{}",{"mode":0,"extra":"{\"content\":\"主播好！这个多少钱\",\"id_str\":\"b%d-%d\"}","user":{"uid":%d,"base":{"name":"小明同学"}}},{},0],"主播好！这个多少钱",[%d,"小明同学",0,0,0,10000,1,""],[],[12,0,6406234,"\u003e50000",0],["",""],0,0,null,{"ts":1777636795,"ct":"A1B2C3D4"},0,0,null,null,0,105,[11]]}`, seq, i, i, i)
		case 1:
			return fmt.Sprintf(`{"cmd":"SEND_GIFT","data":{"action":"投喂","coin_type":"gold","giftId":31036,"giftName":"小花花","num":3,"price":100,"total_coin":300,"rnd":"1777636790","tid":"t%d-%d","timestamp":1777636798,"uid":%d,"uname":"小明同学"}}`, seq, i, i)
		case 2:
			return fmt.Sprintf(`{"cmd":"INTERACT_WORD","data":{"msg_type":1,"roomid":21452505,"timestamp":1777636800,"trigger_time":%d,"uid":%d,"uname":"小明同学"}}`, 1777636800000000000+seq*1000+i, i)
		case 3:
			return fmt.Sprintf(`{"cmd":"LIKE_INFO_V3_CLICK","data":{"msg_type":6,"uid":%d,"like_text":"为主播点赞了","uname":"u%d"}}`, seq*1000+i, seq)
		}
		return fmt.Sprintf(`{"cmd":"ONLINE_RANK_COUNT","data":{"count":88,"online_count":%d}}`, seq*1000+i)
	})},
	{format: "douyin-webcast", body: messages(100, func(seq, i int) string {
		id := fmt.Sprintf("%d%05d", seq, i)
		switch i % 5 {
		case 0:
			return fmt.Sprintf(`{"method":"WebcastChatMessage","msgId":"%s","payload":{"common":{"method":"WebcastChatMessage","msgId":"%s","createTime":"1777636800123"},"user":{"id":"9876543210%d","nickName":"阿明","idStr":"9876543210%d"},"content":"这个口红有几个色号？"}}`, id, id, i, i)
		case 1:
			return fmt.Sprintf(`{"method":"WebcastLikeMessage","msgId":"%s","payload":{"common":{"method":"WebcastLikeMessage","msgId":"%s","createTime":"1777636803000"},"count":"8","total":"120345","user":{"id":"98765432101","nickName":"阿明","idStr":"98765432101"}}}`, id, id)
		case 2:
			return fmt.Sprintf(`{"method":"WebcastMemberMessage","msgId":"%s","payload":{"common":{"method":"WebcastMemberMessage","msgId":"%s","createTime":"1777636802000"},"user":{"id":"98765432103","nickName":"路人甲","idStr":"98765432103"},"memberCount":"2350"}}`, id, id)
		case 3:
			return fmt.Sprintf(`{"method":"WebcastGiftMessage","msgId":"%s","payload":{"common":{"method":"WebcastGiftMessage","msgId":"%s","createTime":"1777636825000"},"giftId":"463","groupCount":"1","repeatCount":"1","user":{"id":"98765432103","nickName":"路人甲","idStr":"98765432103"},"repeatEnd":1,"gift":{"id":"463","name":"嘉年华","diamondCount":3000,"combo":false}}}`, id, id)
		}
		return fmt.Sprintf(`{"method":"WebcastRoomUserSeqMessage","msgId":"%s","payload":{"common":{"method":"WebcastRoomUserSeqMessage","msgId":"%s","createTime":"1777636806000"},"total":"2317","totalUser":"45012"}}`, id, id)
	})},
	{format: "tiktok-live", body: messages(100, func(seq, i int) string {
		id := fmt.Sprintf("%d%05d", seq, i)
		switch i % 5 {
		case 0:
			return fmt.Sprintf(`{"event":"chat","data":{"common":{"msgId":"%s","createTime":"1777636800123"},"user":{"userId":"681234567890123%d","uniqueId":"lily.makeup","nickname":"Lily"},"comment":"how much is the red one?"}}`, id, i)
		case 1:
			return fmt.Sprintf(`{"event":"like","data":{"common":{"msgId":"%s","createTime":"1777636802000"},"user":{"userId":"6812345678901234567","uniqueId":"lily.makeup"},"likeCount":15,"totalLikeCount":48210}}`, id)
		case 2:
			return fmt.Sprintf(`{"event":"member","data":{"common":{"msgId":"%s","createTime":"1777636801000"},"user":{"userId":"6812345678901234568","uniqueId":"sam_k","nickname":"Sam"},"memberCount":1532}}`, id)
		case 3:
			return fmt.Sprintf(`{"event":"gift","data":{"common":{"msgId":"%s","createTime":"1777636812000"},"giftId":5655,"repeatCount":7,"user":{"userId":"6812345678901234567","uniqueId":"lily.makeup"},"repeatEnd":true,"giftDetails":{"giftName":"Rose","giftType":1,"diamondCount":1}}}`, id)
		}
		return fmt.Sprintf(`{"event":"roomUser","data":{"common":{"msgId":"%s","createTime":"1777636806000"},"viewerCount":1487,"totalUser":"20931"}}`, id)
	})},
	{format: "douyin-open",
		header: func(body []byte) http.Header {
			h := http.Header{}
			h.Set("x-msg-type", "live_comment")
			h.Set("x-nonce-str", "8f3a2b")
			h.Set("x-roomid", "7376000000000000001")
			h.Set("x-timestamp", "1777636810000")
			sum := md5.Sum([]byte("x-msg-type=live_comment&x-nonce-str=8f3a2b&x-roomid=7376000000000000001&x-timestamp=1777636810000" + string(body) + "bench-secret"))
			h.Set("x-signature", base64.StdEncoding.EncodeToString(sum[:]))
			return h
		},
		body: messages(100, func(seq, i int) string {
			return fmt.Sprintf(`{"msg_id":"%d%05d","sec_openid":"_000aBcDeFgHiJkLmNoPqRsTuVwXyZ0%d","content":"主播好，这个口红有色号吗？","avatar_url":"https://p3.douyinpic.com/aweme/100x100/a.jpeg","nickname":"阿明","timestamp":1777636800123}`, seq, i, i)
		})},
	{format: "doudian",
		header: func(body []byte) http.Header {
			h := http.Header{}
			h.Set("app-id", "7123456789012345678")
			sum := md5.Sum([]byte("7123456789012345678" + string(body) + "bench-secret"))
			h.Set("event-sign", hex.EncodeToString(sum[:]))
			return h
		},
		body: messages(100, func(seq, i int) string {
			if i%2 == 0 {
				return fmt.Sprintf(`{"tag":"100","msg_id":"73%d%05d","data":"{\"biz\":2,\"create_time\":1777636800,\"order_status\":1,\"p_id\":69%d%05d,\"s_ids\":[6919000000000000002],\"shop_id\":12345}"}`, seq, i, seq, i)
			}
			return fmt.Sprintf(`{"tag":"101","msg_id":"73%d%05d","data":"{\"biz\":2,\"order_status\":2,\"p_id\":69%d%05d,\"pay_amount\":9900,\"pay_time\":1777636830,\"pay_type\":1,\"s_ids\":[6919000000000000002],\"shop_id\":12345}"}`, seq, i, seq, i-1)
		})},
	{format: "shopify",
		header: func(body []byte) http.Header {
			h := http.Header{}
			h.Set("X-Shopify-Topic", "orders/paid")
			mac := hmac.New(sha256.New, []byte("bench-secret"))
			mac.Write(body)
			h.Set("X-Shopify-Hmac-Sha256", base64.StdEncoding.EncodeToString(mac.Sum(nil)))
			h.Set("X-Shopify-Triggered-At", "2026-05-01T19:31:00.123Z")
			return h
		},
		body: func(seq int) []byte {
			var lines []string
			for i := range 3 {
				lines = append(lines, fmt.Sprintf(`{"id":%d,"name":"Hoodie - M","price":"49.00","product_id":632910392,"quantity":1,"sku":"HOODIE-M","total_discount":"0.00","variant_id":39072856,"discount_allocations":[{"amount":"10.00"}]}`, 466157049+i))
			}
			return fmt.Appendf(nil, `{"id":%d,"currency":"USD","created_at":"2026-05-01T14:30:00-05:00","processed_at":"2026-05-01T14:30:00-05:00","financial_status":"paid","total_price":"117.00","customer":{"id":207119551},"line_items":[%s]}`, 5500000000000+seq, strings.Join(lines, ","))
		}},
}

// BenchmarkConnectorIngest compares, per format, a platform delivery
// through its adapter (Verify for signed formats, Decode, then
// Service.Ingest) with the same events sent as LiveDeck's own JSON
// (Service.IngestJSON), both into a real Redis, every batch new to the
// dedupe sets. The two paths alternate batch by batch and are timed
// separately, so that both see the same machine: on a busy host the load
// swings more than the difference being measured. Metrics: native and
// adapter ns/event, and their ratio (docs/benchmarks.md, "Connectors").
func BenchmarkConnectorIngest(b *testing.B) {
	srv := redistest.Start(b)
	rdb := srv.Client(b)
	ctx := context.Background()
	svc, err := ingest.New(rdb, prometheus.NewRegistry(), ingest.Config{WriteTimeout: time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.Rooms().Create(ctx, livedeck.Room{ID: "bench", Title: "bench"}); err != nil {
		b.Fatal(err)
	}
	settings := &connector.Settings{}
	seq := 0
	for _, bf := range benchFormats {
		a, _ := connector.Lookup(bf.format)
		delivery := func() *connector.Delivery {
			seq++
			body := bf.body(seq)
			d := &connector.Delivery{Body: body, Room: "bench", Received: time.Now()}
			if bf.header != nil {
				d.Header = bf.header(body)
			}
			return d
		}
		b.Run(bf.format, func(b *testing.B) {
			var native, adapter time.Duration
			n, odd := 0, false
			for b.Loop() {
				// LiveDeck JSON of the events of another, fresh delivery.
				var evs []livedeck.Event
				msgs, _ := a.Decode(delivery(), settings)
				for _, m := range msgs {
					evs = append(evs, m.Events...)
				}
				body, _ := json.Marshal(evs)
				d := delivery()

				runNative := func() {
					res, err := svc.IngestJSON(ctx, "bench", "bench", body)
					if err != nil || res.Accepted != len(evs) {
						b.Fatalf("native: %v: %+v", err, res)
					}
				}
				runAdapter := func() {
					if a.Signed() {
						if err := a.Verify(d, []string{"bench-secret"}); err != nil {
							b.Fatal(err)
						}
					}
					msgs, err := a.Decode(d, settings)
					if err != nil {
						b.Fatal(err)
					}
					out := make([]livedeck.Event, 0, len(evs))
					for _, m := range msgs {
						out = append(out, m.Events...)
					}
					res, err := svc.Ingest(ctx, "bench", "bench", out)
					if err != nil || res.Accepted != len(out) || len(out) != len(evs) {
						b.Fatalf("adapter: %v: %+v", err, res)
					}
				}
				// Which path goes first alternates, so neither always
				// finds Redis and the caches as the other left them.
				first, second := runNative, runAdapter
				if odd = !odd; odd {
					first, second = runAdapter, runNative
				}
				t0 := time.Now()
				first()
				t1 := time.Now()
				second()
				d1, d2 := t1.Sub(t0), time.Since(t1)
				if odd {
					d1, d2 = d2, d1
				}
				native += d1
				adapter += d2
				n += len(evs)
			}
			b.ReportMetric(float64(native.Nanoseconds())/float64(n), "native-ns/event")
			b.ReportMetric(float64(adapter.Nanoseconds())/float64(n), "adapter-ns/event")
			b.ReportMetric(float64(adapter)/float64(native), "ratio")
		})
	}
}

// BenchmarkDecode is the adapter's own share of BenchmarkConnectorIngest:
// Verify (signed formats) and Decode of one delivery, no Redis.
func BenchmarkDecode(b *testing.B) {
	for _, bf := range benchFormats {
		b.Run(bf.format, func(b *testing.B) {
			a, _ := connector.Lookup(bf.format)
			body := bf.body(1)
			d := &connector.Delivery{Body: body, Room: "bench", Received: time.Now()}
			if bf.header != nil {
				d.Header = bf.header(body)
			}
			n := 0
			b.ReportAllocs()
			for b.Loop() {
				if a.Signed() {
					if err := a.Verify(d, []string{"bench-secret"}); err != nil {
						b.Fatal(err)
					}
				}
				msgs, err := a.Decode(d, &connector.Settings{})
				if err != nil {
					b.Fatal(err)
				}
				for _, m := range msgs {
					n += len(m.Events)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/event")
		})
	}
}
