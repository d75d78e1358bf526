package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/livedeck/livedeck/ingest/pull"
	"github.com/livedeck/livedeck/ingest/pull/danmaku"
)

// cmdConnect runs a pull connector: connect bilibili ….
func cmdConnect(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "bilibili" {
		return errors.New("usage: livedeck connect bilibili --room-id N --server URL --room R --token T (see livedeck connect bilibili --help)")
	}
	return connectBilibili(ctx, args[1:])
}

func connectBilibili(ctx context.Context, args []string) error {
	var (
		c                   pull.Bilibili
		roomID, metricsAddr string
	)
	fs := newFlagSet("connect bilibili", "Connects to a Bilibili live room's danmaku server and forwards every message, unchanged, to a LiveDeck room's\ningest websocket with format=bilibili, waiting for each acknowledgement. Messages not yet acknowledged are held\nin memory and sent again after a failure; reconnects to both sides with backoff. Stops on Ctrl-C after the held\nmessages are acknowledged (or --drain passes).")
	fs.String(&roomID, "room-id", "LIVEDECK_BILIBILI_ROOM_ID", "", "the Bilibili room number, as in https://live.bilibili.com/N (required; short ids are resolved)")
	fs.String(&c.Forward.Server, "server", "LIVEDECK_SERVER", "http://127.0.0.1:8080", "LiveDeck server base URL")
	fs.String(&c.Forward.Room, "room", "LIVEDECK_ROOM", "", "LiveDeck room to feed (required; must exist)")
	tokenFlag(fs, &c.Forward.Token)
	fs.String(&c.Forward.Source, "source", "LIVEDECK_SOURCE", "bilibili", "source name in LiveDeck (a saved connector of the room, or any name)")
	fs.String(&c.Danmaku.URL, "ws-url", "LIVEDECK_BILIBILI_WS_URL", "", "danmaku websocket URL to use instead of asking Bilibili's web APIs (private deployments, tests)")
	fs.String(&c.Danmaku.Key, "key", "LIVEDECK_BILIBILI_KEY", "", "auth key sent with --ws-url")
	cookie := ""
	fs.String(&cookie, "cookie", "LIVEDECK_BILIBILI_COOKIE", "", "optional browser cookie of a Bilibili account (SESSDATA=…; buvid3=…): without one, names are masked and uids are 0")
	fs.Duration(&c.Danmaku.Heartbeat, "heartbeat", "", 30*time.Second, "heartbeat period")
	fs.Int(&c.Forward.MaxBatch, "batch", "", 200, "most messages per batch")
	fs.Int(&c.Forward.MaxQueue, "queue", "", 10000, "most messages held in memory; reading Bilibili pauses while it is full")
	fs.Duration(&c.Drain, "drain", "", 10*time.Second, "on shutdown, how long to wait for held messages to be acknowledged")
	fs.Duration(&c.Report, "report", "", 30*time.Second, "period of the progress log line (forwarded, retried, reconnects)")
	fs.String(&metricsAddr, "metrics-addr", "LIVEDECK_METRICS_ADDR", "", "serve Prometheus metrics at http://ADDR/metrics (e.g. 127.0.0.1:9464); empty: none")
	if err := fs.parse(args); err != nil {
		return err
	}
	id, err := strconv.ParseInt(roomID, 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("connect bilibili: --room-id %q: want the room's number", roomID)
	}
	if c.Forward.Room == "" {
		return errors.New("connect bilibili: --room is required: the LiveDeck room to feed")
	}
	c.Danmaku.RoomID = id
	c.Danmaku.Bootstrap = &danmaku.Bootstrap{Cookie: cookie}
	c.Log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	c.Registry = reg
	if metricsAddr != "" {
		ln, err := net.Listen("tcp", metricsAddr)
		if err != nil {
			return fmt.Errorf("connect bilibili: --metrics-addr: %w", err)
		}
		srv := &http.Server{Handler: promhttp.HandlerFor(reg, promhttp.HandlerOpts{}), ReadHeaderTimeout: 5 * time.Second}
		go srv.Serve(ln)
		defer srv.Close()
		c.Log.Info("metrics", "url", "http://"+ln.Addr().String()+"/metrics")
	}
	return c.Run(ctx)
}
