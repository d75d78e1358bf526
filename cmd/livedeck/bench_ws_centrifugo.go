package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/gorilla/websocket"
)

// Centrifugo as the server `bench ws --target centrifugo` measures, at its
// defaults: websocket endpoint, Redis key prefix.
const (
	centrifugoPath   = "/connection/websocket"
	centrifugoPrefix = "centrifugo"
)

var centrifugoPong = []byte(`{}`)

// centrifugoJoin connects anonymously and subscribes to the room's
// channel (two commands in one frame of the JSON protocol), then reads
// until both are answered.
func centrifugoJoin(conn *websocket.Conn, room string) error {
	_ = conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	cmds := `{"id":1,"connect":{}}` + "\n" + `{"id":2,"subscribe":{"channel":` + strconv.Quote(room) + `}}`
	if err := conn.WriteMessage(websocket.TextMessage, []byte(cmds)); err != nil {
		return err
	}
	_ = conn.SetWriteDeadline(time.Time{})
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	defer conn.SetReadDeadline(time.Time{})
	for answered := 0; answered < 2; {
		_, frame, err := conn.ReadMessage()
		if err != nil {
			return err
		}
		for line := range bytes.SplitSeq(frame, []byte{'\n'}) {
			var r struct {
				ID    uint32          `json:"id"`
				Error json.RawMessage `json:"error"`
			}
			if json.Unmarshal(line, &r) != nil || r.ID == 0 {
				continue // a ping or a push
			}
			if r.Error != nil {
				return fmt.Errorf("centrifugo command %d: %s", r.ID, r.Error)
			}
			answered++
		}
	}
	return nil
}

// centrifugoPings counts the pings ({}) in a frame.
func centrifugoPings(frame []byte) int {
	n := 0
	for line := range bytes.SplitSeq(frame, []byte{'\n'}) {
		if bytes.Equal(line, centrifugoPong) {
			n++
		}
	}
	return n
}

// centrifugoChannel is the Redis PUB/SUB channel Centrifugo's Redis broker
// (non-cluster, no sharded PUB/SUB) uses for a client channel.
func centrifugoChannel(ch string) string { return centrifugoPrefix + ".client." + ch }

// centrifugoPublication encodes a Publication of Centrifugo's protocol
// (protobuf: data is field 4, time field 9) as its Redis broker publishes
// one to a channel without history.
func centrifugoPublication(data []byte, atMs int64) []byte {
	b := make([]byte, 0, len(data)+20)
	b = append(b, 4<<3|2) // field 4, length-delimited
	b = binary.AppendUvarint(b, uint64(len(data)))
	b = append(b, data...)
	b = append(b, 9<<3) // field 9, varint (wire type 0)
	return binary.AppendUvarint(b, uint64(atMs))
}
