package alerts

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/warmline/warmline/handoff"
)

const legalThreat = "再不處理我就寄存證信函給你們" // the default rules: legal_media, L3, P1, notify legal + PR

func TestP1LegalCaseReachesSlack(t *testing.T) {
	f := newFixture(t)
	rcv := newReceiver(t)
	core, logs := observer.New(zap.InfoLevel)
	a := f.newAlerter(t, "r1", []Webhook{{Name: "legal-slack", URL: rcv.srv.URL + "/services/T0/B0/secret", Format: FormatSlack}},
		func(c *Config) { c.Log = zap.New(core) })
	run(t, a)
	// Once the start-up check is over, what fires comes from handoff's
	// event (the periodic check runs hourly here).
	waitFor(t, "the alerter started", func() bool { return logs.FilterMessage("alerts started").Len() == 1 })

	c := f.open(t, "U-legal-1", legalThreat)
	if c.Priority != "P1" || c.Tier != "L3" {
		t.Fatalf("the legal threat opened a %s %s case, want P1 L3", c.Priority, c.Tier)
	}
	waitFor(t, "the notify and P1 alerts", func() bool {
		return len(rcv.byKind(KindNotify)) == 1 && len(rcv.byKind(KindP1)) == 1
	})

	q := rcv.byKind(KindNotify)[0]
	msg := decode[slackMessage](t, q.Body)
	if want := "請通知法務、公關：案件 " + c.ID + "（P1，L3）"; !strings.HasPrefix(msg.Text, want) {
		t.Errorf("text = %q, want it to start with %q", msg.Text, want)
	}
	if !strings.Contains(msg.Text, "<"+inboxURL+c.ID+"|") {
		t.Errorf("text %q lacks the link to the case", msg.Text)
	}
	if len(msg.Blocks) != 3 || msg.Blocks[0].Type != "header" || msg.Blocks[1].Type != "section" || msg.Blocks[2].Type != "actions" {
		t.Fatalf("blocks = %+v, want header, section, actions", msg.Blocks)
	}
	fields := map[string]string{}
	for _, fl := range msg.Blocks[1].Fields {
		label, value, _ := strings.Cut(fl.Text, "\n")
		fields[strings.Trim(label, "*")] = value
	}
	deadline := c.FirstResponseDue.In(f.cases.Policy().Location).Format("2006-01-02 15:04 (UTC-07:00)")
	for label, want := range map[string]string{
		"案件編號": c.ID, "優先等級": "P1", "層級": "L3", "類別": "客訴", "需通知": "法務、公關", "下個期限": deadline,
	} {
		if fields[label] != want {
			t.Errorf("field %s = %q, want %q (fields %v)", label, fields[label], want, fields)
		}
	}
	if b := msg.Blocks[2].Elements; len(b) != 1 || b[0].URL != inboxURL+c.ID {
		t.Errorf("button = %+v, want a link to %s", b, inboxURL+c.ID)
	}
	if q.Header.Get(HeaderAlertID) != "notify:"+c.ID+":legal,pr" {
		t.Errorf("%s = %q", HeaderAlertID, q.Header.Get(HeaderAlertID))
	}
	p1 := decode[slackMessage](t, rcv.byKind(KindP1)[0].Body)
	if want := "P1 緊急案件 " + c.ID + " 等待專人處理（L3）"; !strings.HasPrefix(p1.Text, want) {
		t.Errorf("P1 text = %q, want it to start with %q", p1.Text, want)
	}
	// Nothing of the customer: not their words, name, phone or LINE id.
	for _, r := range rcv.requests() {
		for _, secret := range []string{"存證信函", "王小美", "0912345678", "U-legal-1"} {
			if strings.Contains(string(r.Body), secret) {
				t.Errorf("an alert carries customer data %q: %s", secret, r.Body)
			}
		}
	}
}

