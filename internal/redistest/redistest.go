// Package redistest starts throwaway redis-server processes on free loopback
// ports for tests, so no test ever touches a Redis it did not start. It needs
// redis-server and redis-cli on PATH (.ci/run installs them).
package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Server is one redis-server process.
type Server struct {
	Port int
	dir  string
	args []string
	cmd  *exec.Cmd
}

// Start runs a fresh standalone redis-server for the test and stops it when
// the test ends. Extra arguments are passed to redis-server as they are,
// e.g. "--appendonly", "yes".
func Start(tb testing.TB, extra ...string) *Server {
	tb.Helper()
	s := &Server{Port: freePort(tb), dir: tb.TempDir(), args: extra}
	s.run(tb)
	tb.Cleanup(s.Stop)
	return s
}

// Addr is host:port.
func (s *Server) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.Port) }

// URL is the LiveDeck Redis URL of the server.
func (s *Server) URL() string { return "redis://" + s.Addr() }

// Client returns a client closed when the test ends.
func (s *Server) Client(tb testing.TB) redis.UniversalClient {
	c := redis.NewClient(&redis.Options{Addr: s.Addr()})
	tb.Cleanup(func() { c.Close() })
	return c
}

// Stop kills the server; Restart starts it again on the same port and data dir.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

// Restart starts a stopped server again on the same port.
func (s *Server) Restart(tb testing.TB) {
	tb.Helper()
	s.Stop()
	s.run(tb)
}

func (s *Server) run(tb testing.TB) {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		tb.Fatalf("redis-server not on PATH (apt-get install redis-server): %v", err)
	}
	args := append([]string{
		"--port", strconv.Itoa(s.Port), "--bind", "127.0.0.1", "--dir", s.dir,
		"--save", "", "--daemonize", "no", "--logfile", filepath.Join(s.dir, "redis.log"),
	}, s.args...)
	s.cmd = exec.Command(bin, args...)
	if err := s.cmd.Start(); err != nil {
		tb.Fatalf("start redis-server: %v", err)
	}
	waitPing(tb, s.Addr(), s.dir)
}

func waitPing(tb testing.TB, addr, dir string) {
	tb.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
			tb.Fatalf("redis-server on %s did not answer: %v\n%s", addr, err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func freePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Cluster is a Redis Cluster of masters without replicas.
type Cluster struct {
	Nodes []*Server
}

// StartCluster runs an n-node Redis Cluster (n ≥ 3) on loopback ports with
// slots spread over all nodes, and waits until it reports cluster_state:ok.
// Extra arguments are passed to every node, e.g. "--appendonly", "yes".
func StartCluster(tb testing.TB, n int, extra ...string) *Cluster {
	tb.Helper()
	cl := &Cluster{}
	var addrs []string
	for i := 0; i < n; i++ {
		args := append([]string{"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000"}, extra...)
		s := Start(tb, args...)
		cl.Nodes = append(cl.Nodes, s)
		addrs = append(addrs, s.Addr())
	}
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		tb.Fatalf("redis-cli not on PATH: %v", err)
	}
	args := append([]string{"--cluster", "create"}, addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.Command(cli, args...).CombinedOutput(); err != nil {
		tb.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	cl.WaitOK(tb)
	return cl
}

// WaitOK waits until every node reports cluster_state:ok, e.g. after a
// stopped node was restarted.
func (c *Cluster) WaitOK(tb testing.TB) {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for _, s := range c.Nodes {
		cc := redis.NewClient(&redis.Options{Addr: s.Addr()})
		for {
			info, err := cc.ClusterInfo(context.Background()).Result()
			if err == nil && strings.Contains(info, "cluster_state:ok") {
				break
			}
			if time.Now().After(deadline) {
				cc.Close()
				tb.Fatalf("cluster node %s not ok: %v %s", s.Addr(), err, info)
			}
			time.Sleep(50 * time.Millisecond)
		}
		cc.Close()
	}
}

// NodeFor is the node that serves key's slot.
func (c *Cluster) NodeFor(tb testing.TB, key string) *Server {
	tb.Helper()
	cc := redis.NewClient(&redis.Options{Addr: c.Nodes[0].Addr()})
	defer cc.Close()
	ctx := context.Background()
	slot, err := cc.ClusterKeySlot(ctx, key).Result()
	if err != nil {
		tb.Fatalf("cluster keyslot %s: %v", key, err)
	}
	shards, err := cc.ClusterShards(ctx).Result()
	if err != nil {
		tb.Fatalf("cluster shards: %v", err)
	}
	for _, sh := range shards {
		for _, r := range sh.Slots {
			if r.Start > slot || slot > r.End {
				continue
			}
			for _, n := range sh.Nodes {
				if n.Role != "master" {
					continue
				}
				for _, s := range c.Nodes {
					if s.Addr() == net.JoinHostPort(n.IP, strconv.FormatInt(n.Port, 10)) {
						return s
					}
				}
			}
		}
	}
	tb.Fatalf("no node serves slot %d of %s", slot, key)
	return nil
}

// URL is the LiveDeck cluster URL naming every node as a seed.
func (c *Cluster) URL() string {
	u := "redis+cluster://" + c.Nodes[0].Addr()
	for i, s := range c.Nodes[1:] {
		sep := "&"
		if i == 0 {
			sep = "?"
		}
		u += fmt.Sprintf("%saddr=%s", sep, s.Addr())
	}
	return u
}

// Client returns a cluster client closed when the test ends.
func (c *Cluster) Client(tb testing.TB) redis.UniversalClient {
	var addrs []string
	for _, s := range c.Nodes {
		addrs = append(addrs, s.Addr())
	}
	cc := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs})
	tb.Cleanup(func() { cc.Close() })
	return cc
}
