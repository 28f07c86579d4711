package bot

import (
	"context"
	"testing"
	"time"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/ledger"
	"github.com/warmline/warmline/report"
)

// outcomes returns the conversation outcomes on the archive stream, oldest
// first.
func (h *harness) outcomes() []handoff.ConversationOutcome {
	h.t.Helper()
	msgs, err := h.rdb.XRange(context.Background(), h.cases.ArchiveStream(), "-", "+").Result()
	if err != nil {
		h.t.Fatalf("read archive stream: %v", err)
	}
	var out []handoff.ConversationOutcome
	for _, m := range msgs {
		e, err := handoff.DecodeArchiveEntry(m.ID, m.Values)
		if err != nil {
			h.t.Fatalf("decode archive entry: %v", err)
		}
		if e.Kind == handoff.ArchiveOutcome {
			out = append(out, *e.Outcome)
		}
	}
	return out
}

// ledgerReport stores the archive stream in an in-memory ledger (as the
// archiver does) and computes the report of the harness's day.
func (h *harness) ledgerReport() (report.Report, ledger.Counts) {
	h.t.Helper()
	ctx := context.Background()
	st, err := ledger.Open(ctx, ledger.Config{Clock: h.clock.Now})
	if err != nil {
		h.t.Fatalf("open ledger: %v", err)
	}
	h.t.Cleanup(func() { _ = st.Close() })
	msgs, err := h.rdb.XRange(ctx, h.cases.ArchiveStream(), "-", "+").Result()
	if err != nil {
		h.t.Fatalf("read archive stream: %v", err)
	}
	for _, m := range msgs {
		e, err := handoff.DecodeArchiveEntry(m.ID, m.Values)
		if err != nil {
			h.t.Fatalf("decode archive entry: %v", err)
		}
		if _, err := st.Apply(ctx, e); err != nil {
			h.t.Fatalf("apply: %v", err)
		}
	}
	day := start.Truncate(24 * time.Hour).Add(-24 * time.Hour)
	rep, err := report.Compute(ctx, st, report.Period{From: day, To: day.Add(72 * time.Hour)}, report.Filter{}, report.DefaultTargets())
	if err != nil {
		h.t.Fatalf("Compute: %v", err)
	}
	n, err := st.Count(ctx)
	if err != nil {
		h.t.Fatalf("count: %v", err)
	}
	return rep, n
}

