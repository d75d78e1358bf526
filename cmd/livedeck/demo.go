package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/alicebob/miniredis/v2"

	"github.com/livedeck/livedeck/app"
	"github.com/livedeck/livedeck/auth"
	"github.com/livedeck/livedeck/redisx"
)

func cmdDemo(ctx context.Context, args []string) error {
	var (
		cfg    app.Config
		limits rateFlags
	)
	fs := newFlagSet("demo", "Runs the whole product on this machine: an embedded Redis (unless --redis is given) and simulated live rooms.")
	serveFlags(fs, &cfg, &limits)
	rate := 200
	fs.Int(&rate, "rate", "LIVEDECK_DEMO_RATE", 200, "simulated events per second over the demo rooms")
	if err := fs.parse(args); err != nil {
		return err
	}
	limits.apply(&cfg)
	if cfg.RedisURL == "" {
		mr := miniredis.NewMiniRedis()
		if err := mr.StartAddr("127.0.0.1:0"); err != nil {
			return fmt.Errorf("embedded redis: %w", err)
		}
		defer mr.Close()
		cfg.RedisURL = "redis://" + mr.Addr()
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	redisx.RouteLogs(log)
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.SeedDemo(ctx); err != nil {
		return err
	}
	ids := make([]string, len(app.DemoRooms))
	for i, r := range app.DemoRooms {
		ids[i] = r.ID
	}
	ids = append(ids, app.DemoBilibiliRoom.ID)
	logins, err := a.Auth().SeedDemo(ctx, ids)
	if err != nil {
		return err
	}
	ingestToken := ""
	for _, l := range logins {
		if l.Role == auth.Ingest {
			ingestToken = l.Password
		}
	}
	go func() { // a room fed through the Bilibili connector, from a recorded session
		if err := a.DemoBilibili(ctx, ingestToken); err != nil && ctx.Err() == nil {
			log.Error("demo bilibili connector stopped", "err", err)
		}
	}()
	go func() {
		if err := a.Simulate(ctx, rate); err != nil {
			log.Error("demo simulator stopped", "err", err)
		}
	}()
	fmt.Printf("LiveDeck demo running.\n  Console:  http://%s/\n  Metrics:  http://%s/metrics\n", a.Addr(), a.Addr())
	fmt.Print(auth.FormatDemo(logins))
	fmt.Printf("  Views: http://%s/#/operator?rooms=demo-beauty,demo-fashion  /#/host?room=demo-beauty  /#/producer?room=demo-beauty\n  Connector room (Bilibili, through livedeck connect's client): /#/operator?rooms=demo-bilibili\nPress Ctrl-C to stop.\n", a.Addr())
	return a.Run(ctx)
}
