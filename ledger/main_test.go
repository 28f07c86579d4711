package ledger

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/internal/leaktest"
	"github.com/warmline/warmline/internal/pgtest"
	"github.com/warmline/warmline/internal/testclock"
)

// TestMain checks goroutine leaks and stops the shared PostgreSQL after
// the tests.
func TestMain(m *testing.M) { leaktest.Main(pgtest.Runner(m)) }

// backend is one database the store tests run against.
type backend struct {
	name string
	cfg  func(t *testing.T) Config // a fresh, empty database
}

// backends are PostgreSQL (a schema of the pgtest server) and SQLite (a
// file in the test's temp dir): every store test runs on both.
var backends = []backend{
	{Postgres, func(t *testing.T) Config { return Config{DatabaseURL: pgtest.New(t)} }},
	{SQLite, func(t *testing.T) Config { return Config{Path: filepath.Join(t.TempDir(), "ledger.db")} }},
}

// eachBackend runs fn as a subtest per backend with a fresh store on the
// clock.
func eachBackend(t *testing.T, fn func(t *testing.T, s *Store, clk *testclock.Clock)) {
	t.Helper()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			clk := testclock.New()
			cfg := b.cfg(t)
			cfg.Clock = clk.Now
			s := openStore(t, cfg)
			if s.Backend() != b.name {
				t.Fatalf("Backend() = %s, want %s", s.Backend(), b.name)
			}
			fn(t, s, clk)
		})
	}
}

func openStore(t *testing.T, cfg Config) *Store {
	t.Helper()
	s, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open %+v: %v", cfg, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// closedCase is a case resolved at L2: opened at start, first reply after
// 10 minutes (due in 1 hour), resolved after 2 hours (due in 24), rated 4.
func closedCase(id string, start time.Time) *handoff.Case {
	return &handoff.Case{
		ID: id, UserID: "U" + id, DisplayName: "王小美", Lang: "zh-TW", Category: "complaint", Topic: "shipping_delay",
		Request: "包裹延遲三天了，請幫我查", Tier: handoff.TierL2, Priority: "P2", Status: handoff.StatusResolved,
		Owner: "amy", OwnerName: "Amy Lin",
		Triggers:  []escalation.Trigger{{Kind: escalation.KindHuman, Message: "我要找真人"}},
		CreatedAt: start, FirstResponseDue: start.Add(time.Hour), ResolutionDue: start.Add(24 * time.Hour),
		FirstResponseAt: start.Add(10 * time.Minute), ResolvedAt: start.Add(2 * time.Hour), ClosedAt: start.Add(2 * time.Hour),
		Satisfaction: 4,
		Transcript: []handoff.Turn{
			{From: handoff.FromCustomer, Kind: handoff.TurnText, Text: "包裹延遲三天了，請幫我查", At: start.Add(-time.Minute)},
			{From: handoff.FromAgent, Kind: handoff.TurnText, Text: "已為您催貨", At: start.Add(10 * time.Minute), AgentID: "amy"},
			{From: handoff.FromNote, Kind: handoff.TurnText, Text: "物流商補寄, 單號 123", At: start.Add(2 * time.Hour), AgentID: "amy"},
		},
	}
}

func caseEntry(c *handoff.Case, at time.Time) handoff.ArchiveEntry {
	return handoff.ArchiveEntry{ID: uuid.NewString(), Kind: handoff.ArchiveCase, At: at, Case: c}
}

func apply(t *testing.T, s *Store, e handoff.ArchiveEntry) bool {
	t.Helper()
	ok, err := s.Apply(context.Background(), e)
	if err != nil {
		t.Fatalf("apply %s: %v", e.ID, err)
	}
	return ok
}

func counts(t *testing.T, s *Store) Counts {
	t.Helper()
	c, err := s.Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c
}
