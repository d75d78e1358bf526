package connector

import (
	"errors"
	"fmt"
	"strings"

	"github.com/livedeck/livedeck"
)

// tiktokLive maps TikTok LIVE events as a forwarder built on
// TikTok-Live-Connector (npm) sends them: {"event": NAME, "data": {the
// library's decoded WebcastXxxMessage}} (zerodytrash/TikTok-Live-Connector
// README and src/lib/client/index.ts).
type tiktokLive struct{ unsigned }

func init() { Register(tiktokLive{}) }

const (
	ttPrefix = "tt:"
	// ttGiftRate is TikTokLive's own estimate (GiftEvent.value): one
	// diamond ≈ 0.005 USD, i.e. 0.5 US cent. Settings.GiftRate overrides it.
	ttGiftRate = "0.5"
)

func (tiktokLive) Name() string { return "tiktok-live" }

// ttUser is a user as the v3 schema names it (id, displayId) or as the
// library's README and legacy converter do (userId, uniqueId).
type ttUser struct {
	ID        idText `json:"id"`
	UserID    idText `json:"userId"`
	DisplayID string `json:"displayId"`
	UniqueID  string `json:"uniqueId"`
	Nickname  string `json:"nickname"`
}

// id is the LiveDeck user of a TikTok user: the numeric id, else the
// @handle.
func (u *ttUser) id() string {
	for _, id := range []idText{u.ID, u.UserID} {
		if id != "" && id != "0" {
			return UserID(ttPrefix, string(id))
		}
	}
	return UserID(ttPrefix+"@", firstOf(u.UniqueID, u.DisplayID))
}

// ttData holds the fields LiveDeck reads, under both the v3 schema's
// names (tiktok-live-connector 2.5: content, count, total, gift, data)
// and the older ones its README shows (comment, likeCount, viewerCount,
// giftDetails, details).
type ttData struct {
	Common struct {
		MsgID       idText  `json:"msgId"`
		CreateTime  integer `json:"createTime"`
		DisplayText struct {
			Key string `json:"key"`
		} `json:"displayText"`
	} `json:"common"`
	User         ttUser      `json:"user"`
	Comment      *string     `json:"comment"`     // chat (README)
	Content      *string     `json:"content"`     // chat (v3)
	LikeCount    integer     `json:"likeCount"`   // like (README)
	Count        integer     `json:"count"`       // like (v3)
	ViewerCount  *integer    `json:"viewerCount"` // roomUser: current viewers (README)
	Total        *integer    `json:"total"`       // roomUser: current viewers (v3); like: room total, unused
	GiftID       integer     `json:"giftId"`
	RepeatCount  integer     `json:"repeatCount"`
	RepeatEnd    flag        `json:"repeatEnd"`
	GiftDetails  *ttGift     `json:"giftDetails"` // README
	Gift         *ttGift     `json:"gift"`        // v3
	ExtendedGift *ttGift     `json:"extendedGiftInfo"`
	Details      *ttQuestion `json:"details"` // questionNew (README)
	Question     *ttQuestion `json:"data"`    // questionNew (v3)
	EnvelopeInfo *struct {
		EnvelopeID   idText  `json:"envelopeId"`
		SendUserID   idText  `json:"sendUserId"`
		SendUserName string  `json:"sendUserName"`
		DiamondCount integer `json:"diamondCount"`
	} `json:"envelopeInfo"`
}

type ttQuestion struct {
	QuestionText string `json:"questionText"`
	Content      string `json:"content"`
	User         ttUser `json:"user"`
}

// ttGift is giftDetails (README), gift (v3) or extendedGiftInfo (the
// room's gift list entry the library adds on request).
type ttGift struct {
	GiftName     string  `json:"giftName"`
	Name         string  `json:"name"`
	GiftType     integer `json:"giftType"`
	Type         integer `json:"type"`
	DiamondCount integer `json:"diamondCount"`
	DiamondCnt   integer `json:"diamond_count"`
}

func (a tiktokLive) Decode(d *Delivery, s *Settings) ([]Message, error) {
	return a.decode(d, s, readTTMessage)
}

// decode reads messages with read (nil: unmarshal, which tests compare
// the reader with).
func (tiktokLive) decode(d *Delivery, s *Settings, read func(*msgReader, *ttMessage) error) ([]Message, error) {
	s = orDefault(s)
	return decodeEach(d, read, func(env *ttMessage, err error, m *Message) { ttOne(env, err, m, s) })
}

// ttMessage is a message read in one pass: the event's data is read
// whatever its name.
type ttMessage struct {
	Event string `json:"event"`
	Data  ttData `json:"data"`
}

