// Package redistest gives tests a real Redis: a throwaway redis-server the
// package starts on a free port once per test binary, or the server named by
// REDIS_URL. Every call to New gets its own key prefix, so tests never see
// each other's keys and never flush a server they did not start.
//
// NewCluster does the same with a real 3-master Redis Cluster on loopback
// ports (redis-server --cluster-enabled, redis-cli --cluster create), also
// started once per test binary, or the one named by REDIS_CLUSTER_ADDRS.
// SentinelAddr starts a Sentinel that monitors the shared server.
package redistest

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

var (
	once    sync.Once
	addrURL string
	bootErr error
	seq     atomic.Int64
)

// URL returns the redis:// URL of the shared test server, starting it on
// first use. It fails the test with a clear message if no server can be had.
func URL(t testing.TB) string {
	t.Helper()
	once.Do(func() { addrURL, bootErr = boot() })
	if bootErr != nil {
		t.Fatalf("redistest: no Redis for tests: %v\n(install redis-server, e.g. `apt-get install redis-server`, or set REDIS_URL)", bootErr)
	}
	return addrURL
}

// New returns a client to the test server and a key prefix unique to this
// call (e.g. "t17:"). Keys under the prefix are deleted when the test ends.
func New(t testing.TB) (*redis.Client, string) {
	t.Helper()
	opt, err := redis.ParseURL(URL(t))
	if err != nil {
		t.Fatalf("redistest: parse url: %v", err)
	}
	// Maintenance notifications off: in auto mode go-redis v9.17 rewrites its
	// options while WATCH copies them (a data race under -race).
	opt.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	rdb := redis.NewClient(opt)
	prefix := fmt.Sprintf("t%d-%d:", os.Getpid(), seq.Add(1))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		iter := rdb.Scan(ctx, 0, prefix+"*", 500).Iterator()
		for iter.Next(ctx) {
			rdb.Del(ctx, iter.Val())
		}
		// Hash-tagged keys may start with "{" + prefix.
		iter = rdb.Scan(ctx, 0, "{"+prefix+"*", 500).Iterator()
		for iter.Next(ctx) {
			rdb.Del(ctx, iter.Val())
		}
		_ = rdb.Close()
	})
	return rdb, prefix
}

func boot() (string, error) {
	if u := os.Getenv("REDIS_URL"); u != "" {
		return u, ping(u)
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return "", fmt.Errorf("redis-server not on PATH and REDIS_URL unset: %w", err)
	}
	port, err := freePort()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "warmline-redis-")
	if err != nil {
		return "", fmt.Errorf("temp dir: %w", err)
	}
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no", "--loglevel", "warning")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // dies with the test binary
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("start redis-server: %w", err)
	}
	go func() { // drain output so the server never blocks on a full pipe
		s := bufio.NewScanner(stdout)
		for s.Scan() {
		}
	}()
	go func() { _ = cmd.Wait(); _ = os.RemoveAll(dir) }()
	u := fmt.Sprintf("redis://127.0.0.1:%d/0", port)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if err = ping(u); err == nil {
			return u, nil
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			return "", fmt.Errorf("redis-server on port %d did not answer: %w", port, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func ping(u string) error {
	opt, err := redis.ParseURL(u)
	if err != nil {
		return fmt.Errorf("parse REDIS_URL: %w", err)
	}
	c := redis.NewClient(opt)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("ping %s: %w", strings.SplitN(u, "@", 2)[len(strings.SplitN(u, "@", 2))-1], err)
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
