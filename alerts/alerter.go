package alerts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/locales"
)

// Config of an Alerter. Redis, Cases, Translator and Consumer are required.
type Config struct {
	Redis      redis.UniversalClient
	Prefix     string // key prefix; the same as handoff's (its event stream is <p>events)
	Cases      *handoff.Service
	Translator *locales.Translator
	Webhooks   []Webhook
	// Lang is the language of the alerts' texts (a webhook may override
	// it); default zh-TW.
	Lang string
	// InboxURL is the base of case links: InboxURL + case id, e.g.
	// "https://support.example.com/inbox/cases/". Empty: no links.
	InboxURL string
	// Consumer is this replica's name in the consumer groups (unique per
	// running process).
	Consumer   string
	Clock      func() time.Time // nil: time.Now
	Log        *zap.Logger      // nil: no logs
	HTTPClient *http.Client     // nil: a plain client (each try is bounded by Retry.Timeout)
	Retry      Retry
	// CheckEvery is how often the open cases are checked for SLA warnings
	// and breaches (default 30s).
	CheckEvery time.Duration
	// Workers deliver alerts, one alert each at a time (default 2).
	Workers int
	// ClaimIdle is how long an alert stays with a replica that read it and
	// did not finish before another replica takes it over; it must exceed
	// Retry.Longest() (default twice that plus 30s).
	ClaimIdle time.Duration
	// EventClaimIdle is the same for handoff events (default 30s).
	EventClaimIdle time.Duration
	// Block is the longest blocking read: how soon Run notices ctx ended
	// (default 2s).
	Block time.Duration
}

// Alerter turns handoff's events and SLA clocks into alerts and delivers
// them, once across all replicas sharing one Redis. Safe for concurrent
// use.
type Alerter struct {
	rdb            redis.UniversalClient
	prefix         string
	cases          *handoff.Service
	hooks          []Webhook
	lang           string
	render         renderer
	consumer       string
	now            func() time.Time
	log            *zap.Logger
	client         *http.Client
	retry          Retry
	checkEvery     time.Duration
	workers        int
	claimIdle      time.Duration
	eventClaimIdle time.Duration
	block          time.Duration

	mu       sync.Mutex
	fired    map[Kind]int64       // alerts this replica queued
	handoffs map[HandoffKey]int64 // cases opened, as this replica read the events
}

// HandoffKey is what handoffs are counted by: the case's first trigger
// ("none" without one), tier and priority when it opened.
type HandoffKey struct{ Trigger, Tier, Priority string }

// Stats are this replica's counts since it started, for /metrics: each
// event and alert is handled by one replica, so the sum over replicas is
// the total (an event retried after a crash may count twice).
type Stats struct {
	Fired    map[Kind]int64
	Handoffs map[HandoffKey]int64
}

// Stats returns a copy of the counts.
func (a *Alerter) Stats() Stats {
	a.mu.Lock()
	defer a.mu.Unlock()
	st := Stats{Fired: make(map[Kind]int64, len(a.fired)), Handoffs: make(map[HandoffKey]int64, len(a.handoffs))}
	for k, v := range a.fired {
		st.Fired[k] = v
	}
	for k, v := range a.handoffs {
		st.Handoffs[k] = v
	}
	return st
}

// Retention and caps of the alert keys (doc.go).
const (
	firedTTL     = 90 * 24 * time.Hour
	sentTTL      = 7 * 24 * time.Hour
	outboxMaxLen = 10000
	failedMax    = 1000
	recentMax    = 500
	eventsGroup  = "alerts"
	outboxGroup  = "deliver"
)

// systemAgent is how the Alerter reads cases: as a lead, who sees them all.
var systemAgent = handoff.Agent{ID: "warmline-alerts", Name: "alerts", Role: handoff.RoleLead}