func ttOne(env *ttMessage, err error, m *Message, s *Settings) {
	if m.Err = err; err != nil {
		return
	}
	m.Kind = env.Event
	if env.Event == "" {
		m.Err = errors.New("event: missing")
		return
	}
	data := &env.Data
	ev := livedeck.Event{UserID: data.User.id(), Nickname: data.User.Nickname, TS: int64(data.Common.CreateTime)}
	m.ID = string(data.Common.MsgID)
	ev.ID = NativeID(ttPrefix, m.ID)
	if ev.ID == "" {
		ev.ID = DerivedID(ttPrefix, string(m.Raw))
	}
	switch env.Event {
	case "chat":
		if data.Comment == nil {
			data.Comment = data.Content
		}
		err = ttComment(&ev, data.Comment)
	case "questionNew":
		// LiveDeck's comment has no question flag: the question is a comment.
		q := data.Details
		if q == nil {
			q = data.Question
		}
		if q == nil {
			err = errors.New("data.details: missing")
			break
		}
		ev.UserID, ev.Nickname = q.User.id(), q.User.Nickname
		text := firstOf(q.QuestionText, q.Content)
		err = ttComment(&ev, &text)
	case "member":
		ev.Type = livedeck.EventEnter
	case "like":
		ev.Type, ev.Count = livedeck.EventLike, max(min(int64(max(data.LikeCount, data.Count)), maxLikeCount), 1)
	case "follow":
		ev.Type = livedeck.EventFollow
	case "share":
		ev.Type = livedeck.EventShare
	case "social": // the library emits follow/share itself; a raw social message is told apart the same way
		ev.Type = ttSocial(data)
	case "roomUser":
		online := data.ViewerCount
		if online == nil {
			online = data.Total
		}
		if online == nil || *online < 0 {
			err = errors.New("data.viewerCount (or total): missing")
			break
		}
		n := int64(*online)
		ev.Type, ev.Online, ev.UserID = livedeck.EventViewers, &n, ""
	case "gift":
		err = ttGiftEvent(&ev, data, s)
	case "envelope":
		err = ttEnvelope(&ev, data, s)
	}
	// streamEnd, emote, control and the library's other events map to nothing.
	if err != nil {
		m.Err = err
		return
	}
	if ev.Type == "" {
		return
	}
	if ev.UserID == "" && ev.Type != livedeck.EventViewers && ev.Type != livedeck.EventLike {
		m.Err = errors.New("data.user: missing userId and uniqueId")
		return
	}
	if ev.Type != livedeck.EventComment {
		ev.Nickname = ""
	}
	m.Events = []livedeck.Event{ev}
}

func ttComment(ev *livedeck.Event, text *string) error {
	if text == nil || strings.TrimSpace(*text) == "" {
		return errors.New("comment: empty")
	}
	ev.Type, ev.Text = livedeck.EventComment, *text
	return nil
}

func ttSocial(data *ttData) livedeck.EventType {
	switch key := data.Common.DisplayText.Key; {
	case strings.Contains(key, "follow"):
		return livedeck.EventFollow
	case strings.Contains(key, "share"):
		return livedeck.EventShare
	}
	return ""
}

// ttGiftEvent applies the streak rule: a streakable gift (giftType 1)
// repeats with a growing repeatCount and counts once, when repeatEnd is
// true; others count at once. Value = diamonds × repeatCount × rate.
func ttGiftEvent(ev *livedeck.Event, data *ttData, s *Settings) error {
	g := data.GiftDetails
	if g == nil {
		g = data.Gift
	}
	if g == nil {
		g = data.ExtendedGift
	}
	if g == nil {
		return errors.New("data.giftDetails: missing")
	}
	if (g.GiftType == 1 || g.Type == 1) && !data.RepeatEnd {
		return nil // the streak goes on: the event with repeatEnd counts it
	}
	diamonds := int64(max(g.DiamondCount, g.DiamondCnt))
	if data.ExtendedGift != nil && diamonds == 0 {
		diamonds = int64(max(data.ExtendedGift.DiamondCount, data.ExtendedGift.DiamondCnt))
	}
	count := max(int64(data.RepeatCount), 1)
	if diamonds < 0 || diamonds > maxMinor || count > maxMinor/max(diamonds, 1) {
		return fmt.Errorf("data: %d × %d diamonds out of range", count, diamonds)
	}
	value, err := ApplyRate(diamonds*count, rateOr(s, ttGiftRate))
	if err != nil {
		return err
	}
	ev.Type, ev.Value = livedeck.EventGift, value
	ev.Gift = firstOf(g.GiftName, g.Name, "gift "+itoa(int64(data.GiftID)))
	return nil
}

// ttEnvelope: a treasure chest is a gift of its diamonds from its sender;
// its id is the envelope's, so the library's repeats count once.
func ttEnvelope(ev *livedeck.Event, data *ttData, s *Settings) error {
	e := data.EnvelopeInfo
	if e == nil || e.EnvelopeID == "" {
		return errors.New("data.envelopeInfo.envelopeId: missing")
	}
	if e.DiamondCount < 0 {
		return errors.New("data.envelopeInfo.diamondCount: negative")
	}
	value, err := ApplyRate(int64(e.DiamondCount), rateOr(s, ttGiftRate))
	if err != nil {
		return err
	}
	ev.ID = NativeID(ttPrefix+"envelope:", string(e.EnvelopeID))
	ev.Type, ev.Gift, ev.Value = livedeck.EventGift, "treasure chest", value
	ev.UserID = UserID(ttPrefix, string(e.SendUserID))
	if ev.UserID == "" {
		ev.UserID = UserID(ttPrefix+"name:", e.SendUserName)
	}
	return nil
}

// rateOr is the connector's gift rate, else the format's default.
func rateOr(s *Settings, def string) string {
	if s.GiftRate != "" {
		return s.GiftRate
	}
	return def
}
