package line

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// sleepFunc waits d or until ctx is done, whichever comes first; it returns
// ctx's error in the latter case. Tests inject one that records and returns.
type sleepFunc func(ctx context.Context, d time.Duration) error

// sleepCtx is the real sleepFunc.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// newBackOff returns a doubling back-off whose n-th wait (n from 0) lies in
// [d/2, d] for d = min(first<<n, limit): "equal jitter", half fixed, half
// random. In backoff's terms that is a randomization factor of 1/3 around
// 3/4 of d.
func newBackOff(first, limit time.Duration) *backoff.ExponentialBackOff {
	return &backoff.ExponentialBackOff{
		InitialInterval:     first * 3 / 4,
		RandomizationFactor: 1.0 / 3,
		Multiplier:          2,
		MaxInterval:         limit * 3 / 4,
	}
}

// errInterrupted is returned by retry when ctx ended before the next call.
var errInterrupted = errors.New("retry interrupted")

// waitError asks retry to wait d before the next call instead of the
// back-off's next wait (a Retry-After from the server).
type waitError struct {
	err error
	d   time.Duration
}

func (e *waitError) Error() string { return e.err.Error() }
func (e *waitError) Unwrap() error { return e.err }

// retry calls op until it returns nil or a Permanent error, or until tries
// calls were made (0: no limit here; op decides). Between calls it waits the
// back-off's next wait, or the one a *waitError from op asks for, with
// sleep. It returns op's last error, or an error wrapping errInterrupted and
// ctx's error when ctx ended before the next call. This is backoff.Retry
// with an injectable sleep: backoff's own timer cannot be replaced, and tests
// must not wait for real.
func retry(ctx context.Context, b backoff.BackOff, tries int, sleep sleepFunc, op func(attempt int) error) error {
	b.Reset()
	for attempt := 1; ; attempt++ {
		err := op(attempt)
		if err == nil || IsPermanent(err) || (tries > 0 && attempt >= tries) {
			return err
		}
		d := b.NextBackOff()
		var w *waitError
		if errors.As(err, &w) {
			d = w.d
		}
		if d == backoff.Stop {
			return err
		}
		if cerr := ctx.Err(); cerr != nil {
			return fmt.Errorf("%w: %w", errInterrupted, cerr)
		}
		if serr := sleep(ctx, d); serr != nil {
			return fmt.Errorf("%w: %w", errInterrupted, serr)
		}
	}
}

// Permanent wraps err so that it is not retried: the Consumer dead-letters
// the event at once.
func Permanent(err error) error { return backoff.Permanent(err) }

// IsPermanent reports whether err was wrapped with Permanent.
func IsPermanent(err error) bool {
	var p *backoff.PermanentError
	return errors.As(err, &p)
}

// retryAfter reads a Retry-After header (delay-seconds or an HTTP date,
// RFC 9110 §10.2.3) as a wait from now, capped at limit. ok is false when the
// header is absent or unreadable.
func retryAfter(h http.Header, now time.Time, limit time.Duration) (d time.Duration, ok bool) {
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		secs = min(secs, int(limit/time.Second)+1) // no overflow
		return min(time.Duration(secs)*time.Second, limit), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now), 0), limit), true
	}
	return 0, false
}
