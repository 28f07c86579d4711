package alerts

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/internal/redistest"
	"github.com/warmline/warmline/internal/testclock"
	"github.com/warmline/warmline/locales"
)

const inboxURL = "https://support.example.com/inbox/cases/"

// fixture is one Redis prefix with a handoff service on a fake clock.
type fixture struct {
	rdb    *redis.Client
	prefix string
	clock  *testclock.Clock
	tr     *locales.Translator
	cases  *handoff.Service
	rules  *escalation.Rules
}

type nopMessenger struct{}

func (nopMessenger) Push(context.Context, string, []handoff.Notice) error { return nil }

// Monday 23 November 2026, 10:00 in Taipei: business hours.
var monday10 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

func newFixture(t testing.TB) *fixture {
	t.Helper()
	rdb, prefix := redistest.New(t)
	sh, err := loadShared()
	if err != nil {
		t.Fatalf("messages and rules: %v", err)
	}
	f := &fixture{rdb: rdb, prefix: prefix, clock: testclock.At(monday10), tr: sh.tr, rules: sh.rules}
	f.cases, err = handoff.New(handoff.Config{Redis: rdb, Prefix: prefix, Translator: sh.tr, Messenger: nopMessenger{}, Clock: f.clock.Now})
	if err != nil {
		t.Fatalf("handoff.New: %v", err)
	}
	t.Cleanup(f.cases.Wait)
	return f
}

// shared are the messages and the default escalation rules, loaded once for
// the test binary (both are immutable; loading the rules is slow under -race).
type shared struct {
	tr    *locales.Translator
	rules *escalation.Rules
}

var loadShared = sync.OnceValues(func() (shared, error) {
	tr, err := locales.New()
	if err != nil {
		return shared{}, err
	}
	rules, err := escalation.Default()
	return shared{tr: tr, rules: rules}, err
})

// open opens a case for user from a customer message, with the triggers the
// default escalation rules find in it (none: a plain request for a person,
// P3).
func (f *fixture) open(t testing.TB, user, text string) *handoff.Case {
	t.Helper()
	an := f.rules.Analyze(text, "zh-TW")
	triggers := an.Triggers
	if len(triggers) == 0 {
		triggers = []escalation.Trigger{{Kind: escalation.KindHuman, Route: escalation.Route{Tier: "L2", Priority: "P3"}, Message: text}}
	}
	c, err := f.cases.Open(context.Background(), handoff.Opening{
		UserID: user, DisplayName: "王小美 0912345678", Lang: "zh-TW", Category: handoff.CategoryConsultation,
		Request: text, Triggers: triggers,
		Transcript: []handoff.Turn{{From: handoff.FromCustomer, Text: text, At: f.clock.Now()}},
	})
	if err != nil {
		t.Fatalf("open case: %v", err)
	}
	return c
}

// fastRetry keeps tests quick: three tries a few milliseconds apart.
var fastRetry = Retry{Attempts: 3, First: 2 * time.Millisecond, Max: 10 * time.Millisecond, Timeout: 2 * time.Second}

// newAlerter builds an Alerter on f's Redis and clock; cfg's zero fields get
// test defaults.
func (f *fixture) newAlerter(t testing.TB, consumer string, hooks []Webhook, tune func(*Config)) *Alerter {
	t.Helper()
	cfg := Config{
		Redis: f.rdb, Prefix: f.prefix, Cases: f.cases, Translator: f.tr, Webhooks: hooks,
		InboxURL: inboxURL, Consumer: consumer, Clock: f.clock.Now, Log: zap.NewNop(),
		Retry: fastRetry, CheckEvery: time.Hour, Block: 50 * time.Millisecond,
	}
	if tune != nil {
		tune(&cfg)
	}
	a, err := New(cfg)
	if err != nil {
		t.Fatalf("alerts.New: %v", err)
	}
	if err := a.ensureGroups(context.Background()); err != nil {
		t.Fatalf("ensure groups: %v", err)
	}
	return a
}

// run starts a.Run and stops it when the test ends (or when stop is called).
func run(t testing.TB, a *Alerter) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := a.Run(ctx); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Error("Run did not return after its context was cancelled")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// request is what a receiver got.
type request struct {
	Header http.Header
	Body   []byte
}

// receiver is a webhook endpoint that records requests and answers with
// the statuses of script in turn (then 200).
type receiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	got    []request
	script []int
}

func newReceiver(t testing.TB, script ...int) *receiver {
	t.Helper()
	r := &receiver{script: script}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, request{Header: req.Header.Clone(), Body: b})
		status := http.StatusOK
		if len(r.script) > 0 {
			status, r.script = r.script[0], r.script[1:]
		}
		r.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) requests() []request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]request(nil), r.got...)
}

// byKind returns the requests carrying alerts of kind.
func (r *receiver) byKind(k Kind) []request {
	var out []request
	for _, q := range r.requests() {
		if q.Header.Get(HeaderKind) == string(k) {
			out = append(out, q)
		}
	}
	return out
}

// waitFor polls cond until it holds or 10 s pass.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// drained reports whether every fired alert was delivered or failed for
// good and every handoff event was handled: the outbox is empty and
// neither group has pending or unread entries.
func (f *fixture) drained(t testing.TB) bool {
	t.Helper()
	ctx := context.Background()
	for _, s := range []struct{ stream, group string }{
		{f.prefix + "{alerts}:outbox", outboxGroup}, {f.prefix + "events", eventsGroup},
	} {
		groups, err := f.rdb.XInfoGroups(ctx, s.stream).Result()
		if err != nil {
			t.Fatalf("xinfo groups %s: %v", s.stream, err)
		}
		for _, g := range groups {
			if g.Name == s.group && (g.Pending > 0 || g.Lag > 0) {
				return false
			}
		}
	}
	n, err := f.rdb.XLen(ctx, f.prefix+"{alerts}:outbox").Result()
	if err != nil {
		t.Fatalf("xlen outbox: %v", err)
	}
	return n == 0
}

func decode[T any](t testing.TB, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}
