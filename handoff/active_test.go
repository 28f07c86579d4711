package handoff

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/warmline/warmline/internal/redistest"
	"github.com/warmline/warmline/internal/testclock"
)

// commandCounter is a go-redis hook counting the commands sent while on
// (a pipeline's each).
type commandCounter struct {
	mu   sync.Mutex
	on   bool
	cmds []string
}

func (h *commandCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *commandCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.add(cmd)
		return next(ctx, cmd)
	}
}

func (h *commandCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, c := range cmds {
			h.add(c)
		}
		return next(ctx, cmds)
	}
}

func (h *commandCounter) add(c redis.Cmder) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.on {
		h.cmds = append(h.cmds, c.Name())
	}
}

// during returns the commands fn sent.
func (h *commandCounter) during(fn func()) []string {
	h.mu.Lock()
	h.on, h.cmds = true, nil
	h.mu.Unlock()
	fn()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.on = false
	return h.cmds
}

// prefetched returns ctx carrying userID's active-case link as the bot's
// state load reads it (PrefetchActive in a pipeline of its own).
func prefetched(t testing.TB, svc *Service, userID string) context.Context {
	t.Helper()
	ctx := context.Background()
	var with func(context.Context) context.Context
	_, err := svc.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		with = svc.PrefetchActive(ctx, p, userID)
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		t.Fatalf("prefetch: %v", err)
	}
	return with(ctx)
}

// TestPrefetchActive: with the link read in the caller's pipeline, "no
// case" costs no command, a case one read, its two writes one script each;
// a case opened in the same event is seen; a case an agent closed after the
// read is not written to.
func TestPrefetchActive(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "2026-11-23 10:00")
	hook := &commandCounter{}
	f.svc.rdb.AddHook(hook)

	ctx := prefetched(t, f.svc, "Unone")
	var err error
	if cmds := hook.during(func() { _, err = f.svc.ActiveCase(ctx, "Unone") }); !errors.Is(err, ErrNoCase) || len(cmds) != 0 {
		t.Errorf("no case: ActiveCase = %v with %v, want ErrNoCase with no command", err, cmds)
	}
	// A case opened in the same event: the next ActiveCase finds it.
	opened := f.open(t, "Unone", human)
	if _, err := f.svc.Open(ctx, Opening{UserID: "Unone", Lang: "zh-TW", Triggers: opened.Triggers}); err != nil {
		t.Fatalf("Open again: %v", err)
	}
	if c, err := f.svc.ActiveCase(ctx, "Unone"); err != nil || c.ID != opened.ID {
		t.Errorf("after Open: ActiveCase = %v, %v; want %s", c, err, opened.ID)
	}

	c := f.open(t, "Uopen", human)
	ctx = prefetched(t, f.svc, "Uopen")
	cmds := hook.during(func() {
		got, err := f.svc.ActiveCase(ctx, "Uopen")
		if err != nil || got.ID != c.ID {
			t.Fatalf("ActiveCase = %v, %v; want %s", got, err, c.ID)
		}
		if err := f.svc.AppendCustomerMessage(ctx, c.ID, "還要等多久？"); err != nil {
			t.Fatalf("AppendCustomerMessage: %v", err)
		}
		if err := f.svc.AppendBotTurn(ctx, c.ID, Turn{Text: "已收到", Notice: NoticeAck}); err != nil {
			t.Fatalf("AppendBotTurn: %v", err)
		}
	})
	if want := []string{"get", "evalsha", "xadd", "evalsha", "xadd"}; fmt.Sprint(cmds) != fmt.Sprint(want) {
		t.Errorf("commands: got %v, want %v", cmds, want)
	}
	got, err := f.svc.Get(context.Background(), lead, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(got.Transcript); n < 3 || got.Transcript[n-2].Text != "還要等多久？" || got.Transcript[n-1].Text != "已收到" {
		t.Errorf("transcript ends %+v, want the customer's turn then the bot's", got.Transcript)
	}

	// Closed by an agent after the read: the event's write finds the case
	// changed, reads it again and refuses.
	c = f.open(t, "Ustale", human)
	ctx = prefetched(t, f.svc, "Ustale")
	if _, err := f.svc.ActiveCase(ctx, "Ustale"); err != nil {
		t.Fatalf("ActiveCase: %v", err)
	}
	if _, err := f.svc.Claim(context.Background(), l2, c.ID); err != nil {
		t.Fatalf("Claim: %v", err)
	}
	if _, err := f.svc.Resolve(context.Background(), l2, c.ID, "done"); err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	if err := f.svc.AppendCustomerMessage(ctx, c.ID, "late"); !errors.Is(err, ErrClosed) {
		t.Errorf("append to a case closed after the read: %v, want ErrClosed", err)
	}
	got, _ = f.svc.Get(context.Background(), lead, c.ID)
	for _, tu := range got.Transcript {
		if tu.Text == "late" {
			t.Errorf("the closed case got the late turn: %+v", got.Transcript)
		}
	}
}

