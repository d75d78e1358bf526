package connector

import (
	"encoding/base64"
	"errors"
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
	s = orDefault(s)
	return decodeEach(d, func(raw jsontext.Value, m *Message) { b.one(raw, m, s, d.Received) })
}

type biliCmd struct {
	Cmd  string         `json:"cmd"`
	Info jsontext.Value `json:"info"`
	Data jsontext.Value `json:"data"`
}

func (bilibili) one(raw jsontext.Value, m *Message, s *Settings, received time.Time) {
	var c biliCmd
	if m.Err = unmarshal(raw, &c); m.Err != nil {
		return
	}
	// Since 2019 a cmd may carry parameters after ':' (DANMU_MSG:4:0:2:2:2:0).
	cmd, _, _ := strings.Cut(c.Cmd, ":")
	m.Kind = cmd
	switch cmd {
	case "":
		m.Err = errors.New("no cmd")
	case "DANMU_MSG":
		m.Err = biliDanmaku(c.Info, m)
	case "SEND_GIFT":
		m.Err = biliGift(c.Data, m, s)
	case "SEND_GIFT_V2":
		m.Err = biliGiftV2(c.Data, m, s)
	case "INTERACT_WORD":
		m.Err = biliInteract(c.Data, m)
	case "INTERACT_WORD_V2":
		m.Err = biliInteractV2(c.Data, m)
	case "LIKE_INFO_V3_CLICK":
		m.Err = biliLike(c.Data, raw, m, received)
	case "ONLINE_RANK_COUNT":
		m.Err = biliOnline(c.Data, raw, m, received)
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
		return biliPrefix + itoa(uid)
	case crc != "":
		return UserID(biliPrefix+"crc:", crc)
	case name != "":
		return UserID(biliPrefix+"name:", name)
	}
	return biliPrefix + "0"
}

// danmakuExtra is the JSON text in info[0][15].extra.
type danmakuExtra struct {
	IDStr   string `json:"id_str"`
	Content string `json:"content"`
}

