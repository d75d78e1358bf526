package rules

import (
	"cmp"
	"slices"

	"github.com/livedeck/livedeck"
)

// Channel is one paid traffic channel's numbers in a condition, an item
// of channel_list: any(channel_list, {.spend >= 50000 && .roi < 1.5}).
type Channel struct {
	ID     string  `expr:"channel"`
	Spend  int64   `expr:"spend"` // minor units
	GMV    int64   `expr:"gmv"`   // attributed, paid minus refunded
	Orders int64   `expr:"orders"`
	ROI    float64 `expr:"roi"`
}

// SpendYuan is the channel's spend in major units (÷ 100), for alert
// templates: {{printf "%.2f" .SpendYuan}}.
func (c *Channel) SpendYuan() float64 { return float64(c.Spend) / 100 }

// sameChannels reports whether e holds exactly the snapshot's channels.
func (e *Env) sameChannels(chs map[string]livedeck.ChannelStats) bool {
	if len(chs) != len(e.ChannelList) {
		return false
	}
	for _, o := range e.ChannelList {
		k, ok := chs[o.ID]
		if !ok || k.Spend != o.Spend || k.GMV != o.GMV || k.Orders != o.Orders || !sameFloat(k.ROI, o.ROI) {
			return false
		}
	}
	return true
}

// setChannels sets roi_by_channel, spend_by_channel and channel_list (by
// channel id) from the snapshot.
func (e *Env) setChannels(chs map[string]livedeck.ChannelStats) {
	if e.ROIByChannel == nil {
		e.ROIByChannel, e.SpendByChannel = make(map[string]float64, len(chs)), make(map[string]int64, len(chs))
	}
	clear(e.ROIByChannel)
	clear(e.SpendByChannel)
	list := e.ChannelList[:0]
	for id, k := range chs {
		e.ROIByChannel[id], e.SpendByChannel[id] = k.ROI, k.Spend
		list = append(list, &Channel{ID: id, Spend: k.Spend, GMV: k.GMV, Orders: k.Orders, ROI: k.ROI})
	}
	slices.SortFunc(list, func(a, b *Channel) int { return cmp.Compare(a.ID, b.ID) })
	e.ChannelList = list
}

// ChannelBelow is, for cue and alert texts, the channel with the lowest
// ROI among those that spent at least minSpend and return under roi (the
// ROI guard's test); nil if none:
// {{with .ChannelBelow 50000 1.5}}{{.ID}} ROI {{printf "%.2f" .ROI}}{{end}}.
func (e Env) ChannelBelow(minSpend int64, roi float64) *Channel {
	var worst *Channel
	for _, c := range e.ChannelList { // by id: ties go to the first
		if c.Spend >= minSpend && c.ROI < roi && (worst == nil || c.ROI < worst.ROI) {
			worst = c
		}
	}
	return worst
}

// CartRateBelow is, for cue and alert texts, the product with the lowest
// cart rate among those clicked at least minClicks times with a cart rate
// under rate (ties by SKU); nil if none:
// {{with .CartRateBelow 100 0.05}}{{.ID}}{{end}}.
func (e Env) CartRateBelow(minClicks int64, rate float64) *SKU {
	var worst *SKU
	for _, k := range e.SKUList {
		if k.Clicks < minClicks || k.CartRate >= rate {
			continue
		}
		if worst == nil || k.CartRate < worst.CartRate || (k.CartRate == worst.CartRate && k.ID < worst.ID) {
			worst = k
		}
	}
	return worst
}