// TestConversationOutcomes: every L1 conversation is recorded once, when it
// ends, with how it ended; a handoff is left to its case.
func TestConversationOutcomes(t *testing.T) {
	t.Parallel()
	type want struct {
		answered, menu bool
		topic, trigger string
	}
	tests := []struct {
		name string
		run  func(h *harness)
		want []want
	}{
		{"FAQ answered, Solved", func(h *harness) {
			h.text("U1", "how long does delivery take")
			h.postback("U1", "fb:yes:shipping-time")
			h.text("U1", "thanks") // after the end: nothing more
		}, []want{{answered: true, topic: "shipping-time"}}},
		{"FAQ answered, thanks", func(h *harness) {
			h.text("U1", "how long does delivery take")
			h.text("U1", "thanks")
			// No second, "open" conversation left behind on the same issue.
			h.clock.Advance(3 * time.Hour)
			h.text("U1", "hi")
		}, []want{{answered: true, topic: "shipping-time"}}},
		{"FAQ answered, goodbye", func(h *harness) {
			h.text("U1", "how long does delivery take")
			h.text("U1", "ok bye")
			h.text("U1", "bye") // after the end: nothing more
		}, []want{{answered: true, topic: "shipping-time"}}},
		{"menu offered, goodbye: ends as it stands", func(h *harness) {
			h.text("U1", "return")
			h.text("U1", "掰掰")
		}, []want{{menu: true, topic: "return-shipping"}}},
		{"FAQ answered, then idle: the next message ends it", func(h *harness) {
			h.text("U1", "how long does delivery take")
			h.clock.Advance(2*time.Hour + time.Minute)
			h.text("U1", "hello")
		}, []want{{answered: true, topic: "shipping-time"}}},
		{"FAQ answered, then unfollow", func(h *harness) {
			h.text("U1", "how long does delivery take")
			h.handle(Event{ID: "ev-unfollow", Kind: KindUnfollow, UserID: "U1"})
		}, []want{{answered: true, topic: "shipping-time"}}},
		{"order status shown, then idle", func(h *harness) {
			h.text("Uowner", "WL20260001")
			h.clock.Advance(3 * time.Hour)
			h.text("Uowner", "hi")
		}, []want{{answered: true, topic: "order_status"}}},
		{"menu offered, then idle", func(h *harness) {
			h.text("U1", "return")
			h.clock.Advance(3 * time.Hour)
			h.text("U1", "hi")
		}, []want{{menu: true, topic: "return-shipping"}}},
		{"answer, Not yet twice, a person offered and not taken", func(h *harness) {
			h.text("U1", "return shipping")
			h.postback("U1", "fb:no:return-shipping")
			h.postback("U1", "faq:return-policy")
			h.postback("U1", "fb:no:return-policy")
			h.clock.Advance(3 * time.Hour)
			h.text("U1", "hi")
		}, []want{{topic: "return-policy", trigger: "unhelpful"}}},
		{"handoff: no L1 outcome (the case carries it)", func(h *harness) {
			h.text("U1", "how long does delivery take")
			h.text("U1", "I want to talk to a person")
			h.clock.Advance(3 * time.Hour)
			h.text("U1", "hi")
		}, nil},
		{"greeting only: nothing to count", func(h *harness) {
			h.handle(Event{ID: "ev-follow", Kind: KindFollow, UserID: "U1"})
			h.text("U1", "hello")
			h.clock.Advance(3 * time.Hour)
			h.text("U1", "hello")
		}, nil},
		{"two conversations a day apart", func(h *harness) {
			h.text("U1", "how long does delivery take")
			h.clock.Advance(24 * time.Hour)
			h.text("U1", "return")
			h.clock.Advance(24 * time.Hour)
			h.text("U1", "hi")
		}, []want{{answered: true, topic: "shipping-time"}, {menu: true, topic: "return-shipping"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.profiles.byID["U1"] = Profile{Language: "en"}
			h.profiles.byID["Uowner"] = Profile{Language: "en"}
			begun := h.clock.Now()
			tt.run(h)
			got := h.outcomes()
			if len(got) != len(tt.want) {
				t.Fatalf("%d outcomes, want %d: %+v", len(got), len(tt.want), got)
			}
			for i, w := range tt.want {
				o := got[i]
				if o.AnsweredL1 != w.answered || o.Menu != w.menu || o.Topic != w.topic || o.Trigger != w.trigger {
					t.Errorf("outcome %d = answered %v menu %v topic %q trigger %q, want %+v", i, o.AnsweredL1, o.Menu, o.Topic, o.Trigger, w)
				}
				if o.ConversationID == "" || o.Lang != "en" || o.StartedAt.Before(begun) || o.EndedAt.Before(o.StartedAt) {
					t.Errorf("outcome %d: id %q lang %q started %s ended %s", i, o.ConversationID, o.Lang, o.StartedAt, o.EndedAt)
				}
			}
			if len(got) == 2 && got[0].ConversationID == got[1].ConversationID {
				t.Errorf("two conversations share id %s", got[0].ConversationID)
			}
		})
	}
}

// A goodbye after an answer ends the conversation at once, in every
// language, with a warm goodbye (not a "you're welcome" or a menu).
func TestGoodbyeEndsTheConversation(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ lang, ask, bye string }{
		{"zh-TW", "運送要多久", "掰掰"},
		{"zh-TW", "運送要多久", "好的謝謝，再見！"},
		{"zh-CN", "运送要多久", "拜拜"},
		{"zh-CN", "运送要多久", "谢谢再见"},
		{"en", "how long does delivery take", "Bye!"},
		{"en", "how long does delivery take", "thanks, goodbye"},
	} {
		t.Run(tt.lang+" "+tt.bye, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.profiles.byID["U1"] = Profile{Language: tt.lang}
			h.text("U1", tt.ask)
			h.clock.Advance(time.Minute)
			msgs := h.text("U1", tt.bye)
			if got, want := all(msgs), h.T(tt.lang, "bot_goodbye", nil)+"\n"; got != want {
				t.Errorf("goodbye answered %q, want %q", got, want)
			}
			got := h.outcomes()
			if len(got) != 1 || !got[0].AnsweredL1 || got[0].Topic != "shipping-time" || !got[0].EndedAt.Equal(h.clock.Now().UTC()) {
				t.Fatalf("outcomes %+v, want one answered at L1 about shipping-time, ended now", got)
			}
			if id := h.conv("U1")["conv_id"]; id != "" {
				t.Errorf("conversation %s still going on after the goodbye", id)
			}
		})
	}
}

// TestOutcomeIdleEndsAtLastActivity: a conversation the customer left ends
// when the bot last spoke, not when they came back.
func TestOutcomeIdleEndsAtLastActivity(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.profiles.byID["U1"] = Profile{Language: "en"}
	h.text("U1", "how long does delivery take")
	answered := h.clock.Now()
	h.clock.Advance(5 * time.Hour)
	h.text("U1", "hello")
	got := h.outcomes()
	if len(got) != 1 || !got[0].EndedAt.Equal(answered.UTC()) {
		t.Fatalf("outcomes %+v, want one ended at %s", got, answered.UTC())
	}
}

