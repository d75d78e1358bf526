package connector

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// FuzzReaders holds the format readers (fastread.go) to unmarshal, which
// decoded every message before them: whatever the body, each adapter
// decodes it with its reader exactly as without (messages, events, ids,
// errors), and the JSON read inside messages (bilibili's info array and
// its extra text, 抖店's data) gives what the code before the readers
// gave, kept below as the reference.
//
//	go test -run XXX -fuzz '^FuzzReaders$' -fuzztime 60s -fuzzminimizetime 5s ./ingest/connector/
func FuzzReaders(f *testing.F) {
	for _, format := range []string{"bilibili", "douyin-webcast", "tiktok-live", "doudian"} {
		files, _ := filepath.Glob(filepath.Join("testdata", format, "*.json"))
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
			for _, v := range innerValues(b) {
				f.Add(v)
			}
		}
	}
	corpus, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzDecode*", "*"))
	for _, file := range corpus {
		if b, ok := corpusEntry(f, file); ok {
			f.Add(b)
		}
	}
	for _, s := range readerSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		d := &Delivery{Body: body, Room: "r1", Received: time.UnixMilli(1777636800000)}
		s := &Settings{Products: map[string]string{"doudian": "LIP-01"}}
		sameDecode(t, "bilibili", func(fast bool) ([]Message, error) {
			return bilibili{}.decode(d, s, pick(fast, readBiliCmd))
		})
		sameDecode(t, "douyin-webcast", func(fast bool) ([]Message, error) {
			return douyinWebcast{}.decode(d, s, pick(fast, readDyWebMessage))
		})
		sameDecode(t, "tiktok-live", func(fast bool) ([]Message, error) {
			return tiktokLive{}.decode(d, s, pick(fast, readTTMessage))
		})
		sameDecode(t, "doudian", func(fast bool) ([]Message, error) {
			return doudian{}.decode(d, s, pick(fast, readDoudianEnvelope))
		})
		sameInfo(t, body)
		sameExtra(t, body)
		sameDoudianData(t, body)
	})
}

