package line

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"go.uber.org/zap"
)

// Consumer defaults.
const (
	DefaultWorkers         = 4
	DefaultLeaseTTL        = 15 * time.Second
	DefaultMaxAttempts     = 5
	DefaultRetryBackoff    = 200 * time.Millisecond
	DefaultMaxRetryBackoff = 10 * time.Second
	DefaultProcessTimeout  = 90 * time.Second
	DefaultBatch           = 16
	DefaultDrainTimeout    = 10 * time.Second
)

// ConsumerConfig tunes a Consumer. Zero values take the defaults.
type ConsumerConfig struct {
	// Name identifies this replica (e.g. the pod name); it must differ
	// between replicas that run at the same time.
	Name string
	// Workers is the number of goroutines of this replica (default 4). Each
	// works one shard at a time.
	Workers int
	// LeaseTTL is how long a shard lease lives without renewal (default
	// 15 s); a crashed replica's shards are taken over after it.
	LeaseTTL time.Duration
	// Block is how long an idle worker waits for the queue's "stored"
	// signal before it looks at the shards anyway (default LeaseTTL/3). A
	// new event wakes a worker at once; Block bounds how late a crashed
	// replica's shard is taken over after its lease expired, and the pickup
	// of an event whose signal was lost (a reconnect).
	Block time.Duration
	// MaxAttempts bounds the processing attempts of one event (default 5)
	// before it goes to the dead-letter stream.
	MaxAttempts int
	// RetryBackoff is the wait before the first retry; it doubles per
	// attempt, with jitter (default 200 ms), up to MaxRetryBackoff (default
	// 10 s).
	RetryBackoff    time.Duration
	MaxRetryBackoff time.Duration
	// ProcessTimeout bounds one attempt at one event: handling and sending
	// (default 90 s).
	ProcessTimeout time.Duration
	// DrainTimeout bounds how long the events in flight may go on after
	// Run's context is cancelled (default 10 s; keep it below the
	// process's shutdown deadline). Then their context is cancelled: a
	// send cut short leaves the event pending, and the next holder of the
	// shard resumes it from its delivery record.
	DrainTimeout time.Duration
	// Batch is how many entries a worker reads per round trip (default 16).
	Batch int
	// Sleep waits between retries; default a timer that honours ctx.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Process handles one stored raw webhook event (Respond makes the one the
// bot runs). A returned error makes the consumer retry the event, up to
// ConsumerConfig.MaxAttempts; wrap it with Permanent to give up at once.
type Process func(ctx context.Context, raw json.RawMessage) error

// Consumer runs the workers of one replica over the queue's shards.
type Consumer struct {
	q       *Queue
	process Process
	cfg     ConsumerConfig
	log     *zap.Logger
	// inFlight is the context of processing: cancelled DrainTimeout after
	// Run's context (set by Run).
	inFlight context.Context
	stats    consumerCounters
}

// NewConsumer returns a consumer of q that hands each event to process.
func NewConsumer(q *Queue, process Process, cfg ConsumerConfig, log *zap.Logger) *Consumer {
	if cfg.Name == "" {
		cfg.Name = "consumer-" + uuid.NewString()
	}
	if cfg.Workers <= 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = DefaultLeaseTTL
	}
	if cfg.Block <= 0 {
		cfg.Block = cfg.LeaseTTL / 3
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.RetryBackoff <= 0 {
		cfg.RetryBackoff = DefaultRetryBackoff
	}
	if cfg.MaxRetryBackoff <= 0 {
		cfg.MaxRetryBackoff = DefaultMaxRetryBackoff
	}
	if cfg.ProcessTimeout <= 0 {
		cfg.ProcessTimeout = DefaultProcessTimeout
	}
	if cfg.Batch <= 0 {
		cfg.Batch = DefaultBatch
	}
	if cfg.DrainTimeout <= 0 {
		cfg.DrainTimeout = DefaultDrainTimeout
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleepCtx
	}
	if log == nil {
		log = zap.NewNop()
	}
	return &Consumer{q: q, process: process, cfg: cfg, log: log.With(zap.String("consumer", cfg.Name))}
}

// Run works the shards until ctx is cancelled, then finishes the events in
// flight, releases its leases and returns nil. Redis errors are logged and
// retried, never returned.
func (c *Consumer) Run(ctx context.Context) error {
	for {
		err := c.q.ensureGroups(ctx)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil
		}
		c.log.Error("line queue not ready", zap.Error(err))
		if sleepCtx(ctx, time.Second) != nil {
			return nil
		}
	}
	// Subscribe before the first look at the shards, so no event stored
	// after that look goes unsignalled.
	wake, stop := c.subscribe(ctx)
	defer stop()
	// Events in flight finish on their own context, cut DrainTimeout after
	// shutdown began: a stop never waits on LINE without a bound.
	inFlight, cancelInFlight := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelInFlight()
	c.inFlight = inFlight
	drainDone := make(chan struct{})
	defer close(drainDone)
	go func() {
		select {
		case <-drainDone:
			return
		case <-ctx.Done():
		}
		t := time.NewTimer(c.cfg.DrainTimeout)
		defer t.Stop()
		select {
		case <-drainDone:
		case <-t.C:
			c.log.Warn("line events in flight cut short after the drain timeout; they stay pending",
				zap.Duration("drain_timeout", c.cfg.DrainTimeout))
			cancelInFlight()
		}
	}()
	h := fnv.New32a()
	_, _ = h.Write([]byte(c.cfg.Name))
	base := int(h.Sum32() % uint32(c.q.cfg.Shards))
	var wg sync.WaitGroup
	for i := 0; i < c.cfg.Workers; i++ {
		w := &worker{c: c, id: i, wake: wake, start: (base + i*c.q.cfg.Shards/c.cfg.Workers) % c.q.cfg.Shards}
		w.name = fmt.Sprintf("%s/%d", c.cfg.Name, i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.run(ctx)
		}()
	}
	wg.Wait()
	c.forgetSelf()
	return nil
}

