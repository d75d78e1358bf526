package danmaku

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

const sessionText = `# a comment
{"after_ms":0,"ver":0,"cmds":[{"cmd":"DANMU_MSG:4:0:2:2:2:0","info":[[0,1,25,16777215,1777636795123,0,0,"8a1b2c3d",0,0,0,"",0,"{}","{}",{"extra":"{\"content\":\"hi\",\"id_str\":\"abc\"}"}],"hi",[1,"a"],[],[],["",""],0,0,null,{"ts":1777636795,"ct":"X"}]}]}

{"after_ms":10,"ver":3,"cmds":[{"cmd":"SEND_GIFT","data":{"tid":"17776367981","rnd":"99","batch_combo_id":"b:1","timestamp":1777636798,"num":1,"big":12345678901234567890}},{"cmd":"INTERACT_WORD","data":{"msg_type":1,"timestamp":1777636799,"trigger_time":1777636799000000001}}]}
{"after_ms":10,"ver":2,"cmds":[{"cmd":"ONLINE_RANK_COUNT","data":{"online_count":5}}]}
`

func TestLoadSession(t *testing.T) {
	s, err := LoadSession(strings.NewReader(sessionText))
	if err != nil || len(s.Frames) != 3 || s.Commands() != 4 {
		t.Fatalf("%v %+v", err, s)
	}
	for _, bad := range []string{"", "# only a comment\n", `{"after_ms":0,"ver":1,"cmds":[{}]}`, `{"after_ms":-1,"ver":0,"cmds":[{}]}`, `{"after_ms":0,"ver":0,"cmds":[]}`, `{"after_ms":`} {
		if _, err := LoadSession(strings.NewReader(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestRefresh(t *testing.T) {
	s, _ := LoadSession(strings.NewReader(sessionText))
	now := time.UnixMilli(1800000000123)
	get := func(b []byte) map[string]any {
		var m map[string]any
		d := json.NewDecoder(strings.NewReader(string(b)))
		d.UseNumber()
		if err := d.Decode(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	for loop, suffix := range []string{"", "-1", "-2"} {
		dm := get(Refresh(s.Frames[0].Cmds[0], now, loop))
		info := dm["info"].([]any)
		meta := info[0].([]any)
		var extra map[string]any
		_ = json.Unmarshal([]byte(meta[15].(map[string]any)["extra"].(string)), &extra)
		if meta[4] != json.Number("1800000000123") || info[9].(map[string]any)["ts"] != json.Number("1800000000") || extra["id_str"] != "abc"+suffix || extra["content"] != "hi" {
			t.Errorf("loop %d DANMU_MSG: %v %v %v", loop, meta[4], info[9], extra)
		}
		g := get(Refresh(s.Frames[1].Cmds[0], now, loop))["data"].(map[string]any)
		if g["tid"] != "17776367981"+suffix || g["rnd"] != "99"+suffix || g["batch_combo_id"] != "b:1"+suffix || g["timestamp"] != json.Number("1800000000") || g["big"] != json.Number("12345678901234567890") {
			t.Errorf("loop %d SEND_GIFT: %v", loop, g)
		}
		w := get(Refresh(s.Frames[1].Cmds[1], now, loop))["data"].(map[string]any)
		if w["timestamp"] != json.Number("1800000000") || w["trigger_time"] != json.Number("1800000000123000000") {
			t.Errorf("loop %d INTERACT_WORD: %v", loop, w)
		}
	}
	if got := Refresh(s.Frames[2].Cmds[0], now, 3); string(got) != string(s.Frames[2].Cmds[0]) {
		t.Errorf("ONLINE_RANK_COUNT changed: %s", got)
	}
	if got := Refresh([]byte(`not json`), now, 1); string(got) != "not json" {
		t.Errorf("bad JSON changed: %s", got)
	}
}

// Play loops the session to the client, each frame once per loop.
func TestPlaySession(t *testing.T) {
	s, _ := LoadSession(strings.NewReader(sessionText))
	srv := &Server{}
	var col collector
	runClient(t, Config{RoomID: 1, URL: localServer(t, srv)}, col.handle)
	sent := 0
	if err := s.Play(context.Background(), srv, PlayOptions{Speed: 10, Loops: 2, Sent: func(n int) { sent = n }}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "8 commands", func() bool { return len(col.got()) == 8 })
	if sent != 6 || !strings.Contains(col.got()[4], `abc-1`) {
		t.Fatalf("sent %d frames; second loop's first command %s", sent, col.got()[4])
	}
}
