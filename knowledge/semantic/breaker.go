package semantic

import (
	"context"
	"errors"
	"time"

	"github.com/sony/gobreaker/v2"
	"go.uber.org/zap"
)

// breaker stops the query path from waiting on an embedder that is down:
// after threshold failures in a row it opens for cooldown, during which
// allow says no at once; then one probe goes through (the other questions
// still get no at once), and its outcome closes the breaker or opens it
// for another cooldown. A call the caller cancelled tells nothing. Each
// change is logged once.
//
// The state machine is github.com/sony/gobreaker's, which keeps time with
// time.Now (tests run it in a testing/synctest bubble).
type breaker struct {
	cb *gobreaker.TwoStepCircuitBreaker[struct{}]
}

// errCallerGone marks a call that ended because the caller gave up: not
// the embedder's fault, and not a sign it is well either.
var errCallerGone = errors.New("caller gave up")

func newBreaker(threshold int, cooldown time.Duration, log *zap.Logger) *breaker {
	return &breaker{cb: gobreaker.NewTwoStepCircuitBreaker[struct{}](gobreaker.Settings{
		Name:        "semantic_tier",
		MaxRequests: 1, // half-open: one probe at a time, and its answer closes it
		Timeout:     cooldown,
		// Interval 0: the closed breaker counts failures in a row until a
		// success, however far apart they are.
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= uint32(threshold) },
		IsExcluded:  func(err error) bool { return errors.Is(err, errCallerGone) || errors.Is(err, context.Canceled) },
		// Called once per change, under the breaker's lock: it must not call it.
		OnStateChange: func(_ string, from, to gobreaker.State) {
			switch to {
			case gobreaker.StateOpen:
				log.Warn("semantic tier breaker open", zap.Bool("probe", from == gobreaker.StateHalfOpen), zap.Duration("cooldown", cooldown))
			case gobreaker.StateClosed:
				log.Info("semantic tier breaker closed")
			}
		},
	})}
}

// allow reports whether a call may go out now. When it may, done must be
// called once with the call's error (nil for success, errCallerGone when
// the caller gave up first).
func (b *breaker) allow() (done func(error), ok bool) {
	done, err := b.cb.Allow()
	return done, err == nil
}
