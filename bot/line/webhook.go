package line

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"
	"go.uber.org/zap"
)

// DefaultMaxBody is the largest webhook body accepted (1 MiB).
const DefaultMaxBody = 1 << 20

// DefaultEnqueueTimeout bounds the Redis write of one webhook request; LINE
// gives up after 2 s.
const DefaultEnqueueTimeout = 1500 * time.Millisecond

// WebhookConfig configures the webhook handler.
type WebhookConfig struct {
	ChannelSecret  string
	Queue          *Queue
	Log            *zap.Logger
	MaxBody        int64         // default 1 MiB
	EnqueueTimeout time.Duration // default 1.5 s
	// HighWater sheds webhooks (503) while the backlog is past it; off
	// when zero.
	HighWater HighWater
}

// NewWebhookHandler returns the handler for LINE's POST /webhook: it checks
// the signature, stores the events durably and answers 200 only once Redis
// has them (503 when it has not, so LINE redelivers). Past the high-water
// mark it answers 503 without storing anything. Events are processed later
// by a Consumer.
func NewWebhookHandler(cfg WebhookConfig) http.Handler {
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.EnqueueTimeout <= 0 {
		cfg.EnqueueTimeout = DefaultEnqueueTimeout
	}
	log := cfg.Log
	if log == nil {
		log = zap.NewNop()
	}
	log = log.Named("webhook")
	var backlog *backlogSampler
	var shedding atomic.Bool
	if cfg.HighWater.on() && cfg.Queue != nil {
		backlog = &backlogSampler{q: cfg.Queue, every: cmp.Or(cfg.HighWater.Every, DefaultBacklogEvery)}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if cfg.ChannelSecret == "" || cfg.Queue == nil {
			log.Error("webhook misconfigured: channel secret or queue missing")
			http.Error(w, http.StatusText(http.StatusServiceUnavailable), http.StatusServiceUnavailable)
			return
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, cfg.MaxBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				log.Warn("webhook body too large", zap.Int64("limit", tooBig.Limit))
				http.Error(w, http.StatusText(http.StatusRequestEntityTooLarge), http.StatusRequestEntityTooLarge)
				return
			}
			log.Warn("webhook read body", zap.Error(err))
			http.Error(w, http.StatusText(http.StatusBadRequest), http.StatusBadRequest)
			return
		}
		sig := r.Header.Get("X-Line-Signature")
		if sig == "" || !webhook.ValidateSignature(cfg.ChannelSecret, sig, body) {
			log.Warn("webhook signature rejected", zap.Bool("missing", sig == ""))
			http.Error(w, http.StatusText(http.StatusUnauthorized), http.StatusUnauthorized)
			return
		}
		events, err := decodeCallbackEvents(body)
		if err != nil {
			log.Warn("webhook body rejected", zap.Error(err))
			http.Error(w, http.StatusText(http.StatusBadRequest), http.StatusBadRequest)
			return
		}
		if len(events) > 0 && backlog != nil {
			b, ok := backlog.get(r.Context())
			over := ok && cfg.HighWater.over(b)
			if shedding.Swap(over) != over {
				log.Warn("webhook high-water mark", zap.Bool("shedding", over),
					zap.Int64("depth", b.Depth), zap.Duration("oldest_age", b.OldestAge))
			}
			if over {
				cfg.Queue.shed.Add(int64(len(events)))
				http.Error(w, http.StatusText(http.StatusServiceUnavailable), http.StatusServiceUnavailable)
				return
			}
		}
		if len(events) > 0 {
			// The enqueue must not be cut short by LINE hanging up: a
			// half-written batch is safe (dedupe) but wasteful.
			ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), cfg.EnqueueTimeout)
			added, err := cfg.Queue.enqueue(ctx, events)
			cancel()
			if err != nil {
				log.Error("webhook enqueue", zap.Int("events", len(events)), zap.Error(err))
				http.Error(w, http.StatusText(http.StatusServiceUnavailable), http.StatusServiceUnavailable)
				return
			}
			log.Debug("webhook enqueued", zap.Int("events", len(events)), zap.Int("new", added))
			cfg.Queue.countAccepted(events)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("{}"))
	})
}

// errNotCallback reports a body that is JSON but not a webhook callback.
var errNotCallback = errors.New("not a LINE callback request")

// decodeCallback returns the raw events of a callback body. Each event must
// be a JSON object; events are kept as LINE sent them.
func decodeCallback(body []byte) ([]json.RawMessage, error) {
	events, err := decodeCallbackEvents(body)
	if err != nil {
		return nil, err
	}
	raws := make([]json.RawMessage, len(events))
	for i, e := range events {
		raws[i] = e.raw
	}
	return raws, nil
}

// decodeCallbackEvents is decodeCallback with each event decoded once for
// the queue (route, dedupe id) and the counts (type).
func decodeCallbackEvents(body []byte) ([]parsedEvent, error) {
	var cb struct {
		Destination *string           `json:"destination"`
		Events      []json.RawMessage `json:"events"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&cb); err != nil {
		return nil, err
	}
	if rest := bytes.TrimSpace(body[dec.InputOffset():]); len(rest) > 0 {
		return nil, errNotCallback // anything after the body, even a stray } or ]
	}
	if cb.Events == nil {
		return nil, errNotCallback
	}
	out := make([]parsedEvent, 0, len(cb.Events))
	for _, ev := range cb.Events {
		if len(ev) == 0 || ev[0] != '{' {
			return nil, errNotCallback
		}
		// An event the queue cannot route would fail the whole batch on
		// every redelivery: refuse it now (400) instead.
		p, err := parseEvent(ev)
		if err != nil {
			return nil, errNotCallback
		}
		out = append(out, p)
	}
	return out, nil
}
