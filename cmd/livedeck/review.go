package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/live"
	"github.com/livedeck/livedeck/review"
	"github.com/livedeck/livedeck/rules"
)

// cmdReview builds the review (复盘) of a recorded broadcast offline: the
// events are folded as the live metrics fold them and, with --rules, the
// rule set is backtested over them so the review shows what it would have
// fired and how the cues moved the numbers.
func cmdReview(ctx context.Context, args []string) error {
	var events, plan, out, format, roomFile, compare, tz string
	var window int
	fs := newFlagSet("review", "Builds the post-broadcast review (复盘) of a recorded broadcast offline, as HTML, CSV or JSON.")
	fs.String(&events, "events", "", "", "recorded events, one JSON event per line (livedeck export writes them) (required)")
	fs.String(&plan, "rules", "", "", "rule set to backtest over the broadcast for tier changes, cues and alerts (YAML or JSON)")
	fs.String(&out, "out", "", "review.html", "output file; - is standard output")
	fs.String(&format, "format", "", "", "html, csv or json; by default the --out extension decides, html for -")
	fs.String(&roomFile, "room", "", "", "room JSON (id, title, currency, products) for names, prices and starting stock")
	fs.String(&compare, "compare", "", "", "an earlier review as JSON (from --format json or GET …/review) to show side by side")
	fs.String(&tz, "tz", "LIVEDECK_TZ", "Local", "time zone of times in the HTML, e.g. Asia/Shanghai")
	fs.Int(&window, "window", "", review.DefaultWindow, "minutes before and after each cue compared for cue effectiveness (1-60)")
	if err := fs.parse(args); err != nil {
		return err
	}
	if events == "" {
		return fmt.Errorf("review: --events is required")
	}
	if window < 1 || window > 60 {
		return fmt.Errorf("review: --window must be 1 to 60 minutes, got %d", window)
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return fmt.Errorf("review: --tz %q: %w", tz, err)
	}
	if format == "" {
		format = strings.TrimPrefix(filepath.Ext(out), ".")
		if out == "-" {
			format = "html"
		}
	}
	if format != "html" && format != "csv" && format != "json" {
		return fmt.Errorf("review: --format must be html, csv or json, got %q", format)
	}
	room := livedeck.Room{ID: "offline", Currency: "CNY", Status: livedeck.RoomClosed}
	if roomFile != "" {
		if err := readJSON(roomFile, &room); err != nil {
			return err
		}
		room.Status = livedeck.RoomClosed
	}
	var earlier *review.Review
	if compare != "" {
		earlier = &review.Review{}
		if err := readJSON(compare, earlier); err != nil {
			return err
		}
	}
	text, err := live.LoadText("")
	if err != nil {
		return err
	}
	text.Warm()
	b := review.NewBuilder(room, text, window)

	var bt *rules.Backtester
	if plan != "" {
		c, _, err := compileFile(plan)
		if err != nil {
			return err
		}
		bt = rules.NewBacktester(c, loc)
	}
	var orders []livedeck.OrderChange // applied since the last rules step
	n, err := playback(ctx, events, func(ev *livedeck.Event, id string) {
		if o := b.Event(ev, id); o != nil && bt != nil {
			orders = append(orders, *o)
		}
	}, func(now int64) {
		if bt == nil {
			return
		}
		snap := b.Snapshot(now)
		for _, o := range bt.Step(now, &snap, orders) {
			if o.Signal != nil {
				b.Signal(*o.Signal)
			}
		}
		orders = orders[:0]
	})
	if err != nil {
		return err
	}
	return writeReview(b, n, out, format, earlier, loc)
}

func writeReview(b *review.Builder, n int, out, format string, earlier *review.Review, loc *time.Location) error {
	r := b.Build(time.Now().UnixMilli())
	r.Source = "file"
	w, closeOut, err := createOutput(out)
	if err != nil {
		return err
	}
	defer closeOut()
	bw := bufio.NewWriter(w)
	switch format {
	case "csv":
		err = review.WriteCSV(bw, r)
	case "json":
		enc := json.NewEncoder(bw)
		enc.SetIndent("", "  ")
		err = enc.Encode(r)
	default:
		err = review.WriteHTML(bw, r, earlier, loc)
	}
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return fmt.Errorf("review: write %s: %w", out, err)
	}
	fmt.Fprintf(os.Stderr, "review of %d events: GMV %s, %d paid orders, %d cues, %d markers → %s\n",
		n, review.Money(r.Headline.GMV, r.Currency), r.Headline.Orders, len(r.Cues), len(r.Markers), out)
	return nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// createOutput opens path for writing; "-" is standard output.
func createOutput(path string) (io.Writer, func() error, error) {
	if path == "-" {
		return os.Stdout, func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, err
	}
	return f, f.Close, nil
}
