package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"

	"github.com/warmline/warmline/bot/lineemu"
	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/internal/redistest"
	"github.com/warmline/warmline/internal/testclock"
)

// deployment is warmline as a topology runs it, in this test process (the
// real run path): one or two replicas on one Redis prefix, on the test
// server or the 3-master cluster, behind a round-robin balancer that LINE's
// webhooks go to. The emulator runs on the replicas' fake clock.
type deployment struct {
	topo     topology
	emu      *lineemu.Emulator
	clock    *testclock.Clock
	replicas []*e2e
	rdb      redis.UniversalClient
	prefix   string
}

// watcherTokens are 20 lead API tokens for the event-stream checks (each
// agent may hold 10 streams).
func watcherTokens() []string {
	var out []string
	for i := range 20 {
		out = append(out, fmt.Sprintf("e2e-stream-token-%02d-xxxxxx=watcher%02d:lead:Watcher %d", i, i, i))
	}
	return out
}

func startDeployment(t *testing.T, topo topology) *deployment {
	t.Helper()
	clock := testclock.At(time.Date(2026, 11, 23, 10, 0, 0, 0, time.FixedZone("CST", 8*3600)))
	emu := lineemu.New(lineemu.Config{ChannelSecret: e2eSecret, AccessToken: e2eToken, Clock: clock.Now})
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(srv.Close)
	d := &deployment{topo: topo, emu: emu, clock: clock}
	if topo.cluster {
		d.rdb, d.prefix = redistest.NewCluster(t)
	} else {
		d.rdb, d.prefix = redistest.New(t)
	}
	lb := &balancer{backends: make([]*url.URL, topo.replicas)}
	for i := range topo.replicas {
		name := fmt.Sprintf("replica-%c", 'a'+i)
		var o e2eOpts
		if topo.cluster {
			o = clusterOpts(t, clock, emu, srv.URL, d.prefix, name)
		} else {
			o = handoffOpts()
			o.clock, o.emu, o.emuURL, o.redisPrefix = clock, emu, srv.URL, d.prefix
			o.env["WARMLINE_REPLICA_ID"] = name
		}
		o.env["WARMLINE_AGENT_TOKENS"] += ";" + strings.Join(watcherTokens(), ";")
		h := startE2E(t, o)
		lb.set(i, h.url)
		d.replicas = append(d.replicas, h)
	}
	lbSrv := httptest.NewServer(lb)
	t.Cleanup(lbSrv.Close)
	emu.SetWebhookURL(lbSrv.URL + "/webhook")
	return d
}

// replica returns the i-th replica, round robin: agents' calls alternate
// between the replicas as a load balancer would send them.
func (d *deployment) replica(i int) *e2e { return d.replicas[i%len(d.replicas)] }

// answerLatencies waits until every event of evs has an answer or within
// has passed and returns, per answered event, the wall time from sent[i]
// to the test seeing its answer (at most one send call late).
func answerLatencies(t testing.TB, emu *lineemu.Emulator, evs []lineemu.Event, sent []time.Time, within time.Duration) []time.Duration {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	seen := make([]bool, len(evs))
	var lat []time.Duration
	for {
		n := emu.Sends()
		for i, ev := range evs {
			if !seen[i] && answered(emu, ev) {
				seen[i] = true
				lat = append(lat, time.Since(sent[i]))
			}
		}
		if len(lat) == len(evs) {
			return lat
		}
		if _, err := emu.WaitSends(ctx, n+1); err != nil {
			t.Errorf("%d of %d events answered within %v", len(lat), len(evs), within)
			return lat
		}
	}
}

// English answers the abuse checks look for (locales/bot.en.toml).
const (
	orderNoMatchEN = "Sorry, I couldn't match an order with those details" // bot_order_no_match
	orderLockedEN  = "For your security, I've paused order checks"         // bot_order_locked_hours
	csatNotRecEN   = "Sorry, I couldn't record that rating"                // bot_csat_not_recorded
)

