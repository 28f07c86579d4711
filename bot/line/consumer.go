package line

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"
)

// Consumer defaults.
const (
	DefaultWorkers         = 64
	DefaultLeaseTTL        = 3 * time.Second
	DefaultMaxAttempts     = 5
	DefaultOutageRetries   = 30
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
	// Workers bounds the events this replica processes at once, across
	// all its shards (default 64). One user's events run one at a time, in
	// order; different users' run at once. An event waiting on I/O (an
	// order backend, LINE) holds one of them, so keep it well above the
	// events that may wait at once on a slow backend.
	Workers int
	// LeaseTTL is how long a shard lease lives without renewal (default
	// 3 s). The holder renews it every LeaseTTL/3 (a heartbeat of its own,
	// whatever its events wait on), so a live holder, however slow its
	// events, keeps it; a crashed replica's shards are taken over once it
	// runs out, within LeaseTTL.
	LeaseTTL time.Duration
	// Block is how often the replica looks at every shard's length
	// without a "stored" signal (default LeaseTTL/3). A new event wakes its
	// shard at once; Block bounds how late a crashed replica's shard is
	// taken over after its lease expired, and the pickup of an event whose
	// signal was lost (a reconnect).
	Block time.Duration
	// MaxAttempts bounds the processing attempts of one event (default 5)
	// before it goes to the dead-letter stream. An event's first attempt is
	// counted when it is read (in the same round trip), so an event read by
	// a replica that crashed before starting it counts one too.
	MaxAttempts int
	// OutageRetries bounds the retries of an attempt that failed because
	// Redis itself was unavailable (CLUSTERDOWN while a restarted cluster
	// master loads, LOADING, TRYAGAIN, MASTERDOWN, NOREPLICAS, READONLY,
	// MISCONF), which do not use up MaxAttempts (default 30: about 4
	// minutes with the default backoff). Past them the event stays pending
	// for the next pick-up. An outage is not the event's fault: counting it
	// dead-lettered acknowledged events after a few seconds of CLUSTERDOWN.
	OutageRetries int
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
	// Batch is how many entries a shard's reader reads per round trip
	// (default 16).
	Batch int
	// Sleep waits between retries; default a timer that honours ctx.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Process handles one stored raw webhook event (Respond makes the one the
// bot runs). Its context tells which attempt at the event it is
// (AttemptOf). A returned error makes the consumer retry the event, up to
// ConsumerConfig.MaxAttempts; wrap it with Permanent to give up at once.
type Process func(ctx context.Context, raw json.RawMessage) error

// Consumer works the queue's shards for one replica: a loop per shard,
// woken by the queue's "stored" signal, takes the shard's lease while it
// has work and dispatches its entries into per-user lanes (see work).
type Consumer struct {
	q       *Queue
	process Process
	cfg     ConsumerConfig
	log     *zap.Logger
	// inFlight is the context of processing: cancelled DrainTimeout after
	// Run's context (set by Run).
	inFlight context.Context
	// wakes[s] signals shard s's loop (set by Run); slots bounds the
	// events in processing (Workers).
	wakes []chan struct{}
	slots chan struct{}
	// jobs takes the processing of an attempt (holding a slot) to one of
	// Workers goroutines that live as long as Run (set by Run).
	jobs  chan func()
	stats consumerCounters
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
	if cfg.OutageRetries <= 0 {
		cfg.OutageRetries = DefaultOutageRetries
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
	n := c.q.cfg.Shards
	c.wakes = make([]chan struct{}, n)
	for s := range c.wakes {
		c.wakes[s] = make(chan struct{}, 1)
	}
	c.slots = make(chan struct{}, c.cfg.Workers)
	c.jobs = make(chan func())
	var workers sync.WaitGroup
	for range c.cfg.Workers {
		workers.Go(func() {
			for f := range c.jobs {
				f()
			}
		})
	}
	defer func() {
		close(c.jobs) // every lane is done: each shard's run waited for its own
		workers.Wait()
	}()
	// Subscribe before the first look at the shards, so no event stored
	// after that look goes unsignalled.
	stop := c.subscribe(ctx)
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
	var wg sync.WaitGroup
	wg.Add(n + 1)
	go func() {
		defer wg.Done()
		c.poll(ctx)
	}()
	for s := 0; s < n; s++ {
		go func() {
			defer wg.Done()
			c.runShard(ctx, s)
		}()
	}
	wg.Wait()
	c.forgetSelf()
	return nil
}

// wake signals shard s's loop; a signal already waiting is enough.
func (c *Consumer) wake(s int) {
	select {
	case c.wakes[s] <- struct{}{}:
	default:
	}
}

// subscribe listens for the queue's "stored" signal (the shard number) and
// wakes that shard's loop. Without a subscription (Redis trouble) poll
// still looks at the shards every Block.
func (c *Consumer) subscribe(ctx context.Context) func() {
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
		for m := range sub.Channel() {
			s, err := strconv.Atoi(m.Payload)
			if err != nil || s < 0 || s >= len(c.wakes) {
				for s := range c.wakes { // not ours to parse: look everywhere
					c.wake(s)
				}
				continue
			}
			c.wake(s)
		}
	}()
	return func() {
		_ = sub.Close()
		<-done
	}
}

// poll looks at every shard's length at start and then every Block (one
// pipelined round trip) and wakes the shards that hold events: the pickup
// of an event whose signal was lost, and of a crashed replica's shard once
// its lease expired.
func (c *Consumer) poll(ctx context.Context) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		lens, err := c.q.Len(ctx)
		if err != nil && ctx.Err() == nil {
			c.log.Warn("line queue lengths", zap.Error(err))
		}
		for s, n := range lens {
			if n > 0 {
				c.wake(s)
			}
		}
		t.Reset(c.cfg.Block)
	}
}

