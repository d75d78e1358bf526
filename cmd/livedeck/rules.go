package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/livedeck/livedeck"
	"github.com/livedeck/livedeck/live"
	"github.com/livedeck/livedeck/rules"
)

// cmdRules is `livedeck rules check|backtest|template`.
func cmdRules(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: livedeck rules check plan.yaml | rules backtest --rules plan.yaml --events show.jsonl | rules template")
	}
	switch args[0] {
	case "check":
		return rulesCheck(args[1:])
	case "backtest":
		return rulesBacktest(ctx, args[1:])
	case "template":
		_, err := os.Stdout.Write(rules.Playbook())
		return err
	}
	return fmt.Errorf("unknown rules command %q (check, backtest, template)", args[0])
}

func compileFile(path string) (*rules.Compiled, rules.Problems, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	rs, err := rules.Parse(b)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	c, probs := rules.Compile(rs, rules.DefaultBanned)
	if c == nil {
		return nil, probs, fmt.Errorf("%s: %d errors", path, len(probs.Errors()))
	}
	return c, probs, nil
}

// rulesCheck validates a rule file offline: errors exit non-zero, warnings
// are printed, each as file:line: level: problem.
func rulesCheck(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: livedeck rules check plan.yaml")
	}
	c, probs, err := compileFile(args[0])
	for _, p := range probs {
		level := "error"
		if p.Warning {
			level = "warning"
		}
		at := args[0]
		if p.Source > 0 {
			at = fmt.Sprintf("%s:%d", args[0], p.Source)
		}
		fmt.Fprintf(os.Stderr, "%s: %s: %s\n", at, level, p.Text())
	}
	if err != nil {
		return err
	}
	fmt.Printf("%s: %d rules OK\n", args[0], len(c.Set.Rules))
	return nil
}

// rulesBacktest folds a recorded broadcast (JSONL of events, as `livedeck
// export` writes) with the live metrics fold and evaluates the rule set once
// per second of event time, printing what would have fired and when.
func rulesBacktest(ctx context.Context, args []string) error {
	var plan, events string
	fs := newFlagSet("rules backtest", "Replays a recorded broadcast through a rule set as fast as possible, with no side effects, and lists what would have fired.")
	fs.String(&plan, "rules", "", "", "rule set file (YAML or JSON)")
	fs.String(&events, "events", "", "", "recorded events, one JSON event per line")
	if err := fs.parse(args); err != nil {
		return err
	}
	if plan == "" || events == "" {
		return fmt.Errorf("rules backtest: --rules and --events are required")
	}
	c, _, err := compileFile(plan)
	if err != nil {
		return err
	}
	f, err := os.Open(events)
	if err != nil {
		return err
	}
	defer f.Close()
	text, err := live.LoadText("")
	if err != nil {
		return err
	}
	text.Warm()
	bt := rules.NewBacktester(c, time.Local)
	st := live.NewState("backtest", nil)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var (
		line, n  int
		nextTick int64
		orders   []livedeck.OrderChange
		fired    int
	)
	step := func(now int64) {
		snap := st.Snapshot(now)
		for _, o := range bt.Step(now, &snap, orders) {
			fired++
			fmt.Printf("%s  %-8s %-20s %s\n", time.UnixMilli(o.At).Format("15:04:05"), o.Kind, o.Rule, o.Detail)
		}
		orders = orders[:0]
	}
	for sc.Scan() {
		line++
		if ctx.Err() != nil {
			return ctx.Err()
		}
		raw := strings.TrimSpace(sc.Text())
		if raw == "" {
			continue
		}
		var ev livedeck.Event
		if err := json.Unmarshal([]byte(raw), &ev); err != nil {
			return fmt.Errorf("%s:%d: %w", events, line, err)
		}
		if nextTick == 0 {
			nextTick = ev.TS - ev.TS%1000 + 1000
		}
		for ev.TS >= nextTick { // evaluate once per second of event time, as the live engine ticks
			step(nextTick)
			nextTick += 1000
		}
		n++
		out := st.Fold(&ev, fmt.Sprintf("%d-%d", ev.TS, n), text)
		if o := out.Order(); o != nil {
			orders = append(orders, *o)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	step(nextTick)
	fmt.Printf("%d events, %d outcomes\n", n, fired)
	return nil
}
