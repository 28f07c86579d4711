package main

// End-to-end tests of the defects a new-user play of the demo (tryout 7)
// left open, fixed by bot14 (issue 11): each goes through the signed
// webhook and the LINE emulator's recorded replies, with real Redis, in
// the customer's own words.

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/handoff"
)

// TestE2ETryout8OrderNumberInABrokenMugComplaint (M1): in a broken-mug
// complaint, after the remedy asked for the order and photos, "the order
// is WL20261101" is the complaint's order, noted (no order-status look-up,
// no phone check), photos asked for; the photo then opens the case with
// that order. The remedy that only asked for them does not ask "Did that
// help?" (m8): nothing is solved yet.
func TestE2ETryout8OrderNumberInABrokenMugComplaint(t *testing.T) {
	t.Parallel()
	h := startE2E(t, handoffOpts())
	for _, tt := range []struct {
		lang, story, order, noted, photoAck string
		didItHelp, lookup                   []string
	}{
		{"en", "My mug arrived broken", "the order is WL20261101", "noted the order number", "photo",
			[]string{"Did that help"}, []string{"last 4 digits", "in transit", "Hsinchu", "on its way"}},
		{"zh-TW", "收到的時候杯子破了", "訂單是 WL20261101", "訂單編號我記下了", "收到您的照片了",
			[]string{"有幫上忙嗎"}, []string{"末 4 碼", "配送中", "新竹物流"}},
		{"zh-CN", "收到的时候杯子碎了", "订单是 WL20261101", "订单号我记下了", "收到您的照片",
			[]string{"能帮到您吗"}, []string{"后 4 位", "配送中", "新竹物流"}},
	} {
		u := h.newCustomer(tt.lang)
		if got := h.say(u, tt.story, 1); !hasQuick(got, "last:done") {
			t.Fatalf("%s %q got %s, want LAST listening", tt.lang, tt.story, dump(got))
		}
		before := len(h.emu.Messages(u))
		h.tap(u, "last:done", 1)
		waitDrained(t, h.env["WARMLINE_REDIS_PREFIX"])
		remedy := h.emu.Messages(u)[before:]
		if txt := allText(remedy); containsAny(txt, tt.didItHelp) || hasQuick(remedy, "fb:yes:") {
			t.Errorf("%s remedy asking for photos got %s, want no \"did that help\" before anything is solved", tt.lang, dump(remedy))
		}
		got := h.sayAll(u, tt.order)
		if txt := allText(got); !strings.Contains(txt, tt.noted) || containsAny(txt, tt.lookup) {
			t.Errorf("%s %q in the complaint got %s, want the order noted for the complaint (%q), no order look-up", tt.lang, tt.order, dump(got), tt.noted)
		}
		if c := h.caseOf(u); c != nil {
			t.Errorf("%s: case %s opened before the photo", tt.lang, c.ID)
		}
		h.sendPhoto(u, testPhoto(t), "CS-")
		c := h.caseOf(u)
		if c == nil {
			t.Fatalf("%s: no case after the order and the photo", tt.lang)
		}
		withOrder := false
		for _, a := range c.Tried {
			withOrder = withOrder || a.OrderNumber == "WL20261101"
		}
		if !withOrder || !strings.Contains(c.Request, tt.story) {
			t.Errorf("%s: case request %q tried %+v, want the story and order WL20261101", tt.lang, c.Request, c.Tried)
		}
	}
}

