package connector_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/livedeck/livedeck/ingest/connector"
)

const shopifySecret = "test-client-secret"

func TestShopifyFixtures(t *testing.T) {
	all := fixtures(t, "shopify", &connector.Settings{Products: map[string]string{"49148385": "LIP-TINT"}})
	create := eventsOf(all["orders-create"])
	if len(create) != 2 || create[0].Amount != 3900 || create[1].Amount != 4900 || create[1].SKU != "LIP-TINT" ||
		create[0].OrderID != "shopify:5500000000001/466157049" || create[0].UserID != "shopify:207119551" {
		t.Errorf("orders/create: one event per line, amount = price × qty − discounts, SKU by variant: %+v", create)
	}
	if paid := eventsOf(all["orders-paid-jpy-guest"]); len(paid) != 1 || paid[0].Amount != 3000 || paid[0].Status != "paid" ||
		paid[0].TS != 1777663860123 || paid[0].UserID != "shopify:order:5500000000002" {
		t.Errorf("orders/paid: JPY has no decimals, ts = X-Shopify-Triggered-At: %+v", paid)
	}
	if r := eventsOf(all["refunds-create"]); len(r) != 1 || r[0].Amount != 3900 || r[0].Status != "refunded" || r[0].OrderID != "shopify:5500000000001/466157049" {
		t.Errorf("refunds/create: %+v", r)
	}
	if r := eventsOf(all["refunds-create-number"]); len(r) != 1 || r[0].Amount != 1500 {
		t.Errorf("refunds/create with a subtotal number: %+v", r)
	}
	for _, name := range []string{"orders-fulfilled", "refunds-create-shipping-only"} {
		if m := all[name]; len(m) != 1 || !m[0].Ignored {
			t.Errorf("%s: want ignored, got %+v", name, m)
		}
	}
	for _, name := range []string{"orders-create-bad", "orders-create-sku"} {
		if m := all[name]; len(m) != 1 || m[0].Err == "" {
			t.Errorf("%s: want an error, got %+v", name, m)
		}
	}
}

func TestShopifyMappedSKU(t *testing.T) {
	a, _ := connector.Lookup("shopify")
	d := loadDelivery(t, "shopify", "orders-create-sku")
	got := decodeAll(t, a, d, &connector.Settings{Products: map[string]string{"GLOSS PINK / 01": "GLOSS-01"}})
	if len(got) != 1 || len(got[0].Events) != 1 || got[0].Events[0].SKU != "GLOSS-01" || got[0].Events[0].Amount != 990 {
		t.Errorf("a mapped SKU: %+v", got)
	}
}

func TestShopifyVerify(t *testing.T) {
	a, _ := connector.Lookup("shopify")
	if !a.Signed() {
		t.Fatal("shopify must be signed")
	}
	files, _ := filepath.Glob("testdata/shopify/*.json")
	for _, f := range files {
		d := loadDelivery(t, "shopify", trimExt(f))
		if err := a.Verify(d, []string{shopifySecret}); err != nil {
			t.Errorf("%s: %v", f, err)
		}
		if err := a.Verify(d, []string{"new-secret", shopifySecret}); err != nil {
			t.Errorf("%s: the previous secret during a rotation: %v", f, err)
		}
	}
	d := loadDelivery(t, "shopify", "orders-create")
	tampered := *d
	tampered.Body = []byte(strings.Replace(string(d.Body), `"49.00"`, `"0.49"`, 1))
	bad := map[string]func() (*connector.Delivery, []string){
		"wrong secret":  func() (*connector.Delivery, []string) { return d, []string{"other"} },
		"no secret":     func() (*connector.Delivery, []string) { return d, nil },
		"tampered body": func() (*connector.Delivery, []string) { return &tampered, []string{shopifySecret} },
		"missing header": func() (*connector.Delivery, []string) {
			return withHeader(d, "X-Shopify-Hmac-Sha256", ""), []string{shopifySecret}
		},
		"not base64": func() (*connector.Delivery, []string) {
			return withHeader(d, "X-Shopify-Hmac-Sha256", "%%%"), []string{shopifySecret}
		},
		"hex, not base64": func() (*connector.Delivery, []string) {
			return withHeader(d, "X-Shopify-Hmac-Sha256", "ccdb8f09218d578d8fbcd8bd6da23b06f95210dddc14e4f52d05cdd3dd49bc97"), []string{shopifySecret}
		},
	}
	for name, mk := range bad {
		dd, secrets := mk()
		if err := a.Verify(dd, secrets); !errors.Is(err, connector.ErrBadSignature) {
			t.Errorf("%s: Verify = %v, want ErrBadSignature", name, err)
		}
	}
}

func TestShopifyNoTopic(t *testing.T) {
	a, _ := connector.Lookup("shopify")
	d := withHeader(loadDelivery(t, "shopify", "orders-create"), "X-Shopify-Topic", "")
	if _, err := a.Decode(d, &connector.Settings{}); err == nil {
		t.Error("a delivery without X-Shopify-Topic must be refused")
	}
}

// withHeader is a copy of d with one header set (removed when empty).
func withHeader(d *connector.Delivery, name, value string) *connector.Delivery {
	c := *d
	c.Header = d.Header.Clone()
	if value == "" {
		c.Header.Del(name)
	} else {
		c.Header.Set(name, value)
	}
	return &c
}
