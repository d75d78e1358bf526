// Package danmaku speaks Bilibili's live danmaku websocket protocol as a
// client: it finds a room's server and key, authenticates, keeps the
// connection alive with heartbeats, reconnects, and hands every command
// message (`{"cmd":"DANMU_MSG",…}`) on exactly as the server sent it.
// Mapping commands to LiveDeck events is the bilibili adapter's job
// (ingest/connector); this package does not look inside them.
//
// The protocol facts used here (packet header, versions, operations, auth
// body, heartbeat period, Wbi signature) are those documented by the
// open-source blivedm client and bilibili-API-collect; see
// docs/connectors.md.
package danmaku

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/andybalholm/brotli"
)

// HeaderLen is the size of a packet header.
const HeaderLen = 16

// Protocol versions (header bytes 6–7): how a packet's body is encoded.
const (
	VerPlain   uint16 = 0 // a JSON command
	VerControl uint16 = 1 // heartbeat and auth packets, and what clients send
	VerZlib    uint16 = 2 // zlib-compressed packets
	VerBrotli  uint16 = 3 // brotli-compressed packets
)

// Operations (header bytes 8–11).
const (
	OpHeartbeat      uint32 = 2 // client → server, every 30 s
	OpHeartbeatReply uint32 = 3 // server → client: 4-byte popularity value
	OpCommand        uint32 = 5 // server → client: command messages
	OpAuth           uint32 = 7 // client → server, first packet
	OpAuthReply      uint32 = 8 // server → client: {"code":0} when accepted
)

// MaxFrameBytes bounds what one frame may decompress to, so a hostile or
// broken server cannot exhaust memory.
const MaxFrameBytes = 16 << 20

// Packet is one protocol packet.
type Packet struct {
	Ver  uint16
	Op   uint32
	Seq  uint32
	Body []byte
}

// AppendPacket appends p, header first, to dst.
func AppendPacket(dst []byte, p Packet) []byte {
	var h [HeaderLen]byte
	binary.BigEndian.PutUint32(h[0:], uint32(HeaderLen+len(p.Body)))
	binary.BigEndian.PutUint16(h[4:], HeaderLen)
	binary.BigEndian.PutUint16(h[6:], p.Ver)
	binary.BigEndian.PutUint32(h[8:], p.Op)
	binary.BigEndian.PutUint32(h[12:], p.Seq)
	return append(append(dst, h[:]...), p.Body...)
}

// ErrMalformed is wrapped by every decoding error.
var ErrMalformed = errors.New("malformed danmaku frame")

// Frame is what one websocket message from the server carries.
type Frame struct {
	Commands   [][]byte // command bodies (JSON objects), in order, decompressed
	AuthReply  []byte   // the auth reply body, when the frame holds one
	Heartbeat  bool     // the frame is a heartbeat reply
	Popularity uint32   // the heartbeat reply's value (a legacy metric)

	limit int // most bytes a compressed body may inflate to
}

// DecodeFrame splits one websocket message into its packets, decompressing
// zlib and brotli bodies (whose content is itself one or more packets).
// Unknown operations and versions are skipped.
func DecodeFrame(data []byte) (Frame, error) {
	return decodeFrame(data, MaxFrameBytes)
}

func decodeFrame(data []byte, limit int) (Frame, error) {
	f := Frame{limit: limit}
	err := f.walk(data, 0)
	return f, err
}

// walk reads the packets of data; depth is 1 inside a decompressed body,
// which must hold plain packets only.
func (f *Frame) walk(data []byte, depth int) error {
	for off := 0; off < len(data); {
		p, n, err := readPacket(data[off:])
		if err != nil {
			return fmt.Errorf("%w at offset %d: %w", ErrMalformed, off, err)
		}
		if p.Op == OpHeartbeatReply {
			// The reply's length field counts its 4-byte value only; the
			// server may echo the client's heartbeat body after it.
			if len(p.Body) < 4 {
				return fmt.Errorf("%w: heartbeat reply of %d bytes", ErrMalformed, len(p.Body))
			}
			f.Heartbeat, f.Popularity = true, binary.BigEndian.Uint32(p.Body)
			return nil
		}
		if err := f.packet(p, depth); err != nil {
			return err
		}
		off += n
	}
	return nil
}

func (f *Frame) packet(p Packet, depth int) error {
	switch p.Op {
	case OpAuthReply:
		f.AuthReply = p.Body
		return nil
	case OpCommand:
	default:
		return nil // an operation clients need not act on
	}
	switch p.Ver {
	case VerPlain, VerControl:
		if len(p.Body) > 0 {
			f.Commands = append(f.Commands, p.Body)
		}
		return nil
	case VerZlib, VerBrotli:
		if depth > 0 {
			return fmt.Errorf("%w: compressed packet inside a compressed body", ErrMalformed)
		}
		body, err := decompress(p.Ver, p.Body, f.limit)
		if err != nil {
			return err
		}
		return f.walk(body, depth+1)
	}
	return nil // a version this client does not know: skipped
}

// readPacket reads the packet at the start of data and its length.
func readPacket(data []byte) (Packet, int, error) {
	if len(data) < HeaderLen {
		return Packet{}, 0, fmt.Errorf("%d bytes left, a header needs %d", len(data), HeaderLen)
	}
	n := int(binary.BigEndian.Uint32(data[0:]))
	hl := int(binary.BigEndian.Uint16(data[4:]))
	if hl < HeaderLen || hl > n {
		return Packet{}, 0, fmt.Errorf("header length %d in a packet of %d bytes", hl, n)
	}
	op := binary.BigEndian.Uint32(data[8:])
	if n > len(data) {
		return Packet{}, 0, fmt.Errorf("packet length %d, %d bytes left", n, len(data))
	}
	p := Packet{Ver: binary.BigEndian.Uint16(data[6:]), Op: op, Seq: binary.BigEndian.Uint32(data[12:]), Body: data[hl:n]}
	if op == OpHeartbeatReply {
		p.Body = data[hl:] // the echoed bytes past the length, see walk
	}
	return p, n, nil
}

func decompress(ver uint16, body []byte, limit int) ([]byte, error) {
	var r io.Reader
	if ver == VerZlib {
		zr, err := zlib.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("%w: zlib: %w", ErrMalformed, err)
		}
		defer zr.Close()
		r = zr
	} else {
		r = brotli.NewReader(bytes.NewReader(body))
	}
	out, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("%w: version %d body: %w", ErrMalformed, ver, err)
	}
	if len(out) > limit {
		return nil, fmt.Errorf("%w: body decompresses to more than %d bytes", ErrMalformed, limit)
	}
	return out, nil
}

// CommandFrame builds one server frame carrying cmds: plain packets
// (VerPlain), or those packets compressed into one packet of VerZlib or
// VerBrotli, as the servers send them. Local servers (tests, the demo)
// use it.
func CommandFrame(ver uint16, cmds ...[]byte) ([]byte, error) {
	var plain []byte
	for _, c := range cmds {
		plain = AppendPacket(plain, Packet{Ver: VerPlain, Op: OpCommand, Body: c})
	}
	var buf bytes.Buffer
	var w io.WriteCloser
	switch ver {
	case VerPlain:
		return plain, nil
	case VerZlib:
		w = zlib.NewWriter(&buf)
	case VerBrotli:
		w = brotli.NewWriter(&buf)
	default:
		return nil, fmt.Errorf("danmaku: no command frame of version %d", ver)
	}
	if _, err := w.Write(plain); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return AppendPacket(nil, Packet{Ver: ver, Op: OpCommand, Body: buf.Bytes()}), nil
}
