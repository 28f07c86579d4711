package line

import (
	"context"
	"sync"
	"time"
)

// Backlog is the queue's backlog across shards, as Redis holds it.
type Backlog struct {
	// Depth is stored events not yet acknowledged (waiting or in
	// processing).
	Depth int64
	// OldestAge is how long ago the oldest of them was stored (zero when
	// none). An event in processing counts: a hung backend shows here.
	OldestAge time.Duration
}

// Backlog reads the depth and oldest-event age of every shard in one
// pipeline and sums them up.
func (q *Queue) Backlog(ctx context.Context) (Backlog, error) {
	stats, err := q.Stats(ctx)
	if err != nil {
		return Backlog{}, err
	}
	var b Backlog
	var oldest time.Time
	for _, s := range stats {
		b.Depth += s.Depth
		if !s.Oldest.IsZero() && (oldest.IsZero() || s.Oldest.Before(oldest)) {
			oldest = s.Oldest
		}
	}
	if !oldest.IsZero() {
		b.OldestAge = max(q.clock().Sub(oldest), 0)
	}
	return b, nil
}

// DefaultBacklogEvery is how old the webhook's view of the backlog may be.
const DefaultBacklogEvery = 250 * time.Millisecond

// HighWater is the webhook's high-water mark: past either limit it answers
// 503, so LINE redelivers later (when redelivery is on) instead of the
// events waiting here until their reply tokens expire and their answers
// go out as paid pushes. Zero limits are off.
type HighWater struct {
	MaxDepth int64         // stored events across shards
	MaxAge   time.Duration // age of the oldest stored event
	// Every is how old the sampled backlog may be (default 250 ms): one
	// request in that time reads it (one pipelined round trip), the others
	// use the last reading.
	Every time.Duration
}

func (h HighWater) on() bool { return h.MaxDepth > 0 || h.MaxAge > 0 }

// over reports whether b is past the mark.
func (h HighWater) over(b Backlog) bool {
	return (h.MaxDepth > 0 && b.Depth >= h.MaxDepth) || (h.MaxAge > 0 && b.OldestAge >= h.MaxAge)
}

// backlogSampler caches the queue's backlog for the webhook.
type backlogSampler struct {
	q     *Queue
	every time.Duration
	mu    sync.Mutex // held while reading Redis; others use the last reading
	last  struct {
		sync.Mutex
		at time.Time
		b  Backlog
		ok bool
	}
}

// get returns a reading at most every old (read now if the last is older
// and no other request is reading). ok is false without any reading yet.
func (s *backlogSampler) get(ctx context.Context) (Backlog, bool) {
	now := s.q.clock()
	s.last.Lock()
	b, at, ok := s.last.b, s.last.at, s.last.ok
	s.last.Unlock()
	if ok && now.Sub(at) < s.every {
		return b, true
	}
	if !s.mu.TryLock() {
		return b, ok
	}
	defer s.mu.Unlock()
	nb, err := s.q.Backlog(ctx)
	if err != nil {
		return b, ok // the enqueue will meet the same trouble and answer for it
	}
	s.last.Lock()
	s.last.b, s.last.at, s.last.ok = nb, now, true
	s.last.Unlock()
	return nb, true
}
