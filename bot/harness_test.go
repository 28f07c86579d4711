package bot

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/internal/redistest"
	"github.com/warmline/warmline/internal/testclock"
	"github.com/warmline/warmline/knowledge"
	"github.com/warmline/warmline/knowledge/orders"
	"github.com/warmline/warmline/locales"
)

// start is a Monday 10:00 in Taipei, inside business hours.
var start = time.Date(2026, 11, 23, 10, 0, 0, 0, taipei())

type staticKB struct{ b *knowledge.Base }

func (s staticKB) Current() *knowledge.Base { return s.b }

// fakeProfiles stands for LINE's profile API.
type fakeProfiles struct {
	mu    sync.Mutex
	byID  map[string]Profile
	calls map[string]int
}

func (f *fakeProfiles) Profile(_ context.Context, userID string) (Profile, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[userID]++
	return f.byID[userID], nil
}

// fakeLoading stands for LINE's loading animation.
type fakeLoading struct {
	mu    sync.Mutex
	users []string
}

func (f *fakeLoading) ShowLoading(_ context.Context, userID string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users = append(f.users, userID)
}

// fakeMessenger stands for LINE push (used by handoff).
type fakeMessenger struct {
	mu      sync.Mutex
	notices []handoff.Notice
}

func (f *fakeMessenger) Push(_ context.Context, _ string, ns []handoff.Notice) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.notices = append(f.notices, ns...)
	return nil
}

// switchBackend is the real file backend that can be taken down; it
// records refund requests in a RefundBook (unless down).
type switchBackend struct {
	b       orders.Backend
	refunds *orders.RefundBook
	mu      sync.Mutex
	down    bool
	slow    bool // block until the caller gives up
}

func (s *switchBackend) RecordRefund(ctx context.Context, r orders.RefundRequest) error {
	s.mu.Lock()
	down := s.down
	s.mu.Unlock()
	if down {
		return orders.ErrUnavailable
	}
	return s.refunds.RecordRefund(ctx, r)
}

func (s *switchBackend) Lookup(ctx context.Context, n string) (orders.Order, error) {
	s.mu.Lock()
	down, slow := s.down, s.slow
	s.mu.Unlock()
	if down {
		return orders.Order{}, orders.ErrUnavailable
	}
	if slow {
		<-ctx.Done()
		return orders.Order{}, ctx.Err()
	}
	return s.b.Lookup(ctx, n)
}

func (s *switchBackend) setDown(d bool) {
	s.mu.Lock()
	s.down = d
	s.mu.Unlock()
}

var (
	kbOnce sync.Once
	kbBase *knowledge.Base
	kbErr  error
)

// testKB loads the fixture KB once per test binary (a Base is immutable).
func testKB(t *testing.T) *knowledge.Base {
	t.Helper()
	kbOnce.Do(func() { kbBase, kbErr = knowledge.Load(context.Background(), os.DirFS("testdata/kb")) })
	if kbErr != nil {
		t.Fatalf("load test KB: %v", kbErr)
	}
	return kbBase
}

// The default rules and the translator are read-only once built and cost
// about 0.7 s under -race each (the rules' patterns, the complaint model,
// every locale file): built once per test binary, not per harness (about
// 300 harnesses made the bot package's tests take 3.5 minutes).
var (
	sharedRules = sync.OnceValues(func() (*escalation.Rules, error) { return escalation.Default() })
	sharedTr    = sync.OnceValues(locales.New)
)

type harness struct {
	t        *testing.T
	e        *Engine
	rdb      redis.UniversalClient
	prefix   string
	tr       *locales.Translator
	cases    *handoff.Service
	profiles *fakeProfiles
	loading  *fakeLoading
	backend  *switchBackend
	kb       *knowledge.Base
	clock    *testclock.Clock
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	return newHarnessWith(t, nil)
}

// newHarnessWith lets a test change the engine's configuration.
func newHarnessWith(t *testing.T, change func(*EngineConfig)) *harness {
	t.Helper()
	rdb, prefix := redistest.New(t)
	return newHarnessOn(t, rdb, prefix, change)
}

// newClusterHarness runs the engine on the shared 3-master test cluster.
func newClusterHarness(t *testing.T) *harness {
	t.Helper()
	rdb, prefix := redistest.NewCluster(t)
	return newHarnessOn(t, rdb, prefix, nil)
}