func TestGenericAlertIsSignedAndVerifies(t *testing.T) {
	f := newFixture(t)
	rcv := newReceiver(t)
	const secret = "s3cret-shared-with-the-receiver"
	a := f.newAlerter(t, "r1", []Webhook{{Name: "ops", URL: rcv.srv.URL, Format: FormatGeneric, Secret: secret, Kinds: []Kind{KindP1}, Lang: "en"}}, nil)
	run(t, a)
	c := f.open(t, "U-gen", legalThreat)
	waitFor(t, "the P1 alert", func() bool { return len(rcv.requests()) == 1 })

	q := rcv.requests()[0]
	ts, sig := q.Header.Get(HeaderTimestamp), q.Header.Get(HeaderSignature)
	if !strings.HasPrefix(sig, "sha256=") || len(sig) != len("sha256=")+64 {
		t.Fatalf("%s = %q, want sha256=<64 hex digits>", HeaderSignature, sig)
	}
	now := f.clock.Now()
	tests := []struct {
		name   string
		secret string
		body   []byte
		now    time.Time
		want   error
	}{
		{"as sent", secret, q.Body, now, nil},
		{"four minutes later", secret, q.Body, now.Add(4 * time.Minute), nil},
		{"replayed ten minutes later", secret, q.Body, now.Add(10 * time.Minute), ErrStale},
		{"body changed", secret, []byte(strings.Replace(string(q.Body), "P1", "P4", 1)), now, ErrBadSignature},
		{"wrong secret", "guess", q.Body, now, ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Verify(tt.secret, ts, sig, tt.body, tt.now, 5*time.Minute); !errors.Is(err, tt.want) {
				t.Errorf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
	got := decode[genericPayload](t, q.Body)
	if got.Kind != KindP1 || got.CaseID != c.ID || got.Priority != "P1" || got.Tier != "L3" || got.Category != "complaint" ||
		!got.Deadline.Equal(c.FirstResponseDue) || got.URL != inboxURL+c.ID || got.Lang != "en" ||
		got.Title != "P1 case "+c.ID+" is waiting for a person (L3)" {
		t.Errorf("payload = %+v", got)
	}
	if strings.Contains(string(q.Body), "U-gen") {
		t.Errorf("the payload carries the customer's LINE id: %s", q.Body)
	}
}

func TestRetriedAfter500DeliversOnce(t *testing.T) {
	f := newFixture(t)
	rcv := newReceiver(t, http.StatusInternalServerError, http.StatusBadGateway)
	a := f.newAlerter(t, "r1", []Webhook{{Name: "slack", URL: rcv.srv.URL, Format: FormatSlack, Kinds: []Kind{KindP1}}}, nil)
	run(t, a)
	c := f.open(t, "U-retry", legalThreat)
	waitFor(t, "delivery after two failures", func() bool { return len(rcv.requests()) == 3 })
	waitFor(t, "the outbox drained", func() bool { return f.drained(t) })
	reqs := rcv.requests()
	if len(reqs) != 3 {
		t.Fatalf("receiver got %d requests, want 3 (500, 502, then 200)", len(reqs))
	}
	for _, q := range reqs {
		if id := q.Header.Get(HeaderAlertID); id != "p1:"+c.ID {
			t.Errorf("retry carries alert id %q, want p1:%s on every try", id, c.ID)
		}
	}
	if fs, err := a.Failures(context.Background(), 0); err != nil || len(fs) != 0 {
		t.Errorf("Failures = %v, %v; want none", fs, err)
	}
	// Delivered means done: another check finds nothing new to send.
	if n, err := a.Check(context.Background()); err != nil || n != 0 {
		t.Errorf("Check after delivery = %d, %v; want 0 new alerts", n, err)
	}
}

func TestTwoAlertersDeliverEachAlertOnce(t *testing.T) {
	f := newFixture(t)
	rcv := newReceiver(t)
	hooks := []Webhook{{Name: "slack", URL: rcv.srv.URL, Format: FormatSlack}}
	a1 := f.newAlerter(t, "r1", hooks, nil)
	a2 := f.newAlerter(t, "r2", hooks, nil)
	run(t, a1)
	run(t, a2)

	const n = 6
	var ids []string
	for i := range n {
		ids = append(ids, f.open(t, fmt.Sprintf("U-two-%d", i), legalThreat).ID)
	}
	// Both replicas also check the open cases at the same time.
	var wg sync.WaitGroup
	for _, a := range []*Alerter{a1, a2, a1, a2} {
		wg.Go(func() {
			if _, err := a.Check(context.Background()); err != nil {
				t.Errorf("Check: %v", err)
			}
		})
	}
	wg.Wait()
	waitFor(t, "every alert", func() bool { return len(rcv.requests()) >= 2*n })
	waitFor(t, "both alerters idle", func() bool { return f.drained(t) })

	count := map[string]int{}
	for _, q := range rcv.requests() {
		count[q.Header.Get(HeaderAlertID)]++
	}
	for _, id := range ids {
		for _, want := range []string{"notify:" + id + ":legal,pr", "p1:" + id} {
			if count[want] != 1 {
				t.Errorf("alert %s delivered %d times, want once", want, count[want])
			}
		}
	}
	if len(count) != 2*n {
		t.Errorf("got %d distinct alerts, want %d: %v", len(count), 2*n, count)
	}
}

func TestSLAWarningAndBreachOnceEach(t *testing.T) {
	f := newFixture(t)
	rcv := newReceiver(t)
	hooks := []Webhook{{Name: "lead", URL: rcv.srv.URL, Format: FormatSlack, Kinds: []Kind{KindSLAWarning, KindSLABreach}, Lang: "en"}}
	a1 := f.newAlerter(t, "r1", hooks, nil)
	a2 := f.newAlerter(t, "r2", hooks, nil)
	run(t, a1)
	run(t, a2)
	c := f.open(t, "U-sla", "想問一下這個") // no trigger: a plain handoff, P3: first response due 14:00, warning at 80% = 13:12
	if want := monday10.Add(4 * time.Hour); !c.FirstResponseDue.Equal(want) {
		t.Fatalf("first response due %v, want %v", c.FirstResponseDue, want)
	}
	ctx := context.Background()
	checkBoth := func() int {
		t.Helper()
		total := 0
		for _, a := range []*Alerter{a1, a2} {
			n, err := a.Check(ctx)
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			total += n
		}
		return total
	}
	steps := []struct {
		at           time.Time
		fired        int
		warn, breach int // delivered so far
	}{
		{monday10.Add(3 * time.Hour), 0, 0, 0},
		{monday10.Add(3*time.Hour + 12*time.Minute), 1, 1, 0},
		{monday10.Add(3*time.Hour + 30*time.Minute), 0, 1, 0},
		{monday10.Add(4 * time.Hour), 1, 1, 1},
		{monday10.Add(5 * time.Hour), 0, 1, 1},
	}
	for _, s := range steps {
		f.clock.Set(s.at)
		if got := checkBoth(); got != s.fired {
			t.Errorf("at %s: two checks fired %d alerts, want %d", s.at.Format("15:04"), got, s.fired)
		}
		waitFor(t, "the alerters idle", func() bool { return f.drained(t) })
		if w, b := len(rcv.byKind(KindSLAWarning)), len(rcv.byKind(KindSLABreach)); w != s.warn || b != s.breach {
			t.Fatalf("at %s: %d warnings and %d breaches delivered, want %d and %d", s.at.Format("15:04"), w, b, s.warn, s.breach)
		}
	}
	warn := decode[slackMessage](t, rcv.byKind(KindSLAWarning)[0].Body)
	if want := "Case " + c.ID + " (P3): first response due by 2026-11-23 14:00 (UTC+08:00)"; !strings.HasPrefix(warn.Text, want) {
		t.Errorf("warning text = %q, want %q…", warn.Text, want)
	}
	breach := decode[slackMessage](t, rcv.byKind(KindSLABreach)[0].Body)
	if want := "Case " + c.ID + " (P3) missed its first response deadline (2026-11-23 14:00 (UTC+08:00))"; !strings.HasPrefix(breach.Text, want) {
		t.Errorf("breach text = %q, want %q…", breach.Text, want)
	}
}

func TestUndeliverableAlertIsRecorded(t *testing.T) {
	tests := []struct {
		name     string
		status   int // receiver's answer to every try; 0: nothing listens
		attempts int // tries made
	}{
		{"receiver down", 0, 3},
		{"always 503", http.StatusServiceUnavailable, 3},
		{"404 is permanent", http.StatusNotFound, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			var mu sync.Mutex
			hits := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				hits++
				mu.Unlock()
				w.WriteHeader(tt.status)
			}))
			url := srv.URL + "/hooks/T0/B0/the-secret-token"
			if tt.status == 0 {
				srv.Close()
			} else {
				t.Cleanup(srv.Close)
			}
			core, logs := observer.New(zap.InfoLevel)
			a := f.newAlerter(t, "r1", []Webhook{{Name: "down", URL: url, Format: FormatSlack, Kinds: []Kind{KindP1}}},
				func(c *Config) { c.Log = zap.New(core) })
			run(t, a)
			c := f.open(t, "U-down", legalThreat)

			var fails []Failure
			waitFor(t, "a recorded failure", func() bool {
				var err error
				fails, err = a.Failures(context.Background(), 10)
				return err == nil && len(fails) > 0
			})
			waitFor(t, "the outbox drained", func() bool { return f.drained(t) })
			if len(fails) != 1 {
				t.Fatalf("failures = %+v, want one", fails)
			}
			fl := fails[0]
			if fl.CaseID != c.ID || fl.Kind != KindP1 || fl.Webhook != "down" || fl.Attempts != tt.attempts || fl.AlertID != "p1:"+c.ID {
				t.Errorf("failure = %+v, want case %s, kind p1, webhook down, %d attempts", fl, c.ID, tt.attempts)
			}
			if tt.status != 0 {
				mu.Lock()
				got := hits
				mu.Unlock()
				if got != tt.attempts {
					t.Errorf("receiver got %d tries, want %d", got, tt.attempts)
				}
				if want := fmt.Sprintf("status %d", tt.status); fl.Error != want {
					t.Errorf("error = %q, want %q", fl.Error, want)
				}
			}
			entries := logs.FilterMessage("alert not delivered").All()
			if len(entries) != 1 {
				t.Fatalf("logged %d 'alert not delivered', want 1", len(entries))
			}
			for _, e := range logs.All() {
				line := e.Message + fmt.Sprint(e.ContextMap())
				if strings.Contains(line, "the-secret-token") || strings.Contains(line, "U-down") {
					t.Errorf("a log carries the webhook URL or the customer id: %s", line)
				}
			}
			if ctx := entries[0].ContextMap(); ctx["case_id"] != c.ID || ctx["kind"] != "p1" || ctx["webhook"] != "down" {
				t.Errorf("log fields = %v, want case_id, kind and webhook", ctx)
			}
			// Failed for good means done: no try after the record, and a
			// later check does not queue the alert again.
			if n, err := a.Check(context.Background()); err != nil || n != 0 {
				t.Errorf("Check after the failure = %d, %v; want 0", n, err)
			}
			if tt.status != 0 {
				mu.Lock()
				got := hits
				mu.Unlock()
				if got != tt.attempts {
					t.Errorf("receiver got %d tries after the failure was recorded, want still %d", got, tt.attempts)
				}
			}
		})
	}
}

