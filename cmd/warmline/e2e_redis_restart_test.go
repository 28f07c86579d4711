package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/warmline/warmline/internal/redistest"
)

// aofRedis is a private redis-server with AOF (appendfsync everysec) that a
// test can restart on the same port and data directory.
type aofRedis struct {
	t    *testing.T
	bin  string
	dir  string
	port int
	cmd  *exec.Cmd
	done chan struct{}
}

func startAOFRedis(t *testing.T) *aofRedis {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not on PATH")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	r := &aofRedis{t: t, bin: bin, dir: t.TempDir(), port: port}
	r.start()
	t.Cleanup(func() { r.stop() })
	return r
}

func (r *aofRedis) url() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.port) }

func (r *aofRedis) start() {
	r.t.Helper()
	r.cmd = exec.Command(r.bin, "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1", "--save", "",
		"--appendonly", "yes", "--appendfsync", "everysec", "--dir", r.dir, "--loglevel", "warning")
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, _ := r.cmd.StdoutPipe()
	r.cmd.Stderr = r.cmd.Stdout
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	r.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
		}
		_ = cmd.Wait()
		close(done)
	}(r.cmd, r.done)
	c := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", r.port), MaintNotificationsConfig: noMaintNotifications()})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for c.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) {
			r.t.Fatal("redis-server did not answer")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop shuts Redis down with SIGTERM (it writes its AOF) and waits.
func (r *aofRedis) stop() {
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	<-r.done
	r.cmd = nil
}

// TestE2ERedisRestart restarts Redis (AOF, appendfsync everysec; SIGTERM,
// same port and data directory) while warmline is answering (LINE slow, so
// sends are in flight when Redis goes away): acks and "delivered" marks
// written during the outage are lost, the events come back pending, and the
// resumed sends find their recorded attempts. Every event answered, none
// twice. One replica and two on one server; on a private 3-master cluster
// (AOF on every node) one master is restarted.
func TestE2ERedisRestart(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts warmline processes and restarts Redis")
	}
	bin := sharedWarmline(t)
	forTopologiesParallel(t, func(t *testing.T, topo topology) {
		var (
			g       *exactlyOnceRig
			restart func()
			what    string
		)
		const prefix = "restart:"
		if topo.cluster {
			c := redistest.StartCluster(t, true)
			g = newRigOn(t, bin, topo, c.Client(t), prefix, "REDIS_ADDRS="+strings.Join(c.Addrs(), ","))
			restart = func() { c.Nodes[0].Stop(); c.Nodes[0].Start() }
			what = "master " + c.Nodes[0].Addr() + " of 3"
		} else {
			rs := startAOFRedis(t)
			rdb := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", rs.port), MaintNotificationsConfig: noMaintNotifications()})
			t.Cleanup(func() { _ = rdb.Close() })
			g = newRigOn(t, bin, topo, rdb, prefix, "REDIS_URL="+rs.url())
			restart = func() { rs.stop(); rs.start() }
			what = "the server"
		}
		g.emu.Slow(replyPath, 200*time.Millisecond)
		g.startAll(0)
		n := 40
		if topo.replicas > 1 || topo.cluster {
			n = 20
		}
		evs := g.send(t, newCustomers(g.emu, n))
		g.waitSends(t, 5)
		stoppedAt := g.emu.Sends()
		restart()
		g.emu.Slow(replyPath, 0)
		d := waitAllAnswered(t, g.emu, g.rdb, g.prefix, evs, 60*time.Second)
		t.Logf("Redis (%s) restarted after %d answers, %d events: %v", what, stoppedAt, n, d)
		result(t, topo, append(d.fields(), "answers_before_restart", stoppedAt)...)
		if d.lost != 0 || d.duplicated != 0 {
			t.Errorf("got %v, want all %d answered once", d, n)
		}
	})
}
