package connector

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/livedeck/livedeck"
)

// bilibili maps the cmd messages of Bilibili's live danmaku protocol, one
// JSON object per message as it comes out of a packet body, e.g.
// {"cmd":"DANMU_MSG","info":[…]} (blivedm's handlers and models).
type bilibili struct{ unsigned }

func init() { Register(bilibili{}) }

const (
	biliPrefix = "bili:"
	// biliGiftRate: 1000 gold 瓜子 = 1 CNY = 100 fen, so one gold is 0.1 fen.
	biliGiftRate = "0.1"
)

func (bilibili) Name() string { return "bilibili" }

func (b bilibili) Decode(d *Delivery, s *Settings) ([]Message, error) {
	return b.decode(d, s, readBiliCmd)
}

// decode reads messages with read (nil: unmarshal, which tests compare
// the reader with).
func (b bilibili) decode(d *Delivery, s *Settings, read func(*msgReader, *biliCmd) error) ([]Message, error) {
	s = orDefault(s)
	return decodeEach(d, read, func(c *biliCmd, err error, m *Message) { b.one(c, err, m, s, d.Received) })
}

// biliCmd is a message read in one pass: info for DANMU_MSG, data as the
// union of the data fields of the cmds LiveDeck maps.
type biliCmd struct {
	Cmd  string      `json:"cmd"`
	Info danmakuInfo `json:"info"`
	Data biliData    `json:"data"`
	// Received is added by LiveDeck's pull connector (livedeck connect
	// bilibili): unix ms when it read the message. Messages without a time
	// of their own take it for their time and id, so a batch sent again
	// later keeps its ids.
	Received integer `json:"ld_received_ms"`
}

type biliData struct {
	biliGiftData `json:",inline"` // SEND_GIFT; uid and uname for all
	MsgType      integer          `json:"msg_type"`     // INTERACT_WORD
	TriggerTime  integer          `json:"trigger_time"` // INTERACT_WORD, ns
	OnlineCount  *integer         `json:"online_count"` // ONLINE_RANK_COUNT
	PB           string           `json:"pb"`           // the _V2 cmds: protobuf, base64
}

// biliMapped are the cmds LiveDeck maps; any other is ignored, even when
// its fields are not what the mapped cmds' fields look like.
var biliMapped = map[string]bool{"DANMU_MSG": true, "SEND_GIFT": true, "SEND_GIFT_V2": true, "INTERACT_WORD": true,
	"INTERACT_WORD_V2": true, "LIKE_INFO_V3_CLICK": true, "ONLINE_RANK_COUNT": true}

func (bilibili) one(c *biliCmd, err error, m *Message, s *Settings, received time.Time) {
	if err != nil {
		var name struct {
			Cmd string `json:"cmd"`
		}
		if unmarshal(m.Raw, &name) != nil {
			m.Err = err
			return
		}
		*c = biliCmd{Cmd: name.Cmd}
	}
	// Since 2019 a cmd may carry parameters after ':' (DANMU_MSG:4:0:2:2:2:0).
	cmd, _, _ := strings.Cut(c.Cmd, ":")
	m.Kind = cmd
	if c.Received > 0 {
		received = time.UnixMilli(int64(c.Received))
	}
	switch {
	case cmd == "":
		m.Err = errors.New("no cmd")
		return
	case err != nil && biliMapped[cmd]:
		m.Err = err
		return
	case err != nil:
		return // an ignored cmd whose fields differ: still ignored
	}
	d := &c.Data
	switch cmd {
	case "DANMU_MSG":
		m.Err = biliDanmaku(&c.Info, m)
	case "SEND_GIFT":
		m.Err = biliGift(&d.biliGiftData, m, s)
	case "SEND_GIFT_V2":
		m.Err = biliGiftV2(d.PB, m, s)
	case "INTERACT_WORD":
		m.Err = biliInteract(d, m)
	case "INTERACT_WORD_V2":
		m.Err = biliInteractV2(d.PB, m)
	case "LIKE_INFO_V3_CLICK":
		m.Err = biliLike(d, m.Raw, m, received)
	case "ONLINE_RANK_COUNT":
		m.Err = biliOnline(d, m.Raw, m, received)
	}
	// Every other cmd (WATCHED_CHANGE, which is cumulative; rank and
	// notice cmds; silver gifts above) maps to nothing and is ignored.
}

// biliUser is the LiveDeck user of a Bilibili uid. Without a logged-in
// cookie the server masks uids as 0; then the CRC32 of the uid that
// DANMU_MSG still carries, or else the (starred) name, stands in.
func biliUser(uid int64, crc, name string) string {
	switch {
	case uid != 0:
		var buf [32]byte
		return string(strconv.AppendInt(append(buf[:0], biliPrefix...), uid, 10))
	case crc != "":
		return UserID(biliPrefix+"crc:", crc)
	case name != "":
		return UserID(biliPrefix+"name:", name)
	}
	return biliPrefix + "0"
}

