package main

import (
	"context"
	"fmt"
	"os"
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
	text, err := live.LoadText("")
	if err != nil {
		return err
	}
	text.Warm()
	bt := rules.NewBacktester(c, time.Local)
	st := live.NewState("backtest", nil)
	var (
		orders []livedeck.OrderChange
		fired  int
	)
	n, err := playback(ctx, events, func(ev *livedeck.Event, id string) {
		if o := st.Fold(ev, id, text).Order(); o != nil {
			orders = append(orders, *o)
		}
	}, func(now int64) {
		snap := st.Snapshot(now)
		for _, o := range bt.Step(now, &snap, orders) {
			fired++
			fmt.Printf("%s  %-8s %-20s %s\n", time.UnixMilli(o.At).Format("15:04:05"), o.Kind, o.Rule, o.Detail)
		}
		orders = orders[:0]
	})
	if err != nil {
		return err
	}
	fmt.Printf("%d events, %d outcomes\n", n, fired)
	return nil
}
