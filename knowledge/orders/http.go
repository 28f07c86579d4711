package orders

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"
)

// HTTP backend defaults.
const (
	DefaultTimeout       = 3 * time.Second
	DefaultRetries       = 2
	DefaultBackoff       = 200 * time.Millisecond
	DefaultMaxBackoff    = 2 * time.Second
	DefaultMaxRetryAfter = 5 * time.Second

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
	// Sleep waits between attempts and returns early with ctx's error. Nil
	// means a timer. Tests inject one that records the delays.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock for Retry-After dates. Nil means time.Now.
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
	sleep         func(context.Context, time.Duration) error
	now           func() time.Time
	log           *zap.Logger
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
	if cfg.Timeout < 0 || cfg.Backoff < 0 || cfg.MaxBackoff < 0 || cfg.MaxRetryAfter < 0 {
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
		sleep:         cfg.Sleep,
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
	if b.sleep == nil {
		b.sleep = sleepTimer
	}
	if b.now == nil {
		b.now = time.Now
	}
	if b.log == nil {
		b.log = zap.NewNop()
	}
	return b, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

func sleepTimer(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
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
func (b *HTTPBackend) Lookup(ctx context.Context, number string) (Order, error) {
	number = strings.TrimSpace(number)
	masked := Mask(number)
	if number == "" {
		return Order{}, fmt.Errorf("lookup order: empty number: %w", ErrNotFound)
	}
	endpoint := b.base + "/orders/" + url.PathEscape(number)
	start := time.Now()
	attempts := b.retries + 1
	for attempt := 1; ; attempt++ {
		o, aerr := b.attempt(ctx, endpoint, number)
		if aerr == nil {
			b.log.Debug("order looked up", zap.String("order", masked), zap.Int("attempt", attempt),
				zap.Duration("elapsed", time.Since(start)))
			return o, nil
		}
		if err := ctx.Err(); err != nil {
			return Order{}, fmt.Errorf("lookup order %s: %w: %w", masked, ErrUnavailable, err)
		}
		if !aerr.retryable {
			return Order{}, fmt.Errorf("lookup order %s: %w", masked, aerr.err)
		}
		if attempt >= attempts {
			return Order{}, fmt.Errorf("lookup order %s: %w after %d attempts: %v", masked, ErrUnavailable, attempt, aerr.err)
		}
		delay := b.delay(attempt)
		if aerr.hasAfter {
			if aerr.retryAfter > b.maxRetryAfter {
				return Order{}, fmt.Errorf("lookup order %s: %w: Retry-After %s exceeds %s: %v",
					masked, ErrUnavailable, aerr.retryAfter, b.maxRetryAfter, aerr.err)
			}
			delay = aerr.retryAfter
		}
		b.log.Warn("order backend retry", zap.Int("attempt", attempt), zap.Duration("delay", delay),
			zap.String("reason", aerr.err.Error()))
		if err := b.sleep(ctx, delay); err != nil {
			return Order{}, fmt.Errorf("lookup order %s: %w: %w", masked, ErrUnavailable, err)
		}
	}
}

// delay is the jittered exponential backoff before retry number attempt
// (1-based).
func (b *HTTPBackend) delay(attempt int) time.Duration {
	d := b.backoff
	for i := 1; i < attempt && d < b.maxBackoff; i++ {
		d *= 2
	}
	d = min(d, b.maxBackoff)
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + rand.N(d-half+1)
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

var _ Backend = (*HTTPBackend)(nil)
