// Command livedeck is LiveDeck's single binary: the server, the demo, and the
// tools around them (simulator, replay, rule checks, benchmarks).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string) error
}

// commands lists every subcommand in the order --help shows them.
var commands = []command{
	{"serve", "run the production server against Redis (standalone or Cluster)", cmdServe},
	{"demo", "run the whole product on this machine: embedded Redis, simulated live rooms", cmdDemo},
	{"sim", "simulate live broadcasts against a running server (--rate, --rooms, --duration, --seed)", cmdSim},
	{"connect", "pull connector: connect bilibili --room-id N --room R forwards a Bilibili live room's messages", cmdConnect},
	{"connectors", "connectors dead-letters --room R [--source S] [--replay]: list or replay messages that failed mapping", cmdConnectors},
	{"export", "write a room's event stream as JSONL", cmdExport},
	{"replay", "play a JSONL file of events into a room at --speed times real time", cmdReplay},
	{"rules", "rules check plan.yaml | rules backtest --rules plan.yaml --events show.jsonl | rules template", cmdRules},
	{"review", "build a recorded broadcast's review (复盘) offline: review --events show.jsonl --rules plan.yaml --out review.html", cmdReview},
	{"bench", "load generators: bench ingest | live | replay; figures go to docs/benchmarks.md", cmdBench},
	{"health", "check a running server's readiness (container health checks)", cmdHealth},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "livedeck:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(out)
		return nil
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(ctx, args[1:])
		}
	}
	usage(os.Stderr)
	return fmt.Errorf("unknown command %q", args[0])
}

func usage(w io.Writer) {
	fmt.Fprint(w, "LiveDeck — real-time control console for live-stream commerce (直播带货中控台)\n\nUsage:\n  livedeck <command> [flags]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nRun 'livedeck <command> --help' for a command's flags. Every flag can also be set\nthrough the LIVEDECK_* environment variable named in its help.\n")
}
