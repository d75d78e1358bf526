package connector

import (
	"encoding/json"
	"testing"

	"github.com/livedeck/livedeck"
)

// TestMappingSpendAndCart maps an ad platform's hourly spend report and a
// shop's cart webhook to ad_spend and cart_add events.
func TestMappingSpendAndCart(t *testing.T) {
	var s Settings
	if err := json.Unmarshal([]byte(`{"format": "mapping", "currency": "CNY", "mapping": {
	  "id": "msg.id",
	  "rules": [
	    {"when": "msg.kind == 'spend'", "type": "ad_spend",
	     "fields": {"channel": "'qianchuan'", "campaign": "msg.ad_id", "period": "msg.hour", "amount": "minor(msg.cost, currency)", "ts": "msg.at"}},
	    {"when": "msg.kind == 'cart'", "type": "cart_add",
	     "fields": {"user_id": "msg.uid", "sku": "msg.sku", "qty": "msg.n"}}
	  ]}}`), &s); err != nil {
		t.Fatal(err)
	}
	if ps := s.Check(); ps != nil {
		t.Fatalf("settings refused: %v", ps)
	}
	msgs := decodeMapping(t, &s, `[
	  {"id": "r1", "kind": "spend", "ad_id": 7001, "hour": "2025-10-09T08:00:00Z", "at": "2025-10-09T08:40:00Z", "cost": "1312.50"},
	  {"id": "c1", "kind": "cart", "uid": "u9", "sku": "LIP-01", "n": 2}]`)
	if len(msgs) != 2 || msgs[0].Err != nil || msgs[1].Err != nil || len(msgs[0].Events) != 1 || len(msgs[1].Events) != 1 {
		t.Fatalf("messages %+v", msgs)
	}
	sp, ca := msgs[0].Events[0], msgs[1].Events[0]
	if sp.Type != livedeck.EventAdSpend || sp.Channel != "qianchuan" || sp.Campaign != "7001" || sp.Amount != 131250 ||
		sp.Period != 1759996800000 || sp.TS != 1759999200000 {
		t.Errorf("spend event %+v", sp)
	}
	if ca.Type != livedeck.EventCartAdd || ca.UserID != "shop:u9" || ca.SKU != "LIP-01" || ca.Qty != 2 {
		t.Errorf("cart event %+v", ca)
	}
}
