package redistest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// clusterSize is the number of masters of the test cluster.
const clusterSize = 3

var (
	clusterOnce  sync.Once
	clusterAddrs []string
	clusterErr   error
)

// ClusterAddrs returns the host:port addresses of the shared test Redis
// Cluster (3 masters, no replicas), starting it on first use, or those named
// by REDIS_CLUSTER_ADDRS (comma-separated). It fails the test with a clear
// message if no cluster can be had.
func ClusterAddrs(t testing.TB) []string {
	t.Helper()
	clusterOnce.Do(func() { clusterAddrs, clusterErr = bootCluster() })
	if clusterErr != nil {
		t.Fatalf("redistest: no Redis Cluster for tests: %v\n(install redis-server and redis-cli, or set REDIS_CLUSTER_ADDRS)", clusterErr)
	}
	return append([]string(nil), clusterAddrs...)
}

// NewCluster returns a cluster client to the shared test cluster and a key
// prefix unique to this call. Keys under the prefix (also "{"+prefix…) are
// deleted from every master when the test ends.
func NewCluster(t testing.TB) (*redis.ClusterClient, string) {
	t.Helper()
	rdb := redis.NewClusterClient(&redis.ClusterOptions{
		Addrs: ClusterAddrs(t),
		// Off for the same data race as in New.
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	})
	prefix := fmt.Sprintf("c%d-%d:", os.Getpid(), seq.Add(1))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = rdb.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
			for _, pattern := range []string{prefix + "*", "{" + prefix + "*"} {
				iter := node.Scan(ctx, 0, pattern, 500).Iterator()
				for iter.Next(ctx) {
					node.Del(ctx, iter.Val()) // one key at a time: no cross-slot DEL
				}
			}
			return nil
		})
		_ = rdb.Close()
	})
	return rdb, prefix
}

func bootCluster() ([]string, error) {
	if s := os.Getenv("REDIS_CLUSTER_ADDRS"); s != "" {
		addrs := strings.Split(s, ",")
		return addrs, waitClusterOK(addrs, 10*time.Second)
	}
	server, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, fmt.Errorf("redis-server not on PATH and REDIS_CLUSTER_ADDRS unset: %w", err)
	}
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		return nil, fmt.Errorf("redis-cli not on PATH and REDIS_CLUSTER_ADDRS unset: %w", err)
	}
	dir, err := os.MkdirTemp("", "warmline-redis-cluster-")
	if err != nil {
		return nil, fmt.Errorf("temp dir: %w", err)
	}
	ports, err := clusterPorts(clusterSize)
	if err != nil {
		return nil, err
	}
	var addrs []string
	var procs []*exec.Cmd
	fail := func(err error) ([]string, error) {
		for _, p := range procs {
			_ = p.Process.Kill()
		}
		return nil, err
	}
	for _, port := range ports {
		p := strconv.Itoa(port)
		cmd := exec.Command(server, "--port", p, "--bind", "127.0.0.1",
			"--cluster-enabled", "yes", "--cluster-config-file", "nodes-"+p+".conf",
			"--cluster-node-timeout", "5000",
			"--appendonly", "no", "--save", "", "--dir", dir, "--daemonize", "no", "--loglevel", "warning")
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // dies with the test binary
		if err := startDrained(cmd); err != nil {
			return fail(fmt.Errorf("start redis-server on port %d: %w", port, err))
		}
		procs = append(procs, cmd)
		addrs = append(addrs, "127.0.0.1:"+p)
	}
	go reapCluster(procs, dir)
	for _, a := range addrs {
		if err := waitPing(a, 10*time.Second); err != nil {
			return fail(err)
		}
	}
	args := append([]string{"--cluster", "create"}, addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	create := exec.Command(cli, args...)
	if out, err := create.CombinedOutput(); err != nil {
		return fail(fmt.Errorf("redis-cli --cluster create: %w\n%s", err, string(out)))
	}
	if err := waitClusterOK(addrs, 20*time.Second); err != nil {
		return fail(err)
	}
	return addrs, nil
}

// startDrained starts cmd with its output drained, so the server never
// blocks on a full pipe.
func startDrained(cmd *exec.Cmd) error {
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return err
	}
	go drainOutput(stdout)
	return nil
}

// drainOutput reads a server's output until it exits. (A named function:
// goleak ignore lists name it, see ClusterGoroutines.)
func drainOutput(r io.Reader) {
	s := bufio.NewScanner(r)
	for s.Scan() {
	}
}

// reapCluster waits for the cluster's servers and removes their directory.
func reapCluster(procs []*exec.Cmd, dir string) {
	for _, p := range procs {
		_ = p.Wait()
	}
	_ = os.RemoveAll(dir)
}