// readerSeeds are shapes the readers leave to unmarshal, or read in a way
// of their own.
var readerSeeds = []string{
	`[{"cmd":"DANMU_MSG","info":5},null,7,"x",{"cmd":"SEND_GIFT","data":null}]`,
	`[{"cmd":"SEND_GIFT","cmd":"INTERACT_WORD","data":{"uid":"12","uid":3,"msg_type":1}}]`,
	`{"c\u006dd":"ONLINE_RANK_COUNT","data":{"online_count":null}}` + "\n" + `{"cmd":"ONLINE_RANK_COUNT","data":{"online_count":"7"}}`,
	`[{"cmd":"DANMU_MSG","info":[[0,1,25,0,1777636795123,"r",0,"c",0,0,0,"",0,"{}","{}",{"extra":5}],"hi",[1,"n"]]}]`,
	`[{"cmd":"DANMU_MSG","info":[[0,1,25,0,1777636795123,"r",0,"c",0,0,0,"",0,"{}","{}",{"extra":"{\"content\":5,\"id_str\":\"x\"}"}],"hi",[1,"n"]]}]`,
	`[{"cmd":"DANMU_MSG","info":[[0,1,25,0,1777636795123,"r",0,"c",0,0,0,"",0,"{}","{}",{"e\u0078tra":"{\"id_str\":\"a\",\"id_str\":null}","extra":"{\"id_str\":\"b\"} x"}],null,[1,null]]}]`,
	`[{"cmd":"DANMU_MSG","info":[[0,1,25,0,1777636795123,"r",0,"c",0,0,0,"",0,"{}","{}",null],"\u4e2d\ud800",[1,"n\u0000"]]}]`,
	"[{\"cmd\":\"DANMU_MSG\",\"info\":[[0,1,25,0,1777636795123,\"r\",0,\"c\",0,0,0,\"\",0,\"{}\",\"{}\",{\"extra\":\"{\\\"id_str\\\":\\\"a\xff\\\"}\"}],\"h\xffi\",[1,\"n\xfe\"]]}]",
	`[{"method":"WebcastChatMessage","payload":null,"common":{"method":"WebcastChatMessage","msgId":1},"user":{"id":2,"nickName":null},"content":"hi"}]`,
	`[{"method":"WebcastGiftMessage","payload":{"gift":5,"user":{"id":"1"}}},{"payload":{"common":{"method":"WebcastLikeMessage"}},"payload":{"count":"3"}}]`,
	`[{"method":"WebcastGiftMessage","payload":{"common":{"msgId":"9"},"user":{"id":"1"},"repeatEnd":1,"gift":{"id":"5","combo":true,"name":null},"groupId":"77"}}]`,
	`[{"event":"chat","data":{"comment":null,"content":"hi","user":{"uniqueId":"a"}}},{"event":"questionNew","data":{"data":{"content":"q?","user":{"userId":"1"}}}}]`,
	`[{"event":"envelope","data":{"envelopeInfo":{"envelopeId":"e1","diamondCount":"3"}}},{"event":"gift","data":{"gift":{"type":1},"repeatEnd":"1","extendedGiftInfo":{"diamond_count":2}}}]`,
	`[{"event":"social","data":{"common":{"displayText":{"key":"pm_mt_guidance_share"}},"user":{"id":5}}},{"event":"like","data":{"count":[1]}}]`,
	`[{"tag":"101","msg_id":"1","data":{"p_id":"9","pay_amount":100}},{"tag":"100","data":"{\"p_id\":1,\"s_ids\":null} "},{"tag":"106","data":"{\"p_id\":1}x"}]`,
	`{"p_id":12,"s_ids":[1,2,3],"pay_amount":"500","pay_time":1777636830}`,
	`{"p_id":12,"s_ids":{},"pay_amount":1.5}`,
	`[[0,1,25,0,1777636795123,"r",0,"c",0,0,0,"",0,"{}","{}",{"extra":"{\"id_str\":\"a\"}","mode":0,"extra":"{\"id_str\":\"b\"}"}],"t",[5,"n"]]`,
	`{"id_str":"abc","content":"hi"}`,
	`"{\"id_str\":\"abc\",\"content\":\"hi\"}"`,
	`[[0,1,25,0,1777636795123,"r",0,"c",0,0,0,"",0,"{}","{}",{"extra":"{\"id_str\":\"z\"}"}],"text",[5,"name"]]`,
	"[[0,1,25,0,1777636795123,\"r\",0,\"c\",0,0,0,\"\",0,\"{}\",\"{}\",{\"extra\":\"{\\\"id_str\\\":\\\"z\xff\xfe\\\"}\"}],\"t\xff\xfet\",[5,\"n\xc3\"]]",
	"[{\"event\":\"chat\",\"data\":{\"comment\":\"a\xff\xfeb\",\"user\":{\"uniqueId\":\"a\xff\xfe\",\"nickname\":\"\xf0\x9f\"}}}]",
}

func pick[T any](fast bool, read func(*msgReader, *T) error) func(*msgReader, *T) error {
	if fast {
		return read
	}
	return nil
}

// sameDecode compares a format's Decode with its reader and without.
func sameDecode(t *testing.T, format string, decode func(fast bool) ([]Message, error)) {
	t.Helper()
	want, wantErr := decode(false)
	got, gotErr := decode(true)
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
		t.Fatalf("%s: error with the reader %v, without %v", format, gotErr, wantErr)
	}
	if len(got) != len(want) {
		t.Fatalf("%s: %d messages with the reader, %d without", format, len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if fmt.Sprint(g.Err) != fmt.Sprint(w.Err) {
			t.Fatalf("%s: message %d: error with the reader %v, without %v", format, i, g.Err, w.Err)
		}
		g.Err, w.Err = nil, nil
		if !reflect.DeepEqual(g, w) {
			t.Fatalf("%s: message %d with the reader:\n%+v\nwithout:\n%+v", format, i, g, w)
		}
	}
}

// refExtraID is how biliDanmaku read id_str before extraID.
func refExtraID(extra string) string {
	var e danmakuExtra
	if extra != "" {
		_ = unmarshal([]byte(extra), &e)
	}
	return e.IDStr
}

