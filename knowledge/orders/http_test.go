package orders

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/warmline/warmline/internal/testclock"
)

const orderJSON = `{"number":"WL20261101","line_user_id":"U0000000000000000000000000000a11c","phone":"0912-345-678",
"status":"in_transit","carrier":"黑貓宅急便","tracking_number":"905123456781","eta":"2026-11-24T18:00:00+08:00",
"placed_at":"2026-11-20T14:32:00+08:00","items":[{"name":"北歐風陶瓷馬克杯","quantity":2}],"total":1280}`

// reply is one scripted answer of the fake order service.
type reply struct {
	status     int
	body       string
	retryAfter string
	hang       bool // block until the client gives up
}

// fakeService answers requests with replies in order, repeating the last.
type fakeService struct {
	mu       sync.Mutex
	replies  []reply
	requests []*http.Request
}

func (f *fakeService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	n := len(f.requests)
	f.requests = append(f.requests, r.Clone(context.Background()))
	rep := f.replies[min(n, len(f.replies)-1)]
	f.mu.Unlock()
	if rep.hang {
		<-r.Context().Done()
		return
	}
	if rep.retryAfter != "" {
		w.Header().Set("Retry-After", rep.retryAfter)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rep.status)
	fmt.Fprint(w, rep.body)
}

func (f *fakeService) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

// retryLog records the delays the backend waits between attempts, from its
// "order backend retry" log entries (logged before each wait); onRetry, if
// set, runs on each.
type retryLog struct {
	logs    *observer.ObservedLogs
	onRetry func()
}

func newRetryLog() (*retryLog, *zap.Logger) {
	core, logs := observer.New(zapcore.WarnLevel)
	r := &retryLog{logs: logs}
	hooked := zapcore.RegisterHooks(core, func(zapcore.Entry) error {
		if r.onRetry != nil {
			r.onRetry()
		}
		return nil
	})
	return r, zap.New(hooked)
}

func (r *retryLog) delays() []time.Duration {
	var out []time.Duration
	for _, e := range r.logs.FilterMessage("order backend retry").All() {
		d, _ := e.ContextMap()["delay"].(time.Duration)
		out = append(out, d)
	}
	return out
}

