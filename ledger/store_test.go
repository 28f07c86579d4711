package ledger

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/internal/testclock"
)

func TestMigrationsApplyOnce(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			cfg := b.cfg(t)
			// Two replicas starting on one new database at once.
			stores := make([]*Store, 2)
			errs := make([]error, 2)
			var wg sync.WaitGroup
			for i := range stores {
				wg.Add(1)
				go func() {
					defer wg.Done()
					stores[i], errs[i] = Open(context.Background(), cfg)
				}()
			}
			wg.Wait()
			for i, s := range stores {
				if errs[i] != nil {
					t.Fatalf("replica %d: %v", i, errs[i])
				}
				t.Cleanup(func() { _ = s.Close() })
			}
			first, second := stores[0], stores[1]
			ms, err := migrations()
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []*Store{first, second} {
				var n, top int
				if err := s.db.QueryRow(`SELECT count(*), max(version) FROM schema_migrations`).Scan(&n, &top); err != nil {
					t.Fatal(err)
				}
				if n != len(ms) || top != ms[len(ms)-1].version {
					t.Errorf("schema_migrations: %d rows up to %d, want %d up to %d", n, top, len(ms), ms[len(ms)-1].version)
				}
			}
			if c := counts(t, second); c != (Counts{}) {
				t.Errorf("new database: counts %+v, want all zero", c)
			}
		})
	}
}

