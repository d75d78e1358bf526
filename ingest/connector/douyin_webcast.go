package connector

import (
	"errors"
	"fmt"
	"strings"

	"github.com/livedeck/livedeck"
)

// douyinWebcast maps Douyin webcast messages as the open-source live
// fetchers decode them (saermart/DouyinLiveWebFetcher, skmcj/dycast): a
// message is {"method": "WebcastChatMessage", "msgId": …, "payload":
// {the decoded message}}, or the decoded message alone (its
// common.method names it). Field names are the proto's, in the camelCase
// that protobuf JSON encoders emit; 64-bit values may be strings.
type douyinWebcast struct{ unsigned }

func init() { Register(douyinWebcast{}) }

const (
	dyWebPrefix = "dyweb:"
	// dyWebGiftRate: one Douyin diamond (抖币) is bought at 0.1 CNY, 10 fen.
	// What the host earns is less; Settings.GiftRate sets another value.
	dyWebGiftRate = "10"
)

func (douyinWebcast) Name() string { return "douyin-webcast" }

type dyWebUser struct {
	ID       idText `json:"id"`
	IDStr    string `json:"idStr"`
	SecUID   string `json:"secUid"`
	NickName string `json:"nickName"`
}

func (u *dyWebUser) id() string {
	switch {
	case u.IDStr != "" && u.IDStr != "0":
		return UserID(dyWebPrefix, u.IDStr)
	case u.ID != "" && u.ID != "0":
		return UserID(dyWebPrefix, string(u.ID))
	}
	return UserID(dyWebPrefix+"sec:", u.SecUID)
}

// dyWebMessage is both shapes in one pass: the wrapper with its payload,
// or the payload alone (read inline).
type dyWebMessage struct {
	Method  string        `json:"method"`
	MsgID   idText        `json:"msgId"`
	Payload *dyWebPayload `json:"payload"`
	Alone   dyWebPayload  `json:",inline"`
	// spare is where readDyWebMessage reads a payload into, so that it
	// is not allocated for every message (unmarshal leaves it alone).
	spare dyWebPayload
}

type dyWebPayload struct {
	Common struct {
		Method     string  `json:"method"`
		MsgID      idText  `json:"msgId"`
		CreateTime integer `json:"createTime"`
	} `json:"common"`
	User           dyWebUser      `json:"user"`
	Content        string         `json:"content"`        // chat
	DefaultContent string         `json:"defaultContent"` // emoji chat
	EventTime      integer        `json:"eventTime"`      // chat
	Count          integer        `json:"count"`          // like: this batch
	Action         integer        `json:"action"`         // social
	ShareTarget    string         `json:"shareTarget"`    // social
	Total          *integer       `json:"total"`          // room user seq: current online
	Status         integer        `json:"status"`         // control
	GiftID         integer        `json:"giftId"`
	GroupID        idText         `json:"groupId"`
	RepeatCount    integer        `json:"repeatCount"`
	ComboCount     integer        `json:"comboCount"`
	GroupCount     integer        `json:"groupCount"`
	RepeatEnd      flag           `json:"repeatEnd"`
	Gift           *dyWebGiftInfo `json:"gift"`
}

type dyWebGiftInfo struct {
	ID           integer `json:"id"`
	Name         string  `json:"name"`
	DiamondCount integer `json:"diamondCount"`
	Combo        flag    `json:"combo"`
}

func (a douyinWebcast) Decode(d *Delivery, s *Settings) ([]Message, error) {
	return a.decode(d, s, readDyWebMessage)
}

// decode reads messages with read (nil: unmarshal, which tests compare
// the reader with).
func (douyinWebcast) decode(d *Delivery, s *Settings, read func(*msgReader, *dyWebMessage) error) ([]Message, error) {
	s = orDefault(s)
	return decodeEach(d, read, func(w *dyWebMessage, err error, m *Message) { dyWebOne(w, err, m, s) })
}