// subscribe listens for the queue's "stored" signal and turns each one into
// a wake-up of at most one idle worker. Without a subscription (Redis
// trouble) the workers still look every Block.
func (c *Consumer) subscribe(ctx context.Context) (<-chan struct{}, func()) {
	wake := make(chan struct{}, c.cfg.Workers)
	sub := c.q.rdb.Subscribe(ctx, c.q.storedChannel())
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	_, err := sub.Receive(sctx) // the subscription's confirmation
	cancel()
	if err != nil && ctx.Err() == nil {
		c.log.Warn("line queue subscribe; polling every block instead", zap.Error(err))
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range sub.Channel() {
			select {
			case wake <- struct{}{}:
			default: // every worker already has a wake-up waiting
			}
		}
	}()
	return wake, func() {
		_ = sub.Close()
		<-done
	}
}

// forgetSelf removes this replica's workers from the consumer groups where
// they own no pending entry (those with pending entries stay until another
// worker takes them over).
func (c *Consumer) forgetSelf() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	own := c.cfg.Name + "/"
	for s := 0; s < c.q.cfg.Shards; s++ {
		if err := c.q.pruneConsumers(ctx, s, func(name string) bool { return strings.HasPrefix(name, own) }); err != nil {
			c.log.Warn("line queue forget consumers", zap.Int("shard", s), zap.Error(err))
			return
		}
	}
}

// worker rotates over the shards, working one at a time under its lease.
type worker struct {
	c     *Consumer
	id    int
	name  string // consumer name in the Redis group
	start int
	wake  <-chan struct{}
}

// run looks at the shards while there is work and otherwise blocks until an
// event is stored (or Block passes).
func (w *worker) run(ctx context.Context) {
	idle := time.NewTimer(w.c.cfg.Block)
	defer idle.Stop()
	for ctx.Err() == nil {
		if w.round(ctx) {
			continue
		}
		idle.Reset(w.c.cfg.Block)
		select {
		case <-ctx.Done():
		case <-w.wake:
		case <-idle.C:
		}
	}
}

// round works every shard that has stored events, once, and reports whether
// there may be more to do at once.
func (w *worker) round(ctx context.Context) bool {
	n := w.c.q.cfg.Shards
	lens, err := w.c.q.Len(ctx)
	if err != nil {
		if ctx.Err() == nil {
			w.c.log.Warn("line queue lengths", zap.Error(err))
		}
		return false
	}
	more := false
	for k := 0; k < n && ctx.Err() == nil; k++ {
		s := (w.start + k) % n
		if lens[s] == 0 {
			continue
		}
		again, err := w.work(ctx, s)
		if err != nil && ctx.Err() == nil {
			w.c.log.Warn("line shard", zap.Int("shard", s), zap.Error(err))
		}
		more = more || again
	}
	w.start = (w.start + 1) % n
	return more
}

// maxPerLease bounds how many entries a worker handles before it lets go of
// a shard, so one busy shard cannot pin a worker forever.
const maxPerLease = 1000