// forgetSelf removes this replica's consumers from the consumer groups where
// they own no pending entry (those with pending entries stay until another
// replica takes them over).
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

// runShard works shard s whenever it is signalled, for as long as it has
// work. When another holder has the lease it looks again as that lease
// runs out, so a crashed replica's shard resumes at its lease's end, not a
// Block later.
func (c *Consumer) runShard(ctx context.Context, s int) {
	retry := time.NewTimer(time.Hour)
	retry.Stop()
	defer retry.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.wakes[s]:
		case <-retry.C:
		}
		for ctx.Err() == nil {
			more, heldFor, err := c.work(ctx, s)
			if err != nil && ctx.Err() == nil {
				c.log.Warn("line shard", zap.Int("shard", s), zap.Error(err))
			}
			if heldFor > 0 {
				retry.Reset(heldFor + 20*time.Millisecond)
			}
			if !more {
				break
			}
		}
	}
}

// maxPerLease bounds how many entries one lease reads before it lets go of
// the shard, so other replicas get their turn at a busy shard.
const maxPerLease = 1000

// maxReadAhead bounds the entries of one shard read and not yet done
// (waiting in their user's lane or processing).
const maxReadAhead = 512

// shardRun is one lease on one shard: its reader dispatches entries, in
// stream order, into per-user lanes that run concurrently.
type shardRun struct {
	c     *Consumer
	shard int
	token string
	name  string // consumer name in the Redis group
	log   *zap.Logger
	lost  chan struct{} // closed when a renewal found the lease gone
	// progress gets a signal (non-blocking) when the shard went idle, an
	// entry stays pending, or the read-ahead has room again.
	progress chan struct{}
	wg       sync.WaitGroup

	mu     sync.Mutex
	lanes  map[string]*lane
	open   int   // entries dispatched and not yet done
	halted error // an entry stays pending: start no more entries
	// released: an ack let go of the lease (the stream was empty after
	// it), so the run is over; a read or renewal that finds the lease gone
	// afterwards is not a loss, and work takes a new lease for entries
	// stored since.
	released atomic.Bool
}

