package line

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/warmline/warmline/internal/redistest"
)

// recorder's Process records the text of each processed event
// per user, in processing order.
type recorder struct {
	mu    sync.Mutex
	seen  map[string][]string // user -> texts
	count int
	fn    func(ctx context.Context, user, text string) error // optional behaviour
}

func newRecorder() *recorder { return &recorder{seen: map[string][]string{}} }

func (r *recorder) Process(ctx context.Context, raw json.RawMessage) error {
	var ev struct {
		Source struct {
			UserID string `json:"userId"`
		} `json:"source"`
		Message struct{ Text string } `json:"message"`
	}
	if err := json.Unmarshal(raw, &ev); err != nil {
		return Permanent(err)
	}
	if r.fn != nil {
		if err := r.fn(ctx, ev.Source.UserID, ev.Message.Text); err != nil {
			return err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen[ev.Source.UserID] = append(r.seen[ev.Source.UserID], ev.Message.Text)
	r.count++
	return nil
}

func (r *recorder) Count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.count
}

func (r *recorder) Seen(user string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.seen[user]...)
}

func enqueue(t *testing.T, q *Queue, evs ...json.RawMessage) {
	t.Helper()
	if _, err := q.Enqueue(context.Background(), evs); err != nil {
		t.Fatalf("Enqueue: %v", err)
	}
}

func startConsumer(t *testing.T, q *Queue, p Process, cfg ConsumerConfig) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- NewConsumer(q, p, cfg, testLog(t)).Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Errorf("Run did not return 10 s after cancel")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func texts(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%03d", prefix, i)
	}
	return out
}

// A replica dies after LINE got its 200 but before the event was processed:
// the next replica processes it exactly once, before the user's later events.
func TestConsumerCrashBetweenAckAndProcessing(t *testing.T) {
	q, _, _ := newTestQueue(t, QueueConfig{Shards: 4})
	for i, txt := range texts("a", 5) {
		enqueue(t, q, textEvent(eventID(i), "Ualice", txt))
	}

	// Replica 1 blocks in the first event until it is killed.
	entered := make(chan struct{})
	release := make(chan struct{})
	var enteredOnce sync.Once
	crashing := newRecorder()
	crashing.fn = func(ctx context.Context, user, text string) error {
		enteredOnce.Do(func() { close(entered) })
		<-release
		return errors.New("replica killed")
	}
	stop1 := startConsumer(t, q, crashing.Process, ConsumerConfig{Name: "replica-1", Workers: 2, LeaseTTL: time.Second, Block: 10 * time.Millisecond})
	<-entered
	go func() { time.Sleep(20 * time.Millisecond); close(release) }()
	stop1() // returns once the in-flight call finished; nothing was acked
	if n := crashing.Count(); n != 0 {
		t.Fatalf("replica 1 processed %d events, want 0", n)
	}
	if got := totalLen(t, q); got != 5 {
		t.Fatalf("stored events after crash: got %d, want 5", got)
	}

	good := newRecorder()
	startConsumer(t, q, good.Process, ConsumerConfig{Name: "replica-2", Workers: 2, LeaseTTL: time.Second, Block: 10 * time.Millisecond})
	waitFor(t, 10*time.Second, "5 events processed", func() bool { return good.Count() >= 5 })
	waitFor(t, 5*time.Second, "queue empty", func() bool { return totalLen(t, q) == 0 })
	if got, want := good.Seen("Ualice"), texts("a", 5); !slices.Equal(got, want) {
		t.Errorf("processed: got %v, want %v", got, want)
	}
	if n := good.Count(); n != 5 {
		t.Errorf("processed count: got %d, want 5", n)
	}
}