func TestApplyStoresLedgerColumns(t *testing.T) {
	start := testclock.Start
	fr, rs := 10*time.Minute, 2*time.Hour
	yes, no := true, false
	late := closedCase("CS-20261123-0002", start)
	late.FirstResponseAt = start.Add(90 * time.Minute) // due after 1 hour
	returned := closedCase("CS-20261123-0003", start)
	returned.Status, returned.ResolvedAt, returned.FirstResponseAt, returned.Satisfaction = handoff.StatusReturned, time.Time{}, time.Time{}, 0
	returned.ClosedAt = start.Add(5 * time.Minute) // before the first-response due: no target applied
	tests := []struct {
		name string
		c    *handoff.Case
		want Record
	}{
		{"resolved in time", closedCase("CS-20261123-0001", start), Record{
			CaseID: "CS-20261123-0001", Created: start, Closed: start.Add(2 * time.Hour), CustomerID: "UCS-20261123-0001",
			Category: "complaint", Priority: "P2", Tier: "L2", Request: "包裹延遲三天了，請幫我查", Status: "resolved",
			Resolution: "物流商補寄, 單號 123", Satisfaction: 4, OwnerID: "amy", OwnerName: "Amy Lin",
			FirstResponse: &fr, ResolutionTime: &rs, SLAMet: &yes, Trigger: "human", Topic: "shipping_delay", Lang: "zh-TW"}},
		{"first reply late", late, Record{
			CaseID: "CS-20261123-0002", Created: start, Closed: start.Add(2 * time.Hour), CustomerID: "UCS-20261123-0002",
			Category: "complaint", Priority: "P2", Tier: "L2", Request: "包裹延遲三天了，請幫我查", Status: "resolved",
			Resolution: "物流商補寄, 單號 123", Satisfaction: 4, OwnerID: "amy", OwnerName: "Amy Lin",
			FirstResponse: ptr(90 * time.Minute), ResolutionTime: &rs, SLAMet: &no, Trigger: "human", Topic: "shipping_delay", Lang: "zh-TW"}},
		{"returned before any target", returned, Record{
			CaseID: "CS-20261123-0003", Created: start, Closed: start.Add(5 * time.Minute), CustomerID: "UCS-20261123-0003",
			Category: "complaint", Priority: "P2", Tier: "L2", Request: "包裹延遲三天了，請幫我查", Status: "returned",
			OwnerID: "amy", OwnerName: "Amy Lin", Trigger: "human", Topic: "shipping_delay", Lang: "zh-TW"}},
	}
	eachBackend(t, func(t *testing.T, s *Store, clk *testclock.Clock) {
		for _, tt := range tests {
			if !apply(t, s, caseEntry(tt.c, tt.c.ClosedAt)) {
				t.Fatalf("%s: first apply reported the entry as seen", tt.name)
			}
		}
		got, err := s.Records(context.Background(), start.Add(-time.Hour), start.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(tests) {
			t.Fatalf("got %d records, want %d", len(got), len(tests))
		}
		for i, tt := range tests {
			tt.want.Customer = s.Pseudonym(tt.c.UserID)
			if d := cmp.Diff(tt.want, got[i]); d != "" {
				t.Errorf("%s: record (-want +got):\n%s", tt.name, d)
			}
		}
		turns, err := s.Transcript(context.Background(), "CS-20261123-0001")
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(tests[0].c.Transcript, turns, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); d != "" {
			t.Errorf("transcript (-want +got):\n%s", d)
		}
		if r, ok, err := s.Rating(context.Background(), "CS-20261123-0001"); err != nil || !ok || r.Score != 4 {
			t.Errorf("rating = %+v, %v, %v; want score 4", r, ok, err)
		}
		if _, ok, _ := s.Rating(context.Background(), "CS-20261123-0003"); ok {
			t.Error("an unrated case has a rating")
		}
		outs, err := s.Outcomes(context.Background(), start, start.Add(3*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if len(outs) != 3 || !outs[0].Handoff || outs[0].AnsweredL1 || outs[0].CaseID == "" || outs[0].Trigger != "human" ||
			!outs[0].Started.Equal(start.Add(-time.Minute)) {
			t.Errorf("outcomes = %+v, want 3 handoffs with their case, trigger and the first turn's time", outs)
		}
	})
}

func ptr(d time.Duration) *time.Duration { return &d }

// TestApplyIsIdempotent: an entry applied again writes nothing, and an older
// entry of a case applied after a newer one does not replace it.
func TestApplyIsIdempotent(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, clk *testclock.Clock) {
		start := testclock.Start
		unrated := closedCase("CS-20261123-0001", start)
		unrated.Satisfaction = 0
		older := caseEntry(unrated, start.Add(2*time.Hour))
		newer := caseEntry(closedCase("CS-20261123-0001", start), start.Add(3*time.Hour)) // rated later
		if !apply(t, s, newer) {
			t.Fatal("first apply: seen before")
		}
		before := counts(t, s)
		if apply(t, s, newer) {
			t.Error("the same entry again: stored again")
		}
		if !apply(t, s, older) {
			t.Error("a different (older) entry: reported as seen")
		}
		after := counts(t, s)
		if want := (Counts{Cases: 1, Transcripts: 3, Ratings: 1, Outcomes: 1, Entries: 2}); after != want || before.Cases != 1 {
			t.Errorf("counts %+v, want %+v", after, want)
		}
		recs, err := s.Records(context.Background(), start, start.Add(time.Minute))
		if err != nil || len(recs) != 1 || recs[0].Satisfaction != 4 {
			t.Errorf("records %+v, %v: want the newer entry's rating 4 kept", recs, err)
		}
	})
}

func TestOpenCaseIsNotArchived(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, clk *testclock.Clock) {
		c := closedCase("CS-20261123-0009", testclock.Start)
		c.Status = handoff.StatusClaimed
		if _, err := s.Apply(context.Background(), caseEntry(c, testclock.Start)); err == nil {
			t.Fatal("an open case was archived")
		}
		if got := counts(t, s); got != (Counts{}) {
			t.Errorf("counts %+v after a refused entry, want nothing stored", got)
		}
	})
}

func TestConversationOutcome(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, clk *testclock.Clock) {
		end := testclock.Start
		e := handoff.ArchiveEntry{ID: "0193-l1", Kind: handoff.ArchiveOutcome, At: end, Outcome: &handoff.ConversationOutcome{
			UserID: "Uabc", Lang: "en", StartedAt: end.Add(-3 * time.Minute), EndedAt: end, AnsweredL1: true, Menu: true, Topic: "shipping_fee"}}
		apply(t, s, e)
		apply(t, s, e)
		outs, err := s.Outcomes(context.Background(), end, end.Add(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		want := []Outcome{{ID: "0193-l1", Customer: s.Pseudonym("Uabc"), Lang: "en", Started: end.Add(-3 * time.Minute), Ended: end,
			AnsweredL1: true, Menu: true, Topic: "shipping_fee"}}
		if d := cmp.Diff(want, outs); d != "" {
			t.Errorf("outcomes (-want +got):\n%s", d)
		}
	})
}