// lane is one user's (routing key's) entries of a shard, in stream order;
// one goroutine works them one at a time while the lane is not empty.
type lane struct {
	route   string
	entries []entry
}

// work holds shard s's lease while it has work: pending entries of an
// earlier holder first, then new ones, each user's in order, different
// users' at once (up to Workers events in processing per replica). It
// reports whether the shard may have more work (entries arrived after the
// lease let go, or it stopped at maxPerLease).
func (c *Consumer) work(ctx context.Context, shard int) (more bool, heldFor time.Duration, err error) {
	q, cfg := c.q, c.cfg
	token := c.cfg.Name + "/" + uuid.NewString()
	name := c.cfg.Name + "/" + strconv.Itoa(shard) // consumer name in the Redis group
	// One round trip takes the lease and reads the first batch (unless an
	// earlier holder left entries pending: those first).
	ok, pendingN, heldFor, first, err := q.take(ctx, shard, token, name, cfg.LeaseTTL, int64(min(cfg.Batch, maxReadAhead)), true)
	if err != nil || !ok {
		return false, heldFor, err
	}
	log := c.log.WithLazy(zap.Int("shard", shard))

	// Renew the lease in the background until we are done; lost is closed
	// when another holder may have taken over.
	done := make(chan struct{})
	lost := make(chan struct{})
	r := &shardRun{c: c, shard: shard, token: token, name: name, log: log,
		lost: lost, progress: make(chan struct{}, 1), lanes: map[string]*lane{}}
	var renewWG sync.WaitGroup
	renewWG.Add(1)
	go func() {
		defer renewWG.Done()
		r.renew(done)
	}()
	defer func() {
		// No lane may outlive the lease: the next holder would run the
		// same user's entries at the same time.
		r.wg.Wait()
		close(done)
		renewWG.Wait()
		if err == nil {
			err = r.halted
		}
		if r.released.Load() {
			// The last ack let go of the lease with the stream empty;
			// entries stored since signal the shard (or were seen by the
			// reader: more). A read or renewal that found the lease gone
			// before the acking lane said so saw that release, not a loss
			// (a lease is never taken again with the same token, and an
			// ack of a lease lost before it fails), so there is no error,
			// and the entries that woke the reader need a new lease.
			if errors.Is(err, errLeaseLost) {
				err, more = nil, true
			}
			return
		}
		rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		left, rerr := q.release(rctx, shard, token)
		if rerr != nil {
			log.Warn("line shard lease release", zap.Error(rerr))
			return
		}
		// Entries stored after the last read: their signal may have come
		// while we held the lease.
		more = more || (err == nil && ctx.Err() == nil && left > 0)
	}()

	// Entries delivered to an earlier holder first: they are older than
	// anything not yet delivered, so order per user is kept.
	var pending []entry
	if pendingN > 0 {
		if pending, err = q.claimPending(ctx, shard, r.name, int64(cfg.Batch)); err != nil {
			return false, 0, err
		}
	}
	if len(pending) > 0 {
		log.Info("line shard taking over pending events", zap.Int("count", len(pending)))
		// Earlier holders (crashed or stopped replicas) now own nothing here;
		// forget them so the group does not grow with every restart. While we
		// hold the lease nobody else reads this shard.
		if err := q.pruneConsumers(ctx, shard, func(name string) bool { return name != r.name }); err != nil {
			log.Warn("line shard prune consumers", zap.Error(err))
		}
	}
	r.dispatch(ctx, pending)
	r.dispatch(ctx, first)
	read := len(pending) + len(first)
	// Entries may be waiting: read at least once more after a claim, or
	// after a full first batch (a short one emptied the stream).
	signalled := pendingN > 0 || len(first) == min(cfg.Batch, maxReadAhead)
	for {
		open, halted := r.state()
		if halted != nil || ctx.Err() != nil {
			return false, 0, nil // the deferred wait lets the lanes finish their entry
		}
		if open == 0 && (!signalled || read >= maxPerLease) {
			// Idle, or our turn is over: let go (the release reports whether
			// entries arrived meanwhile). Never while a lane is busy, so a
			// slow lane does not stall the shard's other users.
			return read >= maxPerLease, 0, nil
		}
		if r.released.Load() {
			// An ack let go of the lease (nothing was left); anything
			// signalled since needs a lease of its own.
			return signalled, 0, nil
		}
		if signalled && open < maxReadAhead {
			count := min(cfg.Batch, maxReadAhead-open)
			_, _, _, batch, err := q.take(ctx, shard, token, r.name, cfg.LeaseTTL, int64(count), false)
			if errors.Is(err, errLeaseLost) && r.released.Load() {
				return true, 0, nil // released by an ack meanwhile: take it again
			}
			if err != nil {
				return false, 0, err
			}
			r.dispatch(ctx, batch)
			read += len(batch)
			// A short batch emptied the stream; a later entry signals.
			signalled = len(batch) == count
			continue
		}
		select {
		case <-ctx.Done():
		case <-lost:
			if r.released.Load() {
				continue
			}
			return false, 0, errLeaseLost
		case <-r.progress:
		case <-c.wakes[shard]:
			signalled = true
		}
	}
}