// New builds an Alerter; every problem of cfg is reported at once.
func New(cfg Config) (*Alerter, error) {
	var errs []error
	if cfg.Redis == nil {
		errs = append(errs, errors.New("alerts: Config.Redis is required"))
	}
	if cfg.Cases == nil {
		errs = append(errs, errors.New("alerts: Config.Cases is required"))
	}
	if cfg.Translator == nil {
		errs = append(errs, errors.New("alerts: Config.Translator is required"))
	}
	if cfg.Consumer == "" {
		errs = append(errs, errors.New("alerts: Config.Consumer is required"))
	}
	if cfg.Lang == "" {
		cfg.Lang = locales.ZhTW
	}
	if !locales.IsSupported(cfg.Lang) {
		errs = append(errs, fmt.Errorf("alerts: lang %q: want %s", cfg.Lang, strings.Join(locales.Supported, ", ")))
	}
	seen := map[string]bool{}
	for _, w := range cfg.Webhooks {
		if err := w.Validate(); err != nil {
			errs = append(errs, err)
		}
		if seen[w.Name] {
			errs = append(errs, fmt.Errorf("alerts: webhook name %q used twice", w.Name))
		}
		seen[w.Name] = true
	}
	r := cfg.Retry.withDefaults()
	if cfg.ClaimIdle == 0 {
		cfg.ClaimIdle = 2*r.Longest() + 30*time.Second
	}
	if cfg.ClaimIdle <= r.Longest() {
		errs = append(errs, fmt.Errorf("alerts: ClaimIdle %s must exceed the longest delivery %s, or another replica sends an alert still being retried", cfg.ClaimIdle, r.Longest()))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	a := &Alerter{
		rdb: cfg.Redis, prefix: cfg.Prefix, cases: cfg.Cases, hooks: cfg.Webhooks, lang: cfg.Lang,
		render:   renderer{tr: cfg.Translator, loc: cfg.Cases.Policy().Location, inboxURL: cfg.InboxURL},
		consumer: cfg.Consumer, now: cfg.Clock, log: cfg.Log, client: cfg.HTTPClient, retry: r,
		checkEvery: cfg.CheckEvery, workers: cfg.Workers, claimIdle: cfg.ClaimIdle,
		eventClaimIdle: cfg.EventClaimIdle, block: cfg.Block,
		fired: map[Kind]int64{}, handoffs: map[HandoffKey]int64{},
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.log == nil {
		a.log = zap.NewNop()
	}
	if a.client == nil {
		a.client = &http.Client{}
	}
	if a.checkEvery <= 0 {
		a.checkEvery = 30 * time.Second
	}
	if a.workers <= 0 {
		a.workers = 2
	}
	if a.eventClaimIdle <= 0 {
		a.eventClaimIdle = 30 * time.Second
	}
	if a.block <= 0 {
		a.block = 2 * time.Second
	}
	return a, nil
}

func (a *Alerter) key(parts ...string) string {
	return a.prefix + "{alerts}:" + strings.Join(parts, ":")
}

func (a *Alerter) outboxKey() string              { return a.key("outbox") }
func (a *Alerter) firedKey(id string) string      { return a.key("fired", id) }
func (a *Alerter) sentKey(id, hook string) string { return a.key("sent", id, hook) }
func (a *Alerter) failedKey() string              { return a.key("failed") }
func (a *Alerter) recentKey() string              { return a.key("recent") }

// eventsKey is handoff's event stream (handoff/doc.go: <p>events).
func (a *Alerter) eventsKey() string { return a.prefix + "events" }

// Run handles events, checks SLA clocks (once at start, then every
// CheckEvery) and delivers alerts until ctx is done, then returns once every
// loop has stopped. Run it on every replica.
// Redis errors are logged and retried; Run returns nil.
func (a *Alerter) Run(ctx context.Context) error {
	for ctx.Err() == nil {
		err := a.ensureGroups(ctx)
		if err == nil {
			break
		}
		a.log.Warn("alerts: create consumer groups", zap.Error(err))
		a.pause(ctx)
	}
	if ctx.Err() != nil {
		return nil
	}
	// Catch up once now: cases opened before the events group existed, or
	// while no replica ran, are open cases this check sees.
	n, err := a.Check(ctx)
	if err != nil && ctx.Err() == nil {
		a.log.Warn("alerts: check open cases", zap.Error(err))
	}
	a.log.Info("alerts started", zap.Int("webhooks", len(a.hooks)), zap.Int("queued", n))
	var wg sync.WaitGroup
	wg.Go(func() { a.runEvents(ctx) })
	wg.Go(func() { a.runChecks(ctx) })
	for range a.workers {
		wg.Go(func() { a.runDelivery(ctx) })
	}
	wg.Wait()
	return nil
}

// ensureGroups creates the consumer groups: on handoff's events from the
// newest one (the SLA check covers open cases that are older), on the
// outbox from its start.
func (a *Alerter) ensureGroups(ctx context.Context) error {
	for _, g := range []struct{ stream, group, start string }{
		{a.eventsKey(), eventsGroup, "$"},
		{a.outboxKey(), outboxGroup, "0"},
	} {
		err := a.rdb.XGroupCreateMkStream(ctx, g.stream, g.group, g.start).Err()
		if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
			return fmt.Errorf("create group %s: %w", g.group, err)
		}
	}
	return nil
}

// pause waits one Block (or until ctx is done) after a Redis error, so a
// Redis outage is not a busy loop.
func (a *Alerter) pause(ctx context.Context) {
	t := time.NewTimer(a.block)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// readErr handles an error of a group read: a missing group (the stream was
// deleted, Redis was flushed) is created again; others are logged. Both
// pause.
func (a *Alerter) readErr(ctx context.Context, what string, err error) {
	if ctx.Err() != nil {
		return
	}
	if strings.HasPrefix(err.Error(), "NOGROUP") {
		if gerr := a.ensureGroups(ctx); gerr != nil {
			a.log.Warn("alerts: create consumer groups", zap.Error(gerr))
		}
	} else {
		a.log.Warn("alerts: read "+what, zap.Error(err))
	}
	a.pause(ctx)
}

// claimOrRead returns the entries of stream this consumer should handle
// next: first ones pending on a dead consumer for longer than idle
// (XAUTOCLAIM), else new ones (XREADGROUP, blocking up to Block).
func (a *Alerter) claimOrRead(ctx context.Context, stream, group string, idle time.Duration, count int64) ([]redis.XMessage, error) {
	msgs, _, err := a.rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{
		Stream: stream, Group: group, Consumer: a.consumer, MinIdle: idle, Start: "0-0", Count: count,
	}).Result()
	if err != nil {
		return nil, err
	}
	if len(msgs) > 0 {
		return msgs, nil
	}
	res, err := a.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{
		Group: group, Consumer: a.consumer, Streams: []string{stream, ">"}, Count: count, Block: a.block,
	}).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []redis.XMessage
	for _, s := range res {
		out = append(out, s.Messages...)
	}
	return out, nil
}