// TestE2EAbuse runs the abuse cases of issue 9 against the real run path on
// each topology, one deployment per topology for all of them: a flooding
// customer, a phone check walked around, a forged satisfaction postback, a
// transcript grown without bound, a parallel sign-in brute force, and 200
// open inbox event streams while webhooks come in. The unit tests
// (bot.TestRateLimitPerUser, bot.TestPhoneCheckCannotBeWalkedAround,
// bot.TestForgedCSATPostback, handoff.TestTranscriptTextIsBounded,
// inbox.TestSignInParallelGuesses) pin the rules; this shows they hold when
// the state is shared by replicas and spread over a cluster.
func TestE2EAbuse(t *testing.T) {
	t.Parallel()
	forTopologiesParallel(t, func(t *testing.T, topo topology) {
		d := startDeployment(t, topo)
		t.Run("rate limit", func(t *testing.T) { abuseRateLimit(t, d) })
		t.Run("phone check walk-around", func(t *testing.T) { abusePhoneCheck(t, d) })
		t.Run("forged CSAT postback", func(t *testing.T) { abuseForgedCSAT(t, d) })
		t.Run("transcript bounds", func(t *testing.T) { abuseTranscript(t, d) })
		t.Run("sign-in brute force", func(t *testing.T) { abuseSignIn(t, d) })
		t.Run("200 event streams", func(t *testing.T) { abuseStreams(t, d) }) // last: it stops the replicas
	})
}

// One customer sends 30 messages at once (one LINE second: the emulator's
// clock stands still): 20 answered, then one polite notice, then silence
// until the window ends; another customer writing meanwhile is answered as
// usual. Nothing twice.
func abuseRateLimit(t *testing.T, d *deployment) {
	users := newCustomers(d.emu, 2)
	flooder, calm := users[0], users[1]
	var evs []lineemu.Event
	for i := range 30 {
		ev, err := d.emu.SendText(context.Background(), flooder, faqQuestions[i%len(faqQuestions)])
		if err != nil {
			t.Fatalf("flood message %d: %v (status %d)", i, err, ev.Status)
		}
		evs = append(evs, ev)
	}
	sent := time.Now()
	calmEv, err := d.emu.SendText(context.Background(), calm, "How much is shipping?")
	if err != nil {
		t.Fatal(err)
	}
	calmLat := answerLatencies(t, d.emu, []lineemu.Event{calmEv}, []time.Time{sent}, 20*time.Second)
	if _, err := d.emu.WaitMessages(context.Background(), flooder, 1); err != nil {
		t.Fatal(err)
	}
	waitDrainedOn(t, d.rdb, d.prefix, 20*time.Second)
	tally := tallyDeliveries(d.emu, evs)
	notice := 0
	for i, ev := range evs {
		got := answered(d.emu, ev)
		if want := i < 21; got != want {
			t.Errorf("flood message %d answered = %v, want %v (20 answers, then the notice, then silence)", i+1, got, want)
		}
	}
	for _, m := range d.emu.Messages(flooder) {
		if strings.HasPrefix(m.Text, rateLimitNoticeEN) {
			notice++
		}
	}
	var calmP50 time.Duration
	if len(calmLat) == 1 {
		calmP50 = calmLat[0]
	}
	result(t, d.topo, "messages", 30, "answered", tally.answered, "notices", notice, "silenced", tally.lost,
		"duplicated", tally.duplicated, "other_customer_answer", calmP50)
	if tally.answered != 21 || notice != 1 || tally.duplicated != 0 || len(calmLat) != 1 {
		t.Errorf("flood: %v, %d notices; other customer answered: %v; want 21 answered (20 + the notice), 1 notice, none twice, the other answered",
			tally, notice, len(calmLat) == 1)
	}
}