func biliDanmaku(info jsontext.Value, m *Message) error {
	var parts []jsontext.Value
	if err := unmarshal(info, &parts); err != nil {
		return err
	}
	if len(parts) < 3 {
		return errors.New("info: want at least 3 elements")
	}
	var meta []jsontext.Value
	var text string
	var who []jsontext.Value
	if unmarshal(parts[0], &meta) != nil || unmarshal(parts[1], &text) != nil || unmarshal(parts[2], &who) != nil || len(who) < 2 {
		return errors.New("info: want [meta array, text, [uid, name, …], …]")
	}
	var uid, sent integer
	var name string
	var crc, rnd idText
	var mode struct {
		Extra string `json:"extra"`
	}
	if unmarshal(who[0], &uid) != nil || unmarshal(who[1], &name) != nil {
		return errors.New("info[2]: want [uid, name, …]")
	}
	at := func(i int, v any) {
		if i < len(meta) {
			_ = unmarshal(meta[i], v) // optional parts: a bad one is left zero
		}
	}
	at(4, &sent)
	at(5, &rnd)
	at(7, &crc)
	at(15, &mode)
	var extra danmakuExtra
	if mode.Extra != "" {
		_ = unmarshal([]byte(mode.Extra), &extra)
	}
	ev := livedeck.Event{Type: livedeck.EventComment, TS: int64(sent), UserID: biliUser(int64(uid), string(crc), name), Nickname: name, Text: text}
	if extra.IDStr != "" {
		m.ID = extra.IDStr
		ev.ID = NativeID(biliPrefix, extra.IDStr)
	} else {
		ev.ID = DerivedID(biliPrefix+"dm:", itoa(int64(sent)), string(rnd), string(crc), itoa(int64(uid)), text)
	}
	if ev.Text == "" {
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

func biliGift(data jsontext.Value, m *Message, s *Settings) error {
	var g biliGiftData
	if err := unmarshal(data, &g); err != nil {
		return err
	}
	ev, err := g.event(s)
	if err != nil || ev == nil {
		return err
	}
	m.ID = string(g.TID)
	m.Events = []livedeck.Event{*ev}
	return nil
}

// event is a gold gift's event; silver gifts are free and give none.
func (g *biliGiftData) event(s *Settings) (*livedeck.Event, error) {
	if g.CoinType != "gold" {
		return nil, nil
	}
	if g.TotalCoin < 0 || g.Num < 0 {
		return nil, errors.New("data: negative num or total_coin")
	}
	rate := biliGiftRate
	if s != nil && s.GiftRate != "" {
		rate = s.GiftRate
	}
	value, err := ApplyRate(int64(g.TotalCoin), rate)
	if err != nil {
		return nil, err
	}
	id := NativeID(biliPrefix+"gift:", string(g.TID))
	if id == "" {
		id = DerivedID(biliPrefix+"gift:", itoa(int64(g.UID)), g.Uname, itoa(int64(g.GiftID)), itoa(int64(g.Timestamp)), string(g.Rnd), itoa(int64(g.Num)))
	}
	name := g.GiftName
	if name == "" {
		name = "gift " + itoa(int64(g.GiftID))
	}
	return &livedeck.Event{ID: id, Type: livedeck.EventGift, TS: int64(g.Timestamp), UserID: biliUser(int64(g.UID), "", g.Uname),
		Gift: name, Value: value}, nil
}

func biliGiftV2(data jsontext.Value, m *Message, s *Settings) error {
	pb, err := biliPB(data)
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
		ev, err := d.event(s)
		if err != nil {
			return err
		}
		if ev != nil {
			m.Events = append(m.Events, *ev)
			if m.ID == "" {
				m.ID = g.tid
			}
		}
	}
	return nil
}

// biliPB is the protobuf of a _V2 cmd, carried base64 in data.pb.
func biliPB(data jsontext.Value) ([]byte, error) {
	var d struct {
		PB string `json:"pb"`
	}
	if err := unmarshal(data, &d); err != nil {
		return nil, err
	}
	if d.PB == "" {
		return nil, errors.New("data.pb: missing")
	}
	pb, err := base64.StdEncoding.DecodeString(d.PB)
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

func biliInteract(data jsontext.Value, m *Message) error {
	var w struct {
		UID         integer `json:"uid"`
		Uname       string  `json:"uname"`
		MsgType     integer `json:"msg_type"`
		Timestamp   integer `json:"timestamp"`
		TriggerTime integer `json:"trigger_time"` // ns
	}
	if err := unmarshal(data, &w); err != nil {
		return err
	}
	t := interactEvent(int64(w.MsgType))
	if t == "" {
		return nil
	}
	ts := int64(w.Timestamp)
	if w.TriggerTime > 0 {
		ts = int64(w.TriggerTime) / 1_000_000
	}
	m.Events = []livedeck.Event{{
		ID:   DerivedID(biliPrefix+"iw:", itoa(int64(w.UID)), w.Uname, itoa(int64(w.MsgType)), itoa(int64(w.Timestamp)), itoa(int64(w.TriggerTime))),
		Type: t, TS: ts, UserID: biliUser(int64(w.UID), "", w.Uname),
	}}
	return nil
}

func biliInteractV2(data jsontext.Value, m *Message) error {
	pb, err := biliPB(data)
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
func biliLike(data jsontext.Value, raw jsontext.Value, m *Message, received time.Time) error {
	var l struct {
		UID   integer `json:"uid"`
		Uname string  `json:"uname"`
	}
	if err := unmarshal(data, &l); err != nil {
		return err
	}
	m.Events = []livedeck.Event{{ID: DerivedID(biliPrefix+"like:", string(raw), strconv.FormatInt(received.Unix(), 10)),
		Type: livedeck.EventLike, Count: 1, UserID: biliUser(int64(l.UID), "", l.Uname)}}
	return nil
}

// biliOnline: ONLINE_RANK_COUNT's online_count is the current number of
// viewers (capped by Bilibili); count is the high-energy rank size and is
// not used. The message has no time: id as for likes.
func biliOnline(data jsontext.Value, raw jsontext.Value, m *Message, received time.Time) error {
	var o struct {
		OnlineCount *integer `json:"online_count"`
	}
	if err := unmarshal(data, &o); err != nil {
		return err
	}
	if o.OnlineCount == nil {
		return nil
	}
	n := int64(*o.OnlineCount)
	if n < 0 {
		return errors.New("data.online_count: negative")
	}
	m.Events = []livedeck.Event{{ID: DerivedID(biliPrefix+"online:", string(raw), strconv.FormatInt(received.Unix(), 10)),
		Type: livedeck.EventViewers, Online: &n}}
	return nil
}
