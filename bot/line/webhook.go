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
		body, err := readBody(http.MaxBytesReader(w, r.Body, cfg.MaxBody), r.ContentLength)
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
			if ce := log.Check(zap.DebugLevel, "webhook enqueued"); ce != nil {
				ce.Write(zap.Int("events", len(events)), zap.Int("new", added))
			}
			cfg.Queue.countAccepted(events)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, "{}")
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
// the queue (route, dedupe id) and the counts (type), in the same pass as
// the body.
func decodeCallbackEvents(body []byte) ([]parsedEvent, error) {
	var cb struct {
		Destination *string         `json:"destination"`
		Events      []callbackEvent `json:"events"`
	}
	// Unmarshal refuses anything after the body too, even a stray } or ].
	if err := json.Unmarshal(body, &cb); err != nil {
		return nil, err
	}
	if cb.Events == nil {
		return nil, errNotCallback
	}
	out := make([]parsedEvent, 0, len(cb.Events))
	for _, ev := range cb.Events {
		// An event the queue cannot route would fail the whole batch on
		// every redelivery: refuse it now (400) instead.
		if !ev.ok {
			return nil, errNotCallback
		}
		out = append(out, ev.p)
	}
	return out, nil
}

// callbackEvent is one event of a callback body, parsed for the queue as
// the body is decoded; ok false when it is not a JSON object or cannot be
// routed.
type callbackEvent struct {
	p  parsedEvent
	ok bool
}

func (c *callbackEvent) UnmarshalJSON(b []byte) error {
	*c = callbackEvent{}
	if len(b) == 0 || b[0] != '{' {
		return nil
	}
	// Kept as LINE sent it; the decoder's bytes are not ours to keep.
	p, err := parseEvent(bytes.Clone(b))
	c.p, c.ok = p, err == nil
	return nil
}

// readBody reads a request body, sized by its Content-Length when it has
// one (io.ReadAll grows from 512 bytes).
func readBody(r io.Reader, size int64) ([]byte, error) {
	if size <= 0 || size > DefaultMaxBody {
		return io.ReadAll(r)
	}
	buf := bytes.NewBuffer(make([]byte, 0, size+bytes.MinRead))
	_, err := buf.ReadFrom(r)
	return buf.Bytes(), err
}
