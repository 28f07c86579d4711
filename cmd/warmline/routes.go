package main

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// routes is the whole HTTP surface of warmline.
func (a *app) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /webhook", a.webhook)
	mux.Handle("GET /healthz", handleHealthz())
	mux.Handle("GET /readyz", a.handleReadyz())
	a.inbox.Register(mux) // /inbox/..., /api/...
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

// handleReadyz says whether this replica can take traffic: Redis answers and
// a knowledge base is loaded.
func (a *app) handleReadyz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		checks := map[string]string{"redis": "ok", "knowledge": "ok"}
		status := http.StatusOK
		if err := a.rdb.Ping(ctx).Err(); err != nil {
			checks["redis"] = "unreachable"
			status = http.StatusServiceUnavailable
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
