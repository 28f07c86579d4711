package bot

import (
	"context"
	"testing"
	"time"
)

// TestInProgress: the conversations the ledger does not count yet, as
// they stand: an answer (settled so far), a menu, a greeting (nothing to
// count), one ended by "Solved" (counted, so gone), and after
// ConversationIdle the idle ones the sweep has not reached; after the
// sweep, none.
func TestInProgress(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		new  func(*testing.T) *harness
	}{{"single", newHarness}, {"cluster", newClusterHarness}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			testInProgress(t, tt.new(t))
		})
	}
}

func testInProgress(t *testing.T, h *harness) {
	ctx := context.Background()
	for _, u := range []string{"U1", "U2", "U3", "U4"} {
		h.profiles.byID[u] = Profile{Language: "en"}
	}
	read := func() InProgress {
		t.Helper()
		got, err := h.e.InProgress(ctx)
		if err != nil {
			t.Fatalf("InProgress: %v", err)
		}
		return got
	}
	if got := read(); got.Conversations != 0 || got.IdleAfter != 2*time.Hour {
		t.Fatalf("before anything: %+v, want none and idle after 2h", got)
	}
	h.text("U1", "how long does delivery take") // answered: settled so far
	h.text("U2", "return")                      // a menu
	h.text("U3", "hello")                       // nothing to count
	ans := h.text("U4", "how long does delivery take")
	if yes := quickData(ans, dataFeedbackYes); yes == "" {
		t.Fatalf("no Solved button on %+v", ans)
	} else {
		h.postback("U4", yes) // ended at once: counted, not in progress
	}
	for _, step := range []struct {
		name    string
		advance time.Duration
		sweep   bool
		want    InProgress
	}{
		{"now", 0, false, InProgress{Conversations: 2, SettledL1: 1, Menu: 1}},
		{"idle, not swept", 2*time.Hour + time.Minute, false, InProgress{Conversations: 2, SettledL1: 1, Menu: 1, Idle: 2}},
		{"swept", 0, true, InProgress{}},
	} {
		h.clock.Advance(step.advance)
		if step.sweep {
			if n, err := h.e.SweepIdle(ctx); err != nil || n != 2 {
				t.Fatalf("%s: SweepIdle = %d, %v; want 2", step.name, n, err)
			}
		}
		got := read()
		step.want.IdleAfter = 2 * time.Hour
		if got != step.want {
			t.Errorf("%s: %+v, want %+v", step.name, got, step.want)
		}
	}
}

// quickData is the data of the first quick reply whose data starts with prefix.
func quickData(ms []Message, prefix string) string {
	for _, m := range ms {
		for _, q := range m.QuickReplies {
			if len(q.Data) >= len(prefix) && q.Data[:len(prefix)] == prefix {
				return q.Data
			}
		}
	}
	return ""
}
