package rules

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/livedeck/livedeck"
)

// TestDependsOn: a condition depends on the names it reads, also inside
// predicates and let; one that reads the clock or the whole environment
// depends on everything.
func TestDependsOn(t *testing.T) {
	for _, tc := range []struct {
		cond string
		want string // names, sorted; "*" for every field
	}{
		{"online >= 500", "online"},
		{"online >= 500 && uv_value < 150", "online uv_value"},
		{"any(sku_list, {.exposures >= 200 && .ctr < 0.03})", "sku_list"},
		{"any(sku_list, {.stock <= 3 && online > 10})", "online sku_list"},
		{`skus["A"].stock <= 3`, "skus"},
		{`sources["connector"].age_seconds > 30`, "sources"},
		{`spend_by_channel["qianchuan"] > 0 && roi_by_channel["qianchuan"] < 1.5`, "roi_by_channel spend_by_channel"},
		{`any(channel_list, {.spend >= 50000 && .roi < 1.5}) || roi < 1 && spend_per_min > 0`, "channel_list roi spend_per_min"},
		{`skus["A"].cart_rate < 0.05 && cart_rate < 0.08`, "cart_rate skus"},
		{"let x = gmv_per_min; x < gmv_per_min_prev", "gmv_per_min gmv_per_min_prev"},
		{`tier == "" && minute >= 30`, "minute tier"},
		{"count(map(filter(sku_list, .stock < 3), .units_sold), # > buyers) > 0", "buyers sku_list"},
		{"abs(online_change_pct) > 15 || max(intent_per_min, abuse_per_min) > 10", "abuse_per_min intent_per_min online_change_pct"},
		{"true", ""},
		{"now().Hour() >= 20 && online > 0", "*"},
		{`date("2026-01-01") < now()`, "*"},
		{`$env.online > 5`, "*"},
	} {
		p, err := compileCond(tc.cond)
		if err != nil {
			t.Fatalf("%s: %v", tc.cond, err)
		}
		if got := depNames(dependsOn(p)); got != tc.want {
			t.Errorf("%s: depends on %q, want %q", tc.cond, got, tc.want)
		}
	}
}