// TestE2ETryout8CommentAfterALowRatingGoesToTheCase (M2, issue 11 item
// 12): what the customer writes after rating a case 1 or 2 is attached
// to the case (the follow-up offered again), not answered with an FAQ
// because it names a topic the KB knows; a question is still answered.
func TestE2ETryout8CommentAfterALowRatingGoesToTheCase(t *testing.T) {
	t.Parallel()
	h := startE2E(t, handoffOpts())
	for _, tt := range []struct {
		lang, person, comment, thanks string
		score                         int
	}{
		{"en", "I want to talk to a real person", "the shipping was slow and nobody told me how much shipping costs", "added your comment", 1},
		{"zh-TW", "我要找真人客服", "運費很貴又寄很慢，客服也沒講清楚", "", 2},
		{"zh-CN", "我要人工客服", "运费很贵又寄得很慢，客服也没说清楚", "", 1},
	} {
		u := h.newCustomer(tt.lang)
		h.say(u, tt.person, 1)
		c := h.caseOf(u)
		if c == nil {
			t.Fatalf("%s: no case", tt.lang)
		}
		if st := h.api(tokBoss, "POST", "/api/cases/"+c.ID+"/claim", nil, nil); st != http.StatusOK {
			t.Fatalf("claim = %d", st)
		}
		before := len(h.emu.Messages(u))
		if st := h.api(tokBoss, "POST", "/api/cases/"+c.ID+"/resolve", map[string]string{"note": "done"}, nil); st != http.StatusOK {
			t.Fatalf("resolve = %d", st)
		}
		h.waitNew(u, before, 2)
		h.tap(u, handoff.CSATData(c.ID, tt.score), 1)
		got := h.sayAll(u, tt.comment)
		txt := allText(got)
		if hasQuick(got, "fb:yes:") || !strings.Contains(txt, c.ID) || !hasQuick(got, "followup:"+c.ID) || (tt.thanks != "" && !strings.Contains(txt, tt.thanks)) {
			t.Errorf("%s comment after a rating of %d got %s, want it attached to %s with the lead's follow-up offered, no FAQ", tt.lang, tt.score, dump(got), c.ID)
		}
		if v := h.caseByID(c.ID); v.Case.FollowUp == nil || v.Case.FollowUp.Comment != tt.comment {
			t.Errorf("%s: case follow-up %+v, want the comment %q", tt.lang, v.Case.FollowUp, tt.comment)
		}
	}
}

// TestE2ETryout8LateParcelCarrierCheckIsKept (M3): an angry late-parcel
// complaint is promised a check with the carrier once the order number is
// in; the promise is kept: when the order is shown (after the phone check
// for an order that is not the customer's, at once for their own) a case
// opens for a person to ask the carrier, with the customer's words as the
// request and the order on it. Before the order is in, no "did that help?".
func TestE2ETryout8LateParcelCarrierCheckIsKept(t *testing.T) {
	t.Parallel()
	h := startE2E(t, handoffOpts())
	for _, tt := range []struct {
		lang, user, story, order, digits, promise, didItHelp, forwarded string
	}{
		{"zh-CN", "", "我的包裹怎么还没到？都一个星期了，气死我了", "WL20261110", "7821", "向物流核实", "能帮到您吗", "请同事向物流核实订单 WL20261110"},
		{"en", "", "My parcel STILL hasn't arrived, it's been a week, this is ridiculous", "WL20261110", "7821", "check with the courier", "Did that help", "asked a colleague to check with the courier where order WL20261110"},
		{"zh-TW", alice, "我的包裹到現在還沒到，已經等一個禮拜了，氣死我了", "WL20261101", "", "向物流確認", "有幫上忙嗎", "請同仁向物流確認訂單 WL20261101"},
	} {
		u := tt.user
		if u == "" {
			u = h.newCustomer(tt.lang)
		}
		got := h.sayAll(u, tt.story)
		if hasQuick(got, "last:done") {
			before := len(h.emu.Messages(u))
			h.tap(u, "last:done", 1)
			waitDrained(t, h.env["WARMLINE_REDIS_PREFIX"])
			got = h.emu.Messages(u)[before:]
		}
		if txt := allText(got); !strings.Contains(txt, tt.promise) || strings.Contains(txt, tt.didItHelp) || hasQuick(got, "fb:yes:") {
			t.Errorf("%s %q got %s, want the carrier check promised (%q) and no \"did that help\" yet", tt.lang, tt.story, dump(got), tt.promise)
		}
		got = h.sayAll(u, tt.order)
		if tt.digits != "" {
			if c := h.caseOf(u); c != nil {
				t.Errorf("%s: case %s opened before the order was verified", tt.lang, c.ID)
			}
			got = h.sayAll(u, tt.digits)
		}
		c := h.caseOf(u)
		if c == nil {
			t.Errorf("%s: no case after the order was shown, got %s: the carrier check promised is not made", tt.lang, dump(got))
			continue
		}
		if txt := allText(got); !strings.Contains(txt, tt.forwarded) || !strings.Contains(txt, c.ID) {
			t.Errorf("%s order shown got %s, want the carrier check passed on (%q) with case %s", tt.lang, dump(got), tt.forwarded, c.ID)
		}
		shown := false
		for _, a := range c.Tried {
			shown = shown || (a.OrderNumber == tt.order && a.Outcome == handoff.OutcomeStatusShown)
		}
		if c.Request != tt.story || !shown {
			t.Errorf("%s: case request %q tried %+v, want the story %q and order %s shown", tt.lang, c.Request, c.Tried, tt.story, tt.order)
		}
	}
}