func TestDeadReplicasWorkIsTakenOver(t *testing.T) {
	f := newFixture(t)
	rcv := newReceiver(t)
	ctx := context.Background()
	hooks := []Webhook{{Name: "slack", URL: rcv.srv.URL, Format: FormatSlack}}
	// The live replica's own settings: take over after 300 ms of silence
	// (its deliveries take at most ~100 ms).
	tune := func(c *Config) {
		c.Retry = Retry{Attempts: 2, First: time.Millisecond, Max: time.Millisecond, Timeout: 50 * time.Millisecond}
		c.ClaimIdle, c.EventClaimIdle = 300*time.Millisecond, 300*time.Millisecond
	}
	live := f.newAlerter(t, "live", hooks, tune)

	// A replica reads the case's handoff event and dies before handling it.
	c := f.open(t, "U-dead", legalThreat)
	if _, err := f.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: eventsGroup, Consumer: "dead",
		Streams: []string{f.prefix + "events", ">"}, Count: 100}).Result(); err != nil {
		t.Fatalf("dead replica's read: %v", err)
	}
	// Another one queued an alert and died before delivering it.
	orphan := Alert{ID: "sla_breach:" + c.ID + ":first_response:1", Kind: KindSLABreach, CaseID: c.ID, Priority: "P1", Tier: "L3", At: f.clock.Now()}
	if ok, err := live.fire(ctx, orphan); err != nil || !ok {
		t.Fatalf("fire: %v, %v", ok, err)
	}
	if _, err := f.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: outboxGroup, Consumer: "dead",
		Streams: []string{f.prefix + "{alerts}:outbox", ">"}, Count: 100}).Result(); err != nil {
		t.Fatalf("dead replica's outbox read: %v", err)
	}

	run(t, live)
	waitFor(t, "the orphaned work delivered", func() bool {
		return len(rcv.byKind(KindNotify)) == 1 && len(rcv.byKind(KindP1)) == 1 && len(rcv.byKind(KindSLABreach)) == 1
	})
	// Nothing left pending on the dead consumer: its event and its alert
	// were taken over (XAUTOCLAIM) and acknowledged. (The case's own alerts
	// may come from the start-up check or from the event: fired once either way.)
	waitFor(t, "nothing pending", func() bool { return f.drained(t) })
	for _, s := range []struct{ stream, group string }{{f.prefix + "events", eventsGroup}, {f.prefix + "{alerts}:outbox", outboxGroup}} {
		p, err := f.rdb.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: s.stream, Group: s.group, Start: "-", End: "+", Count: 10, Consumer: "dead"}).Result()
		if err != nil || len(p) != 0 {
			t.Errorf("%s: still pending on the dead consumer: %+v, %v", s.group, p, err)
		}
	}
	if got := len(rcv.requests()); got != 3 {
		t.Errorf("receiver got %d requests, want 3", got)
	}
}

