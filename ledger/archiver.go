package ledger

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/warmline/warmline/handoff"
)

// Group is the archiver's consumer group on the archive stream.
const Group = "ledger"

// ArchiverConfig configures an Archiver. Redis, Stream, Store and Consumer
// are required.
type ArchiverConfig struct {
	Redis    redis.UniversalClient
	Stream   string // handoff.Service.ArchiveStream()
	Store    *Store
	Consumer string // this replica's name in the group
	// Batch is how many entries one step reads (default 100); Poll how long
	// Run waits after a step that found nothing (default 1s). Reads do not
	// block: no connection is held and shutdown is immediate.
	Batch int
	Poll  time.Duration
	// ClaimIdle: an entry delivered to a consumer and not acknowledged for
	// this long (its replica died mid-batch) is claimed by another (default
	// 30s).
	ClaimIdle time.Duration
	Clock     func() time.Time // nil: time.Now (for Lag)
	Log       *zap.Logger
}

// Archiver moves archive entries from the Redis Stream into the Store. Run
// one on every replica: the consumer group hands each entry to one of them,
// entries a dead replica held are claimed after ClaimIdle, and Store.Apply
// ignores an entry it has stored before, so each entry is stored once.
type Archiver struct {
	rdb       redis.UniversalClient
	stream    string
	apply     func(ctx context.Context, e handoff.ArchiveEntry) (bool, error)
	consumer  string
	batch     int
	poll      time.Duration
	claimIdle time.Duration
	now       func() time.Time
	log       *zap.Logger

	mu         sync.Mutex
	groupReady bool
}