// A replica crashed hard: its lease is still alive and its entries are
// pending under its name. Once the lease expires another replica takes the
// shard over and processes the pending entries first, in order.
func TestConsumerTakesOverAbandonedShard(t *testing.T) {
	q, rdb, _ := newTestQueue(t, QueueConfig{Shards: 1})
	ctx := context.Background()
	for i, txt := range texts("b", 3) {
		enqueue(t, q, textEvent(eventID(i), "Ubob", txt))
	}
	if err := q.ensureGroups(ctx); err != nil {
		t.Fatal(err)
	}
	// The dead replica read two entries and holds the lease for 300 ms.
	if got, err := q.readNew(ctx, 0, "ghost/0", 2); err != nil || len(got) != 2 {
		t.Fatalf("ghost read: %d entries, %v", len(got), err)
	}
	if err := rdb.Set(ctx, q.leaseKey(0), "ghost-token", 300*time.Millisecond).Err(); err != nil {
		t.Fatal(err)
	}
	for i, txt := range texts("c", 2) {
		enqueue(t, q, textEvent(eventID(100+i), "Ubob", txt))
	}

	rec := newRecorder()
	start := time.Now()
	startConsumer(t, q, rec.Process, ConsumerConfig{Name: "replica-2", Workers: 3, LeaseTTL: time.Second, Block: 10 * time.Millisecond})
	waitFor(t, 10*time.Second, "5 events processed", func() bool { return rec.Count() >= 5 })
	if el := time.Since(start); el < 250*time.Millisecond {
		t.Errorf("shard worked after %v, while the dead replica's lease was still valid", el)
	}
	want := append(texts("b", 3), texts("c", 2)...)
	if got := rec.Seen("Ubob"); !slices.Equal(got, want) {
		t.Errorf("processed: got %v, want %v", got, want)
	}
	// The recorder counts an event before its ack, so the last ack and the
	// ghost's removal may still be on their way: wait for them.
	pending := func() int64 {
		pend, err := rdb.XPending(ctx, q.streamKey(0), group).Result()
		if err != nil {
			t.Fatal(err)
		}
		return pend.Count
	}
	ghost := func() bool {
		cs, err := rdb.XInfoConsumers(ctx, q.streamKey(0), group).Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			if c.Name == "ghost/0" {
				return true
			}
		}
		return false
	}
	waitFor(t, 10*time.Second, "every entry acked and the dead replica's consumer removed", func() bool { return pending() == 0 && !ghost() })
}

// A replica that stops cleanly leaves no consumer behind in the groups.
func TestConsumerForgetsItselfOnStop(t *testing.T) {
	q, rdb, _ := newTestQueue(t, QueueConfig{Shards: 2})
	rec := newRecorder()
	stop := startConsumer(t, q, rec.Process, ConsumerConfig{Name: "tidy", Workers: 2, Block: 5 * time.Millisecond})
	enqueue(t, q, textEvent(eventID(1), "Ua", "x"), textEvent(eventID(2), "Ub", "y"))
	waitFor(t, 10*time.Second, "2 events processed", func() bool { return rec.Count() >= 2 })
	stop()
	for s := 0; s < 2; s++ {
		cs, err := rdb.XInfoConsumers(context.Background(), q.streamKey(s), group).Result()
		if err != nil {
			t.Fatal(err)
		}
		if len(cs) != 0 {
			t.Errorf("shard %d consumers after stop: got %d, want 0", s, len(cs))
		}
	}
}

// Per-user order with several workers on two replicas, under -race.
func TestConsumerPerUserOrder(t *testing.T) {
	q, _, _ := newTestQueue(t, QueueConfig{})
	const users, perUser = 5, 40
	var evs []json.RawMessage
	for i := 0; i < perUser; i++ {
		for u := 0; u < users; u++ {
			user := fmt.Sprintf("Uorder%d", u)
			evs = append(evs, textEvent(fmt.Sprintf("ev-%d-%d", u, i), user, fmt.Sprintf("%s-%03d", user, i)))
		}
	}
	rec := newRecorder()
	rec.fn = func(ctx context.Context, user, text string) error {
		time.Sleep(time.Duration(rand.IntN(2000)) * time.Microsecond)
		return nil
	}
	cfg := ConsumerConfig{Workers: 8, LeaseTTL: 2 * time.Second, Block: 5 * time.Millisecond}
	cfg.Name = "replica-a"
	startConsumer(t, q, rec.Process, cfg)
	cfg.Name = "replica-b"
	startConsumer(t, q, rec.Process, cfg)
	// Enqueue while the consumers run, in small interleaved batches.
	for i := 0; i < len(evs); i += 7 {
		enqueue(t, q, evs[i:min(i+7, len(evs))]...)
	}
	enqueue(t, q, evs[:10]...) // redeliveries: deduplicated
	waitFor(t, 30*time.Second, "all events processed", func() bool { return rec.Count() >= users*perUser })
	waitFor(t, 5*time.Second, "queue empty", func() bool { return totalLen(t, q) == 0 })
	if n := rec.Count(); n != users*perUser {
		t.Errorf("processed: got %d, want %d", n, users*perUser)
	}
	for u := 0; u < users; u++ {
		user := fmt.Sprintf("Uorder%d", u)
		want := make([]string, perUser)
		for i := range want {
			want[i] = fmt.Sprintf("%s-%03d", user, i)
		}
		if got := rec.Seen(user); !slices.Equal(got, want) {
			t.Errorf("%s order: got %v, want %v", user, got, want)
		}
	}
}