// TestPseudonyms: a database keeps its own key across restarts; a
// configured secret gives the same reference in any database.
func TestPseudonyms(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.db")
	a := openStore(t, Config{Path: path})
	ref := a.Pseudonym("U1234567890abcdef")
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	again := openStore(t, Config{Path: path})
	other := openStore(t, Config{})
	secretA := openStore(t, Config{Secret: []byte("s3cret")})
	secretB := openStore(t, Config{Path: filepath.Join(t.TempDir(), "b.db"), Secret: []byte("s3cret")})
	if got := again.Pseudonym("U1234567890abcdef"); got != ref {
		t.Errorf("after reopening: %s, want %s", got, ref)
	}
	if other.Pseudonym("U1234567890abcdef") == ref {
		t.Error("another database with its own key gives the same reference")
	}
	if secretA.Pseudonym("U1") != secretB.Pseudonym("U1") {
		t.Error("one configured secret, two references")
	}
	if len(ref) != 18 || ref[:2] != "c-" || a.Pseudonym("U2") == ref {
		t.Errorf("reference %q: want c- and 16 hex digits, distinct per customer", ref)
	}
}

func TestInMemoryStore(t *testing.T) {
	s := openStore(t, Config{})
	apply(t, s, caseEntry(closedCase("CS-20261123-0001", testclock.Start), testclock.Start))
	if c := counts(t, s); c.Cases != 1 {
		t.Errorf("in-memory store: %+v, want 1 case", c)
	}
}

func TestRejectsOtherDatabaseURLs(t *testing.T) {
	if _, err := Open(context.Background(), Config{DatabaseURL: "mysql://x"}); err == nil {
		t.Error("a mysql:// URL was accepted")
	}
}

// TestPurgeJob: the scheduled purge deletes what is past the retention by
// the injected clock and keeps the rest.
func TestPurgeJob(t *testing.T) {
	for _, tt := range []struct {
		name      string
		retention time.Duration
	}{{"default 2 years", 0}, {"30 days", 30 * 24 * time.Hour}} {
		retention := tt.retention
		t.Run(tt.name, func(t *testing.T) {
			eachBackend(t, func(t *testing.T, s *Store, clk *testclock.Clock) {
				keep := retention
				if keep == 0 {
					keep = DefaultRetention
					if s.Retention() != 2*365*24*time.Hour {
						t.Fatalf("default retention %v, want 2 years", s.Retention())
					}
				} else {
					s.retention = keep
				}
				start := testclock.Start
				old, recent := closedCase("CS-20261123-0001", start), closedCase("CS-20261123-0002", start.Add(48*time.Hour))
				apply(t, s, caseEntry(old, start))
				apply(t, s, caseEntry(recent, start))
				apply(t, s, handoff.ArchiveEntry{ID: "l1", Kind: handoff.ArchiveOutcome, At: start,
					Outcome: &handoff.ConversationOutcome{UserID: "U1", EndedAt: start, AnsweredL1: true}})
				// The old case closed 2 h after start; one day past its retention:
				clk.Set(old.ClosedAt.Add(keep + 24*time.Hour))
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan struct{})
				go func() { s.RunPurger(ctx, 5*time.Millisecond); close(done) }()
				waitFor(t, func() bool { return counts(t, s).Cases == 1 })
				cancel()
				<-done
				got := counts(t, s)
				if want := (Counts{Cases: 1, Transcripts: 3, Ratings: 1, Outcomes: 1, Entries: 0}); got != want {
					t.Errorf("after purge: %+v, want %+v", got, want)
				}
				recs, _ := s.Records(context.Background(), start.Add(-time.Hour), start.Add(72*time.Hour))
				if len(recs) != 1 || recs[0].CaseID != recent.ID {
					t.Errorf("kept %+v, want only %s", recs, recent.ID)
				}
			})
		})
	}
}