// runEvents handles handoff's events: each once across replicas.
func (a *Alerter) runEvents(ctx context.Context) {
	for ctx.Err() == nil {
		msgs, err := a.claimOrRead(ctx, a.eventsKey(), eventsGroup, a.eventClaimIdle, 50)
		if err != nil {
			a.readErr(ctx, "events", err)
			continue
		}
		for _, m := range msgs {
			if err := a.handleEvent(ctx, m); err != nil {
				// Not acknowledged: taken over again after EventClaimIdle.
				if ctx.Err() == nil {
					a.log.Warn("alerts: handle event", zap.String("event_id", m.ID), zap.Error(err))
				}
				continue
			}
			if err := a.rdb.XAck(ctx, a.eventsKey(), eventsGroup, m.ID).Err(); err != nil && ctx.Err() == nil {
				a.log.Warn("alerts: ack event", zap.String("event_id", m.ID), zap.Error(err))
			}
		}
	}
}

// handleEvent fires the alerts the event's case is due now.
func (a *Alerter) handleEvent(ctx context.Context, m redis.XMessage) error {
	raw, _ := m.Values["e"].(string)
	var ev handoff.Event
	if err := json.Unmarshal([]byte(raw), &ev); err != nil || ev.CaseID == "" {
		return nil // not an event of a case: nothing to alert
	}
	c, err := a.cases.Get(ctx, systemAgent, ev.CaseID)
	if errors.Is(err, handoff.ErrNoCase) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err = a.fireDue(ctx, c); err != nil {
		return err
	}
	if ev.Type == handoff.EventCaseOpened {
		k := HandoffKey{Trigger: "none", Tier: c.Tier, Priority: c.Priority}
		if len(c.Triggers) > 0 && c.Triggers[0].Kind != "" {
			k.Trigger = c.Triggers[0].Kind
		}
		a.mu.Lock()
		a.handoffs[k]++
		a.mu.Unlock()
	}
	return nil
}