// danmakuInfo is what LiveDeck reads of DANMU_MSG's info array, walked
// in one pass: info[0] meta ([4] send time ms, [5] rnd, [7] uid CRC32,
// [15] mode info with extra), info[1] text, info[2] [uid, name, …].
type danmakuInfo struct {
	sent     integer
	rnd, crc idText
	extraID  string // id_str of the JSON text in extra
	text     string
	uid      integer
	name     string
	parts    int
}

func (d *danmakuInfo) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return d.read(dec, (*danmakuInfo).readMode, decodeString)
}

// read walks the info array; mode reads info[0][15] and str the texts
// (FuzzReaders gives unmarshal's own, to hold these to).
func (d *danmakuInfo) read(dec *jsontext.Decoder, mode func(*danmakuInfo, *jsontext.Decoder) error,
	str func(*jsontext.Decoder, *string) error) error {
	if err := openArray(dec, "info"); err != nil {
		return err
	}
	for ; dec.PeekKind() != ']'; d.parts++ {
		var err error
		switch d.parts {
		case 0:
			err = eachElement(dec, "info[0]", func(i int) error {
				switch i {
				case 4:
					return d.sent.UnmarshalJSONFrom(dec)
				case 5:
					return d.rnd.UnmarshalJSONFrom(dec)
				case 7:
					return d.crc.UnmarshalJSONFrom(dec)
				case 15:
					return mode(d, dec)
				}
				return dec.SkipValue()
			})
		case 1:
			err = str(dec, &d.text)
		case 2:
			err = eachElement(dec, "info[2]", func(i int) error {
				switch i {
				case 0:
					return d.uid.UnmarshalJSONFrom(dec)
				case 1:
					return str(dec, &d.name)
				}
				return dec.SkipValue()
			})
		default:
			err = dec.SkipValue()
		}
		if err != nil {
			return err
		}
	}
	_, err := dec.ReadToken()
	return err
}

func openArray(dec *jsontext.Decoder, what string) error {
	if k := dec.PeekKind(); k != '[' {
		return fmt.Errorf("%s: want an array, got %s", what, kindName(k))
	}
	_, err := dec.ReadToken()
	return err
}

// eachElement calls f(i) for every element of the array at dec; f reads
// or skips the element.
func eachElement(dec *jsontext.Decoder, what string, f func(i int) error) error {
	if err := openArray(dec, what); err != nil {
		return err
	}
	for i := 0; dec.PeekKind() != ']'; i++ {
		if err := f(i); err != nil {
			return err
		}
	}
	_, err := dec.ReadToken()
	return err
}

func biliDanmaku(d *danmakuInfo, m *Message) error {
	if d.parts < 3 {
		return errors.New("info: want [meta array, text, [uid, name, …], …]")
	}
	ev := livedeck.Event{Type: livedeck.EventComment, TS: int64(d.sent), UserID: biliUser(int64(d.uid), string(d.crc), d.name), Nickname: d.name, Text: d.text}
	if d.extraID != "" {
		m.ID = d.extraID
		ev.ID = NativeID(biliPrefix, d.extraID)
	} else {
		ev.ID = DerivedID(biliPrefix+"dm:", itoa(int64(d.sent)), string(d.rnd), string(d.crc), itoa(int64(d.uid)), d.text)
	}
	if strings.TrimSpace(ev.Text) == "" {
		return errors.New("info[1]: empty comment")
	}
	m.Events = []livedeck.Event{ev}
	return nil
}

type biliGiftData struct {
	UID       integer `json:"uid"`
	Uname     string  `json:"uname"`
	GiftID    integer `json:"giftId"`
	GiftName  string  `json:"giftName"`
	Num       integer `json:"num"`
	TotalCoin integer `json:"total_coin"`
	CoinType  string  `json:"coin_type"`
	Timestamp integer `json:"timestamp"`
	Rnd       idText  `json:"rnd"`
	TID       idText  `json:"tid"`
}

func biliGift(g *biliGiftData, m *Message, s *Settings) error {
	ev, ok, err := g.event(s)
	if err != nil || !ok {
		return err
	}
	m.ID = string(g.TID)
	m.Events = []livedeck.Event{ev}
	return nil
}

// event is a gold gift's event; silver gifts are free and give none (not
// ok).
func (g *biliGiftData) event(s *Settings) (livedeck.Event, bool, error) {
	if g.CoinType != "gold" {
		return livedeck.Event{}, false, nil
	}
	if g.TotalCoin < 0 || g.Num < 0 {
		return livedeck.Event{}, false, errors.New("data: negative num or total_coin")
	}
	rate := biliGiftRate
	if s != nil && s.GiftRate != "" {
		rate = s.GiftRate
	}
	value, err := ApplyRate(int64(g.TotalCoin), rate)
	if err != nil {
		return livedeck.Event{}, false, err
	}
	id := NativeID(biliPrefix+"gift:", string(g.TID))
	if id == "" {
		id = DerivedID(biliPrefix+"gift:", itoa(int64(g.UID)), g.Uname, itoa(int64(g.GiftID)), itoa(int64(g.Timestamp)), string(g.Rnd), itoa(int64(g.Num)))
	}
	name := g.GiftName
	if name == "" {
		name = "gift " + itoa(int64(g.GiftID))
	}
	return livedeck.Event{ID: id, Type: livedeck.EventGift, TS: int64(g.Timestamp), UserID: biliUser(int64(g.UID), "", g.Uname),
		Gift: name, Value: value}, true, nil
}

