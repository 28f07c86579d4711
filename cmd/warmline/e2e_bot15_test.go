package main

// End-to-end tests of the defects found by playing the demo as a customer
// and an agent (issue 11), fixed by bot15: each goes through the signed
// webhook and the LINE emulator's recorded replies, with real Redis and
// the test clock.

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/internal/testclock"
	"github.com/warmline/warmline/knowledge/orders"
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

// refundBook reads the refund requests the bot recorded under this
// instance's prefix (the demo's RefundBook).
func (h *e2e) refundBook() []orders.RefundRequest {
	h.t.Helper()
	opt, err := redis.ParseURL(h.env["REDIS_URL"])
	if err != nil {
		h.t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	reqs, err := orders.NewRefundBook(rdb, h.env["WARMLINE_REDIS_PREFIX"], h.clock.Now).Pending(context.Background())
	if err != nil {
		h.t.Fatalf("refund book: %v", err)
	}
	return reqs
}

// TestE2EBot15RefundTellsTheOrdersTruth (item 3): a refund within the L1
// limit on an order already returned and refunded is told so from the
// order's record (the date the backend gives) after the phone check, and
// nothing is recorded; one asked again on an order whose refund is
// already registered is told when it was registered and by when it is
// processed, not registered twice.
func TestE2EBot15RefundTellsTheOrdersTruth(t *testing.T) {
	t.Parallel()
	h := startE2E(t, handoffOpts())
	for _, tt := range []struct {
		lang, ask, refunded, already, recorded string
	}{
		{"zh-TW", "我要退款 300 元", "款項已在 11/18 退回", "這筆退款已經登記過了", "幫您登記好退款申請"},
		{"zh-CN", "我要退款 300 元", "款项已在 11/18 退还", "这笔退款已经登记过了", "帮您登记好退款申请"},
		{"en", "I'd like a refund of NT$300", "refunded to you on 11/18", "That refund is already registered", "I've registered your request here"},
	} {
		// WL20261109 was returned and refunded on 11/18.
		u := h.newCustomer(tt.lang)
		h.sayAll(u, tt.ask)
		h.sayAll(u, "WL20261109")
		got := allText(h.sayAll(u, "0648"))
		if !strings.Contains(got, tt.refunded) || strings.Contains(got, tt.recorded) {
			t.Errorf("%s refund on a returned order got %q, want the refund's date from the order (%q), nothing registered", tt.lang, got, tt.refunded)
		}
		// WL20261110: registered once, asked again 20 minutes later.
		u = h.newCustomer(tt.lang)
		h.sayAll(u, tt.ask)
		h.sayAll(u, "WL20261110")
		if got := allText(h.sayAll(u, "7821")); !strings.Contains(got, tt.recorded) {
			t.Fatalf("%s first refund got %q, want it registered (%q)", tt.lang, got, tt.recorded)
		}
		h.clock.Advance(20 * time.Minute)
		got = allText(h.sayAll(u, tt.ask)) // the order just refunded is the one meant
		if !strings.Contains(got, tt.already) || !strings.Contains(got, "11/23") || strings.Contains(got, tt.recorded) {
			t.Errorf("%s the same refund again got %q, want %q with the day it was registered (11/23), not a second registration", tt.lang, got, tt.already)
		}
		if c := h.caseOf(u); c != nil {
			t.Errorf("%s: case %s opened on the 2nd ask (the 3rd is the repeat contact)", tt.lang, c.ID)
		}
	}
	var mine []orders.RefundRequest
	for _, r := range h.refundBook() {
		if r.Number == "WL20261109" || r.Number == "WL20261110" {
			mine = append(mine, r)
		}
	}
	if len(mine) != 3 {
		t.Errorf("refund book holds %+v, want one request on WL20261110 per customer (3) and none on the refunded WL20261109", mine)
	}
	for _, r := range mine {
		if r.Number != "WL20261110" {
			t.Errorf("refund recorded on %s, which was already refunded", r.Number)
		}
	}
}

// TestE2EBot15RepeatRefundHandsOff (item 5): the same refund request a
// 3rd time in one day (within one conversation, 20 minutes apart) is a
// repeat contact: it hands off to L2 with the investigation flag (SOP:
// the 3rd contact on the same issue escalates), the brief showing what
// the bot did on the first two.
func TestE2EBot15RepeatRefundHandsOff(t *testing.T) {
	t.Parallel()
	h := startE2E(t, handoffOpts())
	for _, tt := range []struct{ lang, ask, duplicate string }{
		{"zh-TW", "我要退款 300 元", "再次申請"},
		{"zh-CN", "我要退款 300 元", "再次申请"},
		{"en", "I'd like a refund of NT$300", "asked again"},
	} {
		u := h.newCustomer(tt.lang)
		h.sayAll(u, tt.ask)
		h.sayAll(u, "WL20261110")
		h.sayAll(u, "7821")
		h.clock.Advance(20 * time.Minute)
		h.sayAll(u, tt.ask)
		h.clock.Advance(20 * time.Minute)
		got := h.sayAll(u, tt.ask)
		c := h.caseOf(u)
		if c == nil {
			t.Fatalf("%s: the 3rd refund request got %s, want a handoff as a repeat contact", tt.lang, dump(got))
		}
		if c.Triggers[0].Kind != escalation.KindRepeat || c.RepeatCount < 3 || !c.Investigate {
			t.Errorf("%s: case triggers %+v count %d investigate %v, want repeat_contact, 3 contacts, investigation", tt.lang, c.Triggers, c.RepeatCount, c.Investigate)
		}
		if !strings.Contains(allText(got), c.ID) {
			t.Errorf("%s: customer told %s, want the case number %s", tt.lang, dump(got), c.ID)
		}
		if b := h.briefIn(c.ID, tt.lang); !strings.Contains(b, tt.duplicate) || !strings.Contains(b, "WL20261110") {
			t.Errorf("%s brief:\n%s\nwant the earlier requests on WL20261110 (%q)", tt.lang, b, tt.duplicate)
		}
	}
}

// TestE2EBot15BrokenMugOnAnOrderWithoutAMug (item 4): a broken mug told
// for an order the customer was shown after the phone check, which holds
// no mug (WL20261110: cushion covers and an aroma stone), is asked which
// order it was in, and no case opens against it; the order that holds the
// mug (WL20261101) is noted and the photo opens the case with it. An order
// number not shown to the customer is never checked against the story:
// "which order held the mug?" would tell a stranger what that order holds,
// so a mug told for someone else's WL20261110 is noted like any order and
// the case opens with it unverified, for the person to check.
func TestE2EBot15BrokenMugOnAnOrderWithoutAMug(t *testing.T) {
	t.Parallel()
	h := startE2E(t, handoffOpts())
	for _, tt := range []struct{ lang, status, story, wrong, right, ask, noted string }{
		{"zh-TW", "WL20261110 到哪了", "收到的時候杯子破了", "訂單是 WL20261110", "訂單是 WL20261101", "找不到您說的杯子", "訂單編號我記下了"},
		{"zh-CN", "WL20261110 到哪了", "收到的时候杯子碎了", "订单是 WL20261110", "订单是 WL20261101", "没找到您说的杯子", "订单号我记下了"},
		{"en", "where is WL20261110", "My mug arrived broken", "the order is WL20261110", "the order is WL20261101", "can't find the mug", "noted the order number"},
	} {
		// The owner of WL20261110 sees it, then tells of a broken mug on it.
		u := h.newCustomer(tt.lang)
		h.sayAll(u, tt.status)
		if got := allText(h.sayAll(u, "7821")); !strings.Contains(got, "WL20261110") {
			t.Fatalf("%s: the owner's phone check got %q, want the order shown", tt.lang, got)
		}
		h.sayAll(u, tt.story)
		h.tap(u, "last:done", 1)
		waitDrained(t, h.env["WARMLINE_REDIS_PREFIX"])
		got := allText(h.sayAll(u, tt.wrong))
		if !strings.Contains(got, tt.ask) || strings.Contains(got, tt.noted) {
			t.Errorf("%s %q for a broken mug got %q, want which order (%q), not noted", tt.lang, tt.wrong, got, tt.ask)
		}
		h.sendPhoto(u, testPhoto(t), "")
		waitDrained(t, h.env["WARMLINE_REDIS_PREFIX"])
		if c := h.caseOf(u); c != nil {
			t.Fatalf("%s: case %s opened against an order without the mug (tried %+v)", tt.lang, c.ID, c.Tried)
		}
		h.sayAll(u, tt.right) // the photo is in: the case opens
		c := h.caseOf(u)
		if c == nil {
			t.Fatalf("%s: no case after the right order and the photo", tt.lang)
		}
		for _, a := range c.Tried {
			// WL20261110's status lookup stays among the attempts; nothing
			// else of the damaged mug may name it.
			if a.OrderNumber == "WL20261110" && a.Kind != handoff.AttemptOrder {
				t.Errorf("%s: case %s has the wrong order in its %s attempt %+v", tt.lang, c.ID, a.Kind, a)
			}
		}
		if !slices.ContainsFunc(c.Tried, func(a handoff.Attempt) bool { return a.OrderNumber == "WL20261101" }) {
			t.Errorf("%s: case %s tried %+v, want order WL20261101", tt.lang, c.ID, c.Tried)
		}

		// A stranger telling the same story for WL20261110 learns nothing
		// of what it holds: noted, as an order with a mug would be.
		s := h.newCustomer(tt.lang)
		h.sayAll(s, tt.story)
		h.tap(s, "last:done", 1)
		waitDrained(t, h.env["WARMLINE_REDIS_PREFIX"])
		if got := allText(h.sayAll(s, tt.wrong)); strings.Contains(got, tt.ask) || !strings.Contains(got, tt.noted) {
			t.Errorf("%s: a stranger's %q for a broken mug got %q, want it noted (%q) and nothing said of the order's items", tt.lang, tt.wrong, got, tt.noted)
		}
	}
}

// TestE2EBot15InvoiceAndOrderTakeTheVerifiedPath (item 7): a question
// about the invoice of an order is answered from the KB in English as in
// Chinese (the order number no longer costs the English match its
// confidence), with no phone check: nothing of the order is shown. Asked
// with where the order is, the status goes the verified path: the invoice
// answer, then the phone's last 4 digits before the order's details. The
// invoice question does not make the order the customer's: a refund asked
// next on it still needs the phone check.
func TestE2EBot15InvoiceAndOrderTakeTheVerifiedPath(t *testing.T) {
	t.Parallel()
	h := startE2E(t, handoffOpts())
	for _, tt := range []struct {
		lang, invoice, both, answer, check, refund, status, recorded string
	}{
		{"en", "Where is the invoice for order WL20261110?", "Where can I find the invoice for order WL20261110? And where is my order?",
			"My Account › Invoices", "last 4 digits", "I'd like a refund of NT$300", "on its way", "I've registered your request"},
		{"zh-TW", "WL20261110 的發票在哪裡看", "WL20261110 的發票在哪裡看？我的訂單到哪了？",
			"會員中心 › 發票", "末 4 碼", "我要退款 300 元", "新竹物流", "幫您登記好退款申請"},
		{"zh-CN", "WL20261110 的发票在哪里看", "WL20261110 的发票在哪里看？订单到哪了？",
			"会员中心 › 发票", "后 4 位", "我要退款 300 元", "新竹物流", "帮您登记好退款申请"},
	} {
		u := h.newCustomer(tt.lang)
		got := allText(h.sayAll(u, tt.invoice))
		if !strings.Contains(got, tt.answer) || strings.Contains(got, tt.check) {
			t.Errorf("%s %q got %q, want the invoice answer (%q) and no phone check", tt.lang, tt.invoice, got, tt.answer)
		}
		if got := allText(h.sayAll(u, tt.refund)); strings.Contains(got, tt.recorded) {
			t.Errorf("%s %q after an invoice question on someone's order got %q: registered without a phone check", tt.lang, tt.refund, got)
		}
		if got := allText(h.sayAll(u, "WL20261110")); !strings.Contains(got, tt.check) {
			t.Errorf("%s %q on WL20261110 after its invoice question got %q, want the phone check (%q) first", tt.lang, tt.refund, got, tt.check)
		}

		u = h.newCustomer(tt.lang)
		got = allText(h.sayAll(u, tt.both))
		if !strings.Contains(got, tt.answer) || !strings.Contains(got, tt.check) || strings.Contains(got, tt.status) {
			t.Errorf("%s %q got %q, want the invoice answer (%q) and the phone check (%q) before any order detail", tt.lang, tt.both, got, tt.answer, tt.check)
		}
		if got := allText(h.sayAll(u, "7821")); !strings.Contains(got, tt.status) {
			t.Errorf("%s the right digits got %q, want the order's status (%q)", tt.lang, got, tt.status)
		}
	}
}

// TestE2EBot15AfterHoursP1PromiseFollowsThePolicy (item 9): an account
// takeover reported on a Saturday night, under the demo's policy (no
// on-call rota), is not promised "within 15 minutes": the customer is told
// the team is back Monday 09:00 and replies by 09:15, and the agent's
// brief promises the same 09:15 (Case.Promise) and says when the team is
// back. With an on-call rota configured (on_call: {P1: 30m}), the same
// report is promised the rota's 30 minutes, on both sides.
func TestE2EBot15AfterHoursP1PromiseFollowsThePolicy(t *testing.T) {
	t.Parallel()
	saturdayNight := time.Date(2026, 11, 21, 23, 0, 0, 0, time.FixedZone("CST", 8*3600))
	policy, err := os.ReadFile(repoPath(t, "handoff/policy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	onCall := filepath.Join(t.TempDir(), "policy.yaml")
	if err := os.WriteFile(onCall, []byte(strings.Replace(string(policy), "\non_call: {}\n", "\non_call: {P1: 30m}\n", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, policy  string
		told, promise []string // what the customer is told; the brief's promise
		never         string
	}{
		{"no on-call rota", "", []string{"11/23 09:00", "11/23 09:15"}, []string{"2026-11-23 09:15", "2026-11-23 09:00"}, "15 分鐘內"},
		{"on-call rota", onCall, []string{"30 分鐘內", "23:30"}, []string{"2026-11-21 23:30"}, "11/23"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := handoffOpts()
			o.clock = testclock.At(saturdayNight)
			if tt.policy != "" {
				o.env["WARMLINE_POLICY_FILE"] = tt.policy
			}
			h := startE2E(t, o)
			u := h.newCustomer("zh-TW")
			got := allText(h.sayAll(u, "我的帳號被盜了，有人改了我的密碼"))
			c := h.caseOf(u)
			if c == nil || c.Priority != "P1" {
				t.Fatalf("case %+v, want a P1 security case", c)
			}
			if !containsAll(got, tt.told) || strings.Contains(got, tt.never) {
				t.Errorf("customer told %q, want %q, not %q", got, tt.told, tt.never)
			}
			if b := h.briefIn(c.ID, "zh-TW"); !containsAll(b, tt.promise) {
				t.Errorf("brief:\n%s\nwant the customer's time %q", b, tt.promise)
			}
		})
	}
}

func containsAll(s string, subs []string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}
