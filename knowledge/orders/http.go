package orders

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"
	"go.uber.org/zap"
)

// HTTP backend defaults.
const (
	DefaultTimeout       = 3 * time.Second
	DefaultRetries       = 2
	DefaultBackoff       = 200 * time.Millisecond
	DefaultMaxBackoff    = 2 * time.Second
	DefaultMaxRetryAfter = 5 * time.Second
	DefaultTripAfter     = 3
	DefaultCoolDown      = 10 * time.Second

	maxResponseBytes = 1 << 20
)

// HTTPConfig configures an HTTPBackend. Only BaseURL is required.
type HTTPConfig struct {
	// BaseURL of the order service; orders are at {BaseURL}/orders/{number}.
	BaseURL string
	// Token, when set, is sent as "Authorization: Bearer <token>".
	Token string
	// Client sends the requests; nil means a new client without a global
	// timeout (each attempt has Timeout).
	Client *http.Client
	// Timeout bounds each attempt. Zero means DefaultTimeout.
	Timeout time.Duration
	// Retries after the first attempt, on timeouts, transport errors, 5xx
	// and 429. Zero means DefaultRetries; negative means no retries.
	Retries int
	// Backoff before the first retry, doubled for each further retry up to
	// MaxBackoff, with jitter (a delay d becomes a random value in
	// [d/2, d]). Zero means DefaultBackoff / DefaultMaxBackoff.
	Backoff    time.Duration
	MaxBackoff time.Duration
	// MaxRetryAfter is the longest Retry-After the backend will wait for; a
	// longer one ends the lookup with ErrUnavailable at once. Zero means
	// DefaultMaxRetryAfter.
	MaxRetryAfter time.Duration
	// TripAfter is how many requests in a row may end unavailable (retries
	// spent, or the caller's deadline passed waiting) before the backend
	// stops asking the service: then every lookup and refund fails at once
	// with ErrUnavailable for CoolDown, after which one request at a time
	// probes it until one gets an answer. A customer is told at once that
	// the order system is not answering instead of waiting out the whole
	// lookup again. Zero means DefaultTripAfter (3); negative means never.
	TripAfter int
	// CoolDown is how long requests fail at once before the next probe.
	// Zero means DefaultCoolDown (10 s).
	CoolDown time.Duration
	// Now is the clock for Retry-After dates. Nil means time.Now. The
	// cool-down runs on time.Now (github.com/sony/gobreaker's clock).
	Now func() time.Time
	// Logger for retries (warn) and lookups (debug, masked numbers). Nil
	// means no logging.
	Logger *zap.Logger
}

// HTTPBackend looks orders up with GET {BaseURL}/orders/{number}. It is safe
// for concurrent use. The wire contract is in docs/order-backend.md.
type HTTPBackend struct {
	base          string
	token         string
	client        *http.Client
	timeout       time.Duration
	retries       int
	backoff       time.Duration
	maxBackoff    time.Duration
	maxRetryAfter time.Duration
	now           func() time.Time
	log           *zap.Logger
	breaker       *breaker // nil: never stop asking
}

