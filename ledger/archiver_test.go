package ledger

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap/zaptest"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/internal/redistest"
	"github.com/warmline/warmline/internal/testclock"
	"github.com/warmline/warmline/locales"
)

type noPush struct{}

func (noPush) Push(context.Context, string, []handoff.Notice) error { return nil }

var (
	agent = handoff.Agent{ID: "amy", Name: "Amy Lin", Role: handoff.RoleL2}
	human = escalation.Trigger{Kind: escalation.KindHuman, Route: escalation.Route{Tier: "L2", Priority: "P3"}, Message: "我要真人"}
)

// world is one replica's view: handoff on a real Redis (own key prefix) and
// a ledger store.
type world struct {
	rdb    *redis.Client
	prefix string
	cases  *handoff.Service
	store  *Store
	clk    *testclock.Clock
}

func newWorld(t *testing.T, s *Store, clk *testclock.Clock) *world {
	t.Helper()
	rdb, prefix := redistest.New(t)
	tr, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	svc, err := handoff.New(handoff.Config{Redis: rdb, Prefix: prefix, Translator: tr, Messenger: noPush{}, Clock: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Wait)
	return &world{rdb: rdb, prefix: prefix, cases: svc, store: s, clk: clk}
}

func (w *world) archiver(t *testing.T, rdb redis.UniversalClient, name string, claimIdle time.Duration) *Archiver {
	t.Helper()
	a, err := NewArchiver(ArchiverConfig{Redis: rdb, Stream: w.cases.ArchiveStream(), Store: w.store, Consumer: name,
		Batch: 50, Poll: 10 * time.Millisecond, ClaimIdle: claimIdle, Log: zaptest.NewLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// run runs a in the background until the test ends.
func run(t *testing.T, a *Archiver) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = a.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// resolveCase opens, answers and resolves a case for user.
func (w *world) resolveCase(t *testing.T, user string) *handoff.Case {
	t.Helper()
	ctx := context.Background()
	c, err := w.cases.Open(ctx, handoff.Opening{UserID: user, Lang: "zh-TW", Category: "complaint", Topic: "shipping_delay",
		Request: "包裹一直沒到", Triggers: []escalation.Trigger{human},
		Transcript: []handoff.Turn{{From: handoff.FromCustomer, Kind: handoff.TurnText, Text: "包裹一直沒到", At: w.clk.Now()}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.cases.Claim(ctx, agent, c.ID); err != nil {
		t.Fatal(err)
	}
	w.clk.Advance(5 * time.Minute)
	if _, err := w.cases.Reply(ctx, agent, c.ID, "您好，已為您查詢"); err != nil {
		t.Fatal(err)
	}
	w.clk.Advance(time.Hour)
	if c, err = w.cases.Resolve(ctx, agent, c.ID, "已補寄"); err != nil {
		t.Fatal(err)
	}
	return c
}

func (w *world) record(t *testing.T, caseID string) (Record, bool) {
	t.Helper()
	recs, err := w.store.Records(context.Background(), testclock.Start.Add(-time.Hour), testclock.Start.Add(30*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.CaseID == caseID {
			return r, true
		}
	}
	return Record{}, false
}

// flush deletes every key of the world's prefix: what FLUSHALL does to it
// (the shared test server is not ours to flush).
func (w *world) flush(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	for _, pattern := range []string{w.prefix + "*", "{" + w.prefix + "*"} {
		keys, err := w.rdb.Keys(ctx, pattern).Result()
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) > 0 {
			if err := w.rdb.Del(ctx, keys...).Err(); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The running archiver may have made its (empty) stream and group again.
	left, _ := w.rdb.Keys(ctx, w.prefix+"*").Result()
	for _, k := range left {
		if k != w.cases.ArchiveStream() || w.rdb.XLen(ctx, k).Val() != 0 {
			t.Fatalf("keys left after the flush: %v", left)
		}
	}
}

// TestClosedCaseSurvivesRedisFlush: a case closed (and rated) before Redis
// loses everything is in the ledger afterwards, and the archiver goes on
// archiving after the flush (its group is made again).
func TestClosedCaseSurvivesRedisFlush(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store, clk *testclock.Clock) {
		ctx := context.Background()
		w := newWorld(t, s, clk)
		a := w.archiver(t, w.rdb, "r1", time.Minute)
		run(t, a)
		c := w.resolveCase(t, "U-before")
		if err := w.cases.RecordSatisfaction(ctx, c.UserID, c.ID, 5); err != nil {
			t.Fatal(err)
		}
		waitFor(t, func() bool { r, ok := w.record(t, c.ID); return ok && r.Satisfaction == 5 })
		waitFor(t, func() bool { l, err := a.Lag(ctx); return err == nil && l.Entries == 0 })

		w.flush(t)
		if _, err := w.cases.Get(ctx, agent, c.ID); !errors.Is(err, handoff.ErrNoCase) {
			t.Fatalf("after the flush Redis still has the case (err %v)", err)
		}
		r, ok := w.record(t, c.ID)
		if !ok || r.Status != handoff.StatusResolved || r.Resolution != "已補寄" || r.FirstResponse == nil || *r.FirstResponse != 5*time.Minute {
			t.Fatalf("ledger after the flush: %+v (found %v), want the resolved case with its note and 5 min first response", r, ok)
		}
		turns, err := s.Transcript(ctx, c.ID)
		if err != nil || len(turns) < 3 {
			t.Errorf("transcript after the flush: %d turns, %v; want the customer, agent and note turns", len(turns), err)
		}

		after := w.resolveCase(t, "U-after")
		waitFor(t, func() bool { _, ok := w.record(t, after.ID); return ok })
	})
}

// TestArchiverKilledMidBatch: a replica that dies after storing part of a
// batch and before acknowledging it loses nothing and doubles nothing: a
// second replica claims the whole batch, stores what was missing and finds
// the rest stored.
func TestArchiverKilledMidBatch(t *testing.T) {
	const entries, diesAfter = 40, 15
	eachBackend(t, func(t *testing.T, s *Store, clk *testclock.Clock) {
		ctx := context.Background()
		w := newWorld(t, s, clk)
		for i := range entries {
			o := handoff.ConversationOutcome{UserID: fmt.Sprintf("U%d", i), Lang: "en", EndedAt: clk.Now(), AnsweredL1: true, Topic: "shipping_fee"}
			if err := w.cases.RecordOutcome(ctx, o); err != nil {
				t.Fatal(err)
			}
		}
		// Replica 1 has its own connection; it is cut after diesAfter
		// entries are stored, before the batch is acknowledged.
		conn := redis.NewClient(w.rdb.Options())
		first := w.archiver(t, conn, "r1", time.Minute)
		var applied atomic.Int32
		first.apply = func(ctx context.Context, e handoff.ArchiveEntry) (bool, error) {
			if applied.Load() == diesAfter {
				_ = conn.Close()
				return false, errors.New("replica killed")
			}
			applied.Add(1)
			return s.Apply(ctx, e)
		}
		if _, err := first.Step(ctx); err == nil {
			t.Fatal("the killed step reported no error")
		}
		if got := counts(t, s); got.Outcomes != diesAfter {
			t.Fatalf("stored before the kill: %d, want %d", got.Outcomes, diesAfter)
		}
		lag, err := w.archiver(t, w.rdb, "probe", time.Minute).Lag(ctx)
		if err != nil || lag.Entries != entries || lag.Pending != entries {
			t.Fatalf("lag after the kill = %+v, %v; want all %d entries in the stream and pending", lag, err, entries)
		}

		second := w.archiver(t, w.rdb, "r2", time.Millisecond)
		var stored atomic.Int32
		second.apply = func(ctx context.Context, e handoff.ArchiveEntry) (bool, error) {
			ok, err := s.Apply(ctx, e)
			if ok {
				stored.Add(1)
			}
			return ok, err
		}
		seen := 0
		waitFor(t, func() bool {
			n, err := second.Step(ctx)
			if err != nil {
				t.Fatal(err)
			}
			seen += n
			return seen >= entries
		})
		got := counts(t, s)
		if got.Outcomes != entries || got.Entries != entries {
			t.Errorf("after the takeover: %+v, want %d outcomes and entries", got, entries)
		}
		if stored.Load() != entries-diesAfter || seen != entries {
			t.Errorf("second replica stored %d and saw %d, want %d stored (%d already were) of %d", stored.Load(), seen, entries-diesAfter, diesAfter, entries)
		}
		outs, err := s.Outcomes(ctx, clk.Now().Add(-time.Second), clk.Now().Add(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		users := map[string]bool{}
		for _, o := range outs {
			users[o.Customer] = true
		}
		if len(users) != entries {
			t.Errorf("%d distinct customers in the outcomes, want %d", len(users), entries)
		}
		if lag, err := second.Lag(ctx); err != nil || lag != (Lag{}) {
			t.Errorf("lag after the takeover = %+v, %v; want none", lag, err)
		}
	})
}

// TestArchiversShareTheStream: two replicas' archivers running at once
// store every entry once.
func TestArchiversShareTheStream(t *testing.T) {
	const entries = 60
	eachBackend(t, func(t *testing.T, s *Store, clk *testclock.Clock) {
		ctx := context.Background()
		w := newWorld(t, s, clk)
		var mu sync.Mutex
		by := map[string]int{}
		for _, name := range []string{"r1", "r2"} {
			a := w.archiver(t, w.rdb, name, time.Minute)
			a.apply = func(ctx context.Context, e handoff.ArchiveEntry) (bool, error) {
				mu.Lock()
				by[name]++
				mu.Unlock()
				return s.Apply(ctx, e)
			}
			run(t, a)
		}
		var wg sync.WaitGroup
		for i := range entries {
			wg.Add(1)
			go func() {
				defer wg.Done()
				o := handoff.ConversationOutcome{UserID: fmt.Sprintf("U%d", i), EndedAt: clk.Now(), Menu: true}
				if err := w.cases.RecordOutcome(ctx, o); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		waitFor(t, func() bool { return counts(t, s).Outcomes == entries })
		mu.Lock()
		total := by["r1"] + by["r2"]
		mu.Unlock()
		if total != entries {
			t.Errorf("entries handed to the archivers: %v (total %d), want each of %d once", by, total, entries)
		}
	})
}

// TestLag: entries nobody archived yet show as lag with the oldest's age.
func TestLag(t *testing.T) {
	s := openStore(t, Config{})
	clk := testclock.New()
	w := newWorld(t, s, clk)
	ctx := context.Background()
	for range 3 {
		if err := w.cases.RecordOutcome(ctx, handoff.ConversationOutcome{UserID: "U1", EndedAt: clk.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	a, err := NewArchiver(ArchiverConfig{Redis: w.rdb, Stream: w.cases.ArchiveStream(), Store: s, Consumer: "r1",
		Poll: 10 * time.Millisecond, Clock: func() time.Time { return time.Now().Add(time.Minute) }})
	if err != nil {
		t.Fatal(err)
	}
	lag, err := a.Lag(ctx)
	if err != nil || lag.Entries != 3 || lag.Pending != 0 || lag.Oldest < time.Minute || lag.Oldest > 2*time.Minute {
		t.Fatalf("lag = %+v, %v; want 3 entries, none pending, about a minute old", lag, err)
	}
	if n, err := a.Step(ctx); err != nil || n != 3 {
		t.Fatalf("step: %d, %v; want 3", n, err)
	}
	if lag, err := a.Lag(ctx); err != nil || lag != (Lag{}) {
		t.Errorf("lag after archiving = %+v, %v; want zero", lag, err)
	}
}

func TestNewArchiverNamesWhatIsMissing(t *testing.T) {
	_, err := NewArchiver(ArchiverConfig{})
	if err == nil {
		t.Fatal("empty config accepted")
	}
	for _, want := range []string{"Redis", "Stream", "Store", "Consumer"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}