// TestCaseWritesAreCompareAndSet: concurrent writes of one case (customer
// turns, a claim, then the close) each land once, on one server and on a
// real Redis Cluster (every key of the write script under {handoff}).
func TestCaseWritesAreCompareAndSet(t *testing.T) {
	t.Parallel()
	kinds := []struct {
		name string
		open func(t testing.TB) (redis.UniversalClient, string)
	}{
		{"standalone", func(t testing.TB) (redis.UniversalClient, string) { return redistest.New(t) }},
		{"cluster", func(t testing.TB) (redis.UniversalClient, string) { return redistest.NewCluster(t) }},
	}
	for _, kind := range kinds {
		t.Run(kind.name, func(t *testing.T) {
			rdb, prefix := kind.open(t)
			tr, err := sharedTranslator()
			if err != nil {
				t.Fatal(err)
			}
			f := &fixture{clock: testclock.At(at(t, "2026-11-23 10:00")), msg: &recorder{}}
			if f.svc, err = New(Config{Redis: rdb, Prefix: prefix, Translator: tr, Messenger: f.msg, Clock: f.clock.Now}); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(f.svc.Wait)
			c := f.open(t, "Ucas", human)
			const n = 20
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					ctx := prefetched(t, f.svc, "Ucas") // half start from a read of their own
					if i%2 == 0 {
						ctx = context.Background()
					}
					if err := f.svc.AppendCustomerMessage(ctx, c.ID, fmt.Sprintf("msg %02d", i)); err != nil {
						t.Errorf("append %d: %v", i, err)
					}
				}()
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := f.svc.Claim(context.Background(), l2, c.ID); err != nil {
					t.Errorf("Claim: %v", err)
				}
			}()
			wg.Wait()
			got, err := f.svc.Get(context.Background(), lead, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]int{}
			for _, tu := range got.Transcript {
				seen[tu.Text]++
			}
			for i := range n {
				if k := fmt.Sprintf("msg %02d", i); seen[k] != 1 {
					t.Errorf("%q in the transcript %d times, want once", k, seen[k])
				}
			}
			if got.Owner != l2.ID {
				t.Errorf("owner %q, want %q (the claim must not be lost to a concurrent append)", got.Owner, l2.ID)
			}
			if _, err := f.svc.Resolve(context.Background(), l2, c.ID, "done"); err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			if _, err := f.svc.ActiveCase(context.Background(), "Ucas"); !errors.Is(err, ErrNoCase) {
				t.Errorf("after Resolve: ActiveCase = %v, want ErrNoCase (link dropped in the same script)", err)
			}
			ctx := context.Background()
			if in, err := rdb.ZScore(ctx, f.svc.closedKey(), c.ID).Result(); err != nil || in == 0 {
				t.Errorf("closed index: %v, %v; want the case", in, err)
			}
			if q, err := rdb.ZScore(ctx, f.svc.queueKey(TierL2), c.ID).Result(); !errors.Is(err, redis.Nil) {
				t.Errorf("L2 queue still holds the closed case (%v, %v)", q, err)
			}
			if n, err := rdb.XLen(ctx, f.svc.ArchiveStream()).Result(); err != nil || n == 0 {
				t.Errorf("archive stream: %d, %v; want the closed case's entry", n, err)
			}
		})
	}
}