func TestConsumerDeadLetters(t *testing.T) {
	tests := []struct {
		name         string
		err          error
		wantAttempts int
	}{
		{"keeps failing", errors.New("engine down"), 3},
		{"permanent", Permanent(errors.New("cannot decode")), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, _, _ := newTestQueue(t, QueueConfig{Shards: 2})
			enqueue(t, q, textEvent(eventID(1), "Upoison", "poison"))
			enqueue(t, q, textEvent(eventID(2), "Upoison", "after"))
			rec := newRecorder()
			var mu sync.Mutex
			calls := 0
			rec.fn = func(ctx context.Context, user, text string) error {
				if text == "poison" {
					mu.Lock()
					calls++
					mu.Unlock()
					return tt.err
				}
				return nil
			}
			sl := &sleeps{}
			startConsumer(t, q, rec.Process, ConsumerConfig{Name: "r", Workers: 1, MaxAttempts: 3, Block: 5 * time.Millisecond, Sleep: sl.Sleep})
			waitFor(t, 10*time.Second, "later event processed", func() bool { return rec.Count() >= 1 })
			if got := rec.Seen("Upoison"); !slices.Equal(got, []string{"after"}) {
				t.Errorf("processed: got %v, want [after]", got)
			}
			mu.Lock()
			if calls != tt.wantAttempts {
				t.Errorf("attempts: got %d, want %d", calls, tt.wantAttempts)
			}
			mu.Unlock()
			dl, err := q.DeadLetters(context.Background(), 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(dl) != 1 {
				t.Fatalf("dead letters: got %d, want 1", len(dl))
			}
			if dl[0].EventID != eventID(1) || dl[0].Attempts != tt.wantAttempts || dl[0].Error == "" {
				t.Errorf("dead letter: got id %s attempts %d error %q", dl[0].EventID, dl[0].Attempts, dl[0].Error)
			}
			if !json.Valid(dl[0].Event) {
				t.Errorf("dead letter event is not the raw JSON: %s", dl[0].Event)
			}
			if got := len(sl.All()); got != tt.wantAttempts-1 {
				t.Errorf("backoff waits: got %d, want %d", got, tt.wantAttempts-1)
			}
			waitFor(t, 5*time.Second, "queue empty", func() bool { return totalLen(t, q) == 0 })
		})
	}
}

// TestConsumerRedisOutageDoesNotUseUpAttempts: an event whose processing
// fails because Redis refuses work for a while (a restarted cluster master
// answers CLUSTERDOWN for ~2 s; here the real server returns that error
// from a script) is retried past MaxAttempts and then processed, not
// dead-lettered; an ordinary failure still counts. Past OutageRetries the
// event is left pending rather than buried.
func TestConsumerRedisOutageDoesNotUseUpAttempts(t *testing.T) {
	tests := []struct {
		name          string
		outages       int // tries that fail with CLUSTERDOWN before one that works
		outageRetries int
		wantProcessed bool
	}{
		{"outage longer than MaxAttempts", 7, 0, true},
		{"outage past OutageRetries stays pending", 1000, 4, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, rdb, _ := newTestQueue(t, QueueConfig{Shards: 2})
			enqueue(t, q, textEvent(eventID(1), "Uoutage", "during the outage"))
			rec := newRecorder()
			var mu sync.Mutex
			tries := 0
			rec.fn = func(ctx context.Context, user, text string) error {
				mu.Lock()
				defer mu.Unlock()
				tries++
				if tries <= tt.outages {
					return fmt.Errorf("load conversation: %w", rdb.Eval(ctx, "return redis.error_reply('CLUSTERDOWN The cluster is down')", nil).Err())
				}
				return nil
			}
			sl := &sleeps{}
			startConsumer(t, q, rec.Process, ConsumerConfig{Name: "r", Workers: 1, MaxAttempts: 3, OutageRetries: tt.outageRetries,
				Block: 5 * time.Millisecond, Sleep: sl.Sleep})
			if tt.wantProcessed {
				waitFor(t, 10*time.Second, "event processed after the outage", func() bool { return rec.Count() >= 1 })
				waitFor(t, 5*time.Second, "queue empty", func() bool { return totalLen(t, q) == 0 })
				mu.Lock()
				if tries != tt.outages+1 {
					t.Errorf("tries: got %d, want %d (each outage retried, then one that worked)", tries, tt.outages+1)
				}
				mu.Unlock()
			} else {
				waitFor(t, 10*time.Second, "outage retries used", func() bool {
					mu.Lock()
					defer mu.Unlock()
					return tries > tt.outageRetries
				})
			}
			dl, err := q.DeadLetters(context.Background(), 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(dl) != 0 {
				t.Errorf("dead letters: got %d (%+v), want none: an outage is not the event's fault", len(dl), dl)
			}
			if !tt.wantProcessed && totalLen(t, q) != 1 {
				t.Errorf("queue length %d, want the event still pending", totalLen(t, q))
			}
		})
	}
}

