package orders

import (
	"sync"
	"time"
)

// breaker stops asking a backend that keeps failing. After trip requests
// in a row ended unavailable (timeouts, transport errors, 5xx and 429 once
// retries are spent, or the caller's deadline while waiting for it), every
// request fails at once for coolDown; then one request at a time is let
// through (a probe) while the others still fail at once, until a probe gets
// an answer. Any answer from the backend (an order, a 404, a 4xx) closes it
// again. It is safe for concurrent use.
//
// It bounds what a hung backend costs a customer: without it, every order
// question waited the whole lookup (the bot's deadline), and a customer who
// asked again while the first lookup hung waited for both, one after the
// other in their lane.
type breaker struct {
	trip     int
	coolDown time.Duration
	now      func() time.Time

	mu        sync.Mutex
	failures  int       // requests in a row that ended unavailable
	openUntil time.Time // while open: when the next probe may go; zero when closed
	probing   bool      // a probe is in flight
}

// verdict is what one request's outcome tells about the backend.
type verdict int

const (
	answered    verdict = iota // the backend answered (whatever it said)
	unavailable                // it did not answer in time, or failed
	undecided                  // the caller gave up first (cancelled): tells nothing
)

// allow reports whether a request may go to the backend. probe says it is
// the one request let through while the breaker is open; it must be
// reported to done with probe true. When it may not go, until is when the
// next probe may.
func (b *breaker) allow() (ok, probe bool, until time.Time) {
	if b == nil {
		return true, false, time.Time{}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.openUntil.IsZero():
		return true, false, time.Time{}
	case b.probing || b.now().Before(b.openUntil):
		return false, false, b.openUntil
	}
	b.probing = true
	return true, true, time.Time{}
}

// done records a request's outcome. It reports opened when this outcome
// opened the breaker (or kept it open after a failed probe) and closed when
// it closed an open one.
func (b *breaker) done(probe bool, v verdict) (opened, closed bool) {
	if b == nil {
		return false, false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if probe {
		b.probing = false
	}
	wasOpen := !b.openUntil.IsZero()
	switch v {
	case answered:
		b.failures, b.openUntil = 0, time.Time{}
		return false, wasOpen
	case unavailable:
		b.failures++
		if probe || !wasOpen && b.failures >= b.trip {
			b.openUntil = b.now().Add(b.coolDown)
			return true, false
		}
	}
	return false, false
}