// NewHTTPBackend validates cfg and applies the defaults.
func NewHTTPBackend(cfg HTTPConfig) (*HTTPBackend, error) {
	u, err := url.Parse(strings.TrimSpace(cfg.BaseURL))
	if err != nil {
		return nil, fmt.Errorf("order backend base URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("order backend base URL %q: want an absolute http(s) URL", cfg.BaseURL)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("order backend base URL %q: must not have a query or fragment", cfg.BaseURL)
	}
	if cfg.Timeout < 0 || cfg.Backoff < 0 || cfg.MaxBackoff < 0 || cfg.MaxRetryAfter < 0 || cfg.CoolDown < 0 {
		return nil, errors.New("order backend: negative timeout or backoff")
	}
	b := &HTTPBackend{
		base:          strings.TrimRight(u.String(), "/"),
		token:         strings.TrimSpace(cfg.Token),
		client:        cfg.Client,
		timeout:       orDefault(cfg.Timeout, DefaultTimeout),
		retries:       cfg.Retries,
		backoff:       orDefault(cfg.Backoff, DefaultBackoff),
		maxBackoff:    orDefault(cfg.MaxBackoff, DefaultMaxBackoff),
		maxRetryAfter: orDefault(cfg.MaxRetryAfter, DefaultMaxRetryAfter),
		now:           cfg.Now,
		log:           cfg.Logger,
	}
	switch {
	case b.retries == 0:
		b.retries = DefaultRetries
	case b.retries < 0:
		b.retries = 0
	}
	if b.client == nil {
		b.client = &http.Client{}
	}
	if b.now == nil {
		b.now = time.Now
	}
	if b.log == nil {
		b.log = zap.NewNop()
	}
	if cfg.TripAfter >= 0 {
		trip := cfg.TripAfter
		if trip == 0 {
			trip = DefaultTripAfter
		}
		b.breaker = newBreaker(trip, orDefault(cfg.CoolDown, DefaultCoolDown), b.log)
	}
	return b, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// attemptError is the outcome of one failed attempt.
type attemptError struct {
	err        error
	retryable  bool
	retryAfter time.Duration // from a Retry-After header, 0 if none
	hasAfter   bool
}

// Lookup fetches one order. Errors wrap ErrNotFound (404), ErrUnavailable
// (timeouts, transport errors, 5xx and 429 once retries are spent; also a
// cancelled ctx, together with ctx's error), or describe a response that
// cannot be used (other 4xx, malformed JSON, an order that fails validation
// or has another number). Error texts carry masked order numbers only.
//
// Retries wait with jittered exponential backoff (github.com/cenkalti/backoff)
// or as long as the backend's Retry-After says, up to MaxRetryAfter. After
// TripAfter requests in a row ended unavailable, lookups fail at once with
// ErrUnavailable for CoolDown (see HTTPConfig.TripAfter).
func (b *HTTPBackend) Lookup(ctx context.Context, number string) (Order, error) {
	number = strings.TrimSpace(number)
	masked := Mask(number)
	if number == "" {
		return Order{}, fmt.Errorf("lookup order: empty number: %w", ErrNotFound)
	}
	endpoint := b.base + "/orders/" + url.PathEscape(number)
	start := time.Now()
	var o Order
	attempts, err := b.retry(ctx, "lookup order "+masked, func() *attemptError {
		var aerr *attemptError
		o, aerr = b.attempt(ctx, endpoint, number)
		return aerr
	})
	if err != nil {
		return Order{}, err
	}
	b.log.Debug("order looked up", zap.String("order", masked), zap.Int("attempt", attempts),
		zap.Duration("elapsed", time.Since(start)))
	return o, nil
}

// retry runs one attempt after another (at most Retries+1) until one
// succeeds or fails for good, waiting between them as policy and
// Retry-After say. op names the operation in errors ("lookup order
// WL****1101"). It returns the number of attempts made. While the breaker
// is open it makes none and fails at once with ErrUnavailable.
func (b *HTTPBackend) retry(ctx context.Context, op string, try func() *attemptError) (int, error) {
	done, err := b.breaker.allow(op)
	if err != nil {
		return 0, err
	}
	attempts, err := b.retryAttempts(ctx, op, try)
	done(err)
	return attempts, err
}

func (b *HTTPBackend) retryAttempts(ctx context.Context, op string, try func() *attemptError) (int, error) {
	tries := b.retries + 1
	attempt := 0
	var reason error // the last attempt's failure, for the retry log
	fn := func() (struct{}, error) {
		attempt++
		aerr := try()
		switch {
		case aerr == nil:
			return struct{}{}, nil
		case !aerr.retryable:
			return struct{}{}, backoff.Permanent(fmt.Errorf("%s: %w", op, aerr.err))
		case attempt >= tries:
			return struct{}{}, fmt.Errorf("%s: %w after %d attempts: %v", op, ErrUnavailable, attempt, aerr.err)
		case aerr.hasAfter && aerr.retryAfter > b.maxRetryAfter:
			return struct{}{}, backoff.Permanent(fmt.Errorf("%s: %w: Retry-After %s exceeds %s: %v",
				op, ErrUnavailable, aerr.retryAfter, b.maxRetryAfter, aerr.err))
		}
		reason = aerr.err
		if aerr.hasAfter {
			return struct{}{}, &backoff.RetryAfterError{Duration: aerr.retryAfter}
		}
		return struct{}{}, aerr.err
	}
	_, err := backoff.Retry(ctx, fn,
		backoff.WithBackOff(b.policy()),
		backoff.WithMaxTries(uint(tries)),
		backoff.WithMaxElapsedTime(0), // each attempt has its timeout, the caller's ctx the deadline
		backoff.WithNotify(func(_ error, delay time.Duration) {
			b.log.Warn("order backend retry", zap.Int("attempt", attempt), zap.Duration("delay", delay),
				zap.String("reason", reason.Error()))
		}))
	if ctxErr := ctx.Err(); err != nil && ctxErr != nil {
		return attempt, fmt.Errorf("%s: %w: %w", op, ErrUnavailable, ctxErr)
	}
	return attempt, err
}

// policy is the backoff between attempts: Backoff, doubled for each further
// retry up to MaxBackoff, a delay d jittered to a random value in [d/2, d]
// (3/4 d ± 1/3).
func (b *HTTPBackend) policy() backoff.BackOff {
	return &backoff.ExponentialBackOff{
		InitialInterval:     b.backoff * 3 / 4,
		RandomizationFactor: 1.0 / 3,
		Multiplier:          2,
		MaxInterval:         b.maxBackoff * 3 / 4,
	}
}

func (b *HTTPBackend) attempt(ctx context.Context, endpoint, number string) (Order, *attemptError) {
	actx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodGet, endpoint, nil)
	if err != nil {
		return Order{}, &attemptError{err: fmt.Errorf("build request: %w", err)}
	}
	req.Header.Set("Accept", "application/json")
	if b.token != "" {
		req.Header.Set("Authorization", "Bearer "+b.token)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		// url.Error's text holds the URL, i.e. the full order number: keep
		// only the cause.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			err = fmt.Errorf("attempt timed out after %s", b.timeout)
		}
		return Order{}, &attemptError{err: err, retryable: true}
	}
	defer func() {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseBytes))
		resp.Body.Close()
	}()

	switch {
	case resp.StatusCode == http.StatusOK:
	case resp.StatusCode == http.StatusNotFound:
		return Order{}, &attemptError{err: ErrNotFound}
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		ae := &attemptError{err: fmt.Errorf("status %d", resp.StatusCode), retryable: true}
		ae.retryAfter, ae.hasAfter = parseRetryAfter(resp.Header.Get("Retry-After"), b.now())
		return Order{}, ae
	default:
		return Order{}, &attemptError{err: fmt.Errorf("order backend answered status %d", resp.StatusCode)}
	}

	var o Order
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxResponseBytes)).Decode(&o); err != nil {
		return Order{}, &attemptError{err: fmt.Errorf("decode order: %w", err)}
	}
	if err := validate(o); err != nil {
		return Order{}, &attemptError{err: fmt.Errorf("invalid order: %w", err)}
	}
	if canonicalNumber(o.Number) != canonicalNumber(number) {
		return Order{}, &attemptError{err: fmt.Errorf("order backend answered with another order (%s)", Mask(o.Number))}
	}
	return o, nil
}