// A processor that kills its process every time (here: panics) is counted
// and eventually dead-lettered rather than blocking the user forever.
func TestConsumerPanicsAreBounded(t *testing.T) {
	q, _, _ := newTestQueue(t, QueueConfig{Shards: 1})
	enqueue(t, q, textEvent(eventID(1), "Upanic", "boom"))
	enqueue(t, q, textEvent(eventID(2), "Upanic", "fine"))
	rec := newRecorder()
	rec.fn = func(ctx context.Context, user, text string) error {
		if text == "boom" {
			panic("handler bug")
		}
		return nil
	}
	startConsumer(t, q, rec.Process, ConsumerConfig{Name: "r", Workers: 1, MaxAttempts: 2, Block: 5 * time.Millisecond,
		Sleep: func(context.Context, time.Duration) error { return nil }})
	waitFor(t, 10*time.Second, "later event processed", func() bool { return rec.Count() >= 1 })
	dl, err := q.DeadLetters(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(dl) != 1 || dl[0].EventID != eventID(1) {
		t.Fatalf("dead letters: got %+v, want the panicking event", dl)
	}
}

// countXLen counts the XLEN commands sent through rdb (pipelined or not).
type countXLen struct{ n atomic.Int64 }

func (c *countXLen) DialHook(next redis.DialHook) redis.DialHook { return next }
func (c *countXLen) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if cmd.Name() == "xlen" {
			c.n.Add(1)
		}
		return next(ctx, cmd)
	}
}
func (c *countXLen) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, cmd := range cmds {
			if cmd.Name() == "xlen" {
				c.n.Add(1)
			}
		}
		return next(ctx, cmds)
	}
}

// Idle workers block on the "stored" signal instead of polling the shard
// lengths, and a stored event wakes one at once.
func TestConsumerIdleWorkersWaitForTheSignal(t *testing.T) {
	q, rdb, _ := newTestQueue(t, QueueConfig{Shards: 4})
	var xlen countXLen
	rdb.AddHook(&xlen)
	rec := newRecorder()
	// Block is long: only the signal can wake an idle worker in this test.
	startConsumer(t, q, rec.Process, ConsumerConfig{Name: "idle", Workers: 4, Block: time.Hour})
	enqueue(t, q, textEvent(eventID(1), "Uidle", "first"))
	waitFor(t, 10*time.Second, "first event processed", func() bool { return rec.Count() >= 1 })
	waitFor(t, 5*time.Second, "queue empty", func() bool { return totalLen(t, q) == 0 })

	// Workers finishing their last round may still look at the shards; a
	// polling worker never stops. Wait for 200 ms without XLEN, then check
	// that 300 ms more stay quiet.
	quiet := time.Now().Add(5 * time.Second)
	for last := xlen.n.Load(); ; {
		time.Sleep(200 * time.Millisecond)
		now := xlen.n.Load()
		if now == last {
			break
		}
		if time.Now().After(quiet) {
			t.Fatalf("workers kept sending XLEN (%d in the last 200 ms): idle workers poll", now-last)
		}
		last = now
	}
	before := xlen.n.Load()
	time.Sleep(300 * time.Millisecond) // asserting that nothing happens
	if n := xlen.n.Load() - before; n != 0 {
		t.Errorf("idle workers sent %d XLEN in 300 ms, want 0", n)
	}

	enqueue(t, q, textEvent(eventID(2), "Uidle", "second"))
	waitFor(t, 5*time.Second, "second event processed", func() bool { return rec.Count() >= 2 })
	if got := rec.Seen("Uidle"); !slices.Equal(got, []string{"first", "second"}) {
		t.Errorf("processed: got %v, want [first second]", got)
	}
}

