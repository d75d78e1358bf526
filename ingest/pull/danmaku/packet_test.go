package danmaku

import (
	"bytes"
	"compress/zlib"
	"encoding/hex"
	"errors"
	"slices"
	"testing"

	"github.com/andybalholm/brotli"
)

func TestAppendPacketLayout(t *testing.T) {
	// A heartbeat as clients send it: length 16, header 16, version 1, op 2, seq 1.
	got := hex.EncodeToString(AppendPacket(nil, Packet{Ver: VerControl, Op: OpHeartbeat, Seq: 1}))
	if want := "00000010" + "0010" + "0001" + "00000002" + "00000001"; got != want {
		t.Fatalf("heartbeat %s, want %s", got, want)
	}
	got = hex.EncodeToString(AppendPacket(nil, Packet{Ver: VerControl, Op: OpAuth, Seq: 1, Body: []byte(`{}`)}))
	if want := "00000012" + "0010" + "0001" + "00000007" + "00000001" + "7b7d"; got != want {
		t.Fatalf("auth %s, want %s", got, want)
	}
}

func mustFrame(t testing.TB, ver uint16, cmds ...string) []byte {
	t.Helper()
	bs := make([][]byte, len(cmds))
	for i, c := range cmds {
		bs[i] = []byte(c)
	}
	f, err := CommandFrame(ver, bs...)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestDecodeFrame(t *testing.T) {
	a, b, c := `{"cmd":"DANMU_MSG","info":[]}`, `{"cmd":"SEND_GIFT","data":{}}`, `{"cmd":"ONLINE_RANK_COUNT:2","data":{"online_count":7}}`
	hb := AppendPacket(nil, Packet{Ver: VerControl, Op: OpHeartbeatReply, Seq: 1, Body: []byte{0, 0, 1, 2}})
	tests := []struct {
		name      string
		frame     []byte
		cmds      []string
		heartbeat bool
		pop       uint32
		auth      string
		err       bool
	}{
		{name: "plain one", frame: mustFrame(t, VerPlain, a), cmds: []string{a}},
		{name: "plain several in one frame", frame: mustFrame(t, VerPlain, a, b, c), cmds: []string{a, b, c}},
		{name: "zlib", frame: mustFrame(t, VerZlib, a, b, c), cmds: []string{a, b, c}},
		{name: "brotli", frame: mustFrame(t, VerBrotli, c, b, a), cmds: []string{c, b, a}},
		{name: "brotli then plain in one frame", frame: append(mustFrame(t, VerBrotli, a, b), mustFrame(t, VerPlain, c)...), cmds: []string{a, b, c}},
		{name: "version 1 command body", frame: AppendPacket(nil, Packet{Ver: VerControl, Op: OpCommand, Body: []byte(a)}), cmds: []string{a}},
		{name: "heartbeat reply", frame: hb, heartbeat: true, pop: 258},
		{name: "heartbeat reply echoing the client body past its length", frame: append(bytes.Clone(hb), "[object Object]"...), heartbeat: true, pop: 258},
		{name: "auth reply", frame: AppendPacket(nil, Packet{Ver: VerControl, Op: OpAuthReply, Body: []byte(`{"code":0}`)}), auth: `{"code":0}`},
		{name: "unknown operation skipped", frame: append(AppendPacket(nil, Packet{Op: 99, Body: []byte("x")}), mustFrame(t, VerPlain, a)...), cmds: []string{a}},
		{name: "unknown version skipped", frame: append(AppendPacket(nil, Packet{Ver: 9, Op: OpCommand, Body: []byte("x")}), mustFrame(t, VerPlain, a)...), cmds: []string{a}},
		{name: "empty command body skipped", frame: AppendPacket(nil, Packet{Op: OpCommand}), cmds: nil},
		{name: "short header", frame: []byte{0, 0, 0, 16, 0, 16}, err: true},
		{name: "length past the frame", frame: mustFrame(t, VerPlain, a)[:20], err: true},
		{name: "header length below 16", frame: func() []byte { f := mustFrame(t, VerPlain, a); f[5] = 8; return f }(), err: true},
		{name: "header length past the packet", frame: func() []byte { f := mustFrame(t, VerPlain, a); f[4] = 1; return f }(), err: true},
		{name: "heartbeat reply too short", frame: AppendPacket(nil, Packet{Op: OpHeartbeatReply, Body: []byte{1}}), err: true},
		{name: "corrupt zlib", frame: AppendPacket(nil, Packet{Ver: VerZlib, Op: OpCommand, Body: []byte("not zlib")}), err: true},
		{name: "corrupt brotli", frame: AppendPacket(nil, Packet{Ver: VerBrotli, Op: OpCommand, Body: []byte{0xff, 0xff, 0xff, 0xff}}), err: true},
		{name: "compressed inside compressed", frame: AppendPacket(nil, Packet{Ver: VerZlib, Op: OpCommand, Body: zlibOf(t, mustFrame(t, VerZlib, a))}), err: true},
		{name: "good packets before a bad one are kept", frame: append(mustFrame(t, VerPlain, a), 0, 0, 0, 99), cmds: []string{a}, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := DecodeFrame(tt.frame)
			if (err != nil) != tt.err || (err != nil && !errors.Is(err, ErrMalformed)) {
				t.Fatalf("err %v, want error %v", err, tt.err)
			}
			var got []string
			for _, c := range f.Commands {
				got = append(got, string(c))
			}
			if !slices.Equal(got, tt.cmds) {
				t.Errorf("commands %q, want %q", got, tt.cmds)
			}
			if f.Heartbeat != tt.heartbeat || f.Popularity != tt.pop || string(f.AuthReply) != tt.auth {
				t.Errorf("heartbeat %v/%d auth %q, want %v/%d %q", f.Heartbeat, f.Popularity, f.AuthReply, tt.heartbeat, tt.pop, tt.auth)
			}
		})
	}
}

