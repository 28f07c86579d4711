package orders

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/sony/gobreaker/v2"
	"go.uber.org/zap"
)

// breaker stops asking a backend that keeps failing. After trip requests
// in a row ended unavailable (timeouts, transport errors, 5xx and 429 once
// retries are spent, or the caller's deadline while waiting for it), every
// request fails at once for coolDown; then one request at a time is let
// through (a probe) while the others still fail at once, until a probe gets
// an answer. Any answer from the backend (an order, a 404, a 4xx) closes it
// again; a request the caller cancelled tells nothing. It is safe for
// concurrent use.
//
// It bounds what a hung backend costs a customer: without it, every order
// question waited the whole lookup (the bot's deadline), and a customer who
// asked again while the first lookup hung waited for both, one after the
// other in their lane.
//
// The state machine is github.com/sony/gobreaker's, which keeps time with
// time.Now (tests run it in a testing/synctest bubble).
type breaker struct {
	cb       *gobreaker.TwoStepCircuitBreaker[struct{}]
	coolDown time.Duration
	// openUntil is when the open breaker lets the next probe through (unix
	// nanoseconds), for the error text only.
	openUntil atomic.Int64
}

func newBreaker(trip int, coolDown time.Duration, log *zap.Logger) *breaker {
	br := &breaker{coolDown: coolDown}
	br.cb = gobreaker.NewTwoStepCircuitBreaker[struct{}](gobreaker.Settings{
		Name:        "order_backend",
		MaxRequests: 1, // half-open: one probe at a time, and its answer closes it
		Timeout:     coolDown,
		// Interval 0: the closed breaker counts failures in a row until an
		// answer, however far apart they are.
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= uint32(trip) },
		// The caller gave up first (cancelled): the backend may be fine.
		IsExcluded: func(err error) bool { return errors.Is(err, context.Canceled) },
		// Anything but ErrUnavailable is the backend answering, whatever it said.
		IsSuccessful: func(err error) bool { return !errors.Is(err, ErrUnavailable) },
		// Called once per change, under the breaker's lock: it must not call it.
		OnStateChange: func(_ string, from, to gobreaker.State) {
			switch to {
			case gobreaker.StateOpen:
				br.openUntil.Store(time.Now().Add(coolDown).UnixNano())
				log.Warn("order backend not answering; requests fail at once until the cool-down ends",
					zap.Bool("probe", from == gobreaker.StateHalfOpen), zap.Duration("cool_down", coolDown))
			case gobreaker.StateHalfOpen:
				log.Info("order backend cool-down over; one probe at a time")
			case gobreaker.StateClosed:
				log.Info("order backend answers again")
			}
		},
	})
	return br
}

// allow reports whether a request may go to the backend. When it may, done
// must be called with the request's error (nil for success); when it may
// not, err wraps ErrUnavailable and names op.
func (br *breaker) allow(op string) (done func(error), err error) {
	if br == nil {
		return func(error) {}, nil
	}
	done, err = br.cb.Allow()
	switch {
	case errors.Is(err, gobreaker.ErrOpenState):
		until := time.Unix(0, br.openUntil.Load()).UTC().Format(time.RFC3339)
		return nil, fmt.Errorf("%s: %w: not answering, not asked again before %s", op, ErrUnavailable, until)
	case err != nil: // gobreaker.ErrTooManyRequests: half-open, a probe is in flight
		return nil, fmt.Errorf("%s: %w: not answering, a probe is under way", op, ErrUnavailable)
	}
	return done, nil
}
