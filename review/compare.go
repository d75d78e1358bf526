package review

// Compare sets r beside an earlier review; Change is r − earlier for every
// headline number.
func Compare(r, earlier *Review) *Comparison {
	a, b := r.Headline, earlier.Headline
	return &Comparison{Review: r, Earlier: earlier, Change: Headline{
		GMV: a.GMV - b.GMV, Orders: a.Orders - b.Orders, OrdersCreated: a.OrdersCreated - b.OrdersCreated,
		OrdersCancelled: a.OrdersCancelled - b.OrdersCancelled, OrdersRefunded: a.OrdersRefunded - b.OrdersRefunded,
		UV: a.UV - b.UV, Buyers: a.Buyers - b.Buyers, PeakOnline: a.PeakOnline - b.PeakOnline,
		Conversion: a.Conversion - b.Conversion, UVValue: a.UVValue - b.UVValue, AOV: a.AOV - b.AOV,
		AvgWatchSeconds: a.AvgWatchSeconds - b.AvgWatchSeconds, Comments: a.Comments - b.Comments,
		Likes: a.Likes - b.Likes, Follows: a.Follows - b.Follows, Shares: a.Shares - b.Shares,
		DurationSeconds: a.DurationSeconds - b.DurationSeconds,
		Spend:           a.Spend - b.Spend, ROI: a.ROI - b.ROI, CostPerBuyer: a.CostPerBuyer - b.CostPerBuyer,
		CartAdds: a.CartAdds - b.CartAdds, CartRate: a.CartRate - b.CartRate,
	}}
}
