package connector

// readBiliCmd is biliCmd's reader (fastread.go).
func readBiliCmd(r *msgReader, c *biliCmd) error {
	return r.message(biliCmdNames, func(i int) error {
		switch i {
		case 0:
			return r.string(&c.Cmd)
		case 1:
			return c.Info.UnmarshalJSONFrom(r.dec)
		case 2:
			return readBiliData(r, &c.Data)
		}
		return c.Received.UnmarshalJSONFrom(r.dec)
	})
}

var biliCmdNames = []string{"cmd", "info", "data", "ld_received_ms"}

var biliDataNames = []string{"uid", "uname", "giftId", "giftName", "num", "total_coin", "coin_type", "timestamp", "rnd", "tid",
	"msg_type", "trigger_time", "online_count", "pb"}

func readBiliData(r *msgReader, d *biliData) error {
	return r.members(biliDataNames, func(i int) error {
		switch i {
		case 0:
			return d.UID.UnmarshalJSONFrom(r.dec)
		case 1:
			return r.string(&d.Uname)
		case 2:
			return d.GiftID.UnmarshalJSONFrom(r.dec)
		case 3:
			return r.string(&d.GiftName)
		case 4:
			return d.Num.UnmarshalJSONFrom(r.dec)
		case 5:
			return d.TotalCoin.UnmarshalJSONFrom(r.dec)
		case 6:
			return r.string(&d.CoinType)
		case 7:
			return d.Timestamp.UnmarshalJSONFrom(r.dec)
		case 8:
			return r.id(&d.Rnd)
		case 9:
			return r.id(&d.TID)
		case 10:
			return d.MsgType.UnmarshalJSONFrom(r.dec)
		case 11:
			return d.TriggerTime.UnmarshalJSONFrom(r.dec)
		case 12:
			return r.integerPtr(&d.OnlineCount)
		}
		return r.string(&d.PB)
	})
}