func depNames(deps uint64) string {
	if deps == allFields {
		return "*"
	}
	var out []string
	for name, bit := range envFields {
		if deps&bit != 0 {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// TestEnvFieldsComplete: every name a condition can use has a bit of its
// own, and no bit names nothing.
func TestEnvFieldsComplete(t *testing.T) {
	seen := map[uint64]bool{}
	typ := reflect.TypeFor[Env]()
	n := 0
	for i := range typ.NumField() {
		name := typ.Field(i).Tag.Get("expr")
		if name == "" || name == "-" {
			continue
		}
		n++
		bit, ok := envFields[name]
		if !ok || bit == 0 || bit&(bit-1) != 0 || seen[bit] {
			t.Errorf("%s: bit %b", name, bit)
		}
		seen[bit] = true
	}
	if n != len(envFields) {
		t.Errorf("%d names in Env, %d in envFields", n, len(envFields))
	}
}

// TestEnvUpdateReportsChanges: update reports exactly the fields that
// changed — each number of the snapshot on its own, products, sources,
// the tier and the minute — and nothing when nothing did.
func TestEnvUpdateReportsChanges(t *testing.T) {
	base := func() livedeck.Snapshot {
		s := benchSnapshot()
		s.Sources = map[string]livedeck.SourceStats{"connector": {AgeSeconds: 1, PerMin: 60}}
		return s
	}
	var e Env
	s := base()
	e.update(&s, "t", 3)
	if got := e.update(&s, "t", 3); got != 0 {
		t.Fatalf("nothing changed, update reports %q", depNames(got))
	}
	typ := reflect.TypeFor[Env]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		name := f.Tag.Get("expr")
		sf, ok := reflect.TypeFor[livedeck.Snapshot]().FieldByName(f.Name)
		if name == "" || !ok || (f.Type.Kind() != reflect.Int64 && f.Type.Kind() != reflect.Float64) {
			continue
		}
		s := base()
		v := reflect.ValueOf(&s).Elem().FieldByIndex(sf.Index)
		if v.Kind() == reflect.Int64 {
			v.SetInt(v.Int() + 1)
		} else {
			v.SetFloat(v.Float() + 0.5)
		}
		if got := e.update(&s, "t", 3); got != envFields[name] {
			t.Errorf("%s changed: update reports %q", name, depNames(got))
		}
		s = base()
		e.update(&s, "t", 3)
	}
	products := fSKUs | fSKUList
	for _, tc := range []struct {
		what   string
		change func(s *livedeck.Snapshot) (tier string, minute int)
		want   uint64
	}{
		{"a product's stock", func(s *livedeck.Snapshot) (string, int) {
			k := s.SKUs["sku3"]
			k.Stock--
			s.SKUs["sku3"] = k
			return "t", 3
		}, products},
		{"a product's CTR", func(s *livedeck.Snapshot) (string, int) {
			k := s.SKUs["sku3"]
			k.CTR = 0.01
			s.SKUs["sku3"] = k
			return "t", 3
		}, products},
		{"a new product", func(s *livedeck.Snapshot) (string, int) {
			s.SKUs["new"] = livedeck.SKUStats{Stock: 5}
			return "t", 3
		}, products},
		{"a product gone", func(s *livedeck.Snapshot) (string, int) { delete(s.SKUs, "sku3"); return "t", 3 }, products},
		{"a product replaced", func(s *livedeck.Snapshot) (string, int) {
			s.SKUs["new"] = s.SKUs["sku3"]
			delete(s.SKUs, "sku3")
			return "t", 3
		}, products},
		{"a source's age", func(s *livedeck.Snapshot) (string, int) {
			s.Sources["connector"] = livedeck.SourceStats{AgeSeconds: 2, PerMin: 60}
			return "t", 3
		}, fSources},
		{"a new source", func(s *livedeck.Snapshot) (string, int) {
			s.Sources["api"] = livedeck.SourceStats{AgeSeconds: 1}
			return "t", 3
		}, fSources},
		{"a new channel", func(s *livedeck.Snapshot) (string, int) {
			s.Channels = map[string]livedeck.ChannelStats{"qianchuan": {Spend: 100, GMV: 300, ROI: 3}}
			return "t", 3
		}, fROIByChannel | fSpendByChannel | fChannelList},
		{"a product's cart rate", func(s *livedeck.Snapshot) (string, int) {
			k := s.SKUs["sku3"]
			k.CartRate = 0.07
			s.SKUs["sku3"] = k
			return "t", 3
		}, products},
		{"a number 0 to -0", func(s *livedeck.Snapshot) (string, int) { s.GMVChangePct = -s.GMVChangePct; return "t", 3 }, fGMVChangePct},
		{"the tier", func(*livedeck.Snapshot) (string, int) { return "", 3 }, fTier},
		{"the minute", func(*livedeck.Snapshot) (string, int) { return "t", 4 }, fMinute},
	} {
		s := base()
		tier, minute := tc.change(&s)
		if got := e.update(&s, tier, minute); got != tc.want {
			t.Errorf("%s: update reports %q, want %q", tc.what, depNames(got), depNames(tc.want))
		}
		if tc.want == products && len(e.SKUList) != len(s.SKUs) {
			t.Errorf("%s: sku_list has %d products, the snapshot %d", tc.what, len(e.SKUList), len(s.SKUs))
		}
		for id, k := range s.SKUs {
			if o := e.SKUs[id]; o == nil || o.Stock != k.Stock || o.CTR != k.CTR {
				t.Errorf("%s: skus[%q] = %+v, want %+v", tc.what, id, o, k)
			}
		}
		s = base()
		e.update(&s, "t", 3)
	}
}
