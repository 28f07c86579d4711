package main

import (
	"context"
	"math/rand/v2"
	"net/http"
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

// chaosPace is the least time between two questions of one customer. A
// customer asks only once its previous question is answered, so its
// questions are handled at most 10 s / chaosPace + 2 times in any 10 s,
// however a takeover bunches them: below the bot's per-user rate limit (20
// per 10 s, bot.EngineConfig.RateLimit), past which the bot answers
// nothing by design and the tally would count losses the adapter did not
// cause.
const chaosPace = 600 * time.Millisecond

// TestE2EKillRestartLoop runs real warmline processes under a steady load
// of customer questions and, for a bounded time, kills (SIGKILL) or stops
// (SIGTERM), in turn, a replica after a few more answers and starts a new one, again
// and again; LINE redelivers every webhook that did not get a 200. Then it
// waits until every event whose webhook was accepted is answered (or a
// deadline derived from the backlog and the measured answer rate) and
// counts the answering send calls per event: every event answered, none
// twice. On each topology: one replica (down while it restarts), two
// replicas behind a load balancer, and two on the 3-master cluster.
func TestE2EKillRestartLoop(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds, kills and restarts warmline processes")
	}
	d := chaosDuration(t)
	bin := sharedWarmline(t)
	forTopologiesParallel(t, func(t *testing.T, topo topology) { killRestartLoop(t, newRig(t, bin, topo), d) })
}

func killRestartLoop(t *testing.T, g *exactlyOnceRig, d time.Duration) {
	replicas := g.topo.replicas
	g.procs.env = append(g.procs.env, "WARMLINE_DRAIN_TIMEOUT=2s")
	// LINE takes a moment to answer: sends are in flight when a replica dies.
	g.emu.Slow("/v2/bot/message/reply", 50*time.Millisecond)
	g.emu.Slow("/v2/bot/message/push", 50*time.Millisecond)
	customers := newCustomers(g.emu, 10)

	start := g.start
	running := make([]*proc, replicas)
	for i := range running {
		running[i] = start(i)
	}

	// Load: each customer asks its next question once the previous one is
	// answered (or the chaos is over) and chaosPace has passed; LINE
	// redelivers a webhook until it gets a 200.
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
				asked := time.Now()
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
				if !waitAnswered(loadCtx, g.emu, ev) {
					return
				}
				time.Sleep(time.Until(asked.Add(chaosPace))) // the customer's pace, not a wait for a condition
			}
		}()
	}

	rng := rand.New(rand.NewPCG(uint64(replicas), 42))
	kills, terms := 0, 0
	var down time.Duration // spent starting replacements (a lone replica is down meanwhile)
	began := time.Now()
	// Strikes alternate SIGKILL and SIGTERM, at least one of each.
	for time.Since(began) < d || kills+terms < 2 {
		// Strike after 3–20 more answers (or 3 s without).
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		_, _ = g.emu.WaitSends(ctx, g.emu.Sends()+3+rng.IntN(18))
		cancel()
		slot := rng.IntN(replicas)
		if (kills+terms)%2 == 0 {
			running[slot].kill() // the balancer learns from failed requests
			kills++
		} else {
			g.lb.set(slot, "") // a rolling update takes it out of the endpoints
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
	// Each customer has at most one question open, so the backlog is small;
	// allow it ten times the time the measured answer rate needs, at least
	// 30 s. Reached only when something is wrong.
	open := tallyDeliveries(g.emu, evs).lost
	rate := float64(len(evs)-open) / elapsed.Seconds()
	within := 30 * time.Second
	if rate > 0 {
		within = max(within, time.Duration(10*float64(open)/rate*float64(time.Second)))
	}
	waitBegan := time.Now()
	tally := waitAllAnswered(t, g.emu, g.rdb, g.prefix, evs, within)
	st := readQueueState(t, g.rdb, g.prefix)
	t.Logf("%d replica(s), %v of chaos: %d events accepted (%d webhook redeliveries), %d SIGKILL + %d SIGTERM, restarts took %v on average; %d open when the load stopped, waited %v for them: %v; %v",
		replicas, elapsed.Round(time.Second), len(evs), resends, kills, terms,
		(down / time.Duration(max(kills+terms, 1))).Round(100*time.Millisecond), open,
		time.Since(waitBegan).Round(100*time.Millisecond), tally, st)
	result(t, g.topo, append(tally.fields(), "strikes", kills+terms, "redeliveries", resends, "chaos", elapsed)...)
	if tally.lost != 0 || tally.duplicated != 0 || tally.rateLimited != 0 || st.dead != 0 || st.failed != 0 {
		t.Errorf("got %v, %v; want every event answered once, by its answer, nothing dead-lettered or failed", tally, st)
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
