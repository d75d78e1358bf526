package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// benchmarks are the load generators under `livedeck bench <what>`. Add a
// line per benchmark.
var benchmarks = map[string]func(ctx context.Context, args []string) error{
	"cue":    benchCue,
	"live":   benchLive,
	"replay": benchReplay,
	"ws":     benchWS,
	"ingest": benchIngest,
}

func cmdBench(ctx context.Context, args []string) error {
	names := make([]string, 0, len(benchmarks))
	for n := range benchmarks {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return fmt.Errorf("usage: livedeck bench <%s> [flags]", strings.Join(names, "|"))
	}
	run, ok := benchmarks[args[0]]
	if !ok {
		return fmt.Errorf("unknown benchmark %q (have %s)", args[0], strings.Join(names, ", "))
	}
	return run(ctx, args[1:])
}