// TestE2ETryout8BareLateParcelQuestionAsksForTheOrder (m6): "我的包裹怎么
// 还没到？" asked once, with nothing more told, is asked for its order (no
// "tell me everything", no cheerful "没问题！"); the order number then
// shows the order (a phone check for one that is not theirs). Told with
// more and angry it stays a complaint (M3's test).
func TestE2ETryout8BareLateParcelQuestionAsksForTheOrder(t *testing.T) {
	t.Parallel()
	h := startE2E(t, handoffOpts())
	script := []string{"完整告诉我", "完整告訴我", "tell me everything", "没问题！", "沒問題！", "Of course!"}
	for _, tt := range []struct{ lang, ask, askOrder, check string }{
		{"zh-CN", "我的包裹怎么还没到？", "订单号", "后 4 位"},
		{"zh-TW", "我的包裹怎麼還沒到？", "訂單編號", "末 4 碼"},
		{"en", "Why hasn't my parcel arrived yet?", "order number", "last 4 digits"},
	} {
		u := h.newCustomer(tt.lang)
		got := h.sayAll(u, tt.ask)
		if txt := allText(got); hasQuick(got, "last:done") || containsAny(txt, script) || !strings.Contains(txt, tt.askOrder) {
			t.Errorf("%s %q got %s, want the order number asked for (%q), not the complaint script", tt.lang, tt.ask, dump(got), tt.askOrder)
		}
		if got := h.sayAll(u, "WL20261110"); !strings.Contains(allText(got), tt.check) {
			t.Errorf("%s order number after %q got %s, want the order look-up (%q)", tt.lang, tt.ask, dump(got), tt.check)
		}
		if c := h.caseOf(u); c != nil {
			t.Errorf("%s: case %s opened for a question", tt.lang, c.ID)
		}
	}
}

// TestE2ETryout8SupervisorAfterTwoMinutesApologises (m1): a customer who
// asked for a person and, two minutes later with no reply, asks for a
// supervisor hears one apology for the wait with the new target (it came
// only after 5 minutes, the acknowledgement interval); asked for within
// the first minute, none.
func TestE2ETryout8SupervisorAfterTwoMinutesApologises(t *testing.T) {
	t.Parallel()
	h := startE2E(t, handoffOpts())
	for _, tt := range []struct{ lang, person, boss, sorry string }{
		{"en", "I want to talk to a person", "get me your manager", "sorry you've had to wait"},
		{"zh-TW", "我要找真人客服", "叫你們主管出來", "久等"},
		{"zh-CN", "我要人工客服", "叫你们主管出来", "久等"},
	} {
		u := h.newCustomer(tt.lang)
		h.say(u, tt.person, 1)
		h.clock.Advance(2 * time.Minute)
		if got := allText(h.sayAll(u, tt.boss)); strings.Count(got, tt.sorry) != 1 {
			t.Errorf("%s supervisor asked after 2 minutes got %q, want one apology for the wait (%q)", tt.lang, got, tt.sorry)
		}
		u = h.newCustomer(tt.lang)
		h.say(u, tt.person, 1)
		h.clock.Advance(30 * time.Second)
		if got := allText(h.sayAll(u, tt.boss)); strings.Contains(got, tt.sorry) {
			t.Errorf("%s supervisor asked after 30 seconds got %q, want no apology for a wait", tt.lang, got)
		}
	}
}

