package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http/httptest"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/warmline/warmline/bot/lineemu"
	"github.com/warmline/warmline/internal/testclock"
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

// TestE2ERedisRestart restarts an AOF Redis while warmline is answering
// (LINE slow, so sends are in flight when Redis goes away): acks and
// "delivered" marks written during the outage are lost, the events come
// back pending, and the resumed sends find their recorded attempts. Every
// event answered, none twice.
func TestE2ERedisRestart(t *testing.T) {
	rs := startAOFRedis(t)
	clock := testclock.At(time.Now())
	emu := lineemu.New(lineemu.Config{ChannelSecret: e2eSecret, AccessToken: e2eToken, Clock: clock.Now})
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(srv.Close)
	const prefix = "restart:"
	h := startE2E(t, e2eOpts{clock: clock, emu: emu, emuURL: srv.URL, redisPrefix: prefix,
		env: map[string]string{"REDIS_URL": rs.url()}})
	emu.SetWebhookURL(h.url + "/webhook")
	emu.Slow("/v2/bot/message/reply", 200*time.Millisecond)

	customers := newCustomers(emu, 40)
	var evs []lineemu.Event
	for i, u := range customers {
		ev, err := emu.SendText(context.Background(), u, faqQuestions[i%len(faqQuestions)])
		if err != nil {
			t.Fatalf("webhook %d: %v", i, err)
		}
		evs = append(evs, ev)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := emu.WaitSends(ctx, 5); err != nil {
		t.Fatalf("no answers before the restart: %v", err)
	}
	rs.stop()
	stoppedAt := emu.Sends()
	rs.start()
	emu.Slow("/v2/bot/message/reply", 0)

	deadline := time.Now().Add(60 * time.Second)
	d := tallyDeliveries(emu, evs)
	for d.lost > 0 && time.Now().Before(deadline) {
		wctx, wcancel := context.WithDeadline(context.Background(), deadline)
		_, _ = emu.WaitSends(wctx, emu.Sends()+1)
		wcancel()
		d = tallyDeliveries(emu, evs)
	}
	waitQueueEmpty(t, rs.url(), prefix, 30*time.Second)
	d = tallyDeliveries(emu, evs)
	t.Logf("Redis restarted after %d answers, 40 events: %v", stoppedAt, d)
	if d.lost != 0 || d.duplicated != 0 {
		t.Errorf("got %v, want all 40 answered once", d)
	}
}
