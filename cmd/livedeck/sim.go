package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/livedeck/livedeck"
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
	fs.Duration(&cfg.Oversell, "oversell", "", 0, "show time of a scripted scene in which a product sells 3 units past its stock (0: none; stock never goes below 0 otherwise)")
	var token, record string
	tokenFlag(fs, &token)
	fs.String(&record, "record", "", "", "write one room's show to this JSONL file (and its room to <file>.room.json) instead of sending it: a recorded broadcast for `livedeck review` and `rules backtest`")
	if err := fs.parse(args); err != nil {
		return err
	}
	cfg.Seed = uint64(seed)
	if record != "" {
		return simRecord(cfg, record)
	}
	st, err := sim.Run(ctx, cfg, &sim.HTTPSink{Base: server, Token: token}, os.Stdout)
	if err != nil {
		return err
	}
	if n := st.Failed.Load(); n > 0 {
		return fmt.Errorf("%d batches failed", n)
	}
	return nil
}

// simRecord writes --duration of one simulated show, at --rate events per
// second of show time, ending now.
func simRecord(cfg sim.Config, path string) error {
	if cfg.Duration <= 0 || cfg.Rate <= 0 {
		return fmt.Errorf("sim --record needs a positive --duration and --rate")
	}
	room := sim.Room(cfg.RoomPrefix+"-1", cfg.Seed)
	length := cfg.ShowLength
	if length <= 0 {
		length = cfg.Duration
	}
	show := sim.NewShow(room, sim.ShowConfig{Seed: cfg.Seed, Rate: float64(cfg.Rate), Length: length,
		Start: time.Now().Add(-cfg.Duration).Truncate(time.Minute), Oversell: cfg.Oversell})
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	enc := json.NewEncoder(w)
	total := int(cfg.Duration.Seconds() * float64(cfg.Rate))
	var buf []livedeck.Event
	restocks := 0
	for done := 0; done < total; done += len(buf) {
		buf = show.Next(buf[:0], min(100, total-done))
		for i := range buf {
			if err := enc.Encode(&buf[i]); err != nil {
				return err
			}
		}
		// Restocks as LiveDeck writes them into the stream, after the
		// events they follow.
		for _, r := range show.Restocks() {
			restocks++
			ev := sim.StockEvent(room.ID, r, restocks, buf[len(buf)-1].TS)
			if err := enc.Encode(&ev); err != nil {
				return err
			}
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	rb, _ := json.MarshalIndent(room, "", "  ")
	roomPath := strings.TrimSuffix(path, filepath.Ext(path)) + ".room.json"
	if err := os.WriteFile(roomPath, append(rb, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Printf("wrote %d events of room %s (%s of show time) to %s, the room to %s\n", total, room.ID, cfg.Duration, path, roomPath)
	return nil
}
