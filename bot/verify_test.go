package bot

import (
	"context"
	"strings"
	"testing"
	"time"
)

// Issue 9 item 2: a right check on one's own order used to reset the
// failure count, so two wrong guesses on a stranger's order, one right
// guess on one's own, again and again, never locked and finally showed the
// stranger's order. Failures now count per (user, order) and per user and
// nothing resets them.
func TestPhoneCheckCannotBeWalkedAround(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"standalone", "cluster"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var h *harness
			if name == "cluster" {
				h = newClusterHarness(t)
			} else {
				h = newHarness(t)
			}
			h.profiles.byID["Uatt"] = Profile{Language: "en"}
			const stranger, own = "WL20260002", "WL20260012" // own: a web order, phone …3404
			locked := h.tr.N("en", "bot_order_locked_hours", 24, nil)
			noMatch := h.T("en", "bot_order_no_match", nil)
			tries := []struct {
				order, digits string
			}{
				{stranger, "0000"}, {stranger, "0001"}, {own, "3404"},
				{stranger, "0002"}, {stranger, "0003"}, {own, "3404"},
				{stranger, "0004"}, {stranger, "0005"},
			}
			strangerFails := 0
			for i, try := range tries {
				msgs := h.text("Uatt", try.order+" phone "+try.digits)
				got := all(msgs)
				if strings.Contains(got, "Candle") || strings.Contains(got, "F8829301746") {
					t.Fatalf("try %d: the stranger's order was shown:\n%s", i+1, got)
				}
				if try.order == own {
					if len(msgs) == 0 || msgs[0].Card == nil {
						t.Errorf("try %d: own order with the right digits: no card; got %s", i+1, got)
					}
					continue
				}
				for _, m := range msgs {
					if m.Card != nil {
						t.Fatalf("try %d: a card for the stranger's order", i+1)
					}
				}
				strangerFails++
				switch {
				case strangerFails < 3:
					mustContain(t, got, noMatch)
				default: // the third failure on the order locks it, success elsewhere or not
					mustContain(t, got, locked)
				}
			}
			// The right digits at the end: still locked, no card.
			msgs := h.text("Uatt", stranger+" phone 1222")
			mustContain(t, all(msgs), locked)
			for _, m := range msgs {
				if m.Card != nil {
					t.Fatal("the stranger's order shown after the walk-around")
				}
			}
			// Two steps, the way the chat asks: locked at once, no digits asked.
			msgs = h.text("Uatt", stranger)
			mustContain(t, all(msgs), locked)
			if got := h.conv("Uatt")["mode"]; got == modeAwaitingVerify {
				t.Error("asked for the digits of a locked order")
			}
		})
	}
}

// Wrong guesses spread over many orders lock every check of the user
// (their own orders too) after VerifyUserAttempts, and an unknown order
// counts like a known one: the answers never tell whether it exists.
func TestPhoneCheckLocksTheUserAcrossOrders(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.profiles.byID["Uspread"] = Profile{Language: "en"}
	orders := []string{"WL20260002", "WL29990001", "WL20260009", "WL29990002", "WL20260001"}
	var answers []string
	for i, o := range orders {
		got := all(h.text("Uspread", o+" 0000"))
		if strings.Contains(got, "Candle") || strings.Contains(got, "浴巾") || strings.Contains(got, "Mug") {
			t.Fatalf("try %d: an order was shown:\n%s", i+1, got)
		}
		answers = append(answers, got)
	}
	for i := 0; i < 4; i++ {
		if answers[i] != answers[0] {
			t.Errorf("failure %d answered %q, failure 1 %q: known and unknown orders must read the same", i+1, answers[i], answers[0])
		}
	}
	mustContain(t, answers[4], h.tr.N("en", "bot_order_locked", 15, nil))
	msgs := h.text("Uspread", "WL20260012 3404") // the right digits of another order
	mustContain(t, all(msgs), h.tr.N("en", "bot_order_locked", 15, nil))
	if len(msgs) > 0 && msgs[0].Card != nil {
		t.Fatal("an order shown while the user is locked")
	}
	ttl, err := h.rdb.PTTL(context.Background(), h.prefix+"{u:Uspread}:verify_lock").Result()
	if err != nil || ttl <= 14*time.Minute || ttl > 15*time.Minute {
		t.Errorf("user lock TTL %v (%v), want about 15m", ttl, err)
	}
	// The lock ends, the failures stay in the window: the next failure
	// locks again at once.
	if err := h.rdb.Del(context.Background(), h.prefix+"{u:Uspread}:verify_lock").Err(); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(16 * time.Minute)
	mustContain(t, all(h.text("Uspread", "WL29990003 0000")), h.tr.N("en", "bot_order_locked", 15, nil))
	// A day later the window has moved on.
	if err := h.rdb.Del(context.Background(), h.prefix+"{u:Uspread}:verify_lock").Err(); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(24 * time.Hour)
	mustContain(t, all(h.text("Uspread", "WL29990004 0000")), h.T("en", "bot_order_no_match", nil))
}

// Checks are rate-limited whatever their outcome: VerifyRate in
// VerifyRateWindow, then a pause until the oldest leaves the window.
func TestPhoneChecksAreRateLimited(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, func(c *EngineConfig) { c.VerifyRate, c.VerifyRateWindow = 4, time.Hour })
	h.profiles.byID["Urate"] = Profile{Language: "en"}
	for i := 0; i < 4; i++ {
		msgs := h.text("Urate", "WL20260012 3404")
		if len(msgs) == 0 || msgs[0].Card == nil {
			t.Fatalf("check %d: no card; got %s", i+1, all(msgs))
		}
		h.clock.Advance(time.Minute)
	}
	msgs := h.text("Urate", "WL20260012 3404")
	// The first check leaves the window 56 minutes from now.
	mustContain(t, all(msgs), h.tr.N("en", "bot_order_locked", 56, nil))
	h.clock.Advance(57 * time.Minute)
	if msgs := h.text("Urate", "WL20260012 3404"); len(msgs) == 0 || msgs[0].Card == nil {
		t.Fatalf("after the window: no card; got %s", all(msgs))
	}
}
