package rules

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

// nativeConds are conditions that run as Go closures; each is held to
// expr's VM over random rooms.
var nativeConds = []string{
	"true", "false", "online >= 500", "online >= 100 && online_change_pct < -15",
	"uv >= 200 && uv_value < 150", "viewers_age_seconds > 30", "gmv_per_min_prev >= 100000 && gmv_change_pct < -40",
	"online == 500", "online != 500", "online < 500.5", "online <= 9007199254740993", "9007199254740993 > online",
	"uv_value == 3", "uv_value != 3", "uv_value <= 150", "uv_value < 150", "uv_value > 150", "uv_value >= 150",
	"roi <= online", "online <= roi", "online == roi", "online != roi", "any(sku_list, {.ctr <= 0.03})", "roi >= 1", "1.5 > roi", "online > uv", "online >= uv_value", "conversion < cart_rate",
	"not (online >= 500)", "!(online >= 500) or uv < 3", "online > 1 and uv > 1 or roi < 2", "minute >= 3 && minute < 60",
	"tier == 'tier-500'", "tier != ''", "tier < 'm'", "tier >= tier",
	"any(sku_list, {.exposures >= 200 && .ctr < 0.03})", "any(sku_list, {.stock > 0 && .stock <= 3})",
	"any(sku_list, {.units_sold > 0 && .stock <= 10})", "all(sku_list, {.stock > 0})", "none(sku_list, {.oversold > 0})",
	"any(sku_list, .sku == 'A' && .cart_rate < 0.05)", "any(sku_list, {.clicks >= 100 && .cart_rate < .click_to_order})",
	"any(sku_list, {.orders > 1 || .gmv >= 3 || .cart_adds != 2})", "all(sku_list, {not (.ctr > 0.5)}) && online > 3",
	"any(channel_list, {.spend >= 50000 && .roi < 1.5})", "all(channel_list, .channel != 'ads')",
	"none(channel_list, {.gmv > .spend || .orders == 0})",
	"any(sku_list, {.stock <= 3}) || any(channel_list, {.roi < 1})",
}

// vmConds are conditions left to expr's VM.
var vmConds = []string{
	`skus["A"].stock < 3`, "online + 1 > 500", "online in [1, 2]", "let x = online; x > 3", "now().Hour() > 3",
	"any(sku_list, {.stock < online})", "count(sku_list, {.stock < 3}) > 1", "one(sku_list, {.stock < 3})",
	"any(values(skus), {.stock < 3})", `sources["connector"].age_seconds > 30`, "len(sku_list) > 2",
	"online > 3 ? true : false", "roi_by_channel['ads'] < 1.5", "$env.online > 3", "any(sku_list, {any(sku_list, {.stock < 3})})",
}

