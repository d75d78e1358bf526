package connector

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/livedeck/livedeck"
)

// douyinOpen maps the Douyin open platform's live-room data push (直播小玩法
// 数据开放): a JSON array of comment, gift, like or fan-club items, the type
// in x-msg-type, signed in x-signature (developer.open-douyin.com,
// live-room-scope data-open docs).
type douyinOpen struct{}

func init() { Register(douyinOpen{}) }

const (
	dyOpenPrefix = "dyopen:"
	dyUserPrefix = "dy:"
)

// douyinSignedHeaders are the headers the signature covers, sorted by
// name. Other x- headers (a proxy's x-forwarded-for) are not part of it.
var douyinSignedHeaders = []string{"x-msg-type", "x-nonce-str", "x-roomid", "x-timestamp"}

func (douyinOpen) Name() string                { return "douyin-open" }
func (douyinOpen) Signed() bool                { return true }
func (douyinOpen) Reply(bool) (string, []byte) { return "", nil }

// Verify checks x-signature: base64 of the MD5 of "k=v&…" over the sorted
// signed headers, then the raw body, then the secret.
func (douyinOpen) Verify(d *Delivery, secrets []string) error {
	got, err := base64.StdEncoding.DecodeString(d.Header.Get("x-signature"))
	if err != nil || len(got) != md5.Size {
		return fmt.Errorf("x-signature missing or not a base64 MD5: %w", ErrBadSignature)
	}
	var sb strings.Builder
	for i, k := range douyinSignedHeaders {
		if i > 0 {
			sb.WriteByte('&')
		}
		sb.WriteString(k + "=" + d.Header.Get(k))
	}
	for _, secret := range secrets {
		h := md5.New()
		h.Write([]byte(sb.String()))
		h.Write(d.Body)
		h.Write([]byte(secret))
		if subtle.ConstantTimeCompare(h.Sum(nil), got) == 1 {
			return nil
		}
	}
	return fmt.Errorf("x-signature: %w", ErrBadSignature)
}

type douyinOpenItem struct {
	MsgID     idText   `json:"msg_id"`
	SecOpenID string   `json:"sec_openid"`
	Nickname  string   `json:"nickname"`
	Timestamp integer  `json:"timestamp"`
	Content   *string  `json:"content"`     // live_comment
	LikeNum   *integer `json:"like_num"`    // live_like
	SecGiftID *string  `json:"sec_gift_id"` // live_gift
	GiftNum   integer  `json:"gift_num"`
	GiftValue integer  `json:"gift_value"` // fen, for all gift_num gifts
	Test      bool     `json:"test"`
}

func (douyinOpen) Decode(d *Delivery, s *Settings) ([]Message, error) {
	s = orDefault(s)
	msgType := d.Header.Get("x-msg-type")
	return decodeEach(d, nil, func(it *douyinOpenItem, err error, m *Message) { douyinOpenOne(it, err, m, msgType, s) })
}

func douyinOpenOne(it *douyinOpenItem, err error, m *Message, msgType string, s *Settings) {
	if m.Err = err; err != nil {
		return
	}
	m.ID = string(it.MsgID)
	if msgType == "" { // not from the push itself (forwarded, tried): tell by the fields
		switch {
		case it.Content != nil:
			msgType = "live_comment"
		case it.SecGiftID != nil:
			msgType = "live_gift"
		case it.LikeNum != nil:
			msgType = "live_like"
		}
	}
	m.Kind = msgType
	if it.Test && !s.AcceptTest {
		return // simulated data from the console's test tool
	}
	id := NativeID(dyOpenPrefix, m.ID)
	if id == "" {
		id = DerivedID(dyOpenPrefix, msgType, string(m.Raw))
	}
	ev := livedeck.Event{ID: id, TS: int64(it.Timestamp), UserID: UserID(dyUserPrefix, it.SecOpenID)}
	switch msgType {
	case "live_comment":
		if it.Content == nil || strings.TrimSpace(*it.Content) == "" {
			m.Err = fmt.Errorf("content: missing")
			return
		}
		ev.Type, ev.Nickname, ev.Text = livedeck.EventComment, it.Nickname, *it.Content
	case "live_like":
		if it.LikeNum == nil || *it.LikeNum < 1 {
			m.Err = fmt.Errorf("like_num: want a positive count")
			return
		}
		ev.Type, ev.Count = livedeck.EventLike, min(int64(*it.LikeNum), maxLikeCount)
	case "live_gift":
		if it.SecGiftID == nil || *it.SecGiftID == "" {
			m.Err = fmt.Errorf("sec_gift_id: missing")
			return
		}
		if it.GiftValue < 0 || it.GiftValue > maxMinor {
			m.Err = fmt.Errorf("gift_value: %d fen out of range", it.GiftValue)
			return
		}
		// gift_value is already the total of gift_num gifts, in fen.
		ev.Type, ev.Gift, ev.Value = livedeck.EventGift, giftName(s, *it.SecGiftID), int64(it.GiftValue)
	default: // live_fansclub and types LiveDeck has no event for
		return
	}
	if ev.UserID == "" && ev.Type != livedeck.EventLike {
		m.Err = fmt.Errorf("sec_openid: missing")
		return
	}
	m.Events = []livedeck.Event{ev}
}

// maxLikeCount is LiveDeck's bound on one like event; Douyin merges a
// viewer's likes over 2 s, far below it.
const maxLikeCount = 1_000_000

// giftName is the name the connector's products give a platform gift id
// (Douyin's push carries sec_gift_id, not the name), else the id itself.
func giftName(s *Settings, id string) string {
	if name, ok := s.Products[id]; ok && name != "" {
		return name
	}
	return id
}