func newTestBackend(t testing.TB, replies []reply, tweak func(*HTTPConfig)) (*HTTPBackend, *fakeService, *retryLog) {
	t.Helper()
	svc := &fakeService{replies: replies}
	srv := httptest.NewServer(svc)
	t.Cleanup(srv.Close)
	rec, log := newRetryLog()
	cfg := HTTPConfig{
		BaseURL: srv.URL,
		Token:   "s3cret",
		Client:  srv.Client(),
		Timeout: time.Second,
		Logger:  log,
		Now:     testclock.At(time.Date(2026, 11, 23, 5, 0, 0, 0, time.UTC)).Now,
	}
	if tweak != nil {
		tweak(&cfg)
	}
	b, err := NewHTTPBackend(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return b, svc, rec
}

func TestHTTPBackendLookup(t *testing.T) {
	errOther := errors.New("not ErrNotFound nor ErrUnavailable")
	tests := []struct {
		name       string
		replies    []reply
		tweak      func(*HTTPConfig)
		wantErr    error // nil, ErrNotFound, ErrUnavailable or errOther
		wantMsg    string
		wantCalls  int
		wantDelays []time.Duration // exact delays; nil means none
		delayRange [][2]time.Duration
	}{
		{name: "200", replies: []reply{{status: 200, body: orderJSON}}, wantCalls: 1},
		{name: "404", replies: []reply{{status: 404, body: `{"error":"not found"}`}}, wantErr: ErrNotFound, wantCalls: 1},
		{
			name:       "500 then 200",
			replies:    []reply{{status: 500}, {status: 200, body: orderJSON}},
			wantCalls:  2,
			delayRange: [][2]time.Duration{{100 * time.Millisecond, 200 * time.Millisecond}},
		},
		{
			name:      "persistent 503",
			replies:   []reply{{status: 503}},
			wantErr:   ErrUnavailable,
			wantMsg:   "after 3 attempts: status 503",
			wantCalls: 3,
			delayRange: [][2]time.Duration{
				{100 * time.Millisecond, 200 * time.Millisecond},
				{200 * time.Millisecond, 400 * time.Millisecond},
			},
		},
		{
			name:    "backoff capped",
			replies: []reply{{status: 502}},
			tweak: func(c *HTTPConfig) {
				c.Retries = 3
				c.Backoff = 100 * time.Millisecond
				c.MaxBackoff = 150 * time.Millisecond
			},
			wantErr:   ErrUnavailable,
			wantCalls: 4,
			delayRange: [][2]time.Duration{
				{50 * time.Millisecond, 100 * time.Millisecond},
				{75 * time.Millisecond, 150 * time.Millisecond},
				{75 * time.Millisecond, 150 * time.Millisecond},
			},
		},
		{
			name:       "429 honours Retry-After seconds",
			replies:    []reply{{status: 429, retryAfter: "1"}, {status: 200, body: orderJSON}},
			wantCalls:  2,
			wantDelays: []time.Duration{time.Second},
		},
		{
			name:       "503 honours Retry-After date",
			replies:    []reply{{status: 503, retryAfter: "Mon, 23 Nov 2026 05:00:01 GMT"}, {status: 200, body: orderJSON}},
			wantCalls:  2,
			wantDelays: []time.Duration{time.Second},
		},
		{
			name:      "Retry-After too long gives up",
			replies:   []reply{{status: 503, retryAfter: "120"}},
			wantErr:   ErrUnavailable,
			wantMsg:   "Retry-After",
			wantCalls: 1,
		},
		{
			name:      "retries disabled",
			replies:   []reply{{status: 500}},
			tweak:     func(c *HTTPConfig) { c.Retries = -1 },
			wantErr:   ErrUnavailable,
			wantCalls: 1,
		},
		{
			name:    "slow server",
			replies: []reply{{hang: true}},
			// 250 ms per attempt, not 30: under load a 30 ms attempt could
			// end before the server had read the request, so it counted 2
			// requests of 3 (1 run in 40 failed).
			tweak:     func(c *HTTPConfig) { c.Timeout = 250 * time.Millisecond },
			wantErr:   ErrUnavailable,
			wantMsg:   "timed out after 250ms",
			wantCalls: 3,
			delayRange: [][2]time.Duration{
				{100 * time.Millisecond, 200 * time.Millisecond},
				{200 * time.Millisecond, 400 * time.Millisecond},
			},
		},
		{name: "malformed JSON", replies: []reply{{status: 200, body: `{"number":`}}, wantErr: errOther, wantMsg: "decode order", wantCalls: 1},
		{name: "unknown status", replies: []reply{{status: 200, body: `{"number":"WL20261101","status":"lost"}`}}, wantErr: errOther, wantMsg: "invalid order", wantCalls: 1},
		{name: "another order", replies: []reply{{status: 200, body: `{"number":"WL20269999","status":"paid"}`}}, wantErr: errOther, wantMsg: "another order (WL****9999)", wantCalls: 1},
		{name: "401 not retried", replies: []reply{{status: 401}}, wantErr: errOther, wantMsg: "status 401", wantCalls: 1},
		{name: "400 not retried", replies: []reply{{status: 400}}, wantErr: errOther, wantMsg: "status 400", wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // the retries wait in real time
			b, svc, rec := newTestBackend(t, tt.replies, tt.tweak)
			o, err := b.Lookup(context.Background(), "WL20261101")

			switch tt.wantErr {
			case nil:
				if err != nil {
					t.Fatalf("Lookup error = %v, want nil", err)
				}
				if o.Number != "WL20261101" || o.Status != StatusInTransit || o.Carrier != "黑貓宅急便" ||
					len(o.Items) != 1 || o.Items[0].Quantity != 2 || o.Total != 1280 || !OwnedBy(o, alice) {
					t.Fatalf("Lookup = %+v, want the decoded order", o)
				}
				if want := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC); !o.ETA.Equal(want) {
					t.Fatalf("ETA = %v, want %v", o.ETA, want)
				}
			case errOther:
				if err == nil || errors.Is(err, ErrNotFound) || errors.Is(err, ErrUnavailable) {
					t.Fatalf("Lookup error = %v, want another error", err)
				}
			default:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Lookup error = %v, want %v", err, tt.wantErr)
				}
			}
			if err != nil {
				if !strings.Contains(err.Error(), tt.wantMsg) {
					t.Errorf("error %q does not mention %q", err, tt.wantMsg)
				}
				if strings.Contains(err.Error(), "WL20261101") {
					t.Errorf("error %q carries the full order number", err)
				}
			}
			if got := svc.count(); got != tt.wantCalls {
				t.Errorf("requests = %d, want %d", got, tt.wantCalls)
			}
			delays := rec.delays()
			if tt.wantDelays != nil {
				if fmt.Sprint(delays) != fmt.Sprint(tt.wantDelays) {
					t.Errorf("delays = %v, want %v", delays, tt.wantDelays)
				}
			} else if len(delays) != len(tt.delayRange) {
				t.Errorf("delays = %v, want %d of them", delays, len(tt.delayRange))
			} else {
				for i, r := range tt.delayRange {
					if d := delays[i]; d < r[0] || d > r[1] {
						t.Errorf("delay %d = %v, want within [%v, %v]", i, d, r[0], r[1])
					}
				}
			}
		})
	}
}

