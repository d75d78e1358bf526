// Package pull runs LiveDeck's pull connectors: a platform client that
// reads a live room's messages (package danmaku for Bilibili) feeding a
// forwarder that sends them, unchanged, to a LiveDeck room's ingest
// websocket with the platform's ?format= (package forward). The server's
// adapter maps them to events; this side neither parses nor drops them.
package pull

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/livedeck/livedeck/ingest/pull/danmaku"
	"github.com/livedeck/livedeck/ingest/pull/forward"
)

// Bilibili forwards one Bilibili live room to one LiveDeck room.
type Bilibili struct {
	Danmaku danmaku.Config
	Forward forward.Config // Format is set to "bilibili"

	Drain    time.Duration         // on shutdown, how long to wait for held messages to be acknowledged; zero means 10 s
	Report   time.Duration         // period of the progress log line; zero means 30 s, negative none
	Registry prometheus.Registerer // nil: metrics not registered
	Log      *slog.Logger          // nil: no logs
}

// Run forwards until ctx ends, then waits up to Drain for the messages
// held to be acknowledged.
func (b *Bilibili) Run(ctx context.Context) error {
	log := b.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	b.Forward.Format = "bilibili"
	fm, dm := forward.NewMetrics(b.Registry), danmaku.NewMetrics(b.Registry)
	fwd, err := forward.New(b.Forward, fm, log)
	if err != nil {
		return err
	}
	client, err := danmaku.NewClient(b.Danmaku, dm, log)
	if err != nil {
		return err
	}
	fctx, stopFwd := context.WithCancel(context.Background())
	fdone := make(chan error, 1)
	go func() { fdone <- fwd.Run(fctx) }()
	if b.Report >= 0 {
		go report(ctx, log, b.Report, fwd, fm, dm)
	}
	err = client.Run(ctx, func(ctx context.Context, cmd []byte) error {
		err := fwd.Put(ctx, Stamp(cmd, time.Now()))
		if errors.Is(err, forward.ErrNotJSON) {
			log.Warn("bilibili command is not JSON; not forwarded", "body", fmt.Sprintf("%.200q", cmd))
			return nil
		}
		return err
	})
	drain := b.Drain
	if drain <= 0 {
		drain = 10 * time.Second
	}
	dctx, cancel := context.WithTimeout(context.Background(), drain)
	if derr := fwd.Drain(dctx); derr != nil {
		log.Error("stopping with messages not acknowledged by LiveDeck", "err", derr)
	}
	cancel()
	stopFwd()
	<-fdone
	return err
}

// report logs progress every period.
func report(ctx context.Context, log *slog.Logger, period time.Duration, fwd *forward.Forwarder, fm *forward.Metrics, dm *danmaku.Metrics) {
	if period == 0 {
		period = 30 * time.Second
	}
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		log.Info("bilibili connector", "received", value(dm.Commands), "forwarded", value(fm.Forwarded),
			"retried", value(fm.Retried), "pending", fwd.Pending(), "accepted_events", value(fm.Accepted),
			"duplicate_events", value(fm.Duplicates), "rejected", value(fm.Rejected),
			"livedeck_reconnects", value(fm.Reconnects), "bilibili_reconnects", value(dm.Reconnects))
	}
}

// value reads a counter.
func value(c prometheus.Counter) int64 {
	var m dto.Metric
	if c.Write(&m) != nil {
		return 0
	}
	return int64(m.GetCounter().GetValue())
}

// Stamp adds "ld_received_ms" (the time the connector read the message, in
// unix ms) to a command object, as the bilibili adapter expects: messages
// without an id or time of their own (likes, online counts) take their id
// from it, so a batch sent again after a lost acknowledgement counts once.
// Anything but a JSON object is returned as it is.
func Stamp(cmd []byte, at time.Time) []byte {
	body := bytes.TrimSpace(cmd)
	if len(body) < 2 || body[0] != '{' || body[len(body)-1] != '}' {
		return cmd
	}
	inner := bytes.TrimSpace(body[1 : len(body)-1])
	out := make([]byte, 0, len(body)+32)
	out = append(out, body[:len(body)-1]...)
	if len(inner) > 0 {
		out = append(out, ',')
	}
	out = append(out, `"ld_received_ms":`...)
	out = strconv.AppendInt(out, at.UnixMilli(), 10)
	return append(out, '}')
}
