package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/warmline/warmline/bot/lineemu"
	"github.com/warmline/warmline/internal/redistest"
)

const replyPath = "/v2/bot/message/reply"

// exactlyOnceRig is an emulated LINE platform (behind a gate that can hold
// its answers), a Redis prefix, a load balancer with one slot per replica
// of the topology, and real warmline processes on them.
type exactlyOnceRig struct {
	topo   topology
	emu    *lineemu.Emulator
	gate   *lineGate
	rdb    redis.UniversalClient // what the replicas share, for the test's own checks
	prefix string
	procs  *procs
	lb     *balancer
	gen    int
}

// newRig is a rig on the shared test Redis of topo: the server, or the
// real local 3-master Redis Cluster (REDIS_ADDRS).
func newRig(t *testing.T, bin string, topo topology) *exactlyOnceRig {
	t.Helper()
	if topo.cluster {
		rdb, prefix := redistest.NewCluster(t)
		return newRigOn(t, bin, topo, rdb, prefix, "REDIS_ADDRS="+strings.Join(redistest.ClusterAddrs(t), ","))
	}
	rdb, prefix := redistest.New(t)
	return newRigOn(t, bin, topo, rdb, prefix, "REDIS_URL="+redistest.URL(t))
}

// newRigOn is a rig on the Redis that redisEnv names (see newProcs); rdb
// reaches the same Redis for the test.
func newRigOn(t *testing.T, bin string, topo topology, rdb redis.UniversalClient, prefix, redisEnv string) *exactlyOnceRig {
	t.Helper()
	emu := lineemu.New(lineemu.Config{ChannelSecret: e2eSecret, AccessToken: e2eToken})
	gate := newLineGate(emu.Handler())
	srv := httptest.NewServer(gate)
	t.Cleanup(srv.Close)
	g := &exactlyOnceRig{topo: topo, emu: emu, gate: gate, rdb: rdb, prefix: prefix,
		procs: newProcs(t, bin, srv.URL, redisEnv, prefix), lb: &balancer{backends: make([]*url.URL, topo.replicas)}}
	lbSrv := httptest.NewServer(g.lb)
	t.Cleanup(lbSrv.Close)
	emu.SetWebhookURL(lbSrv.URL + "/webhook")
	return g
}

// start runs a replica in balancer slot and puts it behind the balancer.
func (g *exactlyOnceRig) start(slot int) *proc {
	g.gen++
	p := g.procs.start(fmt.Sprintf("replica-%d-%d", slot, g.gen))
	g.lb.set(slot, p.url)
	return p
}

// startAll fills every balancer slot from the first empty one on.
func (g *exactlyOnceRig) startAll(from int) {
	for slot := from; slot < g.topo.replicas; slot++ {
		g.start(slot)
	}
}

// send sends one FAQ question per customer through the balancer.
func (g *exactlyOnceRig) send(t *testing.T, customers []string) []lineemu.Event {
	t.Helper()
	var evs []lineemu.Event
	for i, u := range customers {
		ev, err := g.emu.SendText(context.Background(), u, faqQuestions[i%len(faqQuestions)])
		if err != nil {
			t.Fatalf("webhook: %v", err)
		}
		evs = append(evs, ev)
	}
	return evs
}

// waitSends waits until LINE took at least n answers.
func (g *exactlyOnceRig) waitSends(t *testing.T, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := g.emu.WaitSends(ctx, n); err != nil {
		t.Fatalf("LINE got %d answers, want %d: %v", g.emu.Sends(), n, err)
	}
}

// TestE2EExactlyOnce kills or stops a real warmline process at the worst
// moment, after LINE accepted an answer and before the event was acked,
// and counts what the customers got: every event answered, none twice. On
// each topology replica A alone takes the events; once LINE has one of its
// answers the other replica starts (two replicas: it takes A's shards over
// when their leases run out), A is struck, and with one replica a new one
// starts after.
func TestE2EExactlyOnce(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and kills warmline processes")
	}
	bin := sharedWarmline(t)

	// SIGKILL while LINE holds its answer to the reply calls: it delivered
	// them, the replica never heard. The replica that resumes the events
	// finds the recorded attempts, gets "Invalid reply token" and pushes
	// nothing.
	// The three cases run at once (each subtest has its own rig, the
	// binary is read-only): run one after the other, the last ones queued
	// behind every other parallel test of the package and ran at its end.
	t.Run("killed after LINE accepted", func(t *testing.T) {
		t.Parallel()
		forTopologiesParallel(t, func(t *testing.T, topo topology) {
			g := newRig(t, bin, topo)
			customers := newCustomers(g.emu, 5)
			g.gate.hold(replyPath)
			a := g.start(0)
			evs := g.send(t, customers)
			g.waitSends(t, 1)
			g.startAll(1)
			g.lb.set(0, "")
			a.kill()
			g.gate.release(replyPath)
			if topo.replicas == 1 {
				g.start(0)
			}
			d := waitAllAnswered(t, g.emu, g.rdb, g.prefix, evs, 30*time.Second)
			t.Logf("killed after accept, %d events: %v", len(evs), d)
			result(t, topo, d.fields()...)
			if d.lost != 0 || d.duplicated != 0 || d.pushes != 0 {
				t.Errorf("got %v, want all %d answered once, by reply", d, len(evs))
			}
		})
	})

	// SIGTERM while LINE is slow: answers in flight finish within the
	// drain timeout (1 s here) and are acked, or, when LINE takes longer,
	// are cut short and left pending with their delivery records; the rest
	// stay queued. The process exits within its bound and the other
	// replica finishes the work: nothing lost, nothing twice.
	for _, tt := range []struct {
		name string
		hang bool // LINE never answers (until released); else it answers in 0.5 s
	}{
		{"SIGTERM while LINE slow", false},
		{"SIGTERM while LINE hangs", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			forTopologiesParallel(t, func(t *testing.T, topo topology) {
				g := newRig(t, bin, topo)
				g.procs.env = append(g.procs.env, "WARMLINE_DRAIN_TIMEOUT=1s")
				customers := newCustomers(g.emu, 10)
				if tt.hang {
					g.gate.hold(replyPath)
				} else {
					g.emu.Slow(replyPath, 500*time.Millisecond)
				}
				a := g.start(0)
				evs := g.send(t, customers)
				g.waitSends(t, 1)
				g.startAll(1)
				g.lb.set(0, "") // a rolling update takes it out of the endpoints
				took := a.term(t, 15*time.Second)
				t.Logf("replica A exited %v after SIGTERM", took.Round(time.Millisecond))
				if took > 8*time.Second {
					t.Errorf("replica A took %v to stop, want about the 1 s drain timeout", took)
				}
				g.gate.release(replyPath)
				g.emu.Slow(replyPath, 0)
				if topo.replicas == 1 {
					g.start(0)
				}
				d := waitAllAnswered(t, g.emu, g.rdb, g.prefix, evs, 30*time.Second)
				t.Logf("%s, %d events: %v", tt.name, len(evs), d)
				result(t, topo, append(d.fields(), "stopped_in", took)...)
				if d.lost != 0 || d.duplicated != 0 {
					t.Errorf("got %v, want all %d answered once", d, len(evs))
				}
			})
		})
	}
}