// RecordRefund posts a refund request the bot settled at L1 to
// POST {BaseURL}/orders/{number}/refund-requests (JSON RefundRequest, with
// an Idempotency-Key header of its id), with the lookups' timeouts and
// retries. Any 2xx and 409 (that id is recorded already) are success; 404
// is ErrNotFound; 429, 5xx, timeouts and transport errors are retried and
// end as ErrUnavailable; other answers are errors. See
// docs/order-backend.md.
func (b *HTTPBackend) RecordRefund(ctx context.Context, r RefundRequest) error {
	r.Number = canonicalNumber(r.Number)
	masked := Mask(r.Number)
	if err := validRefund(r); err != nil {
		return fmt.Errorf("record refund on %s: %w", masked, err)
	}
	body, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("record refund on %s: %w", masked, err)
	}
	endpoint := b.base + "/orders/" + url.PathEscape(r.Number) + "/refund-requests"
	attempts, err := b.retry(ctx, "record refund on "+masked, func() *attemptError {
		return b.post(ctx, endpoint, r.ID, body)
	})
	if err != nil {
		return err
	}
	b.log.Debug("refund request recorded", zap.String("order", masked), zap.Int("attempt", attempts))
	return nil
}

func (b *HTTPBackend) post(ctx context.Context, endpoint, key string, body []byte) *attemptError {
	actx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return &attemptError{err: fmt.Errorf("build request: %w", err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Idempotency-Key", key)
	if b.token != "" {
		req.Header.Set("Authorization", "Bearer "+b.token)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // its text holds the URL, i.e. the full order number
		}
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			err = fmt.Errorf("attempt timed out after %s", b.timeout)
		}
		return &attemptError{err: err, retryable: true}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseBytes))
	resp.Body.Close()
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300, resp.StatusCode == http.StatusConflict:
		return nil
	case resp.StatusCode == http.StatusNotFound:
		return &attemptError{err: ErrNotFound}
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		ae := &attemptError{err: fmt.Errorf("status %d", resp.StatusCode), retryable: true}
		ae.retryAfter, ae.hasAfter = parseRetryAfter(resp.Header.Get("Retry-After"), b.now())
		return ae
	default:
		return &attemptError{err: fmt.Errorf("order backend answered status %d", resp.StatusCode)}
	}
}

// parseRetryAfter reads delay-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(min(secs, 86400)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

var (
	_ Backend        = (*HTTPBackend)(nil)
	_ RefundRecorder = (*HTTPBackend)(nil)
)
