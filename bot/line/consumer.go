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

// Processor handles one raw webhook event. A returned error makes the
// consumer retry the event (bounded); wrap it with Permanent to give up at
// once.
type Processor interface {
	Process(ctx context.Context, raw json.RawMessage) error
}

// ProcessorFunc adapts a function to Processor.
type ProcessorFunc func(ctx context.Context, raw json.RawMessage) error

// Process calls f.
func (f ProcessorFunc) Process(ctx context.Context, raw json.RawMessage) error { return f(ctx, raw) }

// permanentError marks an error that retrying cannot fix.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent wraps err so the consumer dead-letters the event without retrying.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether err was wrapped with Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// Consumer defaults.
const (
	DefaultWorkers        = 4
	DefaultLeaseTTL       = 15 * time.Second
	DefaultBlock          = 100 * time.Millisecond
	DefaultMaxAttempts    = 5
	DefaultRetryBackoff   = 200 * time.Millisecond
	DefaultProcessTimeout = 2 * time.Minute
	DefaultBatch          = 16
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
	// Block is how long an idle worker waits before looking for work again
	// (default 100 ms); it bounds the pickup latency of a new event.
	Block time.Duration
	// MaxAttempts bounds the processing attempts of one event (default 5)
	// before it goes to the dead-letter stream.
	MaxAttempts int
	// RetryBackoff is the wait before the first retry; it doubles per
	// attempt (default 200 ms).
	RetryBackoff time.Duration
	// ProcessTimeout bounds one Process call (default 2 min).
	ProcessTimeout time.Duration
	// Batch is how many entries a worker reads per round trip (default 16).
	Batch int
	// Sleep waits between retries; default a timer that honours ctx.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Consumer runs the workers of one replica over the queue's shards.
type Consumer struct {
	q   *Queue
	p   Processor
	cfg ConsumerConfig
	log *zap.Logger
}

// NewConsumer returns a consumer of q that hands each event to p.
func NewConsumer(q *Queue, p Processor, cfg ConsumerConfig, log *zap.Logger) *Consumer {
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
		cfg.Block = DefaultBlock
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.RetryBackoff <= 0 {
		cfg.RetryBackoff = DefaultRetryBackoff
	}
	if cfg.ProcessTimeout <= 0 {
		cfg.ProcessTimeout = DefaultProcessTimeout
	}
	if cfg.Batch <= 0 {
		cfg.Batch = DefaultBatch
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleepCtx
	}
	if log == nil {
		log = zap.NewNop()
	}
	return &Consumer{q: q, p: p, cfg: cfg, log: log.With(zap.String("consumer", cfg.Name))}
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
	h := fnv.New32a()
	_, _ = h.Write([]byte(c.cfg.Name))
	base := int(h.Sum32() % uint32(c.q.cfg.Shards))
	var wg sync.WaitGroup
	for i := 0; i < c.cfg.Workers; i++ {
		w := &worker{c: c, id: i, start: (base + i*c.q.cfg.Shards/c.cfg.Workers) % c.q.cfg.Shards}
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
}

func (w *worker) run(ctx context.Context) {
	n := w.c.q.cfg.Shards
	for ctx.Err() == nil {
		lens, err := w.c.q.Len(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			w.c.log.Warn("line queue poll", zap.Error(err))
			_ = sleepCtx(ctx, w.c.cfg.Block)
			continue
		}
		worked := false
		for k := 0; k < n && ctx.Err() == nil; k++ {
			s := (w.start + k) % n
			if lens[s] == 0 {
				continue
			}
			did, err := w.work(ctx, s)
			if err != nil && ctx.Err() == nil {
				w.c.log.Warn("line shard", zap.Int("shard", s), zap.Error(err))
			}
			worked = worked || did
		}
		w.start = (w.start + 1) % n
		if !worked {
			_ = sleepCtx(ctx, w.c.cfg.Block)
		}
	}
}

// maxPerLease bounds how many entries a worker handles before it lets go of
// a shard, so one busy shard cannot pin a worker forever.
const maxPerLease = 1000

// work drains one shard while holding its lease. It reports whether it
// handled any entry.
func (w *worker) work(ctx context.Context, shard int) (bool, error) {
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
	// Redis bookkeeping must finish even while shutting down.
	bg := context.WithoutCancel(ctx)
	var lastErr error
	for {
		n, err := q.attempt(bg, shard, e.streamID)
		if err != nil {
			return err
		}
		if n > cfg.MaxAttempts {
			cause := "gave up"
			if lastErr != nil {
				cause = lastErr.Error()
			}
			return w.bury(bg, shard, token, e, cause, n-1, log)
		}
		err = w.process(bg, e)
		if err == nil {
			return q.ack(bg, shard, token, e.streamID)
		}
		lastErr = err
		if IsPermanent(err) {
			return w.bury(bg, shard, token, e, err.Error(), n, log)
		}
		log.Warn("line event failed, will retry", zap.Int("attempt", n), zap.Error(err))
		if n >= cfg.MaxAttempts {
			return w.bury(bg, shard, token, e, err.Error(), n, log)
		}
		if ctx.Err() != nil {
			return ctx.Err() // leave it pending for the next holder
		}
		if err := cfg.Sleep(ctx, cfg.RetryBackoff<<(n-1)); err != nil {
			return err
		}
	}
}

func (w *worker) process(ctx context.Context, e entry) (err error) {
	ctx, cancel := context.WithTimeout(ctx, w.c.cfg.ProcessTimeout)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("process panicked: %v", r)
		}
	}()
	return w.c.p.Process(ctx, e.raw)
}

func (w *worker) bury(ctx context.Context, shard int, token string, e entry, cause string, attempts int, log *zap.Logger) error {
	if err := w.c.q.bury(ctx, shard, token, e, cause, attempts); err != nil {
		return err
	}
	log.Error("line event dead-lettered", zap.Int("attempts", attempts), zap.String("error", cause))
	return nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