// TestOutcomeRedelivered: an event handled twice (the queue redelivers it)
// still gives one outcome: after its state was saved the conversation is
// gone, and before (a crash between the outcome and the state) the same
// conversation id is recorded again and the ledger keeps one row.
func TestOutcomeRedelivered(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.profiles.byID["U1"] = Profile{Language: "en"}
	h.text("U1", "how long does delivery take")
	state := h.conv("U1")
	solved := Event{ID: "ev-solved", Kind: KindPostback, UserID: "U1", Data: "fb:yes:shipping-time"}
	h.handle(solved)
	h.handle(solved) // redelivered after the state was saved
	if got := h.outcomes(); len(got) != 1 {
		t.Fatalf("after a redelivery: %d outcomes, want 1: %+v", len(got), got)
	}
	// Redelivered as if the first handling died before saving its state.
	ctx := context.Background()
	k := h.prefix + "{u:U1}:conv"
	if err := h.rdb.Del(ctx, k).Err(); err != nil {
		t.Fatal(err)
	}
	if err := h.rdb.HSet(ctx, k, state).Err(); err != nil {
		t.Fatal(err)
	}
	h.handle(solved)
	got := h.outcomes()
	if len(got) != 2 || got[0].ConversationID != got[1].ConversationID {
		t.Fatalf("replayed outcome: %+v, want the same conversation twice on the stream", got)
	}
	rep, n := h.ledgerReport()
	if n.Outcomes != 1 || rep.Conversations != 1 || rep.FirstContactResolution.Count != 1 {
		t.Errorf("ledger: %d outcome rows, report %d conversations, FCR %+v; want 1, 1, 1", n.Outcomes, rep.Conversations, rep.FirstContactResolution.Ratio)
	}
}

// TestOutcomesInReport: a small day through the ledger to the report:
// two answered (Solved, idle), one menu, one handoff resolved by an agent
// → FCR 2/4, escalation 1/4.
func TestOutcomesInReport(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, u := range []string{"U1", "U2", "U3", "U4"} {
		h.profiles.byID[u] = Profile{Language: "en"}
	}
	h.text("U1", "how long does delivery take")
	h.postback("U1", "fb:yes:shipping-time")
	h.text("U2", "how long does delivery take")
	h.text("U3", "return")
	h.text("U4", "how long does delivery take")
	h.text("U4", "I want to talk to a person")
	c := h.activeCase("U4")
	if c == nil {
		t.Fatal("no case for U4")
	}
	lead := handoff.Agent{ID: "a1", Name: "Lead", Role: "lead"}
	if _, err := h.cases.Resolve(context.Background(), lead, c.ID, "answered"); err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	h.clock.Advance(3 * time.Hour)
	for _, u := range []string{"U1", "U2", "U3"} {
		h.text(u, "hi") // the idle ones end
	}
	rep, _ := h.ledgerReport()
	if rep.Conversations != 4 {
		t.Fatalf("conversations %d, want 4", rep.Conversations)
	}
	if fcr := rep.FirstContactResolution.Ratio; fcr.Count != 2 || fcr.Total != 4 {
		t.Errorf("FCR %+v, want 2 of 4", fcr)
	}
	if esc := rep.Escalation.Ratio; esc.Count != 1 || esc.Total != 4 {
		t.Errorf("escalation %+v, want 1 of 4", esc)
	}
}

// TestIdleSweep: a customer who got an answer and left is counted by the
// sweep, once, without writing again; one not idle yet is left alone.
func TestIdleSweep(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		new  func(*testing.T) *harness
	}{{"single", newHarness}, {"cluster", newClusterHarness}} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			testIdleSweep(t, tt.new(t))
		})
	}
}

func testIdleSweep(t *testing.T, h *harness) {
	ctx := context.Background()
	h.profiles.byID["U1"] = Profile{Language: "en"}
	h.profiles.byID["U2"] = Profile{Language: "en"}
	h.profiles.byID["U3"] = Profile{Language: "en"}
	h.text("U1", "how long does delivery take")
	answered := h.clock.Now()
	h.text("U3", "hello") // nothing to count
	h.clock.Advance(time.Hour)
	h.text("U2", "return")
	sweep := func() int {
		t.Helper()
		n, err := h.e.SweepIdle(ctx)
		if err != nil {
			t.Fatalf("SweepIdle: %v", err)
		}
		return n
	}
	if n := sweep(); n != 0 {
		t.Fatalf("swept %d before anyone was idle", n)
	}
	h.clock.Advance(time.Hour + time.Minute) // U1 and U3 idle, U2 not
	if n := sweep(); n != 1 {
		t.Fatalf("swept %d, want 1 (U1)", n)
	}
	got := h.outcomes()
	if len(got) != 1 || got[0].UserID != "U1" || !got[0].AnsweredL1 || got[0].Topic != "shipping-time" || !got[0].EndedAt.Equal(answered.UTC()) {
		t.Fatalf("outcomes %+v, want U1 answered shipping-time ended at %s", got, answered.UTC())
	}
	if n := sweep(); n != 0 {
		t.Errorf("second sweep ended %d more", n)
	}
	left, err := h.rdb.ZRange(ctx, h.prefix+"conv_idle", 0, -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0] != "U2" {
		t.Errorf("idle set %v, want only U2 (not idle yet)", left)
	}
	h.text("U1", "hi") // back after the sweep: nothing recorded twice
	h.clock.Advance(time.Hour)
	if n := sweep(); n != 1 {
		t.Errorf("swept %d, want 1 (U2's menu)", n)
	}
	got = h.outcomes()
	if len(got) != 2 || got[1].UserID != "U2" || !got[1].Menu {
		t.Errorf("outcomes %+v, want U1's then U2's menu", got)
	}
}