// zlibOf is b zlib-compressed.
func zlibOf(t testing.TB, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	w := zlib.NewWriter(&out)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// brotliOf is b brotli-compressed.
func brotliOf(t testing.TB, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	w := brotli.NewWriter(&out)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestDecodeFrameRefusesCompressionBombs(t *testing.T) {
	const limit = 64 << 10
	for _, n := range []int{limit - HeaderLen, limit + 1} {
		inner := AppendPacket(nil, Packet{Op: OpCommand, Body: make([]byte, n-HeaderLen)})
		for ver, body := range map[uint16][]byte{VerZlib: zlibOf(t, inner), VerBrotli: brotliOf(t, inner)} {
			_, err := decodeFrame(AppendPacket(nil, Packet{Ver: ver, Op: OpCommand, Body: body}), limit)
			if got := errors.Is(err, ErrMalformed); got != (n > limit) {
				t.Errorf("version %d, %d bytes inflated: err %v", ver, n, err)
			}
		}
	}
}

func FuzzDecodeFrame(f *testing.F) {
	for _, v := range []uint16{VerPlain, VerZlib, VerBrotli} {
		fr, _ := CommandFrame(v, []byte(`{"cmd":"DANMU_MSG"}`), []byte(`{"cmd":"LIKE_INFO_V3_CLICK"}`))
		f.Add(fr)
	}
	f.Add(AppendPacket(nil, Packet{Ver: VerControl, Op: OpHeartbeatReply, Body: []byte{0, 0, 0, 1}}))
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := DecodeFrame(data)
		if err != nil && !errors.Is(err, ErrMalformed) {
			t.Fatalf("error not ErrMalformed: %v", err)
		}
		total := 0
		for _, c := range fr.Commands {
			if len(c) == 0 {
				t.Fatal("empty command handed on")
			}
			total += len(c)
		}
		if total > MaxFrameBytes+len(data) {
			t.Fatalf("commands of %d bytes from a %d-byte frame", total, len(data))
		}
		// What decodes as commands encodes back to the same commands.
		if err == nil && len(fr.Commands) > 0 {
			again, err := CommandFrame(VerBrotli, fr.Commands...)
			if err != nil {
				t.Fatal(err)
			}
			back, err := DecodeFrame(again)
			if err != nil || len(back.Commands) != len(fr.Commands) {
				t.Fatalf("round trip: %d commands, %v; want %d", len(back.Commands), err, len(fr.Commands))
			}
			for i := range back.Commands {
				if !bytes.Equal(back.Commands[i], fr.Commands[i]) {
					t.Fatalf("round trip changed command %d", i)
				}
			}
		}
	})
}