// One user's slow event (a hung backend) holds only that user: the other
// users of the same shard are answered meanwhile, and the slow user's next
// event waits behind the slow one, in order. When the replica stops with
// the slow event still in hand, the next replica finishes the slow user's
// events in order.
func TestConsumerSlowUserHoldsOnlyThemself(t *testing.T) {
	q, _, _ := newTestQueue(t, QueueConfig{Shards: 1})
	release := make(chan struct{})
	var hungOnce sync.Once
	hung := make(chan struct{})
	rec := newRecorder()
	rec.fn = func(ctx context.Context, user, text string) error {
		if text == "slow-000" {
			hungOnce.Do(func() { close(hung) })
			select {
			case <-release:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	}
	cfg := ConsumerConfig{Name: "replica-a", Workers: 4, LeaseTTL: 2 * time.Second, Block: 10 * time.Millisecond, DrainTimeout: 50 * time.Millisecond}
	stop := startConsumer(t, q, rec.Process, cfg)
	for i, txt := range texts("slow-", 3) {
		enqueue(t, q, textEvent(eventID(i), "Uslow", txt))
	}
	<-hung
	var evs []json.RawMessage
	for u := 0; u < 6; u++ {
		for i, txt := range texts(fmt.Sprintf("u%d-", u), 4) {
			evs = append(evs, textEvent(eventID(100+10*u+i), fmt.Sprintf("Ufast%d", u), txt))
		}
	}
	enqueue(t, q, evs...)
	waitFor(t, 10*time.Second, "the other users' 24 events processed while one user's event hangs", func() bool { return rec.Count() >= 24 })
	for u := 0; u < 6; u++ {
		if got, want := rec.Seen(fmt.Sprintf("Ufast%d", u)), texts(fmt.Sprintf("u%d-", u), 4); !slices.Equal(got, want) {
			t.Errorf("Ufast%d: got %v, want %v", u, got, want)
		}
	}
	if got := rec.Seen("Uslow"); len(got) != 0 {
		t.Errorf("slow user's events processed before the slow one finished: %v", got)
	}
	stop() // the slow event is cut short after the drain timeout and stays pending
	if got := totalLen(t, q); got != 3 {
		t.Fatalf("stored after stop: got %d, want the slow user's 3", got)
	}
	close(release)
	cfg.Name = "replica-b"
	startConsumer(t, q, rec.Process, cfg)
	waitFor(t, 10*time.Second, "the slow user's events processed", func() bool { return len(rec.Seen("Uslow")) >= 3 })
	if got, want := rec.Seen("Uslow"), texts("slow-", 3); !slices.Equal(got, want) {
		t.Errorf("Uslow: got %v, want %v", got, want)
	}
	waitFor(t, 5*time.Second, "queue empty", func() bool { return totalLen(t, q) == 0 })
}

// A crashed replica's shard resumes when its lease runs out, not at the
// next look at the shards (Block is an hour here).
func TestConsumerResumesAtLeaseExpiry(t *testing.T) {
	q, rdb, _ := newTestQueue(t, QueueConfig{Shards: 1})
	ctx := context.Background()
	for i, txt := range texts("d", 3) {
		enqueue(t, q, textEvent(eventID(i), "Udora", txt))
	}
	if err := q.ensureGroups(ctx); err != nil {
		t.Fatal(err)
	}
	if got, err := q.readNew(ctx, 0, "ghost/0", 2); err != nil || len(got) != 2 {
		t.Fatalf("ghost read: %d entries, %v", len(got), err)
	}
	if err := rdb.Set(ctx, q.leaseKey(0), "ghost-token", 400*time.Millisecond).Err(); err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	start := time.Now()
	startConsumer(t, q, rec.Process, ConsumerConfig{Name: "replica-2", Workers: 2, LeaseTTL: time.Second, Block: time.Hour})
	waitFor(t, 10*time.Second, "3 events processed", func() bool { return rec.Count() >= 3 })
	if el := time.Since(start); el < 350*time.Millisecond {
		t.Errorf("shard worked after %v, while the dead replica's lease was still valid", el)
	}
	if got, want := rec.Seen("Udora"), texts("d", 3); !slices.Equal(got, want) {
		t.Errorf("processed: got %v, want %v", got, want)
	}
}

// A replica that crashes (it stops talking to Redis: no renewal, no
// release, no ack) while processing leaves its users to another replica
// within the default lease, renewed while the holder lives, not 15 s.
func TestConsumerCrashedHolderResumesWithinTheLease(t *testing.T) {
	q, _, prefix := newTestQueue(t, QueueConfig{Shards: 1})
	opt, err := redis.ParseURL(redistest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	opt.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	doomed := redis.NewClient(opt)
	hung := make(chan struct{})
	var hungOnce sync.Once
	recA := newRecorder()
	recA.fn = func(ctx context.Context, user, text string) error {
		hungOnce.Do(func() { close(hung) })
		<-ctx.Done() // in the middle of the first event when the replica dies
		return ctx.Err()
	}
	startConsumer(t, NewQueue(doomed, prefix, QueueConfig{Shards: 1}, testLog(t), time.Now), recA.Process,
		ConsumerConfig{Name: "replica-a", Workers: 2, DrainTimeout: 50 * time.Millisecond})
	for i, txt := range texts("c", 3) {
		enqueue(t, q, textEvent(eventID(i), "Ucara", txt))
	}
	select {
	case <-hung:
	case <-time.After(10 * time.Second):
		t.Fatal("replica A never started the event")
	}
	crashed := time.Now()
	_ = doomed.Close()

	recB := newRecorder()
	startConsumer(t, q, recB.Process, ConsumerConfig{Name: "replica-b", Workers: 2})
	waitFor(t, 10*time.Second, "the crashed replica's user resumed", func() bool { return recB.Count() >= 3 })
	el := time.Since(crashed)
	t.Logf("the crashed replica's user resumed %v after the crash (lease %v)", el.Round(time.Millisecond), DefaultLeaseTTL)
	if el > DefaultLeaseTTL+2*time.Second {
		t.Errorf("resumed %v after the crash, want within the lease (%v) and a margin", el, DefaultLeaseTTL)
	}
	if got, want := recB.Seen("Ucara"), texts("c", 3); !slices.Equal(got, want) {
		t.Errorf("processed: got %v, want %v", got, want)
	}
}

// A holder that is slow but alive (one event takes several lease times)
// keeps its lease: the heartbeat renews it, so another replica never takes
// the shard over meanwhile and the user's later event waits its turn.
func TestConsumerSlowHolderKeepsItsLease(t *testing.T) {
	q, rdb, _ := newTestQueue(t, QueueConfig{Shards: 1})
	ctx := context.Background()
	const ttl = time.Second
	release := make(chan struct{})
	var hungOnce sync.Once
	hung := make(chan struct{})
	var mu sync.Mutex
	by := map[string][]string{} // text -> replicas that processed it
	process := func(replica string) Process {
		r := newRecorder()
		r.fn = func(ctx context.Context, user, text string) error {
			if text == "s000" {
				hungOnce.Do(func() { close(hung) })
				select {
				case <-release:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			mu.Lock()
			by[text] = append(by[text], replica)
			mu.Unlock()
			return nil
		}
		return r.Process
	}
	cfg := ConsumerConfig{Name: "replica-a", Workers: 2, LeaseTTL: ttl, DrainTimeout: 50 * time.Millisecond}
	startConsumer(t, q, process("a"), cfg)
	for i, txt := range texts("s", 2) {
		enqueue(t, q, textEvent(eventID(i), "Usam", txt))
	}
	select {
	case <-hung:
	case <-time.After(10 * time.Second):
		t.Fatal("replica A never started the event")
	}
	holder, err := rdb.Get(ctx, q.leaseKey(0)).Result()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Name = "replica-b"
	startConsumer(t, q, process("b"), cfg)
	// For three lease times the lease stays A's, always alive.
	for deadline := time.Now().Add(3 * ttl); time.Now().Before(deadline); {
		got, err := rdb.Get(ctx, q.leaseKey(0)).Result()
		if err != nil || got != holder {
			t.Fatalf("lease while A works: %q, %v, want A's %q", got, err, holder)
		}
		time.Sleep(50 * time.Millisecond) // polling the lease, not waiting for an outcome
	}
	close(release)
	waitFor(t, 10*time.Second, "both events processed", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(by["s000"]) > 0 && len(by["s001"]) > 0
	})
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(by["s000"], []string{"a"}) || !slices.Equal(by["s001"], []string{"a"}) {
		t.Errorf("processed by: s000 %v, s001 %v; want A once each", by["s000"], by["s001"])
	}
}