func newHarnessOn(t *testing.T, rdb redis.UniversalClient, prefix string, change func(*EngineConfig)) *harness {
	t.Helper()
	tr, err := sharedTr()
	if err != nil {
		t.Fatalf("locales: %v", err)
	}
	base := testKB(t)
	fb, err := orders.NewFileBackend(os.DirFS("testdata"), "orders.json")
	if err != nil {
		t.Fatalf("orders: %v", err)
	}
	ex, err := orders.NewExtractor(orders.DefaultPattern)
	if err != nil {
		t.Fatalf("extractor: %v", err)
	}
	rules, err := sharedRules()
	if err != nil {
		t.Fatalf("rules: %v", err)
	}
	h := &harness{
		t: t, rdb: rdb, prefix: prefix, tr: tr, clock: testclock.At(start),
		profiles: &fakeProfiles{byID: map[string]Profile{}, calls: map[string]int{}},
		loading:  &fakeLoading{},
		backend:  &switchBackend{b: fb, refunds: orders.NewRefundBook(rdb, prefix, nil)},
		kb:       base,
	}
	svc, err := handoff.New(handoff.Config{Redis: rdb, Prefix: prefix, Translator: tr, Messenger: &fakeMessenger{}, Clock: h.clock.Now})
	if err != nil {
		t.Fatalf("handoff: %v", err)
	}
	t.Cleanup(svc.Wait)
	h.cases = svc
	cfg := EngineConfig{
		Redis: rdb, Prefix: prefix, KB: staticKB{base}, Orders: h.backend, OrderNumbers: ex,
		Rules: rules, Cases: svc, Translator: tr, Profiles: h.profiles, Loading: h.loading, Clock: h.clock.Now,
		OrderTimeout: 200 * time.Millisecond,
	}
	if change != nil {
		change(&cfg)
	}
	h.e, err = NewEngine(cfg)
	if err != nil {
		t.Fatalf("NewEngine: %v", err)
	}
	return h
}

func (h *harness) handle(ev Event) []Message {
	h.t.Helper()
	if ev.Timestamp.IsZero() {
		ev.Timestamp = h.clock.Now()
	}
	msgs, err := h.e.Handle(context.Background(), ev)
	if err != nil {
		h.t.Fatalf("Handle(%+v): %v", ev, err)
	}
	if len(msgs) > MaxMessages {
		h.t.Fatalf("Handle(%+v) returned %d messages, want at most %d", ev, len(msgs), MaxMessages)
	}
	for i, m := range msgs {
		if i < len(msgs)-1 && len(m.QuickReplies) > 0 {
			h.t.Errorf("quick replies on message %d of %d: LINE shows them only on the last", i+1, len(msgs))
		}
		for _, q := range m.QuickReplies {
			if n := len([]rune(q.Label)); n > 20 || n == 0 {
				h.t.Errorf("quick reply label %q has %d characters", q.Label, n)
			}
		}
		if strings.Contains(m.Text, "[bot_") {
			h.t.Errorf("missing message in reply: %q", m.Text)
		}
	}
	return msgs
}

func (h *harness) text(user, s string) []Message {
	h.t.Helper()
	return h.handle(Event{ID: "ev", Kind: KindText, UserID: user, Text: s})
}

func (h *harness) postback(user, data string) []Message {
	h.t.Helper()
	return h.handle(Event{ID: "ev", Kind: KindPostback, UserID: user, Data: data})
}

// T renders a bot message for comparison.
func (h *harness) T(lang, id string, data map[string]any) string {
	return h.tr.T(lang, id, data)
}

func (h *harness) conv(user string) map[string]string {
	h.t.Helper()
	m, err := h.rdb.HGetAll(context.Background(), h.prefix+"{u:"+user+"}:conv").Result()
	if err != nil {
		h.t.Fatalf("read state: %v", err)
	}
	return m
}

func (h *harness) activeCase(user string) *handoff.Case {
	h.t.Helper()
	c, err := h.cases.ActiveCase(context.Background(), user)
	if errors.Is(err, handoff.ErrNoCase) {
		return nil
	}
	if err != nil {
		h.t.Fatalf("ActiveCase: %v", err)
	}
	return c
}

// all is every text of the replies (card alt text and rows included).
func all(msgs []Message) string {
	var b strings.Builder
	for _, m := range msgs {
		b.WriteString(m.Text)
		b.WriteString("\n")
		if m.Card != nil {
			b.WriteString(m.Card.AltText + "\n" + m.Card.Title + "\n" + m.Card.Footer + "\n")
			for _, r := range m.Card.Rows {
				b.WriteString(r.Label + ": " + r.Value + "\n")
			}
		}
	}
	return b.String()
}

// replies returns the postback data (or text) of the last message's quick replies.
func replies(msgs []Message) []string {
	if len(msgs) == 0 {
		return nil
	}
	var out []string
	for _, q := range msgs[len(msgs)-1].QuickReplies {
		if q.Data != "" {
			out = append(out, q.Data)
		} else {
			out = append(out, "text:"+q.Text)
		}
	}
	return out
}

func hasReply(msgs []Message, data string) bool {
	return slices.Contains(replies(msgs), data)
}

func mustContain(t *testing.T, got, want string) {
	t.Helper()
	if !strings.Contains(got, want) {
		t.Errorf("reply does not contain %q; got:\n%s", want, got)
	}
}

func mustNotContain(t *testing.T, got, unwanted string) {
	t.Helper()
	if strings.Contains(got, unwanted) {
		t.Errorf("reply contains %q; got:\n%s", unwanted, got)
	}
}

// answerOf is an entry's answer in lang, as the customer must see it.
func (h *harness) answerOf(id, lang string) string {
	h.t.Helper()
	en, ok := h.kb.Entry(id)
	if !ok {
		h.t.Fatalf("no entry %s", id)
	}
	return strings.TrimSpace(en.Answer[lang])
}

func (h *harness) titleOf(id, lang string) string {
	h.t.Helper()
	en, ok := h.kb.Entry(id)
	if !ok {
		h.t.Fatalf("no entry %s", id)
	}
	return en.Title[lang]
}
