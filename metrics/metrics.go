package metrics

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"

	"github.com/warmline/warmline/bot/line"
)

// Pipeline is what the pipeline collector reads: the webhook queue, this
// replica's consumer and sender.
type Pipeline struct {
	Queue    *line.Queue
	Consumer *line.Consumer
	Sender   *line.Sender
	// Clock computes the oldest event's age; default time.Now.
	Clock func() time.Time
}

// Metrics is the registry and its handler.
type Metrics struct {
	reg *prometheus.Registry
	log *zap.Logger
}

// New returns a registry with the Go runtime's and process collectors and
// the pipeline's.
func New(p Pipeline, log *zap.Logger) *Metrics {
	if log == nil {
		log = zap.NewNop()
	}
	if p.Clock == nil {
		p.Clock = time.Now
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&pipelineCollector{p: p, log: log},
	)
	return &Metrics{reg: reg, log: log}
}

// Registry is where other packages register their collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in Prometheus' text format to requests that
// carry "Authorization: Bearer <token>" (401 otherwise). An empty token
// refuses every request.
func (m *Metrics) Handler(token string) http.Handler {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorLog: zap.NewStdLog(m.log), Timeout: 10 * time.Second})
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := []byte(r.Header.Get("Authorization"))
		if token == "" || subtle.ConstantTimeCompare(got, want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc("warmline_line_"+name, help, labels, nil)
}

var (
	sendsDesc       = desc("sends_total", "Send calls LINE accepted by this replica, by kind: reply (free), push (counted against the quota), push_deduplicated (409: the same X-Line-Retry-Key was accepted before, nothing delivered twice).", "kind")
	spentDesc       = desc("reply_token_spent_after_attempt_total", "Invalid reply token after an attempt recorded in the reply window (or an uncertain attempt): counted delivered, not pushed.")
	fallbacksDesc   = desc("reply_fallbacks_total", "Reply tokens refused with nothing uncertain before (expired, missing): answered by push.")
	skippedDesc     = desc("sends_skipped_total", "Send parts skipped because their delivery record says LINE already took them.")
	failedDesc      = desc("send_failures_total", "Sends that failed for good on this replica (kept in the failed-sends list for a resend).")
	interruptedDesc = desc("sends_interrupted_total", "Sends cut short by shutdown or a deadline, resumed later from their delivery record.")
	apiErrorsDesc   = desc("api_errors_total", "Messaging API calls (every attempt: reply, push, profile, loading, mark as read) LINE answered with a non-2xx status, by status code, or status=\"network\" with no answer. Includes the 400s of expired reply tokens and the 409s of deduplicated pushes, which the sender handles.", "status")
	eventsDesc      = desc("events_total", "Webhook events this replica's workers finished, by outcome: acked, dead_lettered, left_pending (for the next holder of the shard).", "outcome")
	retriesDesc     = desc("event_retries_total", "Processing attempts that failed and were retried.")
	depthDesc       = desc("queue_depth", "Stored webhook events not yet acknowledged, per shard.", "shard")
	ageDesc         = desc("queue_oldest_event_age_seconds", "Age of the oldest stored, unacknowledged event per shard (0 when empty).", "shard")
	deadDesc        = desc("dead_letters", "Events in the dead-letter stream, per shard.", "shard")
	storedFailDesc  = desc("failed_sends", "Failed sends kept in Redis for a resend (all replicas).")
	processingDesc  = desc("processing_seconds", "Webhook events this replica acked: time from receipt (Redis stored the event) to the ack, on this replica's clock (queue wait, retries, the answer's sends).")
	webhookDesc     = desc("webhook_events_total", "Events this replica's webhook stored (answered LINE 200 for), by LINE event type; message events as message_text, message_image, ... (a redelivery counts again).", "type")
	readDesc        = desc("queue_readable", "1 when the last scrape could read the queue and failed sends from Redis, else 0 (the gauges above are then missing).")
)

// alwaysStatuses are the LINE API error statuses exported as 0 before the
// first one: throttling, LINE's own trouble, no answer.
var alwaysStatuses = []string{"429", "500", "network"}

// pipelineCollector reads bot/line's counters and Redis at each scrape.
type pipelineCollector struct {
	p   Pipeline
	log *zap.Logger
}

func (c *pipelineCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{sendsDesc, spentDesc, fallbacksDesc, skippedDesc, failedDesc, interruptedDesc, apiErrorsDesc,
		eventsDesc, retriesDesc, processingDesc, webhookDesc, depthDesc, ageDesc, deadDesc, storedFailDesc, readDesc} {
		ch <- d
	}
}

func (c *pipelineCollector) Collect(ch chan<- prometheus.Metric) {
	counter := func(d *prometheus.Desc, v int64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	if s := c.p.Sender; s != nil {
		st := s.Stats()
		counter(sendsDesc, st.Replies, "reply")
		counter(sendsDesc, st.Pushes, "push")
		counter(sendsDesc, st.PushesDeduped, "push_deduplicated")
		counter(spentDesc, st.SpentAfterAttempt)
		counter(fallbacksDesc, st.ReplyFallbacks)
		counter(skippedDesc, st.Skipped)
		counter(failedDesc, st.Failed)
		counter(interruptedDesc, st.Interrupted)
		for _, status := range alwaysStatuses { // present before the first error
			if _, ok := st.APIErrors[status]; !ok {
				counter(apiErrorsDesc, 0, status)
			}
		}
		for status, n := range st.APIErrors {
			counter(apiErrorsDesc, n, status)
		}
	}
	if cs := c.p.Consumer; cs != nil {
		st := cs.Stats()
		counter(eventsDesc, st.Acked, "acked")
		counter(eventsDesc, st.DeadLettered, "dead_lettered")
		counter(eventsDesc, st.LeftPending, "left_pending")
		counter(retriesDesc, st.Retried)
		h := st.Processing
		buckets := make(map[float64]uint64, len(h.Bounds))
		for i, b := range h.Bounds {
			buckets[b] = h.Counts[i]
		}
		ch <- prometheus.MustNewConstHistogram(processingDesc, h.Count, h.Sum, buckets)
	}
	if c.p.Queue == nil {
		return
	}
	for typ, n := range c.p.Queue.Accepted() {
		counter(webhookDesc, n, typ)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	shards, err := c.p.Queue.Stats(ctx)
	var failed int64
	if err == nil && c.p.Sender != nil {
		failed, err = c.p.Sender.FailedSendsLen(ctx)
	}
	if err != nil {
		c.log.Warn("metrics: read the queue", zap.Error(err))
		gauge(readDesc, 0)
		return
	}
	gauge(readDesc, 1)
	now := c.p.Clock()
	for _, s := range shards {
		shard := strconv.Itoa(s.Shard)
		gauge(depthDesc, float64(s.Depth), shard)
		age := 0.0
		if !s.Oldest.IsZero() {
			age = max(now.Sub(s.Oldest).Seconds(), 0)
		}
		gauge(ageDesc, age, shard)
		gauge(deadDesc, float64(s.DeadLetters), shard)
	}
	if c.p.Sender != nil {
		gauge(storedFailDesc, float64(failed))
	}
}
