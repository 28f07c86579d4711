package line

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// SenderStats counts what this process's Sender did since it started; a
// metrics exporter reads them with Sender.Stats. Counts are per process
// (each replica its own), never reset.
type SenderStats struct {
	// Replies is reply calls LINE accepted (free messages).
	Replies int64
	// Pushes is push calls LINE accepted (counted against the quota).
	Pushes int64
	// PushesDeduped is pushes LINE answered 409: the same retry key was
	// accepted before (a resumed send), nothing delivered twice.
	PushesDeduped int64
	// ReplyFallbacks is reply tokens refused with nothing uncertain before
	// (expired, missing): the answer went by push.
	ReplyFallbacks int64
	// SpentAfterAttempt is "Invalid reply token" after an attempt recorded
	// in the reply window or an uncertain attempt of the same call: counted
	// delivered, not pushed.
	SpentAfterAttempt int64
	// Skipped is parts not sent because their delivery record says LINE
	// already took them.
	Skipped int64
	// Failed is sends that failed for good (recorded in FailedSends).
	Failed int64
	// Interrupted is sends cut short by shutdown or a deadline; they are
	// resumed from their delivery record.
	Interrupted int64
}

type senderCounters struct {
	replies, pushes, pushesDeduped, replyFallbacks, spentAfterAttempt, skipped, failed, interrupted atomic.Int64
}

// Stats returns the Sender's counters.
func (s *Sender) Stats() SenderStats {
	c := &s.stats
	return SenderStats{
		Replies: c.replies.Load(), Pushes: c.pushes.Load(), PushesDeduped: c.pushesDeduped.Load(),
		ReplyFallbacks: c.replyFallbacks.Load(), SpentAfterAttempt: c.spentAfterAttempt.Load(),
		Skipped: c.skipped.Load(), Failed: c.failed.Load(), Interrupted: c.interrupted.Load(),
	}
}

// ConsumerStats counts what this process's Consumer did with events since
// it started (per replica, never reset).
type ConsumerStats struct {
	// Acked is events processed and acknowledged.
	Acked int64
	// Retried is processing attempts that failed and were retried.
	Retried int64
	// DeadLettered is events given up on (Queue.DeadLetters has them).
	DeadLettered int64
	// LeftPending is events left for the next holder of their shard
	// (shutdown, drain timeout, lease lost, Redis trouble).
	LeftPending int64
}

type consumerCounters struct {
	acked, retried, deadLettered, leftPending atomic.Int64
}

// Stats returns the Consumer's counters.
func (c *Consumer) Stats() ConsumerStats {
	n := &c.stats
	return ConsumerStats{Acked: n.acked.Load(), Retried: n.retried.Load(),
		DeadLettered: n.deadLettered.Load(), LeftPending: n.leftPending.Load()}
}

// ShardStats is one shard's backlog as Redis holds it (the same for every
// replica).
type ShardStats struct {
	Shard int
	// Depth is stored events not yet acknowledged.
	Depth int64
	// Oldest is when the oldest of them was stored (zero when none).
	Oldest time.Time
	// DeadLetters is entries in the shard's dead-letter stream.
	DeadLetters int64
}

// Stats reads every shard's depth, oldest stored event and dead letters in
// one pipeline.
func (q *Queue) Stats(ctx context.Context) ([]ShardStats, error) {
	pipe := q.rdb.Pipeline()
	type cmds struct {
		depth, dead *redis.IntCmd
		oldest      *redis.XMessageSliceCmd
	}
	cs := make([]cmds, q.cfg.Shards)
	for s := range cs {
		cs[s] = cmds{
			depth:  pipe.XLen(ctx, q.streamKey(s)),
			oldest: pipe.XRangeN(ctx, q.streamKey(s), "-", "+", 1),
			dead:   pipe.XLen(ctx, q.deadKey(s)),
		}
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("queue stats: %w", err)
	}
	out := make([]ShardStats, q.cfg.Shards)
	for s, c := range cs {
		out[s] = ShardStats{Shard: s, Depth: c.depth.Val(), DeadLetters: c.dead.Val()}
		if msgs := c.oldest.Val(); len(msgs) > 0 {
			out[s].Oldest = entryTime(msgs[0].ID)
		}
	}
	return out, nil
}

// entryTime is when Redis stored a stream entry: the milliseconds part of
// its ID.
func entryTime(id string) time.Time {
	ms, _, _ := strings.Cut(id, "-")
	n, err := strconv.ParseInt(ms, 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.UnixMilli(n)
}

// FailedSendsLen returns how many failed sends are recorded (across
// replicas, up to SenderConfig.FailedSendsMax).
func (s *Sender) FailedSendsLen(ctx context.Context) (int64, error) {
	if s.rdb == nil {
		return 0, nil
	}
	n, err := s.rdb.LLen(ctx, s.failedKey()).Result()
	if err != nil {
		return 0, fmt.Errorf("count failed sends: %w", err)
	}
	return n, nil
}
