//go:build linux

package scale

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// adminToken is the bootstrap admin token of every instance.
const adminToken = "scale-admin-token-0123456789abcdef0123456789"

// buildBinary builds the real livedeck binary (without the race detector:
// only the test's own goroutines need it) into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "livedeck")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/livedeck")
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// instance is one `livedeck serve` process.
type instance struct {
	name   string
	url    string // http://127.0.0.1:port
	logf   string // its stderr
	cmd    *exec.Cmd
	exited chan struct{}
}

// startInstance runs `livedeck serve` on a free loopback port and waits
// until it is ready. Every process is killed when the test ends, pass or
// fail, and dies with the test binary if that is killed (Pdeathsig).
func startInstance(t *testing.T, bin, redisURL, name string) *instance {
	t.Helper()
	for attempt := 0; ; attempt++ {
		in, err := tryInstance(t, bin, redisURL, name, attempt)
		if err == nil {
			return in
		}
		// Another process may take the port between our probe and the
		// server's listen: try another one.
		if attempt < 3 && strings.Contains(err.Error(), "address already in use") {
			continue
		}
		t.Fatalf("instance %s: %v", name, err)
	}
}

func tryInstance(t *testing.T, bin, redisURL, name string, attempt int) (*instance, error) {
	addr := freeAddr(t)
	in := &instance{name: name, url: "http://" + addr, exited: make(chan struct{}),
		logf: filepath.Join(t.TempDir(), fmt.Sprintf("%s-%d.log", name, attempt))}
	logFile, err := os.Create(in.logf)
	if err != nil {
		return nil, err
	}
	in.cmd = exec.Command(bin, "serve", "--redis", redisURL, "--addr", addr, "--instance", name,
		// One address and one token drive every request of the test.
		"--ingest-limit", "100000", "--api-user-limit", "100000", "--api-ip-limit", "100000",
		"--max-ws-per-user", "1000")
	// gctrace: each GC's live heap goes to the log, which measure reads.
	in.cmd.Env = append(cleanEnv(), "LIVEDECK_ADMIN_TOKEN="+adminToken, "GODEBUG=gctrace=1")
	in.cmd.Stdout, in.cmd.Stderr = logFile, logFile
	in.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := in.cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start: %w", err)
	}
	go func() { _ = in.cmd.Wait(); logFile.Close(); close(in.exited) }()
	t.Cleanup(func() {
		in.kill()
		if t.Failed() {
			t.Logf("--- %s log (tail) ---\n%s", name, tail(in.logf, 30))
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-in.exited:
			return nil, fmt.Errorf("exited before ready: %s", tail(in.logf, 10))
		default:
		}
		if status, _, err := get(context.Background(), in.url+"/readyz"); err == nil && status == http.StatusOK {
			return in, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("not ready after 30 s: %s", tail(in.logf, 10))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (in *instance) kill() {
	_ = in.cmd.Process.Signal(syscall.SIGKILL)
	<-in.exited
}

func (in *instance) pid() int { return in.cmd.Process.Pid }

// cleanEnv is the test's environment without LIVEDECK_* variables, so the
// developer's own settings do not leak into the instances.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LIVEDECK_") {
			env = append(env, kv)
		}
	}
	return env
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// logOf is an instance's whole log.
func logOf(in *instance) string {
	b, _ := os.ReadFile(in.logf)
	return string(b)
}

// tail is the last n lines of a log, GC traces left out.
func tail(path string, n int) string {
	b, _ := os.ReadFile(path)
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		if !gcTrace.MatchString(l) {
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// httpClient keeps enough idle connections for one goroutine per room.
var httpClient = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
	MaxIdleConns: 200, MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second}}

// call sends a request as the admin and returns the status and body.
func call(ctx context.Context, method, url, ctype string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+adminToken)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

func get(ctx context.Context, url string) (int, []byte, error) {
	return call(ctx, http.MethodGet, url, "", nil)
}

// must fails the test unless the request answers want.
func must(t *testing.T, want int, method, url, ctype, body string) []byte {
	t.Helper()
	status, b, err := call(context.Background(), method, url, ctype, []byte(body))
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	if status != want {
		t.Fatalf("%s %s: %d %s, want %d", method, url, status, b, want)
	}
	return b
}

// usage is what one instance holds at a moment: from its own /metrics
// (Go runtime and process collectors) and, for Redis connections, its
// established TCP connections to the cluster's ports read from /proc.
type usage struct {
	rooms      float64 // livedeck_live_rooms_owned
	clients    float64 // livedeck_ws_clients, if exported
	goroutines float64
	heapInuse  float64 // bytes
	liveHeap   float64 // bytes marked live by the latest GC (gctrace)
	rss        float64 // bytes
	redisConns int
}

func (u usage) String() string {
	return fmt.Sprintf("rooms %.0f, ws clients %.0f, goroutines %.0f, live heap %.1f MB, heap in use %.1f MiB, RSS %.1f MiB, Redis connections %d",
		u.rooms, u.clients, u.goroutines, u.liveHeap/1e6, u.heapInuse/(1<<20), u.rss/(1<<20), u.redisConns)
}

func measure(t *testing.T, in *instance, redisPorts map[int]bool) usage {
	t.Helper()
	status, body, err := get(context.Background(), in.url+"/metrics")
	if err != nil || status != http.StatusOK {
		t.Fatalf("%s /metrics: %d %v", in.name, status, err)
	}
	m := scrape(body)
	u := usage{rooms: m["livedeck_live_rooms_owned"], clients: m["livedeck_ws_clients"], goroutines: m["go_goroutines"],
		heapInuse: m["go_memstats_heap_inuse_bytes"], rss: m["process_resident_memory_bytes"]}
	if u.redisConns, err = tcpConnsTo(in.pid(), redisPorts); err != nil {
		t.Fatalf("%s: %v", in.name, err)
	}
	u.liveHeap = lastLiveHeap(in.logf)
	return u
}

// gcTrace matches a GODEBUG=gctrace=1 line; its third heap figure is the
// live heap the GC marked, in MB.
var gcTrace = regexp.MustCompile(`^gc \d+ @.* (\d+)->(\d+)->(\d+) MB`)

// lastLiveHeap is the live heap after the newest GC in the log, in bytes.
func lastLiveHeap(logf string) float64 {
	b, _ := os.ReadFile(logf)
	lines := strings.Split(string(b), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if m := gcTrace.FindStringSubmatch(lines[i]); m != nil {
			mb, _ := strconv.ParseFloat(m[3], 64)
			return mb * 1e6
		}
	}
	return 0
}

// scrape reads the unlabelled samples of a Prometheus text exposition.
func scrape(body []byte) map[string]float64 {
	out := map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' || strings.ContainsRune(line, '{') {
			continue
		}
		name, val, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		if f, err := strconv.ParseFloat(strings.Fields(val)[0], 64); err == nil {
			out[name] = f
		}
	}
	return out
}