// The walk-around of issue 9: two wrong guesses on a stranger's order, a
// right one on one's own, again and again. The third failure on the
// stranger's order locks it for the customer; the right digits after that
// are refused too; the stranger's order is never shown. Each message goes
// to the next replica.
func abusePhoneCheck(t *testing.T, d *deployment) {
	att := newCustomers(d.emu, 1)[0]
	const stranger, own = "WL20261104", "WL20261105" // web orders; the attacker knows own's phone (…0517)
	tries := []struct{ order, digits string }{
		{stranger, "0000"}, {stranger, "0001"}, {own, "0517"},
		{stranger, "0002"}, {stranger, "0003"}, {own, "0517"},
		{stranger, "0004"}, {stranger, "0005"},
		{stranger, "8402"}, // the right digits, after the lock
	}
	h := d.replica(0)
	var lat []time.Duration
	fails, shown := 0, 0
	for i, try := range tries {
		began := time.Now()
		got := h.say(att, try.order+" phone "+try.digits, 1)
		lat = append(lat, time.Since(began))
		txt := allText(got)
		if strings.Contains(txt, "tableware") || strings.Contains(txt, "餐具") {
			shown++
			t.Errorf("try %d: the stranger's order was shown: %s", i+1, dump(got))
		}
		if try.order == own {
			if !hasFlex(got) {
				t.Errorf("try %d: own order with the right digits: no card; got %s", i+1, dump(got))
			}
			continue
		}
		if hasFlex(got) {
			shown++
			t.Errorf("try %d: a card for the stranger's order: %s", i+1, dump(got))
		}
		fails++
		want := orderNoMatchEN
		if fails >= 3 {
			want = orderLockedEN
		}
		if !strings.Contains(txt, want) {
			t.Errorf("try %d (%s %s): got %s, want %q", i+1, try.order, try.digits, dump(got), want)
		}
	}
	p50, p99 := percentiles(lat)
	result(t, d.topo, "checks", len(tries), "stranger_order_shown", shown, "p50", p50, "p99", p99)
}

// A satisfaction postback naming another customer's case: the neutral
// answer, the case unchanged; the owner's own rating still counts.
func abuseForgedCSAT(t *testing.T, d *deployment) {
	users := newCustomers(d.emu, 2)
	owner, forger := users[0], users[1]
	d.replica(0).say(owner, "I want to talk to a real person", 1)
	h := d.replica(1)
	c := h.caseOf(owner)
	if c == nil {
		t.Fatal("no case for the owner")
	}
	h.agentResolves(owner, c.ID, 0, "")
	before := d.replica(0).caseByID(c.ID).Case
	began := time.Now()
	got := h.tap(forger, handoff.CSATData(c.ID, 1), 1)
	forgedLat := time.Since(began)
	if txt := allText(got); !strings.HasPrefix(txt, csatNotRecEN) || strings.Contains(txt, c.ID) {
		t.Errorf("forged rating answered %s, want the neutral %q", dump(got), csatNotRecEN)
	}
	waitDrainedOn(t, d.rdb, d.prefix, 20*time.Second)
	after := d.replica(0).caseByID(c.ID).Case
	changed := after.Satisfaction != 0 || after.FollowUp != nil || len(after.Transcript) != len(before.Transcript)
	if changed {
		t.Errorf("after the forgery: satisfaction %d, follow-up %+v, %d turns (was %d); want the case unchanged",
			after.Satisfaction, after.FollowUp, len(after.Transcript), len(before.Transcript))
	}
	got = d.replica(1).tap(owner, handoff.CSATData(c.ID, 2), 1)
	if !strings.Contains(allText(got), c.ID) {
		t.Errorf("owner's low rating answered %s, want the offer to follow case %s up", dump(got), c.ID)
	}
	if s := d.replica(0).caseByID(c.ID).Case.Satisfaction; s != 2 {
		t.Errorf("owner's rating: satisfaction %d, want 2", s)
	}
	result(t, d.topo, "forged_changed_case", changed, "forged_answer", forgedLat)
}

