package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/warmline/warmline/bot/lineemu"
)

// chaosDuration is how long TestE2EKillRestartLoop kills and restarts
// replicas per topology: WARMLINE_CHAOS_DURATION (a Go duration, e.g. 60s)
// or 6 s, so the normal suite stays fast.
func chaosDuration(t *testing.T) time.Duration {
	v := os.Getenv("WARMLINE_CHAOS_DURATION")
	if v == "" {
		return 6 * time.Second
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		t.Fatalf("WARMLINE_CHAOS_DURATION=%q: want a positive duration", v)
	}
	return d
}

// TestE2EKillRestartLoop runs real warmline processes under a steady load
// of customer questions and, for a bounded time, kills (SIGKILL) or stops
// (SIGTERM) a replica after a few more answers and starts a new one, again
// and again; LINE redelivers every webhook that did not get a 200. Then it
// counts, per event whose webhook was accepted, the answering send calls:
// every event answered, none twice. One replica (down while it restarts)
// and two replicas behind a load balancer.
func TestE2EKillRestartLoop(t *testing.T) {
	if testing.Short() {
		t.Skip("builds, kills and restarts warmline processes")
	}
	d := chaosDuration(t)
	bin := buildWarmline(t)
	for _, n := range []int{1, 2} {
		t.Run(fmt.Sprintf("%d replicas", n), func(t *testing.T) { killRestartLoop(t, bin, n, d) })
	}
}

func killRestartLoop(t *testing.T, bin string, replicas int, d time.Duration) {
	g := newExactlyOnceRig(t, bin)
	g.procs.env = append(g.procs.env, "WARMLINE_DRAIN_TIMEOUT=2s")
	// LINE takes a moment to answer: sends are in flight when a replica dies.
	g.emu.Slow("/v2/bot/message/reply", 50*time.Millisecond)
	g.emu.Slow("/v2/bot/message/push", 50*time.Millisecond)
	customers := newCustomers(g.emu, 10)

	lb := &balancer{backends: make([]*url.URL, replicas)}
	lbSrv := httptest.NewServer(lb)
	t.Cleanup(lbSrv.Close)
	g.emu.SetWebhookURL(lbSrv.URL + "/webhook")
	gen := 0
	start := func(slot int) *proc {
		gen++
		p := g.procs.start(fmt.Sprintf("replica-%d-%d", slot, gen))
		lb.set(slot, p.url)
		return p
	}
	running := make([]*proc, replicas)
	for i := range running {
		running[i] = start(i)
	}

	// Load: each customer asks its next question once LINE's webhook for
	// the previous one got a 200 (redelivered until it does).
	var (
		mu       sync.Mutex
		accepted []lineemu.Event
		resends  int
	)
	loadCtx, stopLoad := context.WithCancel(context.Background())
	var load sync.WaitGroup
	for ci, u := range customers {
		load.Add(1)
		go func() {
			defer load.Done()
			for q := ci; loadCtx.Err() == nil; q++ {
				ev, err := g.emu.Send(context.Background(), g.emu.TextEvent(u, faqQuestions[q%len(faqQuestions)]))
				for err != nil { // LINE redelivers until it gets a 200
					mu.Lock()
					resends++
					mu.Unlock()
					time.Sleep(100 * time.Millisecond) // LINE's redelivery interval, not a wait for a condition
					ev, err = g.emu.Redeliver(context.Background(), ev.WebhookEventID)
				}
				mu.Lock()
				accepted = append(accepted, ev)
				mu.Unlock()
				time.Sleep(200 * time.Millisecond) // the customer's pace
			}
		}()
	}

	rng := rand.New(rand.NewPCG(uint64(replicas), 42))
	kills, terms := 0, 0
	var down time.Duration // spent starting replacements (a lone replica is down meanwhile)
	began := time.Now()
	for time.Since(began) < d {
		// Strike after 5–40 more answers (or 5 s without).
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, _ = g.emu.WaitSends(ctx, g.emu.Sends()+5+rng.IntN(36))
		cancel()
		slot := rng.IntN(replicas)
		if rng.IntN(2) == 0 {
			running[slot].kill() // the balancer learns from failed requests
			kills++
		} else {
			lb.set(slot, "") // a rolling update takes it out of the endpoints
			running[slot].term(t, 20*time.Second)
			terms++
		}
		restart := time.Now()
		running[slot] = start(slot)
		down += time.Since(restart)
	}
	stopLoad()
	load.Wait()
	elapsed := time.Since(began)

	mu.Lock()
	evs := append([]lineemu.Event(nil), accepted...)
	mu.Unlock()
	tally := waitAllAnswered(t, g.emu, g.prefix, evs, 60*time.Second)
	t.Logf("%d replica(s), %v: %d events accepted (%d webhook redeliveries), %d SIGKILL + %d SIGTERM, restarts took %v on average: %v",
		replicas, elapsed.Round(time.Second), len(evs), resends, kills, terms,
		(down / time.Duration(max(kills+terms, 1))).Round(100*time.Millisecond), tally)
	if tally.lost != 0 || tally.duplicated != 0 {
		t.Errorf("got %v, want every event answered once", tally)
	}
	if kills+terms == 0 || len(evs) == 0 {
		t.Errorf("nothing was tested: %d events, %d kills, %d stops", len(evs), kills, terms)
	}
}

// balancer stands in for the load balancer in front of the replicas: round
// robin over the live backends, 502 when the chosen one fails (LINE then
// redelivers), 503 when none is up.
type balancer struct {
	mu       sync.Mutex
	backends []*url.URL
	next     int
}

func (b *balancer) set(slot int, raw string) {
	var u *url.URL
	if raw != "" {
		u, _ = url.Parse(raw)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.backends[slot] = u
}

func (b *balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	var target *url.URL
	for range b.backends {
		b.next = (b.next + 1) % len(b.backends)
		if u := b.backends[b.next]; u != nil {
			target = u
			break
		}
	}
	b.mu.Unlock()
	if target == nil {
		http.Error(w, "no replica up", http.StatusServiceUnavailable)
		return
	}
	p := httputil.NewSingleHostReverseProxy(target)
	p.ErrorLog = nil
	p.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) { w.WriteHeader(http.StatusBadGateway) }
	p.ServeHTTP(w, r)
}
