package semantic

import (
	"sync"
	"time"
)

// breaker stops the query path from waiting on an embedder that is down:
// after `threshold` consecutive failures it opens for `cooldown`, during
// which allow says no at once; then one probe goes through, and its
// outcome closes the breaker or opens it for another cooldown.
type breaker struct {
	threshold int
	cooldown  time.Duration
	now       func() time.Time

	mu        sync.Mutex
	failures  int
	openUntil time.Time
	probing   bool
}

type breakerState int

const (
	breakerClosed breakerState = iota
	breakerOpen
	breakerHalfOpen
)

func newBreaker(threshold int, cooldown time.Duration, now func() time.Time) *breaker {
	return &breaker{threshold: threshold, cooldown: cooldown, now: now}
}

// allow reports whether a call may go out now. A true answer must be
// followed by exactly one success or failure call.
func (b *breaker) allow() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failures < b.threshold {
		return true
	}
	if b.now().Before(b.openUntil) || b.probing {
		return false
	}
	b.probing = true
	return true
}

// success records a good call and reports whether it closed an open
// breaker.
func (b *breaker) success() (closed bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	closed = b.failures >= b.threshold
	b.failures = 0
	b.probing = false
	return closed
}

// release ends an allowed call that says nothing about the embedder (the
// caller gave up first).
func (b *breaker) release() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.probing = false
}

// failure records a failed call and reports whether it opened the breaker
// (or re-opened it after a failed probe).
func (b *breaker) failure() (opened bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failures++
	b.probing = false
	if b.failures >= b.threshold {
		b.openUntil = b.now().Add(b.cooldown)
		return true
	}
	return false
}

func (b *breaker) state() breakerState {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.failures < b.threshold:
		return breakerClosed
	case b.now().Before(b.openUntil) || b.probing:
		return breakerOpen
	}
	return breakerHalfOpen
}
