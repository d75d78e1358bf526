package danmaku

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"
)

// Session is a recorded danmaku session: the frames a server sent, with
// the pause before each. A local Server plays it to clients (tests, the
// demo) in place of Bilibili.
type Session struct {
	Frames []SessionFrame
}

// SessionFrame is one recorded websocket message.
type SessionFrame struct {
	AfterMs int64             `json:"after_ms"` // pause after the previous frame
	Ver     uint16            `json:"ver"`      // VerPlain, VerZlib or VerBrotli
	Cmds    []json.RawMessage `json:"cmds"`     // the command objects it carries
}

// LoadSession reads a session as JSON lines, one SessionFrame a line;
// lines starting with # are comments.
func LoadSession(r io.Reader) (*Session, error) {
	s := &Session{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for line := 1; sc.Scan(); line++ {
		if t := bytes.TrimSpace(sc.Bytes()); len(t) == 0 || t[0] == '#' {
			continue
		}
		var f SessionFrame
		if err := json.Unmarshal(sc.Bytes(), &f); err != nil {
			return nil, fmt.Errorf("session line %d: %w", line, err)
		}
		if len(f.Cmds) == 0 || f.AfterMs < 0 || (f.Ver != VerPlain && f.Ver != VerZlib && f.Ver != VerBrotli) {
			return nil, fmt.Errorf("session line %d: want after_ms ≥ 0, ver 0, 2 or 3 and at least one cmd", line)
		}
		s.Frames = append(s.Frames, f)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(s.Frames) == 0 {
		return nil, fmt.Errorf("session: no frames")
	}
	return s, nil
}

// Commands counts the session's command messages.
func (s *Session) Commands() int {
	n := 0
	for _, f := range s.Frames {
		n += len(f.Cmds)
	}
	return n
}

// PlayOptions say how a session is played.
type PlayOptions struct {
	Speed float64 // pace: 1 as recorded, 10 ten times faster; zero or less means as fast as possible
	Loops int     // times to play the session; zero means until ctx ends
	// Sent, if set, is called after each frame is written, with the number
	// of frames written so far.
	Sent func(frames int)
}

// Play sends the session to srv's client(s), waiting for one when none is
// connected. Each command's times are set to the moment it is sent, and
// from the second loop on its ids get a suffix, so a loop is a new stretch
// of the broadcast rather than a redelivery of the first.
func (s *Session) Play(ctx context.Context, srv *Server, opts PlayOptions) error {
	sent := 0
	for loop := 0; opts.Loops <= 0 || loop < opts.Loops; loop++ {
		for _, f := range s.Frames {
			if opts.Speed > 0 && f.AfterMs > 0 {
				t := time.NewTimer(time.Duration(float64(f.AfterMs)/opts.Speed) * time.Millisecond)
				select {
				case <-ctx.Done():
					t.Stop()
					return ctx.Err()
				case <-t.C:
				}
			}
			cmds := make([][]byte, len(f.Cmds))
			for i, c := range f.Cmds {
				cmds[i] = Refresh(c, time.Now(), loop)
			}
			frame, err := CommandFrame(f.Ver, cmds...)
			if err != nil {
				return err
			}
			// A frame written to a connection that then fails is lost, as
			// on the real servers; Play sends it again to the next client
			// only if the write itself failed.
			for {
				err := srv.Send(ctx, frame)
				if err == nil {
					break
				}
				if ctx.Err() != nil {
					return ctx.Err()
				}
			}
			sent++
			if opts.Sent != nil {
				opts.Sent(sent)
			}
		}
	}
	return nil
}

// Refresh returns cmd with its times set to now and, for loop > 0, its ids
// suffixed with "-<loop>", for the commands and fields blivedm documents:
// DANMU_MSG info[0][4] (ms), info[9].ts (s) and id_str inside info[0][15].extra;
// SEND_GIFT data.timestamp, tid, rnd and batch_combo_id; INTERACT_WORD
// data.timestamp and trigger_time (ns). Other commands, and commands that
// do not parse, are returned as they are.
func Refresh(cmd []byte, now time.Time, loop int) []byte {
	dec := json.NewDecoder(bytes.NewReader(cmd))
	dec.UseNumber()
	var m map[string]any
	if dec.Decode(&m) != nil {
		return cmd
	}
	name, _ := m["cmd"].(string)
	if i := bytes.IndexByte([]byte(name), ':'); i >= 0 {
		name = name[:i]
	}
	suffix := ""
	if loop > 0 {
		suffix = "-" + strconv.Itoa(loop)
	}
	sec, ms := json.Number(strconv.FormatInt(now.Unix(), 10)), json.Number(strconv.FormatInt(now.UnixMilli(), 10))
	switch name {
	case "DANMU_MSG":
		info, _ := m["info"].([]any)
		if len(info) == 0 {
			return cmd
		}
		if meta, ok := info[0].([]any); ok {
			if len(meta) > 4 {
				meta[4] = ms
			}
			if len(meta) > 15 {
				if mode, ok := meta[15].(map[string]any); ok {
					mode["extra"] = refreshExtra(mode["extra"], suffix)
				}
			}
		}
		if len(info) > 9 {
			if tsInfo, ok := info[9].(map[string]any); ok {
				tsInfo["ts"] = sec
			}
		}
	case "SEND_GIFT":
		data, _ := m["data"].(map[string]any)
		if data == nil {
			return cmd
		}
		data["timestamp"] = sec
		for _, k := range []string{"tid", "rnd", "batch_combo_id"} {
			if v, ok := data[k].(string); ok && v != "" {
				data[k] = v + suffix
			}
		}
	case "INTERACT_WORD":
		data, _ := m["data"].(map[string]any)
		if data == nil {
			return cmd
		}
		data["timestamp"] = sec
		data["trigger_time"] = json.Number(strconv.FormatInt(now.UnixNano(), 10))
	default:
		return cmd
	}
	out, err := json.Marshal(m)
	if err != nil {
		return cmd
	}
	return out
}

// refreshExtra suffixes id_str in DANMU_MSG's extra, a JSON text.
func refreshExtra(extra any, suffix string) any {
	s, ok := extra.(string)
	if !ok || suffix == "" {
		return extra
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	var e map[string]any
	if dec.Decode(&e) != nil {
		return extra
	}
	if id, ok := e["id_str"].(string); ok && id != "" {
		e["id_str"] = id + suffix
	}
	b, err := json.Marshal(e)
	if err != nil {
		return extra
	}
	return string(b)
}