// tcpConnsTo counts pid's established IPv4 TCP connections whose remote
// port is in ports: its sockets (/proc/pid/fd) matched by inode against
// its network namespace's table (/proc/pid/net/tcp).
func tcpConnsTo(pid int, ports map[int]bool) (int, error) {
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return 0, fmt.Errorf("sockets of %d: %w", pid, err)
	}
	inodes := map[string]bool{}
	for _, fd := range fds {
		l, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
		if err == nil && strings.HasPrefix(l, "socket:[") {
			inodes[strings.TrimSuffix(strings.TrimPrefix(l, "socket:["), "]")] = true
		}
	}
	table, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/tcp", pid))
	if err != nil {
		return 0, fmt.Errorf("tcp table of %d: %w", pid, err)
	}
	n := 0
	for i, line := range strings.Split(string(table), "\n") {
		f := strings.Fields(line)
		if i == 0 || len(f) < 10 {
			continue
		}
		const established = "01"
		_, hexPort, ok := strings.Cut(f[2], ":")
		port, err := strconv.ParseUint(hexPort, 16, 32)
		if !ok || err != nil {
			return 0, errors.New("tcp table: bad remote address " + f[2])
		}
		if f[3] == established && ports[int(port)] && inodes[f[9]] {
			n++
		}
	}
	return n, nil
}