// A customer in a handoff sends 12 messages of 5,000 characters (LINE's
// maximum; 10 fill the case's 50,000): all recorded, each turn at most
// 5,000 characters, the case under 200 KiB in Redis, the texts past the
// budget cut with the count left out.
func abuseTranscript(t *testing.T, d *deployment) {
	u := newCustomers(d.emu, 1)[0]
	d.replica(0).say(u, "I want to talk to a real person", 1)
	c := d.replica(1).caseOf(u)
	if c == nil {
		t.Fatal("no case")
	}
	var acks []time.Duration
	for i := range 12 {
		began := time.Now()
		ev, err := d.emu.SendText(context.Background(), u, fmt.Sprintf("%03d", i)+strings.Repeat("字", 5000-3))
		acks = append(acks, time.Since(began))
		if err != nil || ev.Status != http.StatusOK {
			t.Fatalf("message %d: %v (status %d)", i, err, ev.Status)
		}
	}
	// Twelve 5,000-character turns under -race: at load 25 with the package's
	// parallel tests, two of them were still queued after 30 s (the bounds
	// are what this checks, not the speed; ack_p50/p99 report that).
	waitDrainedOn(t, d.rdb, d.prefix, 90*time.Second)
	v := d.replica(1).caseByID(c.ID)
	var turns, cut, longest int
	for _, turn := range v.Case.Transcript {
		if turn.From != handoff.FromCustomer {
			continue
		}
		turns++
		longest = max(longest, utf8.RuneCountInString(turn.Text))
		if turn.Cut > 0 {
			cut++
		}
	}
	size, err := d.rdb.StrLen(context.Background(), d.prefix+"{handoff}:case:"+c.ID).Result()
	if err != nil || size == 0 {
		t.Fatalf("case key size = %d, %v", size, err)
	}
	last := v.Case.Transcript[len(v.Case.Transcript)-1]
	p50, p99 := percentiles(acks)
	result(t, d.topo, "messages", 12, "customer_turns", turns, "turns_cut", cut, "longest_turn", longest,
		"case_bytes", size, "ack_p50", p50, "ack_p99", p99)
	if turns != 13 || longest > 5000 || size > 200<<10 || cut == 0 || !strings.HasPrefix(last.Text, "011") || last.Cut == 0 {
		t.Errorf("%d customer turns (want 13), longest %d characters (want ≤ 5,000), case %d bytes (want ≤ 200 KiB), %d cut (want some), last turn starts %q cut %d (want 011…, cut)",
			turns, longest, size, cut, string([]rune(last.Text)[:min(3, utf8.RuneCountInString(last.Text))]), last.Cut)
	}
}

// 30 wrong passwords for one id at once, spread over the replicas: all
// refused, at most 4 of them as a wrong password (the fifth failure locks
// the id), and the right password right after is refused as locked.
func abuseSignIn(t *testing.T, d *deployment) {
	codes := make([]int, 30)
	lat := make([]time.Duration, 30)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			began := time.Now()
			codes[i] = signInStatus(t, d.replica(i).url, "ken", fmt.Sprintf("wrong-guess-%d", i))
			lat[i] = time.Since(began)
		}()
	}
	wg.Wait()
	refused, locked := 0, 0
	for _, c := range codes {
		switch c {
		case http.StatusUnauthorized:
			refused++
		case http.StatusTooManyRequests:
			locked++
		default:
			t.Errorf("parallel wrong guess = %d, want 401 or 429", c)
		}
	}
	right := signInStatus(t, d.replica(1).url, "ken", e2eAgentPassword)
	p50, p99 := percentiles(lat)
	result(t, d.topo, "guesses", 30, "wrong_password_401", refused, "locked_429", locked, "right_password_after", right, "p50", p50, "p99", p99)
	if refused > 4 || refused+locked != 30 || right != http.StatusTooManyRequests {
		t.Errorf("30 parallel guesses: %d × 401, %d × 429; right password after = %d; want at most 4 × 401, the rest 429, the right password 429", refused, locked, right)
	}
}

func signInStatus(t testing.TB, base, id, password string) int {
	body, _ := json.Marshal(map[string]string{"id": id, "password": password})
	res, err := http.Post(base+"/inbox/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Errorf("sign in: %v", err)
		return 0
	}
	res.Body.Close()
	return res.StatusCode
}

