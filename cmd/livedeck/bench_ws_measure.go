package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// wsResult is one `bench ws` run's figures, as --json writes them.
type wsResult struct {
	Delivered        int64   `json:"delivered"`
	Expected         int64   `json:"expected"`
	P50ms            float64 `json:"p50_ms"`
	P99ms            float64 `json:"p99_ms"`
	MaxMs            float64 `json:"max_ms"`
	CPUPercent       float64 `json:"server_cpu_percent"`
	CPUPerMsgUs      float64 `json:"server_cpu_us_per_msg"`
	HeapStacksKB     float64 `json:"heap_stacks_kb_per_conn"`
	HeapStacksGCKB   float64 `json:"heap_stacks_gc_kb_per_conn"` // with --gc-url
	RSSKB            float64 `json:"rss_kb_per_conn"`
	ClientCPUPercent float64 `json:"client_cpu_percent"`
}

func msOf(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// sample reads the server's /metrics, with its resident set from
// /proc/<pid>/status when --pid is set.
func (b *wsBench) sample() (map[string]float64, error) {
	m, err := scrape(b.server)
	if err != nil || b.pid == 0 {
		return m, err
	}
	rss, err := vmRSS(b.pid)
	if err != nil {
		return nil, err
	}
	m["process_resident_memory_bytes"] = rss
	return m, nil
}

// quiet waits until the server allocates next to nothing (at most a
// minute) and returns the sample the memory per connection starts from: a
// LiveDeck server loads its keyword dictionary (~200 MB allocated) in the
// background after it starts.
func (b *wsBench) quiet(ctx context.Context) (map[string]float64, error) {
	const quietRate = 1 << 20 // bytes allocated per second
	start := time.Now()
	prev, err := b.sample()
	for calm := 0; err == nil && calm < 2 && time.Since(start) < time.Minute; {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
		var cur map[string]float64
		if cur, err = b.sample(); err == nil {
			calm++
			if cur["go_memstats_alloc_bytes_total"]-prev["go_memstats_alloc_bytes_total"] > quietRate/2 {
				calm = 0
			}
			prev = cur
		}
	}
	if err == nil && time.Since(start) > 2*time.Second {
		fmt.Printf("bench ws: waited %s for the server to settle after start-up\n", time.Since(start).Round(100*time.Millisecond))
	}
	if err != nil || b.gcURL == "" {
		return prev, err
	}
	return b.collected()
}

// collected samples the server right after a garbage collection it runs
// when asked at --gc-url.
func (b *wsBench) collected() (map[string]float64, error) {
	resp, err := http.Get(b.gcURL)
	if err != nil {
		return nil, fmt.Errorf("bench ws: --gc-url: %w", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("bench ws: --gc-url: %s", resp.Status)
	}
	return b.sample()
}

// reportMemory prints the server's memory growth per connected client and
// returns its resident set and Go heap+stacks in KB. Both LiveDeck and
// Centrifugo export the Go runtime's go_memstats_*.
func (b *wsBench) reportMemory(when string, base, idle map[string]float64) (rss, heapStacks float64) {
	n := float64(b.clients)
	per := func(names ...string) float64 {
		d := 0.0
		for _, name := range names {
			d += idle[name] - base[name]
		}
		return d / n / 1024
	}
	rss, heapStacks = per("process_resident_memory_bytes"), per("go_memstats_heap_inuse_bytes", "go_memstats_stack_inuse_bytes")
	if when == "" {
		when = "after " + b.settle.String() + " idle"
	}
	fmt.Printf("server per idle connection, %s: %.1f KB resident, %.1f KB Go heap+stacks (heap %.1f, stacks %.1f); goroutines +%.0f\n",
		when, rss, heapStacks, per("go_memstats_heap_inuse_bytes"), per("go_memstats_stack_inuse_bytes"),
		idle["go_goroutines"]-base["go_goroutines"])
	return rss, heapStacks
}

// serverCPU is the server's CPU time in seconds so far.
func (b *wsBench) serverCPU() (float64, error) {
	if b.pid == 0 {
		m, err := scrape(b.server)
		if err != nil {
			return 0, err
		}
		v, ok := m["process_cpu_seconds_total"]
		if !ok {
			return 0, errors.New("no process_cpu_seconds_total in /metrics; pass --pid")
		}
		return v, nil
	}
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", b.pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name (which may hold spaces): state is
	// field 3, utime 14, stime 15, in clock ticks (100 per second).
	f := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: too short", b.pid)
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100, nil
}

// vmRSS is a process's resident set in bytes, from /proc/<pid>/status.
func vmRSS(pid int) (float64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			if err != nil {
				return 0, fmt.Errorf("/proc/%d/status: VmRSS %q", pid, v)
			}
			return kb * 1024, nil
		}
	}
	return 0, fmt.Errorf("/proc/%d/status: no VmRSS", pid)
}

// scrape reads the unlabelled samples of a server's /metrics.
func scrape(server string) (map[string]float64, error) {
	resp, err := http.Get(strings.TrimSuffix(server, "/") + "/metrics")
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", server, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("scrape %s/metrics: %s", server, resp.Status)
	}
	m := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), " ")
		if !ok || strings.HasPrefix(name, "#") || strings.Contains(name, "{") {
			continue
		}
		if v, err := strconv.ParseFloat(val, 64); err == nil {
			m[name] = v
		}
	}
	return m, sc.Err()
}