// renew keeps the run's lease alive until done is closed or the lease is
// found gone (then it closes r.lost). It renews every LeaseTTL/3 after the
// last renewal was sent, and a renewal may take up to LeaseTTL: a Redis or
// a process slowed down for more than LeaseTTL/3 (a busy box, a long
// fsync) still renews in time, where a renewal cut off at LeaseTTL/3 and
// tried again only at the next tick lost the lease of a live holder. A
// renewal that arrives after the lease ran out finds it gone and says so.
// A failed renewal is tried again at once (after a short pause).
func (r *shardRun) renew(done <-chan struct{}) {
	q, cfg := r.c.q, r.c.cfg
	t := time.NewTimer(cfg.LeaseTTL / 3)
	defer t.Stop()
	failing := false // the last renewal failed (warned once per run of failures)
	for {
		select {
		case <-done:
			return
		case <-t.C:
		}
		sent := time.Now()
		rctx, cancel := context.WithTimeout(context.Background(), cfg.LeaseTTL)
		err := q.renew(rctx, r.shard, r.token, cfg.LeaseTTL)
		cancel()
		if r.released.Load() {
			return // the last ack let go of it
		}
		switch {
		case err == nil:
			failing = false
			t.Reset(max(cfg.LeaseTTL/3-time.Since(sent), 0))
		case errors.Is(err, errLeaseLost):
			// Gone: another holder may have it, or our own last ack let go
			// of it a moment ago (work tells them apart once the lanes
			// are done).
			close(r.lost)
			return
		default:
			if !failing {
				r.log.Warn("line shard lease renewal; trying again", zap.Error(err))
			}
			failing = true
			t.Reset(cfg.LeaseTTL / 30)
		}
	}
}

func (r *shardRun) state() (open int, halted error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.open, r.halted
}

// dispatch appends entries, in order, to their users' lanes and starts the
// lanes that were idle.
func (r *shardRun) dispatch(ctx context.Context, entries []entry) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range entries {
		route := e.route
		if route == "" { // stored without its route (an older build)
			var err error
			if _, route, err = routeOf(e.raw); err != nil {
				route = e.eventID // undecodable: its own lane (Process dead-letters it)
			}
		}
		l := r.lanes[route]
		r.open++
		if l != nil {
			l.entries = append(l.entries, e)
			continue
		}
		l = &lane{route: route, entries: []entry{e}}
		r.lanes[route] = l
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			r.runLane(ctx, l)
		}()
	}
}

