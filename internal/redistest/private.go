package redistest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// Server is one private redis-server process of a test: a cluster node, a
// Sentinel set's master or replica, or a Sentinel. A test may stop and
// start it again on the same port and data directory.
type Server struct {
	t    testing.TB
	bin  string
	port int
	dir  string
	args []string // after --port
	cmd  *exec.Cmd
	done chan struct{}
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

func newServer(t testing.TB, port int, args ...string) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("redistest: redis-server not on PATH: %v", err)
	}
	s := &Server{t: t, bin: bin, port: port, dir: t.TempDir(), args: args}
	s.Start()
	t.Cleanup(s.Kill)
	return s
}

// Start starts the server (again) and waits until it answers PING.
func (s *Server) Start() {
	s.t.Helper()
	args := append([]string{}, s.args...)
	if len(args) == 0 || !strings.HasSuffix(args[0], ".conf") {
		args = append([]string{"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1", "--dir", s.dir,
			"--daemonize", "no", "--loglevel", "warning"}, args...)
	}
	s.cmd = exec.Command(s.bin, args...)
	s.cmd.Dir = s.dir
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := startDrained(s.cmd); err != nil {
		s.t.Fatalf("redistest: start redis-server on %d: %v", s.port, err)
	}
	s.done = make(chan struct{})
	go waitServer(s.cmd, s.done)
	if err := waitPing(s.Addr(), 10*time.Second); err != nil {
		s.t.Fatalf("redistest: %v", err)
	}
}

// waitServer waits for a private server's process. (A named function:
// goleak ignore lists name it, see Goroutines.)
func waitServer(cmd *exec.Cmd, done chan struct{}) {
	_ = cmd.Wait()
	close(done)
}

// Stop shuts the server down with SIGTERM (with AOF on it writes the file
// first) and waits until it exited.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	<-s.done
	s.cmd = nil
}

// Kill ends the server with SIGKILL, if it runs.
func (s *Server) Kill() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.done
	s.cmd = nil
}

// Cluster is a private Redis Cluster of three masters (no replicas) whose
// nodes a test may restart; StartCluster makes one.
type Cluster struct {
	Nodes []*Server
}

// StartCluster starts a private 3-master Redis Cluster on loopback ports,
// each node with its own data directory; with appendOnly each runs AOF
// (appendfsync everysec), so a node restarted with Stop and Start keeps
// what it had acknowledged. It costs about a second: tests that only need
// a cluster use the shared one (NewCluster).
func StartCluster(t testing.TB, appendOnly bool) *Cluster {
	t.Helper()
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		t.Fatalf("redistest: redis-cli not on PATH: %v", err)
	}
	ports, err := clusterPorts(clusterSize)
	if err != nil {
		t.Fatal(err)
	}
	aof := "no"
	if appendOnly {
		aof = "yes"
	}
	c := &Cluster{}
	for _, p := range ports {
		c.Nodes = append(c.Nodes, newServer(t, p, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
			"--cluster-node-timeout", "5000", "--appendonly", aof, "--appendfsync", "everysec", "--save", ""))
	}
	args := append([]string{"--cluster", "create"}, c.Addrs()...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.Command(cli, args...).CombinedOutput(); err != nil {
		t.Fatalf("redistest: redis-cli --cluster create: %v\n%s", err, out)
	}
	c.WaitOK(t)
	return c
}

// Addrs are the nodes' host:port addresses.
func (c *Cluster) Addrs() []string {
	var out []string
	for _, n := range c.Nodes {
		out = append(out, n.Addr())
	}
	return out
}

// WaitOK waits until every node sees the cluster whole (state ok, all
// slots, every node known).
func (c *Cluster) WaitOK(t testing.TB) {
	t.Helper()
	if err := waitClusterOK(c.Addrs(), 20*time.Second); err != nil {
		t.Fatalf("redistest: %v", err)
	}
}