func TestHTTPBackendRequest(t *testing.T) {
	tests := []struct {
		name     string
		base     string // appended to the server URL
		token    string
		number   string
		wantPath string
		wantAuth string
	}{
		{"with token", "", "s3cret", "WL20261101", "/orders/WL20261101", "Bearer s3cret"},
		{"without token", "", "", "WL20261101", "/orders/WL20261101", ""},
		{"base path and trailing slash", "/api/v1/", "t", "WL20261101", "/api/v1/orders/WL20261101", "Bearer t"},
		{"number is path-escaped", "", "t", "WL 2026/11?x", "/orders/WL%202026%2F11%3Fx", "Bearer t"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := strings.Replace(orderJSON, `"WL20261101"`, fmt.Sprintf("%q", tt.number), 1)
			svc := &fakeService{replies: []reply{{status: 200, body: body}}}
			srv := httptest.NewServer(svc)
			defer srv.Close()
			b, err := NewHTTPBackend(HTTPConfig{BaseURL: srv.URL + tt.base, Token: tt.token})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := b.Lookup(context.Background(), tt.number); err != nil {
				t.Fatalf("Lookup: %v", err)
			}
			r := svc.requests[0]
			if r.Method != http.MethodGet {
				t.Errorf("method = %s, want GET", r.Method)
			}
			if got := r.URL.EscapedPath(); got != tt.wantPath {
				t.Errorf("path = %s, want %s", got, tt.wantPath)
			}
			if got := r.Header.Get("Accept"); got != "application/json" {
				t.Errorf("Accept = %q, want application/json", got)
			}
			if got := r.Header.Get("Authorization"); got != tt.wantAuth {
				t.Errorf("Authorization = %q, want %q", got, tt.wantAuth)
			}
		})
	}
}

func TestHTTPBackendCancelStopsRetries(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b, svc, rec := newTestBackend(t, []reply{{status: 503}}, func(c *HTTPConfig) {
		c.Retries = 5
		c.Backoff = time.Hour // only the cancel ends the wait
		c.MaxBackoff = time.Hour
	})
	rec.onRetry = cancel // the caller gives up while we wait
	_, err := b.Lookup(ctx, "WL20261101")
	sleeps := len(rec.delays())
	if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Lookup error = %v, want context.Canceled and ErrUnavailable", err)
	}
	if svc.count() != 1 || sleeps != 1 {
		t.Fatalf("requests = %d, sleeps = %d; want 1 and 1", svc.count(), sleeps)
	}

	// Already cancelled: no retry after the failed attempt.
	b2, svc2, rec := newTestBackend(t, []reply{{status: 503}}, nil)
	done, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if _, err := b2.Lookup(done, "WL20261101"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Lookup(cancelled) error = %v, want context.Canceled", err)
	}
	if svc2.count() > 1 || len(rec.delays()) != 0 {
		t.Fatalf("requests = %d, delays = %v; want at most 1 request and no delay", svc2.count(), rec.delays())
	}
}

