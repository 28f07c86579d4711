package main

// End-to-end tests of the defects found by playing the demo as a customer
// and an agent (issue 11), fixed by bot15: each goes through the signed
// webhook and the LINE emulator's recorded replies, with real Redis and
// the test clock.

import (
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/handoff/escalation"
)

// TestE2EBot15UnsolvedClockStartsAtTheIssue (item 1): two FAQs answered
// over 12 minutes, then a broken mug: the complaint told 4 minutes later
// does not hand off as "not solved in time" (the answered FAQs did not
// start the clock), and the case the photo opens gives the damaged item as
// its only reason. The clock does start at the complaint: 16 minutes into
// it, L1 still listening, the timer hands off, counted from the complaint.
func TestE2EBot15UnsolvedClockStartsAtTheIssue(t *testing.T) {
	t.Parallel()
	h := startE2E(t, handoffOpts())
	for _, tt := range []struct {
		lang, faq1, faq2, story, more, order, late string
	}{
		{"zh-TW", "運費怎麼算", "可以用什麼付款方式", "收到的時候杯子破了", "杯口整個裂開，把手也斷了，我很失望", "訂單是 WL20261101", "逾時未解決"},
		{"en", "How much is shipping?", "What payment methods do you accept?", "My mug arrived broken", "The rim is cracked all the way and the handle came off, I'm really disappointed", "the order is WL20261101", "not solved in time"},
	} {
		u := h.newCustomer(tt.lang)
		h.sayAll(u, tt.faq1)
		h.clock.Advance(6 * time.Minute)
		h.sayAll(u, tt.faq2)
		h.clock.Advance(6 * time.Minute)
		if got := h.sayAll(u, tt.story); !hasQuick(got, "last:done") {
			t.Fatalf("%s %q got %s, want LAST listening", tt.lang, tt.story, dump(got))
		}
		h.clock.Advance(4 * time.Minute) // 16 minutes after the first FAQ
		got := h.sayAll(u, tt.more)
		if c := h.caseOf(u); c != nil {
			t.Fatalf("%s: the story told 4 minutes into the complaint opened case %s (%+v), bot said %s; want LAST listening on", tt.lang, c.ID, c.Triggers, dump(got))
		}
		h.tap(u, "last:done", 1)
		waitDrained(t, h.env["WARMLINE_REDIS_PREFIX"])
		h.sayAll(u, tt.order)
		h.sendPhoto(u, testPhoto(t), "CS-")
		c := h.caseOf(u)
		if c == nil {
			t.Fatalf("%s: no case after the order and the photo", tt.lang)
		}
		if len(c.Triggers) != 1 || c.Triggers[0].Kind != escalation.KindDefect {
			t.Errorf("%s: case triggers %+v, want the damaged item (defect) alone", tt.lang, c.Triggers)
		}
		if b := h.briefIn(c.ID, tt.lang); strings.Contains(b, tt.late) {
			t.Errorf("%s brief:\n%s\nwant no %q among the reasons", tt.lang, b, tt.late)
		}

		// The clock runs from the complaint: 16 minutes into it, still told.
		u = h.newCustomer(tt.lang)
		h.sayAll(u, tt.faq1)
		h.clock.Advance(6 * time.Minute)
		h.sayAll(u, tt.story)
		h.clock.Advance(16 * time.Minute)
		h.sayAll(u, tt.more)
		c = h.caseOf(u)
		if c == nil {
			t.Fatalf("%s: no case 16 minutes into a complaint L1 is still listening to", tt.lang)
		}
		var timer *escalation.Trigger
		for i := range c.Triggers {
			if c.Triggers[i].Kind == escalation.KindUnsolved {
				timer = &c.Triggers[i]
			}
		}
		if timer == nil || timer.Evidence != "16m0s" {
			t.Errorf("%s: case triggers %+v, want unsolved_timeout after 16m0s (from the complaint, not the FAQ 22 minutes ago)", tt.lang, c.Triggers)
		}
	}
}

// TestE2EBot15TakeoverWithAPressMentionIsSecurity (item 2): an account
// takeover said with a threat to go to the press is a security case: the
// security report leads the triggers (the ledger's and the alerts'
// reason), the brief files it under account security, P1, and the press
// mention stays among the reasons and routes it to L3 (legal and PR
// notified), as the SOP says.
func TestE2EBot15TakeoverWithAPressMentionIsSecurity(t *testing.T) {
	t.Parallel()
	h := startE2E(t, handoffOpts())
	for _, tt := range []struct{ lang, text, security, legal, legalKind string }{
		{"zh-TW", "我的帳號被盜了，有人改了我的密碼還用我的信用卡下單，再不處理我就找媒體爆料", "帳號安全", "法律威脅／媒體", "提及法律行動或媒體"},
		{"zh-CN", "我的账号被盗了，有人改了我的密码，不处理我就找媒体曝光", "账号安全", "法律威胁／媒体", "提及法律行动或媒体"},
		{"en", "My account was hacked and someone changed my password. If you don't fix this I'm going to the press.", "Account security", "Legal threat / media", "legal threat or media mention"},
	} {
		u := h.newCustomer(tt.lang)
		h.sayAll(u, tt.text)
		c := h.caseOf(u)
		if c == nil {
			t.Fatalf("%s: no case for %q", tt.lang, tt.text)
		}
		kinds := map[string]bool{}
		for _, tr := range c.Triggers {
			kinds[tr.Kind] = true
		}
		if c.Triggers[0].Kind != escalation.KindSecurity || !kinds[escalation.KindLegalMedia] {
			t.Errorf("%s: triggers %+v, want security first and the legal/media mention kept", tt.lang, c.Triggers)
		}
		if c.Priority != "P1" || c.Tier != "L3" || c.Category != "fault" {
			t.Errorf("%s: case %s %s %s, want P1, L3 (legal/PR), category fault", tt.lang, c.Priority, c.Tier, c.Category)
		}
		lines := strings.Split(h.briefIn(c.ID, tt.lang), "\n")
		if len(lines) < 2 || !strings.Contains(lines[1], tt.security) || strings.Contains(lines[1], tt.legal) {
			t.Errorf("%s brief's request line %q, want it filed under %q, not %q", tt.lang, lines[min(1, len(lines)-1)], tt.security, tt.legal)
		}
		if b := strings.Join(lines, "\n"); !strings.Contains(b, tt.legalKind) {
			t.Errorf("%s brief:\n%s\nwant the press mention among the reasons (%q)", tt.lang, b, tt.legalKind)
		}
	}
}
