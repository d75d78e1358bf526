package connector

// readTTMessage is ttMessage's reader (fastread.go). The rare question
// and treasure chest objects are left to unmarshal.
func readTTMessage(r *msgReader, w *ttMessage) error {
	return r.message(ttMessageNames, func(i int) error {
		if i == 0 {
			return r.string(&w.Event)
		}
		return readTTData(r, &w.Data)
	})
}

var (
	ttMessageNames = []string{"event", "data"}
	ttDataNames    = []string{"common", "user", "comment", "content", "likeCount", "count", "viewerCount", "total", "giftId",
		"repeatCount", "repeatEnd", "giftDetails", "gift", "extendedGiftInfo", "details", "data", "envelopeInfo"}
	ttCommonNames      = []string{"msgId", "createTime", "displayText"}
	ttDisplayTextNames = []string{"key"}
	ttUserNames        = []string{"id", "userId", "displayId", "uniqueId", "nickname"}
	ttGiftNames        = []string{"giftName", "name", "giftType", "type", "diamondCount", "diamond_count"}
)

func readTTData(r *msgReader, d *ttData) error {
	return r.members(ttDataNames, func(i int) error {
		switch i {
		case 0:
			c := &d.Common
			return r.members(ttCommonNames, func(i int) error {
				switch i {
				case 0:
					return r.id(&c.MsgID)
				case 1:
					return c.CreateTime.UnmarshalJSONFrom(r.dec)
				}
				return r.members(ttDisplayTextNames, func(int) error { return r.string(&c.DisplayText.Key) })
			})
		case 1:
			return readTTUser(r, &d.User)
		case 2:
			return r.stringPtr(&d.Comment)
		case 3:
			return r.stringPtr(&d.Content)
		case 4:
			return d.LikeCount.UnmarshalJSONFrom(r.dec)
		case 5:
			return d.Count.UnmarshalJSONFrom(r.dec)
		case 6:
			return r.integerPtr(&d.ViewerCount)
		case 7:
			return r.integerPtr(&d.Total)
		case 8:
			return d.GiftID.UnmarshalJSONFrom(r.dec)
		case 9:
			return d.RepeatCount.UnmarshalJSONFrom(r.dec)
		case 10:
			return d.RepeatEnd.UnmarshalJSONFrom(r.dec)
		case 11:
			return readTTGift(r, &d.GiftDetails)
		case 12:
			return readTTGift(r, &d.Gift)
		case 13:
			return readTTGift(r, &d.ExtendedGift)
		}
		return errSlow // details, data, envelopeInfo
	})
}

func readTTUser(r *msgReader, u *ttUser) error {
	return r.members(ttUserNames, func(i int) error {
		switch i {
		case 0:
			return r.id(&u.ID)
		case 1:
			return r.id(&u.UserID)
		case 2:
			return r.string(&u.DisplayID)
		case 3:
			return r.string(&u.UniqueID)
		}
		return r.string(&u.Nickname)
	})
}

func readTTGift(r *msgReader, gp **ttGift) error {
	if null, err := r.isNull(); null || err != nil {
		*gp = nil
		return err
	}
	g := new(ttGift)
	*gp = g
	return r.members(ttGiftNames, func(i int) error {
		switch i {
		case 0:
			return r.string(&g.GiftName)
		case 1:
			return r.string(&g.Name)
		case 2:
			return g.GiftType.UnmarshalJSONFrom(r.dec)
		case 3:
			return g.Type.UnmarshalJSONFrom(r.dec)
		case 4:
			return g.DiamondCount.UnmarshalJSONFrom(r.dec)
		}
		return g.DiamondCnt.UnmarshalJSONFrom(r.dec)
	})
}