// work drains one shard while holding its lease. It reports whether the
// shard may have more work: it handled entries, or entries arrived while it
// held the lease (their signal may have woken a worker that found the lease
// taken).
func (w *worker) work(ctx context.Context, shard int) (more bool, err error) {
	q, cfg := w.c.q, w.c.cfg
	token := w.name + "/" + uuid.NewString()
	ok, err := q.acquire(ctx, shard, token, cfg.LeaseTTL)
	if err != nil || !ok {
		return false, err
	}
	log := w.c.log.With(zap.Int("shard", shard), zap.Int("worker", w.id))

	// Renew the lease in the background until we are done; lost is closed
	// when another worker may have taken over.
	done := make(chan struct{})
	lost := make(chan struct{})
	var renewWG sync.WaitGroup
	renewWG.Add(1)
	go func() {
		defer renewWG.Done()
		t := time.NewTicker(cfg.LeaseTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				rctx, cancel := context.WithTimeout(context.Background(), cfg.LeaseTTL/3)
				err := q.renew(rctx, shard, token, cfg.LeaseTTL)
				cancel()
				if errors.Is(err, errLeaseLost) {
					log.Warn("line shard lease lost")
					close(lost)
					return
				}
				if err != nil {
					log.Warn("line shard lease renewal", zap.Error(err))
				}
			}
		}
	}()
	defer func() {
		close(done)
		renewWG.Wait()
		rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := q.release(rctx, shard, token); err != nil {
			log.Warn("line shard lease release", zap.Error(err))
			return
		}
		if !more && err == nil {
			n, lerr := q.rdb.XLen(rctx, q.streamKey(shard)).Result()
			more = lerr == nil && n > 0
		}
	}()

	handled := 0
	// Entries delivered to an earlier holder first: they are older than
	// anything not yet delivered, so order per user is kept.
	pending, err := q.claimPending(ctx, shard, w.name, int64(cfg.Batch))
	if err != nil {
		return false, err
	}
	if len(pending) > 0 {
		log.Info("line shard taking over pending events", zap.Int("count", len(pending)))
		// Earlier holders (crashed or stopped replicas) now own nothing here;
		// forget them so the group does not grow with every restart. While we
		// hold the lease nobody else reads this shard.
		if err := q.pruneConsumers(ctx, shard, func(name string) bool { return name != w.name }); err != nil {
			log.Warn("line shard prune consumers", zap.Error(err))
		}
	}
	batch := pending
	for {
		for _, e := range batch {
			if ctx.Err() != nil {
				return handled > 0, nil
			}
			select {
			case <-lost:
				return handled > 0, errLeaseLost
			default:
			}
			if err := w.handle(ctx, shard, token, e, log); err != nil {
				return handled > 0, err
			}
			handled++
		}
		if ctx.Err() != nil || handled >= maxPerLease {
			return handled > 0, nil
		}
		batch, err = q.readNew(ctx, shard, w.name, int64(cfg.Batch))
		if err != nil {
			return handled > 0, err
		}
		if len(batch) == 0 {
			return handled > 0, nil
		}
	}
}

// handle processes one entry with bounded retries, then acks it or moves it
// to the dead-letter stream. It returns an error only when the entry stays
// pending (lease lost, Redis down, shutting down); the next lease holder
// picks it up first.
func (w *worker) handle(ctx context.Context, shard int, token string, e entry, log *zap.Logger) error {
	q, cfg := w.c.q, w.c.cfg
	log = log.With(zap.String("webhook_event_id", e.eventID), zap.String("entry_id", e.streamID))
	// Redis bookkeeping must finish even while shutting down; processing
	// runs on the consumer's in-flight context (bounded by DrainTimeout).
	bg := context.WithoutCancel(ctx)
	var (
		n       int   // attempts started, by any replica (counted in Redis)
		stay    error // the entry stays pending
		failure error // the last processing error
	)
	b := newBackOff(cfg.RetryBackoff, cfg.MaxRetryBackoff)
	err := retry(ctx, b, 0, cfg.Sleep, func(int) error {
		var err error
		if n, err = q.attempt(bg, shard, e.streamID); err != nil {
			stay = err
			return Permanent(err)
		}
		if n > cfg.MaxAttempts { // the earlier attempts crashed their replica
			n--
			return Permanent(errGaveUp)
		}
		err = w.process(w.c.inFlight, e)
		if err != nil && w.c.inFlight.Err() != nil {
			stay = err // cut short by the drain timeout: resumed by the next holder
			return Permanent(err)
		}
		failure = err
		if err == nil || IsPermanent(err) {
			return err
		}
		log.Warn("line event failed, will retry", zap.Int("attempt", n), zap.Error(err))
		if n >= cfg.MaxAttempts {
			return Permanent(err)
		}
		w.c.stats.retried.Add(1)
		return err
	})
	switch {
	case stay != nil:
		w.c.stats.leftPending.Add(1)
		return stay
	case errors.Is(err, errInterrupted):
		w.c.stats.leftPending.Add(1)
		return err // shutting down: leave it pending for the next holder
	case err == nil:
		if err := q.ack(bg, shard, token, e.streamID); err != nil {
			w.c.stats.leftPending.Add(1)
			return err
		}
		w.c.stats.acked.Add(1)
		return nil
	}
	cause := errGaveUp.Error()
	if failure != nil {
		cause = failure.Error()
	}
	if err := q.bury(bg, shard, token, e, cause, n); err != nil {
		w.c.stats.leftPending.Add(1)
		return err
	}
	w.c.stats.deadLettered.Add(1)
	log.Error("line event dead-lettered", zap.Int("attempts", n), zap.String("error", cause))
	return nil
}

// errGaveUp is the dead-letter cause of an event whose attempts all ended
// without an error (their replica died).
var errGaveUp = errors.New("gave up")

func (w *worker) process(ctx context.Context, e entry) (err error) {
	ctx, cancel := context.WithTimeout(ctx, w.c.cfg.ProcessTimeout)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("process panicked: %v", r)
		}
	}()
	return w.c.process(ctx, e.raw)
}