func dyWebOne(w *dyWebMessage, err error, m *Message, s *Settings) {
	if m.Err = err; err != nil {
		return
	}
	p := w.Payload
	if p == nil {
		p = &w.Alone
	}
	method := firstOf(w.Method, p.Common.Method)
	id := firstOf(string(p.Common.MsgID), string(w.MsgID))
	m.Kind, m.ID = method, id
	if method == "" {
		m.Err = errors.New("method: missing")
		return
	}
	ev := livedeck.Event{ID: NativeID(dyWebPrefix, id), UserID: p.User.id(), Nickname: p.User.NickName, TS: int64(p.Common.CreateTime)}
	if ev.ID == "" {
		ev.ID = DerivedID(dyWebPrefix, string(m.Raw))
	}
	switch method {
	case "WebcastChatMessage":
		ev.Type, ev.Text = livedeck.EventComment, p.Content
		if ev.TS == 0 {
			ev.TS = int64(p.EventTime)
		}
	case "WebcastEmojiChatMessage":
		ev.Type, ev.Text = livedeck.EventComment, p.DefaultContent
	case "WebcastMemberMessage":
		ev.Type = livedeck.EventEnter
	case "WebcastLikeMessage":
		ev.Type, ev.Count = livedeck.EventLike, max(min(int64(p.Count), maxLikeCount), 1)
	case "WebcastSocialMessage":
		ev.Type = dyWebSocial(p)
	case "WebcastRoomUserSeqMessage":
		if p.Total == nil || *p.Total < 0 {
			err = errors.New("total: missing")
			break
		}
		n := int64(*p.Total)
		ev.Type, ev.Online, ev.UserID = livedeck.EventViewers, &n, ""
	case "WebcastGiftMessage":
		err = dyWebGift(&ev, p, s)
	}
	// RoomStats (display strings), Control (status 3 = live ended), fan
	// club, shopping and every other method map to nothing.
	switch {
	case err != nil:
		m.Err = err
	case ev.Type == "":
	case ev.Type == livedeck.EventComment && strings.TrimSpace(ev.Text) == "":
		m.Err = errors.New("content: empty")
	case ev.UserID == "" && ev.Type != livedeck.EventViewers && ev.Type != livedeck.EventLike:
		m.Err = errors.New("user: missing id")
	default:
		if ev.Type != livedeck.EventComment {
			ev.Nickname = ""
		}
		m.Events = []livedeck.Event{ev}
	}
}

// dyWebSocial: action 1 is a follow and 3 a share (a share names its
// target); other actions (2, unfollow) map to nothing. The codes come from
// field observation, not a spec (docs/connectors.md).
func dyWebSocial(p *dyWebPayload) livedeck.EventType {
	switch {
	case p.Action == 3 || p.ShareTarget != "":
		return livedeck.EventShare
	case p.Action == 1:
		return livedeck.EventFollow
	}
	return ""
}

// dyWebGift: a combo gift repeats during its streak and counts once, when
// repeatEnd is set; its id is then (user, gift, group), so an end message
// delivered twice counts once. Value = diamonds × count × rate, count =
// repeatCount (else comboCount) × groupCount.
func dyWebGift(ev *livedeck.Event, p *dyWebPayload, s *Settings) error {
	if p.Gift == nil {
		return errors.New("gift: missing")
	}
	if bool(p.Gift.Combo) && !bool(p.RepeatEnd) {
		return nil
	}
	count := int64(max(p.RepeatCount, 0))
	if count == 0 {
		count = int64(max(p.ComboCount, 1))
	}
	group := int64(max(p.GroupCount, 1))
	if count > maxMinor/group {
		return fmt.Errorf("gift: count %d × group %d out of range", count, group)
	}
	count *= group
	diamonds := int64(p.Gift.DiamondCount)
	if diamonds < 0 || diamonds > maxMinor || count > maxMinor/max(diamonds, 1) {
		return fmt.Errorf("gift: %d × %d diamonds out of range", count, diamonds)
	}
	value, err := ApplyRate(diamonds*count, rateOr(s, dyWebGiftRate))
	if err != nil {
		return err
	}
	giftID := max(p.GiftID, p.Gift.ID)
	if bool(p.Gift.Combo) && p.GroupID != "" && p.GroupID != "0" {
		ev.ID = DerivedID(dyWebPrefix+"gift:", ev.UserID, itoa(int64(giftID)), string(p.GroupID))
	}
	ev.Type, ev.Value = livedeck.EventGift, value
	ev.Gift = firstOf(p.Gift.Name, "gift "+itoa(int64(giftID)))
	return nil
}
