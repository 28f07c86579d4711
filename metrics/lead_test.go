package metrics

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/warmline/warmline/alerts"
	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/internal/redistest"
	"github.com/warmline/warmline/internal/testclock"
	"github.com/warmline/warmline/ledger"
	"github.com/warmline/warmline/locales"
)

type nopMessenger struct{}

func (nopMessenger) Push(context.Context, string, []handoff.Notice) error { return nil }

// TestLeadMetrics: a P1 case whose parties are to be told and a P4 case
// left past its deadline show as handoffs by trigger, tier and priority,
// as the alerts fired (P1, notify, the breach), as open and overdue cases;
// a case resolved while no archiver runs is the ledger's archive backlog,
// with its age (an hour, on the archiver's clock).
func TestLeadMetrics(t *testing.T) {
	rdb, prefix := redistest.New(t)
	clock := testclock.At(time.Date(2026, 11, 23, 10, 0, 0, 0, time.FixedZone("CST", 8*3600)))
	tr, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	cases, err := handoff.New(handoff.Config{Redis: rdb, Prefix: prefix, Translator: tr, Messenger: nopMessenger{}, Clock: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cases.Wait)
	al, err := alerts.New(alerts.Config{Redis: rdb, Prefix: prefix, Cases: cases, Translator: tr, Consumer: "m1",
		Clock: clock.Now, Log: zap.NewNop(), CheckEvery: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = al.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	// Run creates its consumer groups on the event stream from "$": wait
	// for them before the cases open.
	waitFor(t, "the alerter's groups", func() bool {
		g, err := rdb.XInfoGroups(context.Background(), prefix+"events").Result()
		return err == nil && len(g) == 1
	})
	open := func(user, kind, tier, prio string, notify []string) *handoff.Case {
		c, err := cases.Open(context.Background(), handoff.Opening{UserID: user, Lang: "zh-TW", Category: handoff.CategoryComplaint,
			Triggers: []escalation.Trigger{{Kind: kind, Route: escalation.Route{Tier: tier, Priority: prio, Notify: notify}}}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	low := open("U-low", escalation.KindHuman, handoff.TierL2, "P4", nil)
	open("U-legal", escalation.KindLegalMedia, handoff.TierL3, "P1", []string{"legal", "pr"})
	done3 := open("U-done", escalation.KindHuman, handoff.TierL2, "P3", nil)
	waitFor(t, "three handoffs counted", func() bool {
		n := int64(0)
		for _, v := range al.Stats().Handoffs {
			n += v
		}
		return n == 3
	})
	lead := handoff.Agent{ID: "boss", Name: "boss", Role: handoff.RoleLead}
	if _, err := cases.Claim(context.Background(), lead, done3.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := cases.Resolve(context.Background(), lead, done3.ID, ""); err != nil {
		t.Fatal(err)
	}
	clock.Set(low.FirstResponseDue.Add(time.Minute))
	if _, err := al.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	store, err := ledger.Open(context.Background(), ledger.Config{Path: filepath.Join(t.TempDir(), "l.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	arch, err := ledger.NewArchiver(ledger.ArchiverConfig{Redis: rdb, Stream: cases.ArchiveStream(), Store: store, Consumer: "m1",
		Clock: func() time.Time { return time.Now().Add(time.Hour) }}) // the stream's ids are wall-clock times
	if err != nil {
		t.Fatal(err)
	}
	m := New(Pipeline{}, nil)
	m.AddLead(Lead{Alerts: al, Archive: arch, Clock: clock.Now,
		OpenCases: func(ctx context.Context) ([]*handoff.Case, error) { return cases.List(ctx, lead, handoff.Filter{}) }})
	srv := httptest.NewServer(m.Handler("tok"))
	t.Cleanup(srv.Close)
	_, got := scrape(t, srv.URL, "tok")
	want := map[string]float64{
		`warmline_handoffs_total{priority="P4",tier="L2",trigger="human"}`:       1,
		`warmline_handoffs_total{priority="P1",tier="L3",trigger="legal_media"}`: 1,
		`warmline_handoffs_total{priority="P3",tier="L2",trigger="human"}`:       1,
		`warmline_alerts_total{kind="p1"}`:                                       1,
		`warmline_alerts_total{kind="notify"}`:                                   1,
		`warmline_alerts_total{kind="sla_breach"}`:                               2, // the P4's and the P1's first response
		`warmline_alerts_total{kind="sla_warning"}`:                              0,
		`warmline_open_cases{priority="P4",tier="L2"}`:                           1,
		`warmline_open_cases{priority="P1",tier="L3"}`:                           1,
		`warmline_open_cases{priority="P3",tier="L2"}`:                           0,
		`warmline_open_cases_overdue{tier="L2"}`:                                 1,
		`warmline_open_cases_overdue{tier="L3"}`:                                 1,
		`warmline_lead_readable`:                                                 1,
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, v)
		}
	}
	if n := got["warmline_ledger_archive_backlog"]; n < 1 {
		t.Errorf("archive backlog %v, want the resolved case's entries", n)
	}
	if age := got["warmline_ledger_archive_oldest_age_seconds"]; age < 3500 || age > 3700 {
		t.Errorf("archive lag %vs, want about an hour", age)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