// Goroutines are the functions of the goroutines this package keeps for the
// whole test binary by design: the shared redis-server's output drain and
// Wait, and the watchers of the shared cluster's servers. A goleak TestMain
// ignores them (internal/leaktest does).
var Goroutines = []string{
	"github.com/warmline/warmline/internal/redistest.boot.func1",
	"github.com/warmline/warmline/internal/redistest.boot.func2",
	"github.com/warmline/warmline/internal/redistest.drainOutput",
	"github.com/warmline/warmline/internal/redistest.reapCluster",
	"github.com/warmline/warmline/internal/redistest.waitServer",
}

// clusterPorts finds n free loopback ports whose cluster bus ports
// (port+10000) are free too.
func clusterPorts(n int) ([]int, error) {
	var out []int
	taken := map[int]bool{}
	for tries := 0; len(out) < n && tries < 200; tries++ {
		p := 20000 + rand.IntN(30000)
		if taken[p] || taken[p+10000] || !portFree(p) || !portFree(p+10000) {
			continue
		}
		taken[p], taken[p+10000] = true, true
		out = append(out, p)
	}
	if len(out) < n {
		return nil, errors.New("no free port pairs for a cluster")
	}
	return out, nil
}

func portFree(p int) bool {
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
	if err != nil {
		return false
	}
	_ = l.Close()
	return true
}

func waitPing(addr string, within time.Duration) error {
	c := redis.NewClient(&redis.Options{Addr: addr, MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}})
	defer c.Close()
	deadline := time.Now().Add(within)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("redis-server %s did not answer: %w", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitClusterOK waits until every node reports cluster_state:ok with all
// slots assigned and knows every other node.
func waitClusterOK(addrs []string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for _, a := range addrs {
		c := redis.NewClient(&redis.Options{Addr: a, MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}})
		for {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			info, err := c.ClusterInfo(ctx).Result()
			cancel()
			if err == nil && strings.Contains(info, "cluster_state:ok") && strings.Contains(info, "cluster_slots_ok:16384") &&
				strings.Contains(info, "cluster_known_nodes:"+strconv.Itoa(len(addrs))) {
				break
			}
			if time.Now().After(deadline) {
				_ = c.Close()
				return fmt.Errorf("cluster node %s not ok: %v %q", a, err, info)
			}
			time.Sleep(20 * time.Millisecond)
		}
		_ = c.Close()
	}
	return nil
}

var (
	sentinelOnce sync.Once
	sentinelAddr string
	sentinelErr  error
)

// SentinelMaster is the master name the test Sentinel monitors.
const SentinelMaster = "warmline-test"

// SentinelAddr returns the address of a Redis Sentinel (started once per
// test binary) that monitors the shared test server as SentinelMaster.
func SentinelAddr(t testing.TB) string {
	t.Helper()
	u := URL(t)
	sentinelOnce.Do(func() { sentinelAddr, sentinelErr = bootSentinel(u) })
	if sentinelErr != nil {
		t.Fatalf("redistest: no Redis Sentinel for tests: %v", sentinelErr)
	}
	return sentinelAddr
}

func bootSentinel(serverURL string) (string, error) {
	opt, err := redis.ParseURL(serverURL)
	if err != nil {
		return "", err
	}
	host, port, err := net.SplitHostPort(opt.Addr)
	if err != nil {
		return "", err
	}
	server, err := exec.LookPath("redis-server")
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "warmline-redis-sentinel-")
	if err != nil {
		return "", fmt.Errorf("temp dir: %w", err)
	}
	p, err := freePort()
	if err != nil {
		return "", err
	}
	conf := dir + "/sentinel.conf" // Sentinel rewrites its config file
	body := fmt.Sprintf("port %d\nbind 127.0.0.1\ndir %s\nsentinel monitor %s %s %s 1\n", p, dir, SentinelMaster, host, port)
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		return "", err
	}
	cmd := exec.Command(server, conf, "--sentinel")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := startDrained(cmd); err != nil {
		return "", fmt.Errorf("start sentinel: %w", err)
	}
	go reapCluster([]*exec.Cmd{cmd}, dir)
	addr := "127.0.0.1:" + strconv.Itoa(p)
	c := redis.NewSentinelClient(&redis.Options{Addr: addr})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := c.GetMasterAddrByName(ctx, SentinelMaster).Result()
		cancel()
		if err == nil {
			return addr, nil
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			return "", fmt.Errorf("sentinel on %s does not know %s: %w", addr, SentinelMaster, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
