package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/livedeck/livedeck/ingest/sim"
)

func cmdSim(ctx context.Context, args []string) error {
	var (
		cfg    sim.Config
		server string
		seed   int
	)
	fs := newFlagSet("sim", "Simulates live broadcasts against a running server: rooms sim-1..N are created if missing, then events are sent at --rate for --duration. A progress line each second, a summary at the end.")
	fs.String(&server, "server", "LIVEDECK_SERVER", "http://127.0.0.1:8080", "LiveDeck server base URL")
	fs.Int(&cfg.Rate, "rate", "", 1000, "events per second over all rooms")
	fs.Int(&cfg.Rooms, "rooms", "", 1, "rooms to broadcast in")
	fs.Duration(&cfg.Duration, "duration", "", 60*time.Second, "how long to send; 0 runs until interrupted")
	fs.Duration(&cfg.ShowLength, "show", "", 0, "length of one show's arc (warm-up, three flash sales, drop-off); 0 means --duration, or 10m")
	fs.Int(&cfg.Batch, "batch", "", 100, "events per request")
	fs.Int(&seed, "seed", "", 1, "random seed: the same seed gives the same shows")
	fs.Float64Var(&cfg.Duplicates, "duplicates", 0, "share of events sent twice (0..1), to exercise idempotency")
	fs.Float64Var(&cfg.OutOfOrder, "out-of-order", 0, "share of events delivered late within a batch (0..1)")
	fs.String(&cfg.RoomPrefix, "prefix", "", "sim", "room id prefix")
	var token string
	tokenFlag(fs, &token)
	if err := fs.parse(args); err != nil {
		return err
	}
	cfg.Seed = uint64(seed)
	st, err := sim.Run(ctx, cfg, &sim.HTTPSink{Base: server, Token: token}, os.Stdout)
	if err != nil {
		return err
	}
	if n := st.Failed.Load(); n > 0 {
		return fmt.Errorf("%d batches failed", n)
	}
	return nil
}
