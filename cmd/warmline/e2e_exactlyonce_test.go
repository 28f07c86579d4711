package main

import (
	"context"
	"github.com/redis/go-redis/v9"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/bot/lineemu"
	"github.com/warmline/warmline/internal/redistest"
)

// exactlyOnceRig is an emulated LINE platform, a Redis prefix and real
// warmline processes on them.
type exactlyOnceRig struct {
	emu    *lineemu.Emulator
	rdb    redis.UniversalClient // what the replicas share, for the test's own checks
	prefix string
	procs  *procs
}

func newExactlyOnceRig(t *testing.T, bin string) *exactlyOnceRig {
	t.Helper()
	emu := lineemu.New(lineemu.Config{ChannelSecret: e2eSecret, AccessToken: e2eToken})
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(srv.Close)
	rdb, prefix := redistest.New(t)
	return &exactlyOnceRig{emu: emu, rdb: rdb, prefix: prefix, procs: newProcs(t, bin, srv.URL, redistest.URL(t), prefix)}
}

// newExactlyOnceClusterRig is newExactlyOnceRig on the real local 3-master
// Redis Cluster (REDIS_ADDRS).
func newExactlyOnceClusterRig(t *testing.T, bin string) *exactlyOnceRig {
	t.Helper()
	emu := lineemu.New(lineemu.Config{ChannelSecret: e2eSecret, AccessToken: e2eToken})
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(srv.Close)
	rdb, prefix := redistest.NewCluster(t)
	p := newProcs(t, bin, srv.URL, "", prefix)
	p.env = slices.DeleteFunc(p.env, func(kv string) bool { return strings.HasPrefix(kv, "REDIS_URL=") })
	p.env = append(p.env, "REDIS_ADDRS="+strings.Join(redistest.ClusterAddrs(t), ","))
	return &exactlyOnceRig{emu: emu, rdb: rdb, prefix: prefix, procs: p}
}

// send sends one FAQ question per customer to replica r.
func (g *exactlyOnceRig) send(t *testing.T, r *proc, customers []string) []lineemu.Event {
	t.Helper()
	g.emu.SetWebhookURL(r.url + "/webhook")
	var evs []lineemu.Event
	for i, u := range customers {
		ev, err := g.emu.SendText(context.Background(), u, faqQuestions[i%len(faqQuestions)])
		if err != nil {
			t.Fatalf("webhook to %s: %v", r.name, err)
		}
		evs = append(evs, ev)
	}
	return evs
}

// waitFirstDelivery waits until LINE took at least one answer.
func (g *exactlyOnceRig) waitFirstDelivery(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := g.emu.WaitSends(ctx, 1); err != nil {
		t.Fatalf("LINE never got an answer: %v", err)
	}
}

// TestE2EExactlyOnce kills or stops real warmline processes at the worst
// moment, after LINE accepted an answer and before the event was acked,
// and counts what the customers got: every event answered, none twice.
func TestE2EExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills warmline processes")
	}
	bin := buildWarmline(t)

	// SIGKILL while LINE holds its answer to the reply calls: it delivered
	// them, the replica never heard. The next replica finds the recorded
	// attempts, gets "Invalid reply token" and pushes nothing.
	t.Run("killed after LINE accepted", func(t *testing.T) {
		g := newExactlyOnceRig(t, bin)
		customers := newCustomers(g.emu, 5)
		g.emu.Slow("/v2/bot/message/reply", time.Hour)
		a := g.procs.start("replica-a")
		evs := g.send(t, a, customers)
		g.waitFirstDelivery(t)
		a.kill()
		g.emu.Slow("/v2/bot/message/reply", 0)
		g.procs.start("replica-b")
		d := waitAllAnswered(t, g.emu, g.rdb, g.prefix, evs, 30*time.Second)
		t.Logf("killed after accept, 5 events: %v", d)
		if d.lost != 0 || d.duplicated != 0 || d.pushes != 0 {
			t.Errorf("got %v, want all 5 answered once, by reply", d)
		}
	})

	// SIGTERM while LINE is slow: answers in flight finish within the
	// drain timeout (1 s here) and are acked, or, when LINE takes longer,
	// are cut short and left pending with their delivery records; the rest
	// stay queued. The process exits within its bound and the next replica
	// finishes the work: nothing lost, nothing twice.
	for _, tt := range []struct {
		name    string
		latency time.Duration // LINE's answer after it accepted a reply
	}{
		{"SIGTERM while LINE slow", 500 * time.Millisecond},
		{"SIGTERM while LINE hangs", time.Hour},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := newExactlyOnceRig(t, bin)
			g.procs.env = append(g.procs.env, "WARMLINE_DRAIN_TIMEOUT=1s")
			customers := newCustomers(g.emu, 10)
			g.emu.Slow("/v2/bot/message/reply", tt.latency)
			a := g.procs.start("replica-a")
			evs := g.send(t, a, customers)
			g.waitFirstDelivery(t)
			took := a.term(t, 15*time.Second)
			t.Logf("replica A exited %v after SIGTERM", took.Round(time.Millisecond))
			if took > 8*time.Second {
				t.Errorf("replica A took %v to stop, want about the 1 s drain timeout", took)
			}
			g.emu.Slow("/v2/bot/message/reply", 0)
			g.procs.start("replica-b")
			d := waitAllAnswered(t, g.emu, g.rdb, g.prefix, evs, 30*time.Second)
			t.Logf("%s, 10 events: %v", tt.name, d)
			if d.lost != 0 || d.duplicated != 0 {
				t.Errorf("got %v, want all 10 answered once", d)
			}
		})
	}
}
