// Package testclock is the one settable clock tests inject wherever the
// code takes a `func() time.Time`. It is safe for concurrent use.
package testclock

import (
	"sync"
	"time"
)

// Start is the instant a clock made by New begins at unless told otherwise:
// Monday 23 November 2026, 09:00 UTC (17:00 in Taipei).
var Start = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// Clock is a settable clock. The zero value is not usable; call New or At.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// New returns a clock at Start.
func New() *Clock { return At(Start) }

// At returns a clock at t.
func At(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time; pass c.Now where a func() time.Time is taken.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d (backwards when d is negative).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}
