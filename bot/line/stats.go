package line

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
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
	// APIErrors is Messaging API calls (reply, push, profile, loading,
	// mark as read; every attempt) that LINE answered with a non-2xx
	// status, by status code ("400", "429", ...), and "network" for those
	// with no answer (connection refused, timeout). Includes the answers
	// the Sender handles: 400 for an expired reply token, 409 for a push
	// LINE deduplicated.
	APIErrors map[string]int64
}

type senderCounters struct {
	replies, pushes, pushesDeduped, replyFallbacks, spentAfterAttempt, skipped, failed, interrupted atomic.Int64
	apiErrors                                                                                       typeCounts
}

// countAPI counts a Messaging API call that failed (SenderStats.APIErrors);
// a call cut short by its context being cancelled is not LINE's error.
func (s *Sender) countAPI(res *http.Response, err error) {
	switch {
	case err == nil, errors.Is(err, context.Canceled):
	case res == nil:
		s.stats.apiErrors.add("network")
	case res.StatusCode < 200 || res.StatusCode > 299:
		s.stats.apiErrors.add(strconv.Itoa(res.StatusCode))
	}
}

// Stats returns the Sender's counters.
func (s *Sender) Stats() SenderStats {
	c := &s.stats
	return SenderStats{
		Replies: c.replies.Load(), Pushes: c.pushes.Load(), PushesDeduped: c.pushesDeduped.Load(),
		ReplyFallbacks: c.replyFallbacks.Load(), SpentAfterAttempt: c.spentAfterAttempt.Load(),
		Skipped: c.skipped.Load(), Failed: c.failed.Load(), Interrupted: c.interrupted.Load(),
		APIErrors: c.apiErrors.snapshot(),
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
	// Processing is, for each acked event, the time from its receipt (when
	// Redis stored it, the stream entry's time) to its ack, on the queue's
	// clock: the wait in the queue, retries and the answer's sends.
	Processing Histogram
}

// Histogram is a snapshot of a latency histogram in seconds.
type Histogram struct {
	// Bounds are the buckets' upper bounds, ascending; Counts[i] is the
	// observations at most Bounds[i] (cumulative).
	Bounds []float64
	Counts []uint64
	// Count and Sum are all observations and their total.
	Count uint64
	Sum   float64
}

// processingBounds are the processing histogram's buckets, in seconds: a
// FAQ answer within a second, an order lookup or a retried send within a
// few, a queue that waited on a takeover or a slow backend up to a minute.
var processingBounds = [...]float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

// latencies counts observations per bucket (the last one past every
// bound) and their total in nanoseconds.
type latencies struct {
	n   [len(processingBounds) + 1]atomic.Uint64
	sum atomic.Int64
}

func (l *latencies) observe(d time.Duration) {
	d = max(d, 0) // a clock behind Redis's
	s := d.Seconds()
	i := 0
	for i < len(processingBounds) && s > processingBounds[i] {
		i++
	}
	l.n[i].Add(1)
	l.sum.Add(int64(d))
}

func (l *latencies) snapshot() Histogram {
	h := Histogram{Bounds: processingBounds[:], Counts: make([]uint64, len(processingBounds))}
	for i := range l.n {
		h.Count += l.n[i].Load()
		if i < len(processingBounds) {
			h.Counts[i] = h.Count
		}
	}
	h.Sum = time.Duration(l.sum.Load()).Seconds()
	return h
}

type consumerCounters struct {
	acked, retried, deadLettered, leftPending atomic.Int64
	processing                                latencies
}

// Stats returns the Consumer's counters.
func (c *Consumer) Stats() ConsumerStats {
	n := &c.stats
	return ConsumerStats{Acked: n.acked.Load(), Retried: n.retried.Load(),
		DeadLettered: n.deadLettered.Load(), LeftPending: n.leftPending.Load(),
		Processing: n.processing.snapshot()}
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

// typeCounts counts events by a small, bounded set of type names.
type typeCounts struct {
	mu sync.Mutex
	n  map[string]int64
}

func (t *typeCounts) add(name string) {
	t.mu.Lock()
	if t.n == nil {
		t.n = map[string]int64{}
	}
	t.n[name]++
	t.mu.Unlock()
}

func (t *typeCounts) snapshot() map[string]int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[string]int64, len(t.n))
	for k, v := range t.n {
		out[k] = v
	}
	return out
}

// eventTypes are the webhook event types LINE documents; any other is
// counted as "other" so a new type cannot grow the label set unbounded.
var eventTypes = map[string]bool{
	"message": true, "unsend": true, "follow": true, "unfollow": true, "join": true, "leave": true,
	"memberJoined": true, "memberLeft": true, "postback": true, "videoPlayComplete": true,
	"beacon": true, "accountLink": true, "things": true, "membership": true, "module": true,
	"activated": true, "deactivated": true, "botSuspended": true, "botResumed": true,
}

// messageTypes are the message event subtypes LINE documents, with their
// count's name.
var messageTypes = map[string]string{
	"text": "message_text", "image": "message_image", "video": "message_video", "audio": "message_audio",
	"file": "message_file", "location": "message_location", "sticker": "message_sticker",
}

// eventType names a raw webhook event for counting: its LINE type
// ("follow", "postback", ...), a message event as "message_" and its
// message type ("message_text", "message_image", ...), and "other" (or
// "message_other") for a type LINE does not document.
func eventType(raw json.RawMessage) string {
	p, err := parseEvent(raw)
	if err != nil {
		return "other"
	}
	return p.kind()
}

// kind is eventType of a decoded event.
func (p *parsedEvent) kind() string {
	typ := p.m.Type.s // "" when missing or not a string
	if !eventTypes[typ] {
		return "other"
	}
	if typ != "message" {
		return typ
	}
	if name, ok := messageTypes[p.m.Message.typ]; ok {
		return name
	}
	return "message_other"
}

func (q *Queue) countAccepted(events []parsedEvent) {
	for i := range events {
		q.accepted.add(events[i].kind())
	}
}

// Accepted returns how many events this process's webhook stored (answered
// 200 for), by eventType, since it started. A redelivery LINE sent again
// is counted again (the queue stores it once).
func (q *Queue) Accepted() map[string]int64 { return q.accepted.snapshot() }