// runLane works one lane's entries in order until it is empty, or until an
// entry stays pending (then the lane's later entries stay pending too, for
// the next holder, behind it).
func (r *shardRun) runLane(ctx context.Context, l *lane) {
	for {
		r.mu.Lock()
		if r.halted == nil && ctx.Err() != nil {
			r.halted = errInterrupted
		}
		select {
		case <-r.lost:
			if r.halted == nil {
				r.halted = errLeaseLost
			}
		default:
		}
		if len(l.entries) == 0 || r.halted != nil {
			r.open -= len(l.entries)
			delete(r.lanes, l.route)
			idle := r.open == 0
			r.mu.Unlock()
			if idle {
				r.signal()
			}
			return
		}
		e := l.entries[0]
		r.mu.Unlock()
		released, err := r.c.handle(ctx, r.shard, r.token, e, r.log)
		if released {
			r.released.Store(true)
		}
		r.mu.Lock()
		l.entries = l.entries[1:]
		r.open--
		if err != nil && r.halted == nil {
			r.halted = err
		}
		// The reader waits for an idle shard, a halt, or room to read
		// ahead again; other progress would only wake it for nothing.
		wake := r.open == 0 || r.open == maxReadAhead/2 || err != nil
		r.mu.Unlock()
		if wake {
			r.signal()
		}
	}
}

func (r *shardRun) signal() {
	select {
	case r.progress <- struct{}{}:
	default:
	}
}

// handle processes one entry with bounded retries, then acks it or moves it
// to the dead-letter stream. It returns an error only when the entry stays
// pending (lease lost, Redis down, shutting down); the next lease holder
// picks it up first. released says the ack let go of the shard's lease
// (nothing was left in the stream).
func (c *Consumer) handle(ctx context.Context, shard int, token string, e entry, log *zap.Logger) (released bool, _ error) {
	q, cfg := c.q, c.cfg
	elog := &eventLog{l: log, k1: "webhook_event_id", v1: e.eventID, k2: "entry_id", v2: e.streamID}
	// Redis bookkeeping must finish even while shutting down; processing
	// runs on the consumer's in-flight context (bounded by DrainTimeout).
	bg := context.WithoutCancel(ctx)
	var (
		n       int   // attempts started, by any replica (counted in Redis)
		stay    error // the entry stays pending
		failure error // the last processing error
		// redisWait: the last try failed because Redis was unavailable;
		// outages counts those tries.
		redisWait bool
		outages   int
		// marks are the attempt's delivery records written with the ack.
		marks *doneMarks
	)
	b := newBackOff(cfg.RetryBackoff, cfg.MaxRetryBackoff)
	err := retry(ctx, b, 0, cfg.Sleep, func(int) error {
		// A slot for the attempt, given back before a back-off wait.
		select {
		case c.slots <- struct{}{}:
		case <-ctx.Done():
			stay = fmt.Errorf("%w: %w", errInterrupted, ctx.Err())
			return Permanent(stay)
		}
		defer func() { <-c.slots }()
		var err error
		switch {
		case redisWait: // a retry after a Redis outage goes on with the attempt it counted
		case e.attempts > 0: // the read counted the first attempt
			n, e.attempts = e.attempts, 0
		default:
			if n, err = q.attempt(bg, shard, e.streamID); err != nil {
				stay = err
				return Permanent(err)
			}
		}
		if !redisWait {
			if n > cfg.MaxAttempts { // the earlier attempts crashed their replica
				n--
				return Permanent(errGaveUp)
			}
		}
		// Going on after a Redis outage, the attempt may have recorded
		// its answer before the outage: the retry reads the record (0:
		// not known to be the first).
		attempt := n
		if redisWait {
			attempt = 0
		}
		redisWait = false
		marks = &doneMarks{}
		err = c.processOnWorker(withDoneMarks(c.inFlight, marks), e, attempt)
		if err != nil {
			// The retry (or the next holder) must see what LINE took.
			if ferr := marks.flush(bg, q.rdb); ferr != nil {
				elog.Warn("line delivery not recorded; a resend will find it delivered", zap.Error(ferr))
			}
		}
		if err != nil && c.inFlight.Err() != nil {
			stay = err // cut short by the drain timeout: resumed by the next holder
			return Permanent(err)
		}
		failure = err
		if err == nil || IsPermanent(err) {
			return err
		}
		if redisUnavailable(err) {
			if outages++; outages > cfg.OutageRetries {
				stay = err // still down: pending for the next pick-up
				return Permanent(err)
			}
			redisWait = true
			elog.Warn("line event waits for Redis", zap.Int("attempt", n), zap.Int("outage_retry", outages), zap.Error(err))
			c.stats.retried.Add(1)
			return err
		}
		elog.Warn("line event failed, will retry", zap.Int("attempt", n), zap.Error(err))
		if n >= cfg.MaxAttempts {
			return Permanent(err)
		}
		c.stats.retried.Add(1)
		return err
	})
	switch {
	case stay != nil:
		c.stats.leftPending.Add(1)
		return false, stay
	case errors.Is(err, errInterrupted):
		c.stats.leftPending.Add(1)
		return false, err // shutting down: leave it pending for the next holder
	case err == nil:
		var with func(redis.Pipeliner)
		var check func() error
		if marks != nil && !marks.empty() {
			with = func(p redis.Pipeliner) { check = marks.queue(bg, p) }
		}
		released, err := q.ack(bg, shard, token, e.streamID, with)
		if err != nil {
			c.stats.leftPending.Add(1)
			return false, err
		}
		if check != nil {
			if err := check(); err != nil {
				elog.Warn("line delivery not recorded; a resend will find it delivered", zap.Error(err))
			}
		}
		c.stats.acked.Add(1)
		c.stats.processing.observe(q.clock().Sub(entryTime(e.streamID)))
		return released, nil
	}
	cause := errGaveUp.Error()
	if failure != nil {
		cause = failure.Error()
	}
	if err := q.bury(bg, shard, token, e, cause, n); err != nil {
		c.stats.leftPending.Add(1)
		return false, err
	}
	c.stats.deadLettered.Add(1)
	elog.Error("line event dead-lettered", zap.Int("attempts", n), zap.String("error", cause))
	return false, nil
}