// 200 open /api/events streams (20 agents × 10, each agent's limit, spread
// over the replicas) leave the webhook path alone: 40 webhooks sent at once
// are all acknowledged with 200 and answered, /readyz stays 200; a new case
// reaches every stream (whichever replica serves it); shutdown with the 200
// streams open ends them at once instead of waiting for them.
func abuseStreams(t *testing.T, d *deployment) {
	tokens := watcherTokens()
	tr := &http.Transport{MaxIdleConnsPerHost: 300}
	t.Cleanup(tr.CloseIdleConnections)
	hc := &http.Client{Transport: tr}
	heard := make(chan int, 200) // a stream's first case_opened
	var ended sync.WaitGroup
	var bodies []func() error
	t.Cleanup(func() {
		for _, c := range bodies {
			_ = c()
		}
	})
	for i := range 200 {
		req, _ := http.NewRequest("GET", d.replica(i).url+"/api/events", nil)
		req.Header.Set("Authorization", "Bearer "+strings.SplitN(tokens[i%20], "=", 2)[0])
		res, err := hc.Do(req)
		if err != nil {
			t.Fatalf("stream %d: %v", i, err)
		}
		if res.StatusCode != http.StatusOK {
			t.Fatalf("stream %d = %d", i, res.StatusCode)
		}
		bodies = append(bodies, res.Body.Close)
		ended.Add(1)
		go func() {
			defer ended.Done()
			sc := bufio.NewScanner(res.Body)
			first := true
			for sc.Scan() {
				if sc.Text() == "event: case_opened" && first {
					first = false
					heard <- i
				}
			}
		}()
	}

	// 40 customers write at once.
	const n = 40
	users := newCustomers(d.emu, n)
	evs := make([]lineemu.Event, n)
	sent := make([]time.Time, n)
	var wg sync.WaitGroup
	for i, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sent[i] = time.Now()
			ev, err := d.emu.SendText(context.Background(), u, "How much is shipping?")
			evs[i] = ev
			if err != nil || ev.Status != http.StatusOK {
				t.Errorf("webhook %d with 200 streams open: %v (status %d), want 200", i, err, ev.Status)
			}
		}()
	}
	wg.Wait()
	lat := answerLatencies(t, d.emu, evs, sent, 30*time.Second)
	waitDrainedOn(t, d.rdb, d.prefix, 20*time.Second)
	tally := tallyDeliveries(d.emu, evs)
	for _, u := range users {
		if !strings.Contains(allText(d.emu.Messages(u)), "NT$100") {
			t.Errorf("%s was answered %s, want the shipping fee", u, dump(d.emu.Messages(u)))
		}
	}
	ready := 0
	for _, h := range d.replicas {
		var body map[string]string
		if st := getJSON(t, h.url+"/readyz", &body); st == http.StatusOK {
			ready++
		} else {
			t.Errorf("readyz of %s with the streams open = %d %v, want 200", h.url, st, body)
		}
	}

	// A handoff opens a case: every stream hears of it.
	d.replica(0).say(users[0], "I want to talk to a real person", 1)
	timeout := time.After(10 * time.Second)
	for k := 0; k < 200; k++ {
		select {
		case <-heard:
		case <-timeout:
			t.Fatalf("case_opened reached %d of 200 streams within 10s", k)
		}
	}

	// Shutdown with the 200 streams open: they end when it starts, not
	// after a heartbeat or Shutdown's 20 s grace.
	start := time.Now()
	var stopping sync.WaitGroup
	for _, h := range d.replicas {
		stopping.Add(1)
		go func() { defer stopping.Done(); h.stop() }()
	}
	allEnded := make(chan struct{})
	go func() { ended.Wait(); close(allEnded) }()
	select {
	case <-allEnded:
	case <-time.After(5 * time.Second):
		t.Fatal("streams still open 5s after shutdown began")
	}
	streamsEnded := time.Since(start)
	stopping.Wait()
	stopped := time.Since(start)
	for _, h := range d.replicas {
		h.stop = func() {}
	}
	p50, p99 := percentiles(lat)
	result(t, d.topo, append(tally.fields()[:6], "p50", p50, "p99", p99, "replicas_ready", ready,
		"streams_ended_after_shutdown", streamsEnded, "stopped", stopped)...)
	if tally.lost != 0 || tally.duplicated != 0 {
		t.Errorf("with 200 streams open: %v, want all %d answered once", tally, n)
	}
	if streamsEnded > 2*time.Second {
		t.Errorf("streams ended %v after shutdown began, want < 2s", streamsEnded)
	}
}
