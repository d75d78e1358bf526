package rules

// The fields native conditions read, by their names in conditions. A
// field missing here only sends its conditions to expr's VM;
// TestNativeFields checks that each entry reads the field of its name.

func envInt(f func(*Env) int64) operand[*Env]     { return operand[*Env]{i: f} }
func envFloat(f func(*Env) float64) operand[*Env] { return operand[*Env]{f: f} }

var envOperands = map[string]operand[*Env]{
	"online":              envInt(func(e *Env) int64 { return e.Online }),
	"peak_online":         envInt(func(e *Env) int64 { return e.PeakOnline }),
	"online_change_pct":   envFloat(func(e *Env) float64 { return e.OnlineChangePct }),
	"uv":                  envInt(func(e *Env) int64 { return e.UV }),
	"avg_watch_seconds":   envFloat(func(e *Env) float64 { return e.AvgWatchSeconds }),
	"comments":            envInt(func(e *Env) int64 { return e.Comments }),
	"likes":               envInt(func(e *Env) int64 { return e.Likes }),
	"follows":             envInt(func(e *Env) int64 { return e.Follows }),
	"shares":              envInt(func(e *Env) int64 { return e.Shares }),
	"comments_per_min":    envFloat(func(e *Env) float64 { return e.CommentsPerMin }),
	"intent_per_min":      envFloat(func(e *Env) float64 { return e.IntentPerMin }),
	"questions_per_min":   envFloat(func(e *Env) float64 { return e.QuestionsPerMin }),
	"abuse_per_min":       envFloat(func(e *Env) float64 { return e.AbusePerMin }),
	"likes_per_min":       envFloat(func(e *Env) float64 { return e.LikesPerMin }),
	"intent_change_pct":   envFloat(func(e *Env) float64 { return e.IntentChangePct }),
	"abuse_change_pct":    envFloat(func(e *Env) float64 { return e.AbuseChangePct }),
	"gmv":                 envInt(func(e *Env) int64 { return e.GMV }),
	"gmv_per_min":         envInt(func(e *Env) int64 { return e.GMVPerMin }),
	"gmv_per_min_prev":    envInt(func(e *Env) int64 { return e.GMVPerMinPrev }),
	"gmv_change_pct":      envFloat(func(e *Env) float64 { return e.GMVChangePct }),
	"orders_created":      envInt(func(e *Env) int64 { return e.OrdersCreated }),
	"orders_paid":         envInt(func(e *Env) int64 { return e.OrdersPaid }),
	"orders_cancelled":    envInt(func(e *Env) int64 { return e.OrdersCancelled }),
	"orders_refunded":     envInt(func(e *Env) int64 { return e.OrdersRefunded }),
	"buyers":              envInt(func(e *Env) int64 { return e.Buyers }),
	"conversion":          envFloat(func(e *Env) float64 { return e.Conversion }),
	"uv_value":            envFloat(func(e *Env) float64 { return e.UVValue }),
	"aov":                 envFloat(func(e *Env) float64 { return e.AOV }),
	"spend":               envInt(func(e *Env) int64 { return e.Spend }),
	"spend_per_min":       envFloat(func(e *Env) float64 { return e.SpendPerMin }),
	"roi":                 envFloat(func(e *Env) float64 { return e.ROI }),
	"gpm":                 envFloat(func(e *Env) float64 { return e.GPM }),
	"views":               envInt(func(e *Env) int64 { return e.Views }),
	"cost_per_buyer":      envFloat(func(e *Env) float64 { return e.CostPerBuyer }),
	"cart_adds":           envInt(func(e *Env) int64 { return e.CartAdds }),
	"cart_rate":           envFloat(func(e *Env) float64 { return e.CartRate }),
	"viewers_age_seconds": envFloat(func(e *Env) float64 { return e.ViewersAgeSeconds }),
	"minute":              envInt(func(e *Env) int64 { return int64(e.Minute) }),
	"tier":                {s: func(e *Env) string { return e.Tier }},
}

func skuInt(f func(*SKU) int64) operand[*SKU]     { return operand[*SKU]{i: f} }
func skuFloat(f func(*SKU) float64) operand[*SKU] { return operand[*SKU]{f: f} }

var skuOperands = map[string]operand[*SKU]{
	"sku":            {s: func(k *SKU) string { return k.ID }},
	"exposures":      skuInt(func(k *SKU) int64 { return k.Exposures }),
	"clicks":         skuInt(func(k *SKU) int64 { return k.Clicks }),
	"ctr":            skuFloat(func(k *SKU) float64 { return k.CTR }),
	"orders":         skuInt(func(k *SKU) int64 { return k.Orders }),
	"click_to_order": skuFloat(func(k *SKU) float64 { return k.ClickToOrder }),
	"units_sold":     skuInt(func(k *SKU) int64 { return k.UnitsSold }),
	"gmv":            skuInt(func(k *SKU) int64 { return k.GMV }),
	"stock":          skuInt(func(k *SKU) int64 { return k.Stock }),
	"cart_adds":      skuInt(func(k *SKU) int64 { return k.CartAdds }),
	"cart_rate":      skuFloat(func(k *SKU) float64 { return k.CartRate }),
	"oversold":       skuInt(func(k *SKU) int64 { return k.Oversold }),
}

var channelOperands = map[string]operand[*Channel]{
	"channel": {s: func(c *Channel) string { return c.ID }},
	"spend":   {i: func(c *Channel) int64 { return c.Spend }},
	"gmv":     {i: func(c *Channel) int64 { return c.GMV }},
	"orders":  {i: func(c *Channel) int64 { return c.Orders }},
	"roi":     {f: func(c *Channel) float64 { return c.ROI }},
}