// waitFor polls cond until it holds (fails after 10 s).
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestSLAExcludedSaysWhy: a case returned to the bot (or cancelled) with
// no agent reply before its first-response due time has no SLA target
// (neither met nor missed) and says why; returned after the due time it
// is a miss; with a reply it counts as the reply's time says.
func TestSLAExcludedSaysWhy(t *testing.T) {
	start := testclock.Start
	noReply := func(id, status string, closed time.Duration) *handoff.Case {
		c := closedCase(id, start)
		c.Status, c.ResolvedAt, c.FirstResponseAt, c.Satisfaction = status, time.Time{}, time.Time{}, 0
		c.ClosedAt = start.Add(closed) // first response due after 1 hour
		return c
	}
	replied := closedCase("CS-20261123-0005", start)
	replied.Status, replied.ResolvedAt, replied.Satisfaction = handoff.StatusReturned, time.Time{}, 0
	yes, no := true, false
	tests := []struct {
		name string
		c    *handoff.Case
		met  *bool
		why  SLAExclusion
	}{
		{"returned before the due time", noReply("CS-20261123-0001", handoff.StatusReturned, 5*time.Minute), nil, SLAExcludedReturned},
		{"returned after the due time", noReply("CS-20261123-0002", handoff.StatusReturned, 61*time.Minute), &no, ""},
		{"cancelled before the due time", noReply("CS-20261123-0003", handoff.StatusCancelled, 2*time.Minute), nil, SLAExcludedCancelled},
		{"cancelled after the due time", noReply("CS-20261123-0004", handoff.StatusCancelled, 2*time.Hour), &no, ""},
		{"returned after a reply in time", replied, &yes, ""},
		{"resolved", closedCase("CS-20261123-0006", start), &yes, ""},
	}
	eachBackend(t, func(t *testing.T, s *Store, clk *testclock.Clock) {
		for _, tt := range tests {
			apply(t, s, caseEntry(tt.c, tt.c.ClosedAt))
		}
		recs, err := s.Records(context.Background(), start, start.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		byID := map[string]Record{}
		for _, r := range recs {
			byID[r.CaseID] = r
		}
		for _, tt := range tests {
			r := byID[tt.c.ID]
			if !cmp.Equal(r.SLAMet, tt.met) || r.SLAExcluded() != tt.why {
				t.Errorf("%s: SLAMet %v, excluded %q; want %v, %q", tt.name, fmtBool(r.SLAMet), r.SLAExcluded(), fmtBool(tt.met), tt.why)
			}
		}
	})
}

func fmtBool(b *bool) string {
	if b == nil {
		return "nil"
	}
	if *b {
		return "true"
	}
	return "false"
}

// TestOwnerIsWhoHadTheCase: the ledger's owner is the case's owner when it
// closed; a case nobody claimed that a lead returned to the bot has the
// lead (by id) as its owner; one the customer cancelled unclaimed has none.
func TestOwnerIsWhoHadTheCase(t *testing.T) {
	start := testclock.Start
	unclaimed := func(id, status string, turns ...handoff.Turn) *handoff.Case {
		c := closedCase(id, start)
		c.Status, c.ResolvedAt, c.FirstResponseAt, c.Satisfaction = status, time.Time{}, time.Time{}, 0
		c.Owner, c.OwnerName, c.ClosedAt = "", "", start.Add(5*time.Minute)
		c.Transcript = append(c.Transcript[:1], turns...)
		return c
	}
	returnedBy := handoff.Turn{From: handoff.FromSystem, Kind: handoff.TurnEvent, At: start.Add(5 * time.Minute), AgentID: "boss",
		Event: &handoff.SystemEvent{Type: handoff.SysReturnedNoReply}}
	cancelled := handoff.Turn{From: handoff.FromSystem, Kind: handoff.TurnEvent, At: start.Add(5 * time.Minute),
		Event: &handoff.SystemEvent{Type: handoff.SysCancelled}}
	tests := []struct {
		name      string
		c         *handoff.Case
		ownerID   string
		ownerName string
	}{
		{"resolved by its owner", closedCase("CS-20261123-0001", start), "amy", "Amy Lin"},
		{"returned unclaimed by a lead", unclaimed("CS-20261123-0002", handoff.StatusReturned, returnedBy), "boss", ""},
		{"cancelled unclaimed", unclaimed("CS-20261123-0003", handoff.StatusCancelled, cancelled), "", ""},
	}
	eachBackend(t, func(t *testing.T, s *Store, clk *testclock.Clock) {
		for _, tt := range tests {
			apply(t, s, caseEntry(tt.c, tt.c.ClosedAt))
		}
		recs, err := s.Records(context.Background(), start, start.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		for i, tt := range tests {
			if r := recs[i]; r.CaseID != tt.c.ID || r.OwnerID != tt.ownerID || r.OwnerName != tt.ownerName || !r.Closed.Equal(tt.c.ClosedAt) {
				t.Errorf("%s: %s owner %q %q closed %v, want %s %q %q %v", tt.name, r.CaseID, r.OwnerID, r.OwnerName, r.Closed,
					tt.c.ID, tt.ownerID, tt.ownerName, tt.c.ClosedAt)
			}
		}
	})
}
