package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/livedeck/livedeck/ingest/pull/danmaku"
)

func TestConnectBilibiliFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"connect"}, "usage: livedeck connect bilibili"},
		{[]string{"connect", "douyin"}, "usage: livedeck connect bilibili"},
		{[]string{"connect", "bilibili", "--room", "r"}, "--room-id"},
		{[]string{"connect", "bilibili", "--room-id", "abc", "--room", "r"}, "--room-id"},
		{[]string{"connect", "bilibili", "--room-id", "-3", "--room", "r"}, "--room-id"},
		{[]string{"connect", "bilibili", "--room-id", "5"}, "--room is required"},
		{[]string{"connect", "bilibili", "--room-id", "5", "--room", "r", "--server", "ftp://x"}, "server"},
	}
	for _, tt := range tests {
		err := run(context.Background(), tt.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: %v, want an error about %s", tt.args, err, tt.want)
		}
	}
}

// livedeck connect bilibili --ws-url … forwards a local danmaku server's
// commands to a running LiveDeck, and stops cleanly on cancel.
func TestConnectBilibiliCommand(t *testing.T) {
	base := startCLIApp(t)
	do := func(method, path, body string) string {
		t.Helper()
		return cliDo(t, base, method, path, body)
	}
	do("POST", "/api/v1/rooms", `{"id":"r1","title":"t","currency":"CNY"}`)

	srv := &danmaku.Server{RoomID: 777, Key: "k"}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"connect", "bilibili", "--room-id", "777", "--ws-url", "ws" + strings.TrimPrefix(hs.URL, "http") + "/sub",
			"--key", "k", "--server", base, "--room", "r1", "--token", cliToken, "--report", "-1s"}, io.Discard)
	}()
	frame, _ := danmaku.CommandFrame(danmaku.VerBrotli,
		[]byte(`{"cmd":"DANMU_MSG","info":[[0,1,25,16777215,1764619200123,0,0,"8a1b2c3d",0,0,0,"",0,"{}","{}",{"extra":"{\"content\":\"多少钱\",\"id_str\":\"cli1\"}"}],"多少钱",[42,"viewer"]]}`),
		[]byte(`{"cmd":"SEND_GIFT","data":{"uid":42,"uname":"viewer","giftId":1,"giftName":"小花花","num":1,"total_coin":100,"coin_type":"gold","timestamp":1764619201,"tid":"cli-gift-1"}}`))
	sctx, scancel := context.WithTimeout(ctx, 10*time.Second)
	defer scancel()
	if err := srv.Send(sctx, frame); err != nil {
		t.Fatal(err)
	}
	var snap struct {
		Comments  int64 `json:"comments"`
		GiftValue int64 `json:"gift_value"`
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && (snap.Comments != 1 || snap.GiftValue != 10); time.Sleep(20 * time.Millisecond) {
		_ = json.Unmarshal([]byte(do("GET", "/api/v1/rooms/r1/metrics", "")), &snap)
	}
	if snap.Comments != 1 || snap.GiftValue != 10 {
		t.Fatalf("metrics %+v, want one comment and a gift of 10 fen", snap)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("connect: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("connect did not stop")
	}
}
