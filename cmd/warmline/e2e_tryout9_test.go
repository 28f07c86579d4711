package main

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestE2ETryout9PersonAfterHowLongIsAnswered (tryout 8 M1): during a
// handoff, "how long?" is answered, and a request for a person seconds
// later is a new ask: it is answered with where the case stands (its
// number), not marked read and left unanswered (已讀不回). The same request
// again at once is the same ask and gets nothing new.
func TestE2ETryout9PersonAfterHowLongIsAnswered(t *testing.T) {
	t.Parallel()
	h := startE2E(t, handoffOpts())
	for _, tt := range []struct{ lang, open, howLong, person string }{
		{"zh-TW", "我要找真人客服", "還要等多久？", "我要找真人"},
		{"zh-CN", "我要人工客服", "还要等多久？", "我要找真人"},
		{"en", "I want to talk to a person", "how long do I have to wait?", "I want a real person"},
	} {
		u := h.newCustomer(tt.lang)
		h.say(u, tt.open, 1)
		h.clock.Advance(20 * time.Second)
		if got := allText(h.sayAll(u, tt.howLong)); !strings.Contains(got, "CS-") {
			t.Errorf("%s %q during the handoff got %q, want where the case stands", tt.lang, tt.howLong, got)
		}
		h.clock.Advance(5 * time.Second)
		if got := allText(h.sayAll(u, tt.person)); !strings.Contains(got, "CS-") {
			t.Errorf("%s %q right after %q got %q, want an answer with the case number, not silence", tt.lang, tt.person, tt.howLong, got)
		}
		h.clock.Advance(5 * time.Second)
		if ev, err := h.emu.SendText(context.Background(), u, tt.person); err != nil {
			t.Fatalf("send %q: %v (status %d)", tt.person, err, ev.Status)
		}
		h.quiet(u, time.Second)
	}
}
