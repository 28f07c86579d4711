package report_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/internal/pgtest"
	"github.com/warmline/warmline/ledger"
	"github.com/warmline/warmline/report"
)

// week is the seeded period: Monday 2026-11-23 00:00 UTC for 7 days.
var week = report.Period{
	From: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC),
	To:   time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC),
}

// at is a time in the seeded week: day d (0 = Monday) at hh:mm.
func at(d, hh, mm int) time.Time {
	return week.From.Add(time.Duration(d)*24*time.Hour + time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute)
}

// botConv is a conversation the bot had without a case.
type botConv struct {
	user, lang, topic string
	answered, menu    bool
	ended             time.Time
}

// seedCase is a closed case.
type seedCase struct {
	id, user, lang, tier, priority, topic, trigger string
	status                                         string
	created                                        time.Time
	firstReply, frDue                              time.Duration // after created; 0: none
	resolved, rsDue                                time.Duration
	closed                                         time.Duration
	score                                          int
	owner                                          string
}

// The seeded week, ten conversations. Expected figures, by hand:
//
//	conversations 10; settled by the bot 5 (o1–o5) → FCR 50%; handed off 4
//	(c1–c4) → escalation 40%; tiers L1 6 (o1–o6) 60%, L2 3 (c1, c2, c4) 30%,
//	L3 1 (c3) 10%.
//	First response (opened → first agent reply; the bot's 20 minutes before
//	each case are not counted): P1 [5m] → median 5m p90 5m; P2 [10m, 90m]
//	→ median 10m (rank ⌈0.5·2⌉ = 1), p90 90m (rank 2); P3 [30m].
//	Resolution: P1 [1h]; P2 [2h, 3h] → 2h, 3h; P3 none (returned).
//	SLA: c1 met, c2 missed (first reply 90m, due 60m), c3 met, c4 met
//	(first reply in time, no resolution target) → 3/4 = 75%; P2 1/2.
//	CSAT: 5, 2, 4 → 11/3 = 3.667, distribution [0 1 0 1 1], low: c2.
//	Reasons: (faq_shipping) 3 = 30%, all settled; (order_status) 2 = 20%,
//	all settled; (shipping_delay, human) 2 = 20%, none settled; then
//	1 each (10%): ("", ""), (legal, legal_media), (order_status, repeat_contact).
//	Repeat contacts: U1 again on day 2 (faq_shipping), U3 again on day 3
//	(order_status) → 2/10 = 20%.
//	Outside the week (not counted): a conversation on the Sunday before.
var (
	seedBot = []botConv{
		{"U1", "zh-TW", "faq_shipping", true, false, at(0, 10, 0)},
		{"U2", "en", "faq_shipping", true, false, at(0, 11, 0)},
		{"U3", "zh-TW", "order_status", true, false, at(1, 9, 0)},
		{"U4", "zh-CN", "order_status", true, false, at(1, 14, 0)},
		{"U1", "zh-TW", "faq_shipping", true, false, at(2, 10, 0)},
		{"U5", "zh-TW", "", false, true, at(4, 16, 0)},
		{"U9", "zh-TW", "faq_shipping", true, false, week.From.Add(-time.Hour)}, // the week before
	}
	seedCases = []seedCase{
		{"CS-20261123-0001", "U6", "zh-TW", "L2", "P2", "shipping_delay", escalation.KindHuman, handoff.StatusResolved,
			at(0, 13, 0), 10 * time.Minute, time.Hour, 2 * time.Hour, 24 * time.Hour, 2 * time.Hour, 5, "Amy Lin"},
		{"CS-20261124-0001", "U7", "en", "L2", "P2", "shipping_delay", escalation.KindHuman, handoff.StatusResolved,
			at(1, 10, 0), 90 * time.Minute, time.Hour, 3 * time.Hour, 24 * time.Hour, 3 * time.Hour, 2, "Ben Chen"},
		{"CS-20261125-0001", "U8", "zh-TW", "L3", "P1", "legal", escalation.KindLegalMedia, handoff.StatusResolved,
			at(2, 15, 0), 5 * time.Minute, 15 * time.Minute, time.Hour, 4 * time.Hour, time.Hour, 4, "Lead Lee"},
		{"CS-20261126-0001", "U3", "zh-TW", "L2", "P3", "order_status", escalation.KindRepeat, handoff.StatusReturned,
			at(3, 9, 0), 30 * time.Minute, 4 * time.Hour, 0, 72 * time.Hour, time.Hour, 0, "Amy Lin"},
	}
)

// seedDispositions are the codes the seeded cases were resolved with:
// delivery_chased 2 of 4 cases (50%), answered 1 (25%); the returned one none.
var seedDispositions = map[string]string{
	"CS-20261123-0001": "delivery_chased", "CS-20261124-0001": "delivery_chased", "CS-20261125-0001": "answered",
}

// seed fills s with the seeded week.
func seed(t testing.TB, s *ledger.Store) {
	t.Helper()
	ctx := context.Background()
	for i, b := range seedBot {
		e := handoff.ArchiveEntry{ID: fmt.Sprintf("bot-%d", i), Kind: handoff.ArchiveOutcome, At: b.ended,
			Outcome: &handoff.ConversationOutcome{UserID: b.user, Lang: b.lang, StartedAt: b.ended.Add(-3 * time.Minute),
				EndedAt: b.ended, AnsweredL1: b.answered, Menu: b.menu, Topic: b.topic}}
		if _, err := s.Apply(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	for _, sc := range seedCases {
		c := &handoff.Case{ID: sc.id, UserID: sc.user, Lang: sc.lang, Tier: sc.tier, Priority: sc.priority, Topic: sc.topic,
			Category: "inquiry", Status: sc.status, Owner: sc.owner, OwnerName: sc.owner, Satisfaction: sc.score,
			Triggers:  []escalation.Trigger{{Kind: sc.trigger}},
			CreatedAt: sc.created, FirstResponseDue: sc.created.Add(sc.frDue), ResolutionDue: sc.created.Add(sc.rsDue),
			ClosedAt: sc.created.Add(sc.closed), Disposition: seedDispositions[sc.id],
			// The customer talked to the bot for 20 minutes before the case.
			Transcript: []handoff.Turn{{From: handoff.FromCustomer, Kind: handoff.TurnText, Text: "…", At: sc.created.Add(-20 * time.Minute)}},
		}
		if sc.firstReply > 0 {
			c.FirstResponseAt = sc.created.Add(sc.firstReply)
		}
		if sc.resolved > 0 {
			c.ResolvedAt = sc.created.Add(sc.resolved)
		}
		if _, err := s.Apply(ctx, handoff.ArchiveEntry{ID: "case-" + sc.id, Kind: handoff.ArchiveCase, At: c.ClosedAt, Case: c}); err != nil {
			t.Fatal(err)
		}
	}
}

// backends are the ledger databases the report tests run on.
var backends = []struct {
	name string
	cfg  func(t testing.TB) ledger.Config
}{
	{ledger.SQLite, func(t testing.TB) ledger.Config {
		return ledger.Config{Path: filepath.Join(t.TempDir(), "ledger.db")}
	}},
	{ledger.Postgres, func(t testing.TB) ledger.Config { return ledger.Config{DatabaseURL: pgtest.New(t)} }},
}

// SeededStore opens a fresh ledger on cfg filled with the seeded week.
func seededStore(t testing.TB, cfg ledger.Config) *ledger.Store {
	t.Helper()
	s, err := ledger.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	seed(t, s)
	return s
}
