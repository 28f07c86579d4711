package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/warmline/warmline/report"
)

// slowSweep makes the idle sweep's first read (ZRANGEBYSCORE on the
// conv_idle key) hang while on: until its context ends, or, deaf, until
// the test ends (a Redis that does not answer and a client that does not
// give up). It records how long the context of each hung read that had a
// deadline had left.
type slowSweep struct {
	mu       sync.Mutex
	on, deaf bool
	left     []time.Duration
	release  chan struct{}
}

func (s *slowSweep) DialHook(next redis.DialHook) redis.DialHook { return next }

func (s *slowSweep) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

func (s *slowSweep) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		args := cmd.Args()
		if cmd.Name() != "zrangebyscore" || len(args) < 2 || !strings.HasSuffix(fmt.Sprint(args[1]), "conv_idle") {
			return next(ctx, cmd)
		}
		s.mu.Lock()
		on, deaf := s.on, s.deaf
		if dl, ok := ctx.Deadline(); ok && on {
			s.left = append(s.left, time.Until(dl))
		}
		s.mu.Unlock()
		if !on {
			return next(ctx, cmd)
		}
		if deaf {
			<-s.release
			return next(ctx, cmd)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.release:
			return next(ctx, cmd)
		}
	}
}

func (s *slowSweep) set(on, deaf bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.on, s.deaf, s.left = on, deaf, nil
}

func (s *slowSweep) deadlines() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.left...)
}

// TestE2EInbox13DashboardBoundsTheIdleSweep (lead inbox13, item 4): the
// dashboard runs one idle sweep step per request to count the
// conversations in progress; with Redis hanging on it, the sweep gets a
// context of at most liveSweepTimeout (it had none: the request's), and
// the lead's page still answers 200 within report.LiveTimeout and a
// little, with the ledger's figures and the in-progress figures read last,
// saying so; a Redis deaf to the context too gets the same page; the JSON
// answers 200. Before: the page waited as long as Redis did.
func TestE2EInbox13DashboardBoundsTheIdleSweep(t *testing.T) {
	hook := &slowSweep{release: make(chan struct{})}
	o := handoffOpts()
	o.redisHook = hook
	o.env["WARMLINE_LEDGER_FILE"] = filepath.Join(t.TempDir(), "ledger.db")
	h := startE2E(t, o)
	// Registered after startE2E, so it runs before warmline is stopped: the
	// hung reads are let go first.
	t.Cleanup(func() { close(hook.release) })
	boss := h.session("boss")
	page := func() (int, string, time.Duration) {
		t.Helper()
		start := time.Now()
		res, err := boss.Get(h.url + "/inbox/dashboard?period=this_week")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b), time.Since(start)
	}
	if code, body, _ := page(); code != http.StatusOK || !strings.Contains(body, `data-testid="in-progress-count"`) {
		t.Fatalf("dashboard before: %d, live count shown %v", code, strings.Contains(body, `data-testid="in-progress-count"`))
	}
	for _, deaf := range []bool{false, true} {
		hook.set(true, deaf)
		code, body, took := page()
		if code != http.StatusOK || !strings.Contains(body, `data-testid="in-progress-stale"`) || !strings.Contains(body, "目前無法更新進行中的對話") ||
			!strings.Contains(body, `data-testid="fig-fcr"`) {
			t.Errorf("deaf %v: status %d, stale note %v, figures %v", deaf, code, strings.Contains(body, "目前無法更新進行中的對話"), strings.Contains(body, `data-testid="fig-fcr"`))
		}
		if took > report.LiveTimeout+3*time.Second {
			t.Errorf("deaf %v: the page took %s with the sweep hanging", deaf, took)
		}
		left := hook.deadlines()
		if len(left) == 0 {
			t.Errorf("deaf %v: the dashboard's sweep read had no deadline", deaf)
		}
		for _, l := range left {
			if l > liveSweepTimeout {
				t.Errorf("deaf %v: the sweep read had %s left, more than liveSweepTimeout %s", deaf, l, liveSweepTimeout)
			}
		}
	}
	var got map[string]any
	if st := h.api(tokBoss, "GET", "/inbox/dashboard/report.json?period=this_week", nil, &got); st != http.StatusOK || got["report"] == nil {
		t.Errorf("JSON with the sweep hanging: %d", st)
	}
	hook.set(false, false)
	if code, body, _ := page(); code != http.StatusOK || strings.Contains(body, `data-testid="in-progress-stale"`) {
		t.Errorf("after Redis answers again: %d, still stale %v", code, strings.Contains(body, `data-testid="in-progress-stale"`))
	}
}