func biliGiftV2(b64 string, m *Message, s *Settings) error {
	pb, err := biliPB(b64)
	if err != nil {
		return err
	}
	b, err := decodeSendGiftBroadcast(pb)
	if err != nil {
		return err
	}
	for i := range b.gifts {
		g := &b.gifts[i]
		d := biliGiftData{UID: integer(b.uid), Uname: b.uname, GiftID: integer(g.giftID), GiftName: g.name, Num: integer(g.num),
			TotalCoin: integer(g.totalCoin), CoinType: g.coinType, Timestamp: integer(g.timestamp), Rnd: idText(g.rnd), TID: idText(g.tid)}
		ev, ok, err := d.event(s)
		if err != nil {
			return err
		}
		if ok {
			m.Events = append(m.Events, ev)
			if m.ID == "" {
				m.ID = g.tid
			}
		}
	}
	return nil
}

// biliPB is the protobuf of a _V2 cmd, carried base64 in data.pb.
func biliPB(b64 string) ([]byte, error) {
	if b64 == "" {
		return nil, errors.New("data.pb: missing")
	}
	pb, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, errors.New("data.pb: not base64")
	}
	return pb, nil
}

// interactEvent maps INTERACT_WORD's msg_type: 1 enter, 2 follow, 3 share,
// 4 special follow, 5 mutual follow; 6 (liked) is left to
// LIKE_INFO_V3_CLICK so a like counts once.
func interactEvent(msgType int64) livedeck.EventType {
	switch msgType {
	case 1:
		return livedeck.EventEnter
	case 2, 4, 5:
		return livedeck.EventFollow
	case 3:
		return livedeck.EventShare
	}
	return ""
}

func biliInteract(w *biliData, m *Message) error {
	t := interactEvent(int64(w.MsgType))
	if t == "" {
		return nil
	}
	ts := int64(w.Timestamp)
	if w.TriggerTime > 0 {
		ts = int64(w.TriggerTime) / 1_000_000
	}
	var buf [256]byte
	in := idPart(idNum(buf[:0], int64(w.UID)), w.Uname)
	in = idNum(idNum(idNum(in, int64(w.MsgType)), int64(w.Timestamp)), int64(w.TriggerTime))
	m.Events = []livedeck.Event{{ID: derivedID(biliPrefix+"iw:", in), Type: t, TS: ts, UserID: biliUser(int64(w.UID), "", w.Uname)}}
	return nil
}

func biliInteractV2(b64 string, m *Message) error {
	pb, err := biliPB(b64)
	if err != nil {
		return err
	}
	w, err := decodeInteractWordV2(pb)
	if err != nil {
		return err
	}
	t := interactEvent(w.msgType)
	if t == "" {
		return nil
	}
	// The protobuf has only second times: its own bytes tell two messages apart.
	m.Events = []livedeck.Event{{ID: DerivedID(biliPrefix+"iw2:", string(pb)), Type: t, TS: w.timestamp, UserID: biliUser(w.uid, "", w.uname)}}
	return nil
}

// biliLike: LIKE_INFO_V3_CLICK is one viewer's click and carries no count
// and no time, so the event counts 1 and its id comes from the message's
// bytes and the second it arrived in (see docs/connectors.md).
func biliLike(l *biliData, raw jsontext.Value, m *Message, received time.Time) error {
	var buf [512]byte
	m.Events = []livedeck.Event{{ID: derivedID(biliPrefix+"like:", idNum(idPart(buf[:0], m.Raw), received.Unix())),
		Type: livedeck.EventLike, TS: unixMilli(received), Count: 1, UserID: biliUser(int64(l.UID), "", l.Uname)}}
	return nil
}

// biliOnline: ONLINE_RANK_COUNT's online_count is the current number of
// viewers (capped by Bilibili); count is the high-energy rank size and is
// not used. The message has no time: id as for likes.
func biliOnline(o *biliData, raw jsontext.Value, m *Message, received time.Time) error {
	if o.OnlineCount == nil {
		return nil
	}
	n := int64(*o.OnlineCount)
	if n < 0 {
		return errors.New("data.online_count: negative")
	}
	var buf [512]byte
	m.Events = []livedeck.Event{{ID: derivedID(biliPrefix+"online:", idNum(idPart(buf[:0], m.Raw), received.Unix())),
		Type: livedeck.EventViewers, TS: unixMilli(received), Online: &n}}
	return nil
}

// unixMilli is t in unix ms; zero for the zero time (the event then takes
// the delivery's time).
func unixMilli(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}
