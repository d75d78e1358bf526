package app

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/ingest/pull"
	"github.com/livedeck/livedeck/ingest/pull/danmaku"
	"github.com/livedeck/livedeck/ingest/pull/forward"
)

// DemoBilibiliRoom is the demo room fed through a real connector path: a
// recorded Bilibili danmaku session played by a local protocol server,
// read by the danmaku client, forwarded through the ingest websocket with
// format=bilibili.
var DemoBilibiliRoom = livedeck.Room{ID: "demo-bilibili", Title: "B站 数码专场 Bilibili earbuds night", Currency: "CNY",
	Products: []livedeck.Product{
		{SKU: "earbuds-01", Name: "降噪耳机 ANC earbuds", Price: 49900, Stock: 200},
		{SKU: "case-02", Name: "充电仓 Charging case", Price: 9900, Stock: 300},
	}}

// demoBilibiliRoomID is the Bilibili room number the session was recorded in.
const demoBilibiliRoomID = 21452505

//go:embed demo_bilibili.jsonl
var demoBilibiliJSONL []byte

// DemoBilibiliSession is the recorded session the demo plays.
func DemoBilibiliSession() (*danmaku.Session, error) {
	return danmaku.LoadSession(bytes.NewReader(demoBilibiliJSONL))
}

// DemoBilibili creates the Bilibili demo room if missing, then plays the
// recorded session in a loop on a local danmaku server and runs the
// Bilibili connector against it, forwarding to this app with token (of
// role ingest), until ctx ends.
func (a *App) DemoBilibili(ctx context.Context, token string) error {
	if _, err := a.ingest.Rooms().Get(ctx, DemoBilibiliRoom.ID); err != nil {
		if _, err := a.ingest.Rooms().Create(ctx, DemoBilibiliRoom); err != nil && livedeck.ErrorCode(err) != livedeck.ECONFLICT {
			return fmt.Errorf("demo room %s: %w", DemoBilibiliRoom.ID, err)
		}
	}
	session, err := DemoBilibiliSession()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("demo danmaku server: %w", err)
	}
	srv := &danmaku.Server{RoomID: demoBilibiliRoomID, Key: "demo-key"}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln)
	defer hs.Close()
	go func() {
		if err := session.Play(ctx, srv, danmaku.PlayOptions{Speed: 1}); err != nil && ctx.Err() == nil {
			a.log.Error("demo danmaku session stopped", "err", err)
		}
	}()
	c := pull.Bilibili{
		Danmaku: danmaku.Config{RoomID: demoBilibiliRoomID, URL: "ws://" + ln.Addr().String() + "/sub", Key: "demo-key"},
		Forward: forward.Config{Server: "http://" + a.Addr(), Room: DemoBilibiliRoom.ID, Source: "bilibili", Token: token},
		Report:  -1,
		Log:     a.log,
	}
	return c.Run(ctx)
}
