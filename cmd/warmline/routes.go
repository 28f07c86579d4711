package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/warmline/warmline/handoff/inbox"
)

// routes is the whole HTTP surface of warmline.
func (a *app) routes(rc *redisConn) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /webhook", a.webhook)
	mux.Handle("GET /healthz", handleHealthz())
	mux.Handle("GET /readyz", a.handleReadyz(rc))
	if a.cfg.MetricsToken != "" {
		mux.Handle("GET /metrics", a.metrics.Handler(a.cfg.MetricsToken))
	}
	a.inbox.Register(mux)                                       // /inbox/..., /api/...
	mux.Handle(inbox.MediaRoute, a.inbox.MediaHandler(a.media)) // customers' files, to agents who may see the case
	if a.emu != nil {
		mux.Handle("/emu/", http.StripPrefix("/emu", a.emu.Handler()))
		mux.Handle("GET /{$}", http.RedirectHandler("/emu/chat", http.StatusFound))
	}
	return mux
}

// handleHealthz says the process is up.
func handleHealthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	})
}

// handleReadyz says whether this replica can take traffic: every Redis
// master answers, the queue can read its shards and write (a probe per
// master), and a knowledge base is loaded. It also reports the Redis mode,
// whether Redis persists (AOF) and the queue's backlog (depth, oldest
// event's age); those are detail, not reasons to stop traffic.
func (a *app) handleReadyz(rc *redisConn) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		checks := map[string]string{"redis": "ok", "queue": "ok", "knowledge": "ok",
			"redis_mode": rc.mode, "persistence": rc.persistence}
		if rc.failover != "" {
			checks["failover_guard"] = rc.failover
		}
		status := http.StatusOK
		if err := pingMasters(ctx, a.rdb); err != nil {
			checks["redis"], checks["queue"] = redisProblem(err), "unknown"
			status = http.StatusServiceUnavailable
			a.log.Warn("readyz: redis ping failed", zap.Error(err))
		} else if err := probeQueue(ctx, a.rdb, a.queue, a.cfg.RedisPrefix); err != nil {
			checks["queue"] = redisProblem(err)
			status = http.StatusServiceUnavailable
			a.log.Warn("readyz: queue probe failed", zap.Error(err))
		}
		if b, err := a.queue.Backlog(ctx); err == nil { // detail, never a reason to stop traffic
			checks["queue_depth"], checks["queue_oldest_age"] = strconv.FormatInt(b.Depth, 10), b.OldestAge.Round(time.Millisecond).String()
		}
		if a.kb.Current() == nil {
			checks["knowledge"] = "not loaded"
			status = http.StatusServiceUnavailable
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(checks)
	})
}