// danmakuInfoRef reads info with what readMode and decodeString replaced:
// unmarshaling into struct{Extra string} and a string, and refExtraID.
type danmakuInfoRef struct{ danmakuInfo }

func (d *danmakuInfoRef) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	return d.read(dec, func(d *danmakuInfo, dec *jsontext.Decoder) error {
		var mode struct {
			Extra string `json:"extra"`
		}
		if err := json.UnmarshalDecode(dec, &mode, jsonOpts); err != nil {
			return err
		}
		d.extraID = refExtraID(mode.Extra)
		return nil
	}, func(dec *jsontext.Decoder, s *string) error { return json.UnmarshalDecode(dec, s, jsonOpts) })
}

func sameInfo(t *testing.T, body []byte) {
	var got danmakuInfo
	var want danmakuInfoRef
	gotErr, wantErr := unmarshal(body, &got), unmarshal(body, &want)
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
		t.Fatalf("info: error %v, want %v", gotErr, wantErr)
	}
	if wantErr == nil && got != want.danmakuInfo {
		t.Fatalf("info: %+v, want %+v", got, want.danmakuInfo)
	}
}

func sameExtra(t *testing.T, body []byte) {
	if got, want := extraID(body), refExtraID(string(body)); got != want {
		t.Fatalf("extra text: id %q, want %q", got, want)
	}
	v := jsontext.Value(body)
	var s string
	if v.IsValid(jsontext.AllowInvalidUTF8(true)) && v.Kind() == '"' && unmarshal(v, &s) == nil {
		if got, want := extraIDQuoted(v), refExtraID(s); got != want {
			t.Fatalf("extra string: id %q, want %q", got, want)
		}
	}
}

func sameDoudianData(t *testing.T, body []byte) {
	var got, want doudianData
	gotErr, wantErr := unmarshalDoudianData(body, &got), unmarshal(body, &want)
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || (wantErr == nil && got != want) {
		t.Fatalf("抖店 data: %+v %v, want %+v %v", got, gotErr, want, wantErr)
	}
}

// innerValues are the info arrays, extra strings and data texts of a
// fixture's messages, as seeds of their own.
func innerValues(body []byte) [][]byte {
	var out [][]byte
	dec := jsontext.NewDecoder(bytes.NewReader(body), jsonOpts)
	if dec.PeekKind() == '[' {
		_, _ = dec.ReadToken()
	}
	for dec.PeekKind() == '{' {
		var m struct {
			Info jsontext.Value `json:"info"`
			Data jsontext.Value `json:"data"`
		}
		if json.UnmarshalDecode(dec, &m) != nil {
			break
		}
		if len(m.Info) > 0 {
			out = append(out, m.Info)
			var info, meta []jsontext.Value
			var mode struct {
				Extra jsontext.Value `json:"extra"`
			}
			if json.Unmarshal(m.Info, &info, jsonOpts) == nil && len(info) > 0 &&
				json.Unmarshal(info[0], &meta, jsonOpts) == nil && len(meta) > 15 &&
				json.Unmarshal(meta[15], &mode, jsonOpts) == nil && len(mode.Extra) > 0 {
				out = append(out, mode.Extra)
				var text string
				if json.Unmarshal(mode.Extra, &text) == nil {
					out = append(out, []byte(text))
				}
			}
		}
		var text string
		if len(m.Data) > 0 && json.Unmarshal(m.Data, &text) == nil {
			out = append(out, []byte(text))
		}
	}
	return out
}

// corpusEntry reads a body from a file of a fuzz target's corpus.
func corpusEntry(f *testing.F, file string) ([]byte, bool) {
	b, err := os.ReadFile(file)
	if err != nil {
		f.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, len(b)+1)
	if !sc.Scan() || sc.Text() != "go test fuzz v1" || !sc.Scan() {
		return nil, false
	}
	line := sc.Text()
	if len(line) < len(`[]byte()`) || line[:len(`[]byte(`)] != `[]byte(` {
		return nil, false
	}
	s, err := strconv.Unquote(line[len(`[]byte(`) : len(line)-1])
	return []byte(s), err == nil
}
