package review

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/livedeck/livedeck"
)

// TestOversoldMarked: a product sold past its stock reads 超卖 with the
// units in the HTML report and has its own CSV column; no negative stock.
func TestOversoldMarked(t *testing.T) {
	r := &Review{Room: "r", Currency: "CNY", SKUs: []SKUResult{
		{SKU: "lip", Name: "口红", SKUStats: livedeck.SKUStats{UnitsSold: 60, Stock: 0, Oversold: 43}},
		{SKU: "mask", Name: "面膜", SKUStats: livedeck.SKUStats{UnitsSold: 5, Stock: 238}},
	}}
	var page bytes.Buffer
	if err := WriteHTML(&page, r, nil, time.UTC); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.String(), `<span class="oversold">超卖 oversold 43</span>`) || !strings.Contains(page.String(), ">238<") {
		t.Error("HTML: want the oversold product marked 超卖 43 and the other's stock")
	}
	var out bytes.Buffer
	if err := WriteCSV(&out, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "units_sold,gmv,stock,oversold\n") || !strings.Contains(out.String(), ",60,0,0,43\n") {
		t.Errorf("CSV skus section:\n%s", out.String())
	}
	if strings.Contains(out.String(), ",-43") {
		t.Error("CSV shows a negative stock")
	}
}