// runChecks runs Check every CheckEvery.
func (a *Alerter) runChecks(ctx context.Context) {
	t := time.NewTicker(a.checkEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := a.Check(ctx); err != nil && ctx.Err() == nil {
				a.log.Warn("alerts: check open cases", zap.Error(err))
			}
		}
	}
}

// Check fires the alerts every open case is due now: its notified parties,
// P1, and the SLA warning or breach of its current clock. An alert already
// fired (by this or another replica) is not fired again. It returns how
// many alerts this call queued.
func (a *Alerter) Check(ctx context.Context) (int, error) {
	open, err := a.cases.List(ctx, systemAgent, handoff.Filter{})
	if err != nil {
		return 0, fmt.Errorf("check open cases: %w", err)
	}
	total := 0
	var errs []error
	for _, c := range open {
		n, err := a.fireDue(ctx, c)
		total += n
		if err != nil {
			errs = append(errs, err)
		}
	}
	return total, errors.Join(errs...)
}

func (a *Alerter) fireDue(ctx context.Context, c *handoff.Case) (int, error) {
	n := 0
	for _, al := range dueAlerts(a.cases, c, a.now()) {
		ok, err := a.fire(ctx, al)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// fireScript queues an alert once: SET NX its fired key and, only when the
// key was new, XADD it to the outbox and LPUSH it to the recent list the
// inbox shows leads. KEYS[1] fired key, KEYS[2] outbox, KEYS[3] recent;
// ARGV[1] TTL (ms), ARGV[2] alert JSON, ARGV[3] outbox MAXLEN (~), ARGV[4]
// recent list length. Returns 1 when queued, 0 when already fired.
var fireScript = redis.NewScript(`
if redis.call("SET", KEYS[1], "1", "NX", "PX", ARGV[1]) then
  redis.call("XADD", KEYS[2], "MAXLEN", "~", ARGV[3], "*", "a", ARGV[2])
  redis.call("LPUSH", KEYS[3], ARGV[2])
  redis.call("LTRIM", KEYS[3], 0, tonumber(ARGV[4]) - 1)
  return 1
end
return 0`)

// fire queues al unless it was fired before; it reports whether it queued.
func (a *Alerter) fire(ctx context.Context, al Alert) (bool, error) {
	b, err := json.Marshal(al)
	if err != nil {
		return false, fmt.Errorf("encode alert %s: %w", al.ID, err)
	}
	n, err := fireScript.Run(ctx, a.rdb, []string{a.firedKey(al.ID), a.outboxKey(), a.recentKey()},
		firedTTL.Milliseconds(), b, outboxMaxLen, recentMax).Int()
	if err != nil {
		return false, fmt.Errorf("fire alert %s: %w", al.ID, err)
	}
	if n == 1 {
		a.log.Info("alert queued", zap.String("case_id", al.CaseID), zap.String("kind", string(al.Kind)))
		a.mu.Lock()
		a.fired[al.Kind]++
		a.mu.Unlock()
	}
	return n == 1, nil
}

// runDelivery delivers queued alerts, one at a time.
func (a *Alerter) runDelivery(ctx context.Context) {
	for ctx.Err() == nil {
		msgs, err := a.claimOrRead(ctx, a.outboxKey(), outboxGroup, a.claimIdle, 1)
		if err != nil {
			a.readErr(ctx, "outbox", err)
			continue
		}
		for _, m := range msgs {
			a.deliver(ctx, m)
		}
	}
}

// deliver sends one queued alert to every webhook that takes its kind and
// has not got it yet, in parallel, then removes it from the outbox, unless
// ctx ended first (then it stays pending and is taken over).
func (a *Alerter) deliver(ctx context.Context, m redis.XMessage) {
	raw, _ := m.Values["a"].(string)
	var al Alert
	if err := json.Unmarshal([]byte(raw), &al); err != nil {
		a.log.Error("alerts: undecodable outbox entry dropped", zap.String("entry_id", m.ID), zap.Error(err))
		a.done(ctx, m.ID)
		return
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	interrupted := false
	for _, w := range a.hooks {
		if !w.Wants(al.Kind) {
			continue
		}
		wg.Go(func() {
			if !a.deliverTo(ctx, w, al) {
				mu.Lock()
				interrupted = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if !interrupted {
		a.done(ctx, m.ID)
	}
}

// deliverTo sends al to w unless w already got it; it reports false when
// ctx ended before the outcome was known.
func (a *Alerter) deliverTo(ctx context.Context, w Webhook, al Alert) bool {
	sk := a.sentKey(al.ID, w.Name)
	if n, err := a.rdb.Exists(ctx, sk).Result(); err == nil && n == 1 {
		return true
	}
	lang := w.Lang
	if lang == "" {
		lang = a.lang
	}
	log := a.log.With(zap.String("case_id", al.CaseID), zap.String("kind", string(al.Kind)), zap.String("webhook", w.Name))
	body, err := a.render.payload(w.Format, al, lang)
	tries := 0
	if err == nil {
		tries, err = post(ctx, a.client, a.now, w, al, body, a.retry)
	}
	if err == nil {
		if err := a.rdb.Set(ctx, sk, "1", sentTTL).Err(); err != nil {
			log.Warn("alerts: mark delivered", zap.Error(err))
		}
		log.Info("alert delivered", zap.Int("attempts", tries))
		return true
	}
	if ctx.Err() != nil {
		return false
	}
	f := Failure{AlertID: al.ID, CaseID: al.CaseID, Kind: al.Kind, Webhook: w.Name, Attempts: tries, Error: err.Error(), At: a.now().UTC()}
	if rerr := a.recordFailure(ctx, f); rerr != nil {
		log.Error("alerts: record failure", zap.Error(rerr))
	}
	log.Warn("alert not delivered", zap.Int("attempts", tries), zap.String("error", f.Error))
	return true
}

// done removes a handled entry from the outbox.
func (a *Alerter) done(ctx context.Context, id string) {
	_, err := a.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.XAck(ctx, a.outboxKey(), outboxGroup, id)
		p.XDel(ctx, a.outboxKey(), id)
		return nil
	})
	if err != nil && ctx.Err() == nil {
		a.log.Warn("alerts: ack outbox entry", zap.String("entry_id", id), zap.Error(err))
	}
}

// Failure is an alert a webhook did not get: refused for good (a 4xx) or
// still failing after the last try. Error is a status code or a network
// error, never the webhook's URL.
type Failure struct {
	AlertID  string    `json:"alert_id"`
	CaseID   string    `json:"case_id"`
	Kind     Kind      `json:"kind"`
	Webhook  string    `json:"webhook"`
	Attempts int       `json:"attempts"`
	Error    string    `json:"error"`
	At       time.Time `json:"at"`
}

func (a *Alerter) recordFailure(ctx context.Context, f Failure) error {
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	_, err = a.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.LPush(ctx, a.failedKey(), b)
		p.LTrim(ctx, a.failedKey(), 0, failedMax-1)
		return nil
	})
	return err
}

// Failures returns the newest n failed deliveries, newest first.
func (a *Alerter) Failures(ctx context.Context, n int) ([]Failure, error) {
	if n <= 0 {
		n = failedMax
	}
	vals, err := a.rdb.LRange(ctx, a.failedKey(), 0, int64(n-1)).Result()
	if err != nil {
		return nil, fmt.Errorf("read alert failures: %w", err)
	}
	out := make([]Failure, 0, len(vals))
	for _, v := range vals {
		var f Failure
		if json.Unmarshal([]byte(v), &f) == nil {
			out = append(out, f)
		}
	}
	return out, nil
}

// Recent returns the newest n alerts fired (at most 500 are kept), newest
// first, whether or not a webhook took them: what the inbox shows leads.
func (a *Alerter) Recent(ctx context.Context, n int) ([]Alert, error) {
	if n <= 0 || n > recentMax {
		n = recentMax
	}
	vals, err := a.rdb.LRange(ctx, a.recentKey(), 0, int64(n-1)).Result()
	if err != nil {
		return nil, fmt.Errorf("read recent alerts: %w", err)
	}
	out := make([]Alert, 0, len(vals))
	for _, v := range vals {
		var al Alert
		if json.Unmarshal([]byte(v), &al) == nil {
			out = append(out, al)
		}
	}
	return out, nil
}

// Title is the alert's one-line text in lang, as the webhooks' payloads
// carry it.
func (a *Alerter) Title(al Alert, lang string) string { return a.render.view(al, lang).Title }