// NewArchiver builds an Archiver.
func NewArchiver(cfg ArchiverConfig) (*Archiver, error) {
	var errs []error
	if cfg.Redis == nil {
		errs = append(errs, errors.New("ledger: ArchiverConfig.Redis is required"))
	}
	if cfg.Stream == "" {
		errs = append(errs, errors.New("ledger: ArchiverConfig.Stream is required"))
	}
	if cfg.Store == nil {
		errs = append(errs, errors.New("ledger: ArchiverConfig.Store is required"))
	}
	if cfg.Consumer == "" {
		errs = append(errs, errors.New("ledger: ArchiverConfig.Consumer is required"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	a := &Archiver{rdb: cfg.Redis, stream: cfg.Stream, apply: cfg.Store.Apply, consumer: cfg.Consumer,
		batch: cfg.Batch, poll: cfg.Poll, claimIdle: cfg.ClaimIdle, now: cfg.Clock, log: cfg.Log}
	if a.batch <= 0 {
		a.batch = 100
	}
	if a.poll <= 0 {
		a.poll = time.Second
	}
	if a.claimIdle <= 0 {
		a.claimIdle = 30 * time.Second
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.log == nil {
		a.log = zap.NewNop()
	}
	return a, nil
}

// Run archives until ctx is done, then returns nil. A failed step is logged
// and retried after a second.
func (a *Archiver) Run(ctx context.Context) error {
	for ctx.Err() == nil {
		n, err := a.Step(ctx)
		if err == nil && n == 0 {
			select {
			case <-ctx.Done():
			case <-time.After(a.poll):
			}
			continue
		}
		if errors.Is(err, errGroupGone) && ctx.Err() == nil {
			a.log.Warn("ledger archive stream or group gone (Redis flushed?): making the group again", zap.Error(err))
			continue
		}
		if err != nil && ctx.Err() == nil {
			a.log.Error("ledger archive step", zap.Error(err))
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}
	return nil
}

// Step archives one batch: entries another consumer left pending longer
// than ClaimIdle first, else new entries (without waiting for any). It
// returns how many entries it stored or found stored already.
func (a *Archiver) Step(ctx context.Context) (int, error) {
	if err := a.ensureGroup(ctx); err != nil {
		return 0, err
	}
	msgs, _, err := a.rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{
		Stream: a.stream, Group: Group, Consumer: a.consumer, MinIdle: a.claimIdle, Start: "0-0", Count: int64(a.batch),
	}).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return 0, a.groupGone(fmt.Errorf("claim archive entries: %w", err))
	}
	if len(msgs) == 0 {
		res, err := a.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{
			Group: Group, Consumer: a.consumer, Streams: []string{a.stream, ">"}, Count: int64(a.batch), Block: -1,
		}).Result()
		if errors.Is(err, redis.Nil) {
			return 0, nil
		}
		if err != nil {
			return 0, a.groupGone(fmt.Errorf("read archive entries: %w", err))
		}
		for _, st := range res {
			msgs = append(msgs, st.Messages...)
		}
	}
	return a.handle(ctx, msgs)
}

// handle stores msgs in order and then acknowledges and deletes the ones it
// got through; on a store error it stops there (the rest stay pending and
// are claimed again later).
func (a *Archiver) handle(ctx context.Context, msgs []redis.XMessage) (int, error) {
	var done []string
	var stepErr error
	stored := 0
	for _, m := range msgs {
		e, err := handoff.DecodeArchiveEntry(m.ID, m.Values)
		if err != nil {
			// Never storable: drop it rather than retry it for ever.
			a.log.Error("ledger: undecodable archive entry dropped", zap.String("stream_id", m.ID), zap.Error(err))
			done = append(done, m.ID)
			continue
		}
		isNew, err := a.apply(ctx, e)
		if err != nil {
			stepErr = err
			break
		}
		if isNew {
			stored++
		}
		done = append(done, m.ID)
	}
	if len(done) > 0 {
		// Delete what is stored: the stream holds only what is not. An
		// entry stored but not yet acknowledged when a replica dies is
		// claimed again and Apply finds it stored.
		_, err := a.rdb.TxPipelined(context.WithoutCancel(ctx), func(p redis.Pipeliner) error {
			p.XAck(ctx, a.stream, Group, done...)
			p.XDel(ctx, a.stream, done...)
			return nil
		})
		if err != nil {
			return 0, errors.Join(stepErr, fmt.Errorf("acknowledge archive entries: %w", err))
		}
	}
	if stored > 0 {
		a.log.Debug("ledger archived", zap.Int("entries", stored), zap.Int("seen", len(done)-stored))
	}
	return len(done), stepErr
}

// ensureGroup creates the consumer group (and the stream) once; from "0",
// so entries written before any archiver ran are archived too.
func (a *Archiver) ensureGroup(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.groupReady {
		return nil
	}
	err := a.rdb.XGroupCreateMkStream(ctx, a.stream, Group, "0").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return fmt.Errorf("create archive group: %w", err)
	}
	a.groupReady = true
	return nil
}

// errGroupGone marks a step that found the stream or its group deleted.
var errGroupGone = errors.New("archive group gone")

// groupGone notes a NOGROUP error, or a blocked read UNBLOCKED because the
// stream was deleted (Redis was flushed), so the next step creates the
// group again.
func (a *Archiver) groupGone(err error) error {
	if msg := err.Error(); strings.Contains(msg, "NOGROUP") || strings.Contains(msg, "UNBLOCKED") {
		a.mu.Lock()
		a.groupReady = false
		a.mu.Unlock()
		return fmt.Errorf("%w: %w", errGroupGone, err)
	}
	return err
}

// Lag is how far the ledger is behind the archive stream: what /metrics
// will show.
type Lag struct {
	// Entries are in the stream and not stored yet; Pending of them are
	// delivered to an archiver and not acknowledged.
	Entries int64
	Pending int64
	// Oldest is the age of the oldest entry not stored (0 when none).
	Oldest time.Duration
}

// Lag measures the archiver's lag now.
func (a *Archiver) Lag(ctx context.Context) (Lag, error) {
	var l Lag
	var err error
	if l.Entries, err = a.rdb.XLen(ctx, a.stream).Result(); err != nil {
		return Lag{}, fmt.Errorf("archive lag: %w", err)
	}
	if l.Entries == 0 {
		return l, nil
	}
	pend, err := a.rdb.XPending(ctx, a.stream, Group).Result()
	if err != nil && !strings.Contains(err.Error(), "NOGROUP") {
		return Lag{}, fmt.Errorf("archive lag: %w", err)
	}
	if pend != nil {
		l.Pending = pend.Count
	}
	first, err := a.rdb.XRangeN(ctx, a.stream, "-", "+", 1).Result()
	if err != nil {
		return Lag{}, fmt.Errorf("archive lag: %w", err)
	}
	if len(first) == 1 {
		ms, _, _ := strings.Cut(first[0].ID, "-")
		if n, err := strconv.ParseInt(ms, 10, 64); err == nil {
			l.Oldest = max(a.now().Sub(time.UnixMilli(n)), 0)
		}
	}
	return l, nil
}
