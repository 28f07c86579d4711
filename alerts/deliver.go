package alerts

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// Retry bounds the delivery of one alert to one webhook.
type Retry struct {
	Attempts int           // tries in all (default 6)
	First    time.Duration // first wait between tries (default 1s), doubling, jittered
	Max      time.Duration // longest wait between tries (default 30s); also caps a Retry-After
	Timeout  time.Duration // one try (default 10s)
}

func (r Retry) withDefaults() Retry {
	if r.Attempts <= 0 {
		r.Attempts = 6
	}
	if r.First <= 0 {
		r.First = time.Second
	}
	if r.Max <= 0 {
		r.Max = 30 * time.Second
	}
	if r.Max < r.First {
		r.Max = r.First
	}
	if r.Timeout <= 0 {
		r.Timeout = 10 * time.Second
	}
	return r
}

// Longest is the longest one delivery can take: every try timing out and
// the longest waits between them.
func (r Retry) Longest() time.Duration {
	r = r.withDefaults()
	total := time.Duration(r.Attempts) * r.Timeout
	wait := r.First
	for i := 1; i < r.Attempts; i++ {
		total += min(wait, r.Max) * 3 / 2 // backoff's default jitter is ±50%
		wait *= 2
	}
	return total
}

// deliveryError is why a delivery failed, safe to log and store: a status
// code or the network error without the URL (Slack and Teams webhook URLs
// are secrets).
type deliveryError struct {
	status int
	err    error
}

func (e *deliveryError) Error() string {
	if e.status != 0 {
		return "status " + strconv.Itoa(e.status)
	}
	return e.err.Error()
}

func (e *deliveryError) Unwrap() error { return e.err }

// sanitize drops the URL from an HTTP client error.
func sanitize(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return errors.New("timeout")
	}
	if oe, ok := errors.AsType[*net.OpError](err); ok {
		return fmt.Errorf("%s: %w", oe.Op, oe.Err)
	}
	return err
}

// post sends body to w, retried per r, and returns how many tries were made
// and the last error (nil: delivered). 2xx is success; 408, 429 and 5xx and
// network errors are retried (a Retry-After is honoured up to r.Max); any
// other status is permanent.
func post(ctx context.Context, client *http.Client, now func() time.Time, w Webhook, a Alert, body []byte, r Retry) (int, error) {
	tries := 0
	op := func() (struct{}, error) {
		tries++
		return struct{}{}, postOnce(ctx, client, now, w, a, body, r)
	}
	b := backoff.NewExponentialBackOff()
	b.InitialInterval, b.MaxInterval = r.First, r.Max
	_, err := backoff.Retry(ctx, op, backoff.WithBackOff(b), backoff.WithMaxTries(uint(r.Attempts)),
		backoff.WithMaxElapsedTime(r.Longest()))
	if err == nil {
		return tries, nil
	}
	if ctx.Err() != nil {
		return tries, ctx.Err() // shutting down: not a failure of the webhook
	}
	if _, ok := errors.AsType[*backoff.RetryAfterError](err); ok {
		err = &deliveryError{status: http.StatusTooManyRequests}
	}
	return tries, err
}

func postOnce(ctx context.Context, client *http.Client, now func() time.Time, w Webhook, a Alert, body []byte, r Retry) error {
	actx, cancel := context.WithTimeout(ctx, r.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return backoff.Permanent(&deliveryError{err: errors.New("bad request")})
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "warmline-alerts")
	req.Header.Set(HeaderAlertID, a.ID)
	req.Header.Set(HeaderKind, string(a.Kind))
	if w.Secret != "" {
		// Signed per try: a retry is a new request, not a replay.
		ts := now()
		req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
		req.Header.Set(HeaderSignature, Sign(w.Secret, ts, body))
	}
	res, err := client.Do(req)
	if err != nil {
		return &deliveryError{err: sanitize(err)}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	switch s := res.StatusCode; {
	case s >= 200 && s < 300:
		return nil
	case s == http.StatusTooManyRequests:
		if sec, err := strconv.Atoi(res.Header.Get("Retry-After")); err == nil && sec > 0 {
			return &backoff.RetryAfterError{Duration: min(time.Duration(sec)*time.Second, r.Max)}
		}
		return &deliveryError{status: s}
	case s == http.StatusRequestTimeout || s >= 500:
		return &deliveryError{status: s}
	default:
		return backoff.Permanent(&deliveryError{status: s})
	}
}
