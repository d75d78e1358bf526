package connector

import (
	"errors"

	"google.golang.org/protobuf/encoding/protowire"
)

// The protobuf messages of Bilibili's _V2 cmds, read field by field with
// protowire (field numbers from blivedm's models/pb.py); unknown fields are
// skipped.

type sendGiftBroadcast struct {
	uid   int64
	uname string
	gifts []sendGiftItem
}

type sendGiftItem struct {
	giftID, num, totalCoin, timestamp int64
	name, coinType, tid, rnd          string
}

type interactWordV2 struct {
	uid, msgType, timestamp int64
	uname                   string
}

var errProtobuf = errors.New("data.pb: not a valid protobuf message")

// pbFields calls f for every field of a protobuf message; f gets the varint
// value or the bytes, by wire type.
func pbFields(b []byte, f func(num protowire.Number, v uint64, bs []byte)) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return errProtobuf
		}
		b = b[n:]
		switch typ {
		case protowire.VarintType:
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return errProtobuf
			}
			f(num, v, nil)
			b = b[n:]
		case protowire.BytesType:
			bs, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return errProtobuf
			}
			f(num, 0, bs)
			b = b[n:]
		default:
			n := protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return errProtobuf
			}
			b = b[n:]
		}
	}
	return nil
}

func decodeSendGiftBroadcast(b []byte) (sendGiftBroadcast, error) {
	var m sendGiftBroadcast
	var itemErr error
	err := pbFields(b, func(num protowire.Number, v uint64, bs []byte) {
		switch num {
		case 1:
			m.uid = int64(v)
		case 2:
			m.uname = string(bs)
		case 10:
			it, err := decodeSendGiftItem(bs)
			if err != nil {
				itemErr = err
			}
			m.gifts = append(m.gifts, it)
		}
	})
	if err == nil {
		err = itemErr
	}
	return m, err
}

func decodeSendGiftItem(b []byte) (sendGiftItem, error) {
	var g sendGiftItem
	err := pbFields(b, func(num protowire.Number, v uint64, bs []byte) {
		switch num {
		case 1:
			g.giftID = int64(v)
		case 2:
			g.name = string(bs)
		case 3:
			g.num = int64(v)
		case 7:
			g.totalCoin = int64(v)
		case 8:
			g.coinType = string(bs)
		case 9:
			g.tid = string(bs)
		case 10:
			g.timestamp = int64(v)
		case 12:
			g.rnd = string(bs)
		}
	})
	return g, err
}

func decodeInteractWordV2(b []byte) (interactWordV2, error) {
	var w interactWordV2
	err := pbFields(b, func(num protowire.Number, v uint64, bs []byte) {
		switch num {
		case 1:
			w.uid = int64(v)
		case 2:
			w.uname = string(bs)
		case 5:
			w.msgType = int64(v)
		case 7:
			w.timestamp = int64(v)
		}
	})
	return w, err
}
