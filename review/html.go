package review

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"reflect"
	"time"
)

//go:embed report.html
var reportHTML string

var reportTmpl = template.Must(template.New("review").Funcs(template.FuncMap{
	"inc": func(i int) int { return i + 1 },
}).Parse(reportHTML))

// WriteHTML writes the review as one self-contained HTML file: inline
// styles and SVG charts, no script, nothing fetched. earlier, if not nil, is
// shown side by side. Times are shown in loc.
func WriteHTML(w io.Writer, r, earlier *Review, loc *time.Location) error {
	if loc == nil {
		loc = time.Local
	}
	v := &page{R: r, E: earlier, loc: loc}
	v.Timeline = timelineSVG(r, loc)
	labels, values := make([]string, len(r.Tiers)), make([]int64, len(r.Tiers))
	for i, t := range r.Tiers {
		labels[i] = t.Tier
		if t.Tier == "" {
			labels[i] = "(none)"
		}
		if t.Coupon != "" {
			labels[i] += " " + t.Coupon
		}
		values[i] = t.GMV
	}
	v.TierBars = barsSVG("gmv-per-tier", labels, values, v.Money)
	f := r.Funnel
	v.Funnel = barsSVG("funnel", []string{"exposures 曝光", "clicks 点击", "orders 下单", "paid 支付"},
		[]int64{f.Exposures, f.Clicks, f.Orders, f.Paid}, func(n int64) string { return fmt.Sprint(n) })
	if err := reportTmpl.Execute(w, v); err != nil {
		return fmt.Errorf("review of room %s: html: %w", r.Room, err)
	}
	return nil
}

// page is the template's view of a review.
type page struct {
	R, E     *Review
	Timeline template.HTML
	TierBars template.HTML
	Funnel   template.HTML
	loc      *time.Location
}

func (p *page) Money(v int64) string    { return Money(v, p.R.Currency) }
func (p *page) MoneyF(v float64) string { return MoneyF(v, p.R.Currency) }
func (p *page) Pct(v float64) string    { return fmt.Sprintf("%.2f%%", v*100) }
func (p *page) Ratio(v float64) string  { return fmt.Sprintf("%.2f", v) }
func (p *page) Time(ms int64) string {
	if ms == 0 {
		return "—"
	}
	return time.UnixMilli(ms).In(p.loc).Format("2006-01-02 15:04")
}
func (p *page) Clock(ms int64) string { return time.UnixMilli(ms).In(p.loc).Format("15:04:05") }

func (p *page) Duration(s int64) string {
	return (time.Duration(s) * time.Second).String()
}

// Sign is the CSS class of a change.
func (p *page) Sign(v float64) string {
	switch {
	case v > 1e-9:
		return "up"
	case v < -1e-9:
		return "down"
	}
	return ""
}

// PP formats a change of a ratio in percentage points.
func (p *page) PP(v float64) string { return fmt.Sprintf("%+.2f pp", v*100) }

func (p *page) SignedMoneyF(v float64) string {
	if v >= 0 {
		return "+" + p.MoneyF(v)
	}
	return p.MoneyF(v)
}

// headline field of the earlier review's change; ok false without one.
func (p *page) change(field string) (reflect.Value, bool) {
	if p.E == nil {
		return reflect.Value{}, false
	}
	a := reflect.ValueOf(p.R.Headline).FieldByName(field)
	b := reflect.ValueOf(p.E.Headline).FieldByName(field)
	if !a.IsValid() {
		return reflect.Value{}, false
	}
	if a.Kind() == reflect.Float64 {
		return reflect.ValueOf(a.Float() - b.Float()), true
	}
	return reflect.ValueOf(a.Int() - b.Int()), true
}

func (p *page) delta(field string, format func(reflect.Value) (string, float64)) template.HTML {
	d, ok := p.change(field)
	if !ok {
		return ""
	}
	s, sign := format(d)
	return template.HTML(fmt.Sprintf(`<div class="d %s">%s vs earlier</div>`, p.Sign(sign), template.HTMLEscapeString(s)))
}

func (p *page) DeltaInt(field string) template.HTML {
	return p.delta(field, func(v reflect.Value) (string, float64) { return fmt.Sprintf("%+d", v.Int()), float64(v.Int()) })
}

func (p *page) DeltaMoney(field string) template.HTML {
	return p.delta(field, func(v reflect.Value) (string, float64) {
		s := p.Money(v.Int())
		if v.Int() >= 0 {
			s = "+" + s
		}
		return s, float64(v.Int())
	})
}

func (p *page) DeltaMoneyF(field string) template.HTML {
	return p.delta(field, func(v reflect.Value) (string, float64) { return p.SignedMoneyF(v.Float()), v.Float() })
}

func (p *page) DeltaPct(field string) template.HTML {
	return p.delta(field, func(v reflect.Value) (string, float64) {
		if math.IsNaN(v.Float()) {
			return "", 0
		}
		return p.PP(v.Float()), v.Float()
	})
}