// redisUnavailable says whether err is Redis refusing work for a while
// (its state, not the command or the event): such a failure is retried
// without using up the event's attempts.
func redisUnavailable(err error) bool {
	var rerr redis.Error
	if !errors.As(err, &rerr) {
		return false
	}
	msg := rerr.Error()
	for _, p := range []string{"CLUSTERDOWN", "LOADING", "TRYAGAIN", "MASTERDOWN", "NOREPLICAS", "READONLY", "MISCONF"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// errGaveUp is the dead-letter cause of an event whose attempts all ended
// without an error (their replica died).
var errGaveUp = errors.New("gave up")

// processOnWorker runs processEntry on one of the Workers goroutines (the
// caller holds a slot, so one is free or about to be) and waits for it.
// Those goroutines keep the stack the engine, the event decode and the
// SDK's nested JSON encoders grow; run on the lane's goroutine, started
// afresh for nearly every event at saturation, each event paid that growth
// again (runtime.copystack was 4.5% of warmline's CPU there).
func (c *Consumer) processOnWorker(ctx context.Context, e entry, attempt int) error {
	done := make(chan error, 1)
	c.jobs <- func() { done <- c.processEntry(ctx, e, attempt) }
	return <-done
}

func (c *Consumer) processEntry(ctx context.Context, e entry, attempt int) (err error) {
	ctx, cancel := context.WithTimeout(withAttempt(ctx, attempt), c.cfg.ProcessTimeout)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("process panicked: %v", r)
		}
	}()
	return c.process(ctx, e.raw)
}

type attemptKey struct{}

func withAttempt(ctx context.Context, n int) context.Context {
	return context.WithValue(ctx, attemptKey{}, n)
}

// AttemptOf returns which processing attempt at its event a Process's
// context belongs to, counted in Redis across replicas (1: no earlier
// attempt started anywhere, so no delivery record of it can exist), or 0
// when unknown (not called by a Consumer, or going on with an attempt after
// a Redis outage).
func AttemptOf(ctx context.Context) int {
	n, _ := ctx.Value(attemptKey{}).(int)
	return n
}