// TestE2ETryout8InvoiceQuestionWithAnOrderIsAnswered (m7): an invoice
// question that carries its order number gets the invoice answer, not a
// phone check or the complaint script. (English "Where is the invoice for
// order WL…?" still gets the phone check: the KB match is not confident
// with the number in it; see notes/bot14.md.)
func TestE2ETryout8InvoiceQuestionWithAnOrderIsAnswered(t *testing.T) {
	t.Parallel()
	h := startE2E(t, handoffOpts())
	for _, tt := range []struct{ lang, ask, answer, check string }{
		{"zh-TW", "WL20261101 的發票在哪裡看", "會員中心", "末 4 碼"},
		{"zh-CN", "WL20261101 的发票在哪里看", "会员中心", "后 4 位"},
	} {
		u := h.newCustomer(tt.lang)
		got := h.sayAll(u, tt.ask)
		if txt := allText(got); !strings.Contains(txt, tt.answer) || strings.Contains(txt, tt.check) || hasQuick(got, "last:done") {
			t.Errorf("%s %q got %s, want the invoice answer (%q), no phone check", tt.lang, tt.ask, dump(got), tt.answer)
		}
	}
}

// TestE2ETryout8RefundRepliesSayOneThing (m2, m3): a refund within the
// L1 limit (NT$180) is registered in the chat with one account of who
// does what: no "can't issue refunds from this chat" beside "can be
// requested right here", no specialist review; one over the limit opens
// with an apology that the bot cannot settle it itself, in English too.
func TestE2ETryout8RefundRepliesSayOneThing(t *testing.T) {
	t.Parallel()
	h := startE2E(t, handoffOpts())
	for _, tt := range []struct {
		lang, ask, recorded string
		contradict          []string
	}{
		{"zh-TW", "我要退款 180 元", "不需要專員審核", []string{"沒辦法直接退款"}},
		{"zh-CN", "我要退款 180 元", "无需专员审核", []string{"没办法直接退款"}},
		{"en", "I want a refund of NT$180", "no specialist review is needed", []string{"can't issue refunds"}},
	} {
		u := h.newCustomer(tt.lang)
		h.sayAll(u, tt.ask)
		h.sayAll(u, "WL20261110")
		got := h.sayAll(u, "7821")
		if txt := allText(got); !strings.Contains(txt, tt.recorded) || containsAny(txt, tt.contradict) || !strings.Contains(txt, "WL20261110") {
			t.Errorf("%s NT$180 refund got %s, want it registered with one account (%q), none of %q", tt.lang, dump(got), tt.recorded, tt.contradict)
		}
	}
	for _, tt := range []struct{ lang, ask, sorry string }{
		{"en", "I want a refund of NT$5000 for order WL20261106", "I'm sorry I can't settle this one"},
		{"zh-TW", "我要退款 5000 元 WL20261106", "很抱歉"},
		{"zh-CN", "我要退款 5000 元 WL20261106", "很抱歉"},
	} {
		u := h.newCustomer(tt.lang)
		got := h.sayAll(u, tt.ask)
		if txt := allText(got); strings.Count(txt, tt.sorry) != 1 {
			t.Errorf("%s over-limit refund got %s, want one apology (%q)", tt.lang, dump(got), tt.sorry)
		}
		if c := h.caseOf(u); c == nil || c.Topic != "refund" {
			t.Errorf("%s over-limit refund: case %+v, want a refund case", tt.lang, c)
		}
	}
}

// TestE2ETryout8WrongColourReturnTakesTheWrongItemPath (m5): "顏色寄錯
// 了，我要退貨" gets the apology and the wrong-item remedy (the right item
// sent, the wrong one collected, photos and the order asked for), not
// "退款沒問題" beside it.
func TestE2ETryout8WrongColourReturnTakesTheWrongItemPath(t *testing.T) {
	t.Parallel()
	h := startE2E(t, handoffOpts())
	u := h.newCustomer("zh-TW")
	got := h.sayAll(u, "顏色寄錯了，我要退貨")
	if txt := allText(got); strings.Contains(txt, "退款沒問題") || !strings.Contains(txt, "正確的商品") || !strings.Contains(txt, "抱歉") {
		t.Errorf("wrong colour got %s, want the apology and the wrong-item remedy, no refund reply", dump(got))
	}
}
