package handoff

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// runSweeper starts RunSweeper and returns a stop function that cancels it
// and waits for it to return.
func runSweeper(t testing.TB, s *Service, every time.Duration) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.RunSweeper(ctx, every)
	}()
	stop = func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("RunSweeper did not return after its context was cancelled")
		}
	}
	t.Cleanup(stop)
	return stop
}

func TestRunSweeperRemindsOnItsClock(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "2026-11-23 10:00")
	core, logs := observer.New(zap.InfoLevel)
	f.svc.log = zap.New(core)
	c := f.open(t, "U1", human) // first response due 14:00
	f.clock.Set(at(t, "2026-11-23 13:51"))
	stop := runSweeper(t, f.svc, 5*time.Millisecond)
	waitFor(t, "the SLA reminder", func() bool { return len(f.msg.all()) > 0 })
	waitFor(t, "a logged count", func() bool { return logs.FilterMessage("sla reminders sent").Len() > 0 })
	stop()
	calls := f.msg.all()
	if len(calls) != 1 || calls[0].UserID != "U1" || calls[0].Notices[0].Key == "" {
		t.Fatalf("pushes = %+v, want one reminder to U1", calls)
	}
	got, err := f.svc.Get(context.Background(), lead, c.ID)
	if err != nil || !got.ReminderSentAt.Equal(at(t, "2026-11-23 13:51")) {
		t.Errorf("ReminderSentAt = %v (%v), want the injected clock's 13:51", got.ReminderSentAt, err)
	}
}

func TestRunSweeperLogsErrorsAndGoesOn(t *testing.T) {
	t.Parallel()
	tr, err := sharedTranslator()
	if err != nil {
		t.Fatal(err)
	}
	// Nothing listens on port 1: every sweep fails.
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 100 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { _ = rdb.Close() })
	core, logs := observer.New(zap.InfoLevel)
	s, err := New(Config{Redis: rdb, Translator: tr, Messenger: &recorder{}, Log: zap.New(core)})
	if err != nil {
		t.Fatal(err)
	}
	stop := runSweeper(t, s, 5*time.Millisecond)
	waitFor(t, "two failed sweeps logged", func() bool { return logs.FilterMessage("sla sweep").Len() >= 2 })
	stop()
	for _, e := range logs.FilterMessage("sla sweep").All() {
		if e.Level != zap.ErrorLevel || e.ContextMap()["error"] == nil {
			t.Errorf("log entry %+v, want an error with the error field", e)
		}
	}
}