func TestHTTPBackendConnectionRefused(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	rec, log := newRetryLog()
	b, err := NewHTTPBackend(HTTPConfig{BaseURL: url, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.Lookup(context.Background(), "WL20261101")
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Lookup error = %v, want ErrUnavailable", err)
	}
	if strings.Contains(err.Error(), "WL20261101") {
		t.Errorf("error %q carries the full order number", err)
	}
	if got := rec.delays(); len(got) != DefaultRetries {
		t.Errorf("delays = %v, want %d retries", got, DefaultRetries)
	}
}

func TestNewHTTPBackendConfig(t *testing.T) {
	tests := []struct {
		name    string
		cfg     HTTPConfig
		wantErr bool
	}{
		{"ok", HTTPConfig{BaseURL: "https://orders.example.com"}, false},
		{"ok with path", HTTPConfig{BaseURL: "http://orders:8080/api/"}, false},
		{"empty", HTTPConfig{}, true},
		{"relative", HTTPConfig{BaseURL: "/orders"}, true},
		{"other scheme", HTTPConfig{BaseURL: "ftp://orders.example.com"}, true},
		{"query", HTTPConfig{BaseURL: "https://orders.example.com/?k=v"}, true},
		{"negative timeout", HTTPConfig{BaseURL: "https://orders.example.com", Timeout: -time.Second}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := NewHTTPBackend(tt.cfg)
			if (err != nil) != tt.wantErr {
				t.Fatalf("NewHTTPBackend(%+v) = %v, %v; wantErr %v", tt.cfg, b, err, tt.wantErr)
			}
			if err == nil && (b.timeout != DefaultTimeout || b.retries != DefaultRetries) {
				t.Fatalf("defaults: timeout %v retries %d; want %v and %d", b.timeout, b.retries, DefaultTimeout, DefaultRetries)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 23, 5, 0, 0, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"7", 7 * time.Second, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{"Mon, 23 Nov 2026 05:00:10 GMT", 10 * time.Second, true},
		{"Mon, 23 Nov 2026 04:59:00 GMT", 0, true},
		{"99999999999", 24 * time.Hour, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseRetryAfter(tt.in, now)
			if got != tt.want || ok != tt.wantOK {
				t.Fatalf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestConcurrentLookups(t *testing.T) {
	hb, _, _ := newTestBackend(t, []reply{{status: 200, body: orderJSON}}, nil)
	fb, err := NewDemoBackend(DemoAnchor)
	if err != nil {
		t.Fatal(err)
	}
	ex, err := NewExtractor(DefaultPattern)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, ok := ex.Find(fmt.Sprintf("訂單 wl2026110%d 到哪了", i%9+1))
			if !ok {
				errs <- fmt.Errorf("goroutine %d: no number found", i)
				return
			}
			if _, err := fb.Lookup(context.Background(), n); err != nil {
				errs <- err
			}
			if _, err := hb.Lookup(context.Background(), "WL20261101"); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestHungBackendIsNotAskedAgainAndAgain: a backend that never answers
// costs a customer one lookup deadline, not one per question: after
// TripAfter lookups in a row ran out of time, lookups and refunds fail at
// once with ErrUnavailable (no request made, the caller's deadline not
// waited for) until the cool-down ends; then one probe at a time goes
// through while the rest still fail at once, a cancelled probe decides
// nothing, a probe that times out opens it again, and one that gets an
// answer closes it. Each change is logged once.
//
// The breaker (gobreaker) keeps time with time.Now, so the test runs in a
// synctest bubble: its clock moves only when every goroutine waits, the
// cool-downs pass at once and exactly, and the service is on an in-memory
// network (a loopback socket would keep the bubble's clock still).
func TestHungBackendIsNotAskedAgainAndAgain(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b, svc, logs, stop := newPipeBackend(t, []reply{{hang: true}}, func(c *HTTPConfig) {
			c.Timeout = time.Hour // only the caller's deadline ends an attempt
		})
		defer stop()
		// hung is a lookup whose deadline (the bot's lookup timeout) runs out.
		hung := func() {
			t.Helper()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer cancel()
			_, err := b.Lookup(ctx, "WL20261101")
			if !errors.Is(err, ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("Lookup on a hung backend: error %v, want ErrUnavailable and DeadlineExceeded", err)
			}
		}
		// atOnce asks with a deadline far away and wants ErrUnavailable
		// with no time passed, without a request to the service.
		atOnce := func(what string) {
			t.Helper()
			before, start := svc.count(), time.Now()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			_, err := b.Lookup(ctx, "WL20261101")
			if !errors.Is(err, ErrUnavailable) || ctx.Err() != nil {
				t.Fatalf("%s: Lookup error %v (deadline %v), want ErrUnavailable before the deadline", what, err, ctx.Err())
			}
			if strings.Contains(err.Error(), "WL20261101") {
				t.Errorf("%s: error %q carries the full order number", what, err)
			}
			err = b.RecordRefund(ctx, RefundRequest{ID: "r1", Number: "WL20261101", Amount: 100, LineUserID: "U1", RequestedAt: time.Now()})
			if !errors.Is(err, ErrUnavailable) || ctx.Err() != nil {
				t.Fatalf("%s: RecordRefund error %v, want ErrUnavailable at once", what, err)
			}
			if got := svc.count(); got != before {
				t.Fatalf("%s: the service got %d more requests, want none", what, got-before)
			}
			if waited := time.Since(start); waited != 0 {
				t.Fatalf("%s: waited %s, want no wait", what, waited)
			}
		}
		logged := func(msg string) int { return logs.FilterMessage(msg).Len() }
		opened := func() int {
			return logged("order backend not answering; requests fail at once until the cool-down ends")
		}

		for i := range DefaultTripAfter {
			hung()
			if i < DefaultTripAfter-1 && opened() != 0 {
				t.Fatalf("opened after %d timed-out lookups, want %d", i+1, DefaultTripAfter)
			}
		}
		if got := svc.count(); got != DefaultTripAfter {
			t.Fatalf("requests = %d, want %d (one per lookup: the deadline ends the attempt, no retry after it)", got, DefaultTripAfter)
		}
		if opened() != 1 {
			t.Fatalf("'not answering' logged %d times, want once", opened())
		}
		atOnce("in the cool-down")
		time.Sleep(DefaultCoolDown - time.Second)
		atOnce("a second before the cool-down ends")
		time.Sleep(time.Second)
		atOnce("at the cool-down's last instant")

		// The cool-down is over: one probe goes; the others still fail at once.
		time.Sleep(time.Nanosecond)
		before := svc.count()
		pctx, cancelProbe := context.WithCancel(context.Background())
		probeErr := make(chan error, 1)
		go func() {
			_, err := b.Lookup(pctx, "WL20261101")
			probeErr <- err
		}()
		synctest.Wait() // the probe reached the service and hangs there
		if got := svc.count(); got != before+1 {
			t.Fatalf("the probe made %d requests, want 1", got-before)
		}
		if n := logged("order backend cool-down over; one probe at a time"); n != 1 {
			t.Fatalf("'cool-down over' logged %d times, want once", n)
		}
		atOnce("while a probe is in flight")
		cancelProbe()
		if err := <-probeErr; !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled probe: error %v, want context.Canceled", err)
		}
		// A cancelled probe told nothing: the next lookup probes; it times
		// out, so the breaker opens for another cool-down.
		hung()
		if got := svc.count(); got != before+2 {
			t.Fatalf("after a cancelled probe: %d requests, want 2 (the cancelled one and the next probe)", got-before)
		}
		if opened() != 2 {
			t.Fatalf("'not answering' logged %d times after a timed-out probe, want 2", opened())
		}
		atOnce("after a timed-out probe")

		// The service answers again: the next probe closes the breaker.
		svc.mu.Lock()
		svc.replies = []reply{{status: 200, body: orderJSON}}
		svc.mu.Unlock()
		time.Sleep(DefaultCoolDown + time.Nanosecond)
		for i := range 2 {
			before := svc.count()
			if _, err := b.Lookup(context.Background(), "WL20261101"); err != nil {
				t.Fatalf("lookup %d after the service came back: %v", i+1, err)
			}
			if svc.count() != before+1 {
				t.Fatalf("lookup %d after the service came back made %d requests, want 1", i+1, svc.count()-before)
			}
		}
		if n := logged("order backend answers again"); n != 1 {
			t.Fatalf("'answers again' logged %d times, want once", n)
		}
		// Closed again: the failures count from zero.
		svc.mu.Lock()
		svc.replies = []reply{{hang: true}}
		svc.mu.Unlock()
		for range DefaultTripAfter - 1 {
			hung()
		}
		if opened() != 2 {
			t.Fatalf("'not answering' logged %d times, want still 2", opened())
		}
	})
}

// TestBackendAnswersKeepTheBreakerClosed: only requests that end
// unavailable count, and an answer in between resets the count; a 404 or a
// 4xx is an answer. TripAfter < 0 never stops asking.
func TestBackendAnswersKeepTheBreakerClosed(t *testing.T) {
	tests := []struct {
		name      string
		replies   []reply
		trip      int
		lookups   int
		wantCalls int // requests the service gets
	}{
		{"503 twice, an order, 503 thrice", []reply{{status: 503}, {status: 503}, {status: 200, body: orderJSON}, {status: 503}}, 3, 7, 6},
		{"404s are answers", []reply{{status: 404}}, 3, 6, 6},
		{"403s are answers", []reply{{status: 403}}, 3, 6, 6},
		{"503s trip it after 3", []reply{{status: 503}}, 3, 6, 3},
		{"never with TripAfter < 0", []reply{{status: 503}}, -1, 6, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, svc, _ := newTestBackend(t, tt.replies, func(c *HTTPConfig) {
				c.Retries = -1
				c.TripAfter = tt.trip
			})
			for range tt.lookups {
				_, _ = b.Lookup(context.Background(), "WL20261101")
			}
			if got := svc.count(); got != tt.wantCalls {
				t.Fatalf("requests = %d, want %d", got, tt.wantCalls)
			}
		})
	}
}
