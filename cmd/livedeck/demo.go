package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/alicebob/miniredis/v2"

	"github.com/livedeck/livedeck/app"
	"github.com/livedeck/livedeck/auth"
	"github.com/livedeck/livedeck/redisx"
)

func cmdDemo(ctx context.Context, args []string) error {
	return runDemo(ctx, args, os.Stdout)
}

// runDemo is the demo, printing its addresses, logins, admin token and
// links to out.
func runDemo(ctx context.Context, args []string, out io.Writer) error {
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
	// The admin API token: LIVEDECK_ADMIN_TOKEN(_FILE) when set, else a new
	// random one, printed so the API can be tried at once.
	if err := auth.SecretsFromEnv(&cfg.Auth, os.Getenv); err != nil {
		return err
	}
	tokenFromEnv := cfg.Auth.AdminToken != ""
	if !tokenFromEnv {
		b := make([]byte, 24)
		if _, err := rand.Read(b); err != nil {
			return fmt.Errorf("demo admin token: %w", err)
		}
		cfg.Auth.AdminToken = "demo-admin-" + hex.EncodeToString(b)
	}
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
	// A host link for the OBS overlay: OBS's browser source cannot sign in.
	obs, err := a.Auth().CreateHostLink(ctx, nil, "demo-beauty", auth.NewHostLink{Name: "demo OBS overlay"})
	if err != nil {
		return fmt.Errorf("demo OBS host link: %w", err)
	}
	fmt.Fprint(out, demoBanner("http://"+a.Addr(), cfg.Auth.AdminToken, tokenFromEnv, obs.Secret, auth.FormatDemo(logins)))
	return a.Run(ctx)
}

// demoBanner is what the demo prints: where it runs, the logins, the admin
// API token with a curl line that works as printed, and a link to every
// view (the OBS overlay's with its own host key).
func demoBanner(base, adminToken string, tokenFromEnv bool, obsKey, logins string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "LiveDeck demo running.\n  Console:  %s/\n  Metrics:  %s/metrics\n", base, base)
	b.WriteString(logins)
	if tokenFromEnv {
		b.WriteString("  Admin API token: the one in LIVEDECK_ADMIN_TOKEN(_FILE). Try the API:\n")
		fmt.Fprintf(&b, "    curl -H \"Authorization: Bearer $LIVEDECK_ADMIN_TOKEN\" %s/api/v1/rooms\n", base)
	} else {
		fmt.Fprintf(&b, "  Admin API token (new each run; set LIVEDECK_ADMIN_TOKEN to choose one): %s\n  Try the API:\n", adminToken)
		fmt.Fprintf(&b, "    curl -H 'Authorization: Bearer %s' %s/api/v1/rooms\n", adminToken, base)
	}
	b.WriteString("  Views (sign in with a login above):\n")
	for _, v := range [][2]string{
		{"Operator dashboard", "/#/operator?rooms=demo-beauty,demo-fashion"},
		{"Host cues", "/#/host?room=demo-beauty"},
		{"Big screen", "/#/wall?rooms=demo-beauty,demo-fashion"},
		{"Rules (producer)", "/#/producer?room=demo-beauty"},
		{"Review", "/#/review?room=demo-beauty"},
		{"Connectors (admin)", "/#/connectors?room=demo-bilibili"},
		{"Connector room", "/#/operator?rooms=demo-bilibili"},
	} {
		fmt.Fprintf(&b, "    %-19s %s%s\n", v[0], base, v[1])
	}
	fmt.Fprintf(&b, "  OBS overlay (a 1920x1080 browser source; its key signs in as demo-beauty's host):\n    %s/#/host?room=demo-beauty&transparent=1&key=%s\n", base, obsKey)
	b.WriteString("Press Ctrl-C to stop.\n")
	return b.String()
}