// Client is a cluster client to c for the test's own checks, closed when
// the test ends.
func (c *Cluster) Client(t testing.TB) *redis.ClusterClient {
	rdb := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs(),
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// SentinelSet is a private master, its replica and one Sentinel (quorum 1)
// monitoring them as SentinelMaster; Failover fails the master over.
type SentinelSet struct {
	Master, Replica, Sentinel *Server
}

// StartSentinelSet starts a master with AOF, a replica of it and a
// Sentinel, and waits until the Sentinel knows the replica (it can fail
// over). With minReplicasToWrite > 0 the master refuses writes unless that
// many replicas are connected and at most 1 s behind (min-replicas-to-write,
// min-replicas-max-lag): the master a failover leaves behind then stops
// taking writes the moment its replica is promoted and leaves it, instead
// of taking writes the failover throws away.
func StartSentinelSet(t testing.TB, minReplicasToWrite int) *SentinelSet {
	t.Helper()
	port := func() int {
		p, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	s := &SentinelSet{}
	s.Master = newServer(t, port(), "--appendonly", "yes", "--appendfsync", "everysec", "--save", "", "--repl-diskless-sync-delay", "0",
		"--min-replicas-to-write", strconv.Itoa(minReplicasToWrite), "--min-replicas-max-lag", "1")
	s.Replica = newServer(t, port(), "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
		"--repl-diskless-sync-delay", "0", "--replicaof", "127.0.0.1", strconv.Itoa(s.Master.port))
	sp := port()
	dir := t.TempDir()
	conf := filepath.Join(dir, "sentinel.conf")
	body := fmt.Sprintf("port %d\nbind 127.0.0.1\ndir %s\nsentinel monitor %s 127.0.0.1 %d 1\nsentinel down-after-milliseconds %s 2000\nsentinel failover-timeout %s 10000\n",
		sp, dir, SentinelMaster, s.Master.port, SentinelMaster, SentinelMaster)
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	s.Sentinel = newServer(t, sp, conf, "--sentinel")
	sc := s.client()
	defer sc.Close()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		reps, err := sc.Replicas(ctx, SentinelMaster).Result()
		cancel()
		if err == nil && len(reps) == 1 && replicaUp(reps[0]) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("redistest: sentinel does not see the replica: %v %v", reps, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func replicaUp(r map[string]string) bool {
	return !strings.Contains(r["flags"], "down") && !strings.Contains(r["flags"], "disconnected") && r["master-link-status"] == "ok"
}

func (s *SentinelSet) client() *redis.SentinelClient {
	return redis.NewSentinelClient(&redis.Options{Addr: s.Sentinel.Addr(),
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}})
}

// MasterAddr is the master's address as the Sentinel tells it.
func (s *SentinelSet) MasterAddr(t testing.TB) string {
	t.Helper()
	sc := s.client()
	defer sc.Close()
	a, err := sc.GetMasterAddrByName(context.Background(), SentinelMaster).Result()
	if err != nil {
		t.Fatalf("redistest: master of %s: %v", SentinelMaster, err)
	}
	return a[0] + ":" + a[1]
}

// Failover runs SENTINEL FAILOVER and waits until the Sentinel names the
// replica as master and that server says it is one. It returns how long
// that took. (The old master is turned into a replica by the Sentinel a
// moment later.)
func (s *SentinelSet) Failover(t testing.TB) time.Duration {
	t.Helper()
	sc := s.client()
	defer sc.Close()
	began := time.Now()
	old := s.MasterAddr(t)
	if err := sc.Failover(context.Background(), SentinelMaster).Err(); err != nil {
		t.Fatalf("redistest: SENTINEL FAILOVER: %v", err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		a, err := sc.GetMasterAddrByName(ctx, SentinelMaster).Result()
		cancel()
		if err == nil && a[0]+":"+a[1] != old {
			c := redis.NewClient(&redis.Options{Addr: a[0] + ":" + a[1], MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}})
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			info, err := c.Info(ctx, "replication").Result()
			cancel()
			_ = c.Close()
			if err == nil && strings.Contains(info, "role:master") {
				return time.Since(began)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("redistest: no failover of %s within 20s (master %v, %v)", SentinelMaster, a, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