func TestStoppedMidRetryLeavesTheAlertPending(t *testing.T) {
	f := newFixture(t)
	rcv := newReceiver(t, http.StatusServiceUnavailable)
	hooks := []Webhook{{Name: "slack", URL: rcv.srv.URL, Format: FormatSlack, Kinds: []Kind{KindP1}}}
	slow := func(c *Config) { c.Retry = Retry{Attempts: 3, First: time.Hour, Max: time.Hour, Timeout: time.Second} }
	a := f.newAlerter(t, "r1", hooks, slow)
	stop := run(t, a)
	f.open(t, "U-stop", legalThreat)
	waitFor(t, "the first try", func() bool { return len(rcv.requests()) == 1 })
	stop() // while waiting an hour for the second try
	if fs, _ := a.Failures(context.Background(), 0); len(fs) != 0 {
		t.Errorf("a shutdown recorded failures %+v; the alert should stay pending", fs)
	}
	pending, err := f.rdb.XPending(context.Background(), f.prefix+"{alerts}:outbox", outboxGroup).Result()
	if err != nil || pending.Count != 1 {
		t.Fatalf("pending outbox entries = %+v, %v; want 1 (taken over by the next replica)", pending, err)
	}
}

func TestNewReportsEveryProblem(t *testing.T) {
	_, err := New(Config{Webhooks: []Webhook{{Name: "x", URL: "ftp://x", Format: FormatGeneric}}, Lang: "fr",
		Retry: Retry{Attempts: 2, Timeout: time.Second}, ClaimIdle: time.Second})
	if err == nil {
		t.Fatal("New accepted a bad config")
	}
	for _, want := range []string{"Redis is required", "Cases is required", "Translator is required", "Consumer is required",
		`lang "fr"`, "url: want an http(s) URL", "a secret is required", "ClaimIdle"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestDueAlerts(t *testing.T) {
	f := newFixture(t)
	created := monday10
	p3 := func(mod func(c *handoff.Case)) *handoff.Case {
		c := &handoff.Case{ID: "CS-20261123-0001", Status: handoff.StatusQueued, Priority: "P3", Tier: "L2", Category: "complaint",
			CreatedAt: created, FirstResponseDue: created.Add(4 * time.Hour), ResolutionDue: created.Add(24 * time.Hour)}
		if mod != nil {
			mod(c)
		}
		return c
	}
	replied := func(c *handoff.Case) { c.FirstResponseAt = created.Add(time.Hour) }
	tests := []struct {
		name string
		c    *handoff.Case
		now  time.Time
		want []string // alert ids
	}{
		{"fresh P3", p3(nil), created, nil},
		{"P3 at 80% of first response", p3(nil), created.Add(3*time.Hour + 12*time.Minute),
			[]string{"sla_warning:CS-20261123-0001:first_response:" + ms(created.Add(4*time.Hour))}},
		{"P3 past first response", p3(nil), created.Add(4 * time.Hour),
			[]string{"sla_breach:CS-20261123-0001:first_response:" + ms(created.Add(4*time.Hour))}},
		// Resolution 1wd = 9 working hours: due Tuesday 10:00; its 80% mark
		// is 7h12 of business time after Monday 10:00, 17:12.
		{"replied, before the resolution warning", p3(replied), created.Add(7 * time.Hour), nil},
		{"replied, at 80% of resolution", p3(replied), created.Add(7*time.Hour + 12*time.Minute),
			[]string{"sla_warning:CS-20261123-0001:resolution:" + ms(created.Add(24*time.Hour))}},
		{"replied, past resolution", p3(replied), created.Add(24 * time.Hour),
			[]string{"sla_breach:CS-20261123-0001:resolution:" + ms(created.Add(24*time.Hour))}},
		{"P1 with parties", p3(func(c *handoff.Case) { c.Priority, c.Notify = "P1", []string{"pr", "legal"} }), created,
			[]string{"notify:CS-20261123-0001:legal,pr", "p1:CS-20261123-0001"}},
		{"closed", p3(func(c *handoff.Case) { c.Status, c.Priority = handoff.StatusResolved, "P1" }), created.Add(5 * time.Hour), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, a := range dueAlerts(f.cases, tt.c, tt.now) {
				got = append(got, a.ID)
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("due alerts = %v, want %v", got, tt.want)
			}
		})
	}
}

func ms(t time.Time) string { return fmt.Sprint(t.UnixMilli()) }

func TestTooManyRequestsIsRetried(t *testing.T) {
	f := newFixture(t)
	var mu sync.Mutex
	var tries []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		tries = append(tries, time.Now())
		if len(tries) == 1 {
			w.Header().Set("Retry-After", "30") // capped at Retry.Max (10 ms here)
			w.WriteHeader(http.StatusTooManyRequests)
		}
	}))
	t.Cleanup(srv.Close)
	a := f.newAlerter(t, "r1", []Webhook{{Name: "slack", URL: srv.URL, Format: FormatSlack, Kinds: []Kind{KindP1}}}, nil)
	run(t, a)
	f.open(t, "U-429", legalThreat)
	waitFor(t, "the alerter idle", func() bool {
		mu.Lock()
		n := len(tries)
		mu.Unlock()
		return n >= 2 && f.drained(t)
	})
	mu.Lock()
	defer mu.Unlock()
	if len(tries) != 2 {
		t.Fatalf("receiver got %d tries, want 2 (429, then 200)", len(tries))
	}
	if d := tries[1].Sub(tries[0]); d > 5*time.Second {
		t.Errorf("second try %s after the 429: Retry-After was not capped at Retry.Max", d)
	}
	if fs, err := a.Failures(context.Background(), 0); err != nil || len(fs) != 0 {
		t.Errorf("Failures = %v, %v; want none", fs, err)
	}
}