func TestNativeMatchesVM(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	check := func(src string, native bool) {
		t.Helper()
		p, err := compileCond(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		fn := nativeCond(p)
		if (fn != nil) != native {
			t.Fatalf("%s: native %v, want %v", src, fn != nil, native)
		}
		if fn == nil {
			return
		}
		for range 3000 {
			env := randomEnv(rng)
			want, err := run(p, &env)
			if err != nil {
				t.Fatalf("%s: the VM fails: %v", src, err)
			}
			if got := fn(&env); got != want {
				t.Fatalf("%s: native %v, VM %v on %+v", src, got, want, env)
			}
		}
	}
	for _, src := range nativeConds {
		check(src, true)
	}
	for _, src := range vmConds {
		check(src, false)
	}
	rs, err := Parse([]byte(bench20Rules()))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs.Rules { // the playbook and the benchmark's rules: all native
		check(r.When, true)
		if r.Clear != "" {
			check(r.Clear, true)
		}
	}
}

// TestNativeFields: every number and string a condition can name, at the
// top level and on a product or channel, is read natively, from the field
// of its name.
func TestNativeFields(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, f := range []struct {
		typ  reflect.Type
		list string // "" at the top level
		have func(string) bool
	}{
		{reflect.TypeFor[Env](), "", func(n string) bool { _, ok := envOperands[n]; return ok }},
		{reflect.TypeFor[SKU](), "sku_list", func(n string) bool { _, ok := skuOperands[n]; return ok }},
		{reflect.TypeFor[Channel](), "channel_list", func(n string) bool { _, ok := channelOperands[n]; return ok }},
	} {
		for i := range f.typ.NumField() {
			sf := f.typ.Field(i)
			name := sf.Tag.Get("expr")
			switch sf.Type.Kind() {
			case reflect.Int, reflect.Int64, reflect.Float64, reflect.String:
			default:
				continue
			}
			if name == "" || name == "-" {
				continue
			}
			if !f.have(name) {
				t.Errorf("%s.%s (%s) is not read natively: add it to native_fields.go", f.typ.Name(), sf.Name, name)
				continue
			}
			want := name + " >= 3"
			if sf.Type.Kind() == reflect.String {
				want = name + " < 'm'"
			}
			if f.list != "" {
				want = "any(" + f.list + ", ." + want + ")"
			}
			p, err := compileCond(want)
			if err != nil {
				t.Fatal(err)
			}
			fn := nativeCond(p)
			for range 500 {
				env := randomEnv(rng)
				if vm, _ := run(p, &env); fn(&env) != vm {
					t.Fatalf("%s: native %v, VM %v", want, !vm, vm)
				}
			}
		}
	}
}

// FuzzNativeCond: where a condition runs natively, it gives what the VM
// gives, on any numbers.
func FuzzNativeCond(f *testing.F) {
	for _, src := range append(nativeConds, vmConds...) {
		f.Add(src, int64(500), 0.03, int64(3), 1.5)
	}
	f.Add("online >= 9007199254740993", int64(9007199254740992), math.NaN(), int64(-1), math.Inf(-1))
	f.Fuzz(func(t *testing.T, src string, i int64, x float64, j int64, y float64) {
		p, err := compileCond(src)
		if err != nil {
			return
		}
		fn := nativeCond(p)
		if fn == nil {
			return
		}
		for _, env := range fuzzEnvs(i, x, j, y) {
			want, err := run(p, &env)
			if err != nil {
				t.Fatalf("%s runs natively, but the VM fails: %v", src, err)
			}
			if got := fn(&env); got != want {
				t.Fatalf("%s: native %v, VM %v on %+v", src, got, want, env)
			}
		}
	})
}

// edgeInts and edgeFloats are the values random rooms are made of: the
// usual, and those where integer and float comparisons part.
var (
	edgeInts   = []int64{0, 1, -1, 2, 3, 10, 100, 200, 450, 500, 501, 100000, 1 << 53, 1<<53 + 1, math.MaxInt64, math.MinInt64}
	edgeFloats = []float64{0, math.Copysign(0, -1), 0.03, 0.05, 1, 1.5, 2.5, 3, -15, -15.5, 150, 500, 500.5, 1 << 53, 1<<53 + 2, math.NaN(), math.Inf(1), math.Inf(-1)}
)

// randomEnv is a room with every number drawn from the edge values, and
// up to three products and channels.
func randomEnv(rng *rand.Rand) Env {
	pick := func() (int64, float64) {
		return edgeInts[rng.IntN(len(edgeInts))], edgeFloats[rng.IntN(len(edgeFloats))]
	}
	var e Env
	setAll(reflect.ValueOf(&e).Elem(), pick, []string{"", "A", "m", "tier-500", "z"}[rng.IntN(5)])
	for range rng.IntN(4) {
		var k SKU
		setAll(reflect.ValueOf(&k).Elem(), pick, []string{"A", "B"}[rng.IntN(2)])
		e.SKUList = append(e.SKUList, &k)
	}
	for range rng.IntN(4) {
		var c Channel
		setAll(reflect.ValueOf(&c).Elem(), pick, []string{"ads", "feed"}[rng.IntN(2)])
		e.ChannelList = append(e.ChannelList, &c)
	}
	return e
}

// fuzzEnvs are rooms made of a fuzzer's numbers.
func fuzzEnvs(i int64, x float64, j int64, y float64) []Env {
	var out []Env
	for n := range 4 {
		ints, floats := []int64{i, j}, []float64{x, y}
		k := 0
		pick := func() (int64, float64) {
			k++
			return ints[(k+n)%2], floats[(k+n/2)%2]
		}
		var e Env
		setAll(reflect.ValueOf(&e).Elem(), pick, "tier-500")
		for range n {
			var s SKU
			setAll(reflect.ValueOf(&s).Elem(), pick, "A")
			e.SKUList = append(e.SKUList, &s)
			var c Channel
			setAll(reflect.ValueOf(&c).Elem(), pick, "ads")
			e.ChannelList = append(e.ChannelList, &c)
		}
		out = append(out, e)
	}
	return out
}

// setAll sets the exported numbers and strings of a struct.
func setAll(v reflect.Value, pick func() (int64, float64), s string) {
	for i := range v.NumField() {
		f := v.Field(i)
		if !f.CanSet() {
			continue
		}
		n, x := pick()
		switch f.Kind() {
		case reflect.Int, reflect.Int64:
			f.SetInt(n)
		case reflect.Float64:
			f.SetFloat(x)
		case reflect.String:
			f.SetString(s)
		}
	}
}
