package connector

// readDyWebMessage is dyWebMessage's reader (fastread.go): the wrapper's
// members and, inline, the payload's.
func readDyWebMessage(r *msgReader, w *dyWebMessage) error {
	return r.message(dyWebMessageNames, func(i int) error {
		switch i {
		case 0:
			return r.string(&w.Method)
		case 1:
			return r.id(&w.MsgID)
		case 2: // into w.spare, not a new payload
			if null, err := r.isNull(); null || err != nil {
				w.Payload = nil
				return err
			}
			w.Payload = &w.spare
			return readDyWebPayload(r, w.Payload)
		}
		return readDyWebPayloadMember(r, &w.Alone, i-3)
	})
}

var dyWebPayloadNames = []string{"common", "user", "content", "defaultContent", "eventTime", "count", "action", "shareTarget",
	"total", "status", "giftId", "groupId", "repeatCount", "comboCount", "groupCount", "repeatEnd", "gift"}

var dyWebMessageNames = append([]string{"method", "msgId", "payload"}, dyWebPayloadNames...)

func readDyWebPayload(r *msgReader, p *dyWebPayload) error {
	return r.members(dyWebPayloadNames, func(i int) error { return readDyWebPayloadMember(r, p, i) })
}

// readDyWebPayloadMember reads the value of the payload's member
// dyWebPayloadNames[i].
func readDyWebPayloadMember(r *msgReader, p *dyWebPayload, i int) error {
	switch i {
	case 0:
		return r.members(dyWebCommonNames, func(i int) error {
			switch i {
			case 0:
				return r.string(&p.Common.Method)
			case 1:
				return r.id(&p.Common.MsgID)
			}
			return p.Common.CreateTime.UnmarshalJSONFrom(r.dec)
		})
	case 1:
		u := &p.User
		return r.members(dyWebUserNames, func(i int) error {
			switch i {
			case 0:
				return r.id(&u.ID)
			case 1:
				return r.string(&u.IDStr)
			case 2:
				return r.string(&u.SecUID)
			}
			return r.string(&u.NickName)
		})
	case 2:
		return r.string(&p.Content)
	case 3:
		return r.string(&p.DefaultContent)
	case 4:
		return p.EventTime.UnmarshalJSONFrom(r.dec)
	case 5:
		return p.Count.UnmarshalJSONFrom(r.dec)
	case 6:
		return p.Action.UnmarshalJSONFrom(r.dec)
	case 7:
		return r.string(&p.ShareTarget)
	case 8:
		return r.integerPtr(&p.Total)
	case 9:
		return p.Status.UnmarshalJSONFrom(r.dec)
	case 10:
		return p.GiftID.UnmarshalJSONFrom(r.dec)
	case 11:
		return r.id(&p.GroupID)
	case 12:
		return p.RepeatCount.UnmarshalJSONFrom(r.dec)
	case 13:
		return p.ComboCount.UnmarshalJSONFrom(r.dec)
	case 14:
		return p.GroupCount.UnmarshalJSONFrom(r.dec)
	case 15:
		return p.RepeatEnd.UnmarshalJSONFrom(r.dec)
	}
	if null, err := r.isNull(); null || err != nil {
		p.Gift = nil
		return err
	}
	g := new(dyWebGiftInfo)
	p.Gift = g
	return r.members(dyWebGiftNames, func(i int) error {
		switch i {
		case 0:
			return g.ID.UnmarshalJSONFrom(r.dec)
		case 1:
			return r.string(&g.Name)
		case 2:
			return g.DiamondCount.UnmarshalJSONFrom(r.dec)
		}
		return g.Combo.UnmarshalJSONFrom(r.dec)
	})
}

var (
	dyWebCommonNames = []string{"method", "msgId", "createTime"}
	dyWebUserNames   = []string{"id", "idStr", "secUid", "nickName"}
	dyWebGiftNames   = []string{"id", "name", "diamondCount", "combo"}
)
