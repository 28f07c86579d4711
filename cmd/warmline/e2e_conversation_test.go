package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/warmline/warmline/bot/lineemu"
	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/knowledge/orders"
)

// Issue 11, the customer's side, through the webhook and the emulator.

// taipeiTime is the zone customers are told times in.
var taipeiTime = time.FixedZone("CST", 8*3600)

// texts keeps the text messages (a FAQ answer's link cards aside).
func texts(ms []lineemu.Delivered) []lineemu.Delivered {
	var out []lineemu.Delivered
	for _, m := range ms {
		if m.Type == "text" {
			out = append(out, m)
		}
	}
	return out
}

// waitTexts waits until user has n text messages and returns them.
func waitTexts(ctx context.Context, emu *lineemu.Emulator, user string, n int) ([]lineemu.Delivered, error) {
	for have := n; ; have++ {
		all, err := emu.WaitMessages(ctx, user, have)
		if err != nil {
			return texts(emu.Messages(user)), err
		}
		if ts := texts(all); len(ts) >= n {
			return ts, nil
		}
	}
}

// caseByID reads a case through the agent API.
func (h *e2e) caseByID(id string) caseView {
	h.t.Helper()
	var v caseView
	if st := h.api(tokBoss, "GET", "/api/cases/"+id, nil, &v); st != http.StatusOK {
		h.t.Fatalf("GET /api/cases/%s = %d", id, st)
	}
	return v
}

func TestE2EHandoffIsAcknowledged(t *testing.T) {
	t.Parallel()
	h := startE2E(t, handoffOpts())
	h.say(alice, "我要找真人客服", 1)
	opened := len(h.emu.Messages(alice)) - 1 // the handoff notice on
	c := h.caseOf(alice)
	if c == nil {
		t.Fatal("no case")
	}
	due := c.FirstResponseDue.In(taipeiTime).Format("15:04")
	// No 已讀不回: a message during the handoff gets the case number and
	// the case's own due time, once per few minutes.
	got := h.say(alice, "請問大概還要等多久？", 1)
	if txt := allText(got); !strings.Contains(txt, c.ID) || !strings.Contains(txt, due) {
		t.Fatalf("acknowledgement %s, want case %s and %s", dump(got), c.ID, due)
	}
	h.say(alice, "我先補充一下，訂單是 WL20261101", 0)
	h.quiet(alice, 700*time.Millisecond)
	// The agent sees what the customer was told.
	v := h.caseByID(c.ID)
	var acks int
	for _, tu := range v.Case.Transcript {
		if tu.From == handoff.FromBot && tu.Notice == handoff.NoticeAck {
			acks++
		}
	}
	if acks != 1 {
		t.Errorf("case transcript has %d acknowledgements, want 1: %+v", acks, v.Case.Transcript)
	}
	// A supervisor request is acknowledged at once with the new target.
	got = h.say(alice, "叫你們主管出來跟我講", 1)
	c = h.caseOf(alice)
	newDue := c.FirstResponseDue.In(taipeiTime).Format("15:04")
	if txt := allText(got); !strings.Contains(txt, "主管") || !strings.Contains(txt, newDue) || !strings.Contains(txt, c.ID) {
		t.Errorf("supervisor acknowledgement %s, want the lead, the case and %s", dump(got), newDue)
	}
	// Five minutes later the next message is acknowledged again.
	h.clock.Advance(6 * time.Minute)
	got = h.say(alice, "還在嗎？", 1)
	if !strings.Contains(allText(got), c.ID) {
		t.Errorf("second acknowledgement %s, want the case number", dump(got))
	}
	// Every text the customer got once the case was open is in the agent's
	// transcript (issue 11.3.6).
	waitDrained(t, h.env["WARMLINE_REDIS_PREFIX"])
	h.botTurnsHave(c.ID, texts(h.emu.Messages(alice)[opened:]))
}

func TestE2EUnsolvedTimerNeverBlocksAnAnswer(t *testing.T) {
	t.Parallel()
	h := startE2E(t, handoffOpts())
	h.say(bob, "return", 1)
	h.clock.Advance(16 * time.Minute)
	got := h.say(bob, "How much is shipping?", 1)
	if !strings.Contains(allText(got), "NT$100") {
		t.Fatalf("16 minutes in, a question the KB answers got %s, want the answer", dump(got))
	}
	if c := h.caseOf(bob); c != nil {
		t.Errorf("case %s opened although the KB answered", c.ID)
	}
}

func TestE2EQuestionWhileListeningIsAnswered(t *testing.T) {
	t.Parallel()
	h := startE2E(t, e2eOpts{})
	got := h.say(alice, "收到的杯子破掉了，很生氣", 1)
	if !hasQuick(got, "last:done") {
		t.Fatalf("complaint %s, want the invitation to tell everything", dump(got))
	}
	// Trial defect 4: an order number told with the story is the
	// complaint's order, noted briefly (this step used to show the card);
	// only a status question shows the order.
	got = h.say(alice, "對，WL20261101 裡面那個杯子", 1)
	if hasFlex(got) || !strings.Contains(allText(got), "WL20261101") || strings.Contains(allText(got), "抱歉") {
		t.Errorf("an order number told with the story got %s, want it noted, no card, no apology yet", dump(got))
	}
	if !hasQuick(got, "last:done") {
		t.Errorf("after the order the bot does not listen on: %s", dump(got))
	}
	got = h.say(alice, "WL20261101 到哪了", 3)
	if !hasFlex(got) || !strings.Contains(allText(got), "黑貓") {
		t.Errorf("a status question while listening got %s, want the order shown", dump(got))
	}
	if !hasQuick(got[len(got)-1:], "last:done") {
		t.Errorf("after the order the bot does not listen on: %s", dump(got))
	}
}

func TestE2ERefundPath(t *testing.T) {
	t.Parallel()
	h := startE2E(t, handoffOpts())
	t.Run("over the limit: which order, then a person reviews it", func(t *testing.T) {
		got := h.say(alice, "兩千塊可以退回信用卡嗎", 1)
		txt := allText(got)
		if !strings.Contains(txt, "NT$2,000") || !strings.Contains(txt, "訂單編號") || strings.Contains(txt, "抱歉") {
			t.Fatalf("refund question got %s, want the amount and a question for the order, no apology", dump(got))
		}
		if !strings.Contains(txt, "信用卡") {
			t.Errorf("refund question got %s, want its question (back to the credit card?) answered at once", dump(got))
		}
		got = h.say(alice, "WL20261101", 1)
		c := h.caseOf(alice)
		if c == nil || c.Triggers[0].Kind != "refund_over_limit" || c.Triggers[0].Amount != 2000 {
			t.Fatalf("case %+v, want refund_over_limit NT$2,000; bot said %s", c, dump(got))
		}
		txt = allText(got)
		for _, want := range []string{"WL20261101", "審核", c.ID, c.FirstResponseDue.In(taipeiTime).Format("15:04")} {
			if !strings.Contains(txt, want) {
				t.Errorf("handoff message %s lacks %q (order, a person reviews it, case, time)", dump(got), want)
			}
		}
	})
	t.Run("within the limit: recorded, honest about who processes it", func(t *testing.T) {
		h.say(chen, "订单 WL20261106 可以退款 300 元吗", 1) // the phone's last 4 digits first
		got := h.say(chen, "2036", 1)
		txt := allText(got)
		if !strings.Contains(txt, "登记") || !strings.Contains(txt, "5 个工作日") || !strings.Contains(txt, "WL20261106") {
			t.Errorf("refund within the limit got %s, want it recorded with the timeline", dump(got))
		}
		if c := h.caseOf(chen); c != nil {
			t.Errorf("case %s opened for a refund within the limit", c.ID)
		}
	})
}

func TestE2EAccountTakeoverGetsSafetyStepsFirst(t *testing.T) {
	t.Parallel()
	h := startE2E(t, handoffOpts())
	got := h.say(bob, "Someone hacked my account and made unauthorized charges", 2)
	c := h.caseOf(bob)
	if c == nil {
		t.Fatalf("no case; bot said %s", dump(got))
	}
	if !strings.Contains(got[0].Text, "Change your shop password") || !strings.Contains(got[0].Text, "Forgot password") || !strings.Contains(got[0].Text, "bank or card issuer") || !strings.Contains(got[0].Text, "paused order look-ups") {
		t.Errorf("first message %q, want the safety steps and what we locked", got[0].Text)
	}
	if !strings.Contains(allText(got[1:]), c.ID) {
		t.Errorf("then %s, want the case", dump(got[1:]))
	}
	for _, m := range got {
		if strings.Contains(m.Text, "Thank you for telling us") {
			t.Errorf("thanks after a security report: %q", m.Text)
		}
	}
}

func TestE2EOrdersInTheCustomersLanguage(t *testing.T) {
	t.Parallel()
	h := startE2E(t, e2eOpts{})
	t.Run("English labels, pickup store and deadline", func(t *testing.T) {
		h.say(alice, "can you answer in English?", 1)
		got := h.say(alice, "WL20261102", 2)
		txt := allText(got)
		for _, want := range []string{"7-ELEVEN pickup", "7-ELEVEN store pickup", "7-ELEVEN Xinyi store", "2026/11/30", "Natural soy candle", "Ready for pickup"} {
			if !strings.Contains(strings.ToLower(txt), strings.ToLower(want)) {
				t.Errorf("English order answer lacks %q: %s", want, dump(got))
			}
		}
		for _, bad := range []string{"取貨", "門市", "蠟燭"} {
			if strings.Contains(txt, bad) {
				t.Errorf("English order answer contains %q: %s", bad, dump(got))
			}
		}
	})
	t.Run("number and phone digits in one message", func(t *testing.T) {
		got := h.say(chen, "WL20261110 电话尾号 7821", 2)
		if !hasFlex(got) {
			t.Fatalf("got %s, want the order at once", dump(got))
		}
		if strings.Contains(allText(got), "WL****") {
			t.Errorf("the customer was shown a masked copy of their number: %s", dump(got))
		}
	})
	t.Run("still being prepared days later: apology and help", func(t *testing.T) {
		h.clock.Advance(4 * 24 * time.Hour) // placed 11/22, ETA 11/27: now 11/27 10:00
		got := h.say(alice, "WL20261103", 2)
		if txt := allText(got); !strings.Contains(strings.ToLower(txt), "sorry") || !hasQuick(got, "handoff:request") {
			t.Errorf("late order %s, want an apology and a person offered", dump(got))
		}
	})
}

func TestE2ELanguageSwitch(t *testing.T) {
	t.Parallel()
	h := startE2E(t, e2eOpts{})
	got := h.say(alice, "can you answer in English?", 1)
	if !strings.Contains(got[0].Text, "English") {
		t.Fatalf("got %s, want the switch to English confirmed", dump(got))
	}
	// After an explicit choice, a message clearly in another language
	// offers a switch, without switching (trial defect 1: a profile
	// language gives way, TestE2ETrialCustomerSide).
	h.tap(chen, "lang:zh-CN", 1)
	got = h.say(chen, "How much is shipping?", 1)
	if !strings.Contains(allText(got), "包邮") || !hasQuick(got, "lang:en") {
		t.Errorf("English from a zh-CN customer got %s, want the zh-CN answer and an offer to switch", dump(got))
	}
}

func TestE2ELowRatingAndLinks(t *testing.T) {
	t.Parallel()
	h := startE2E(t, handoffOpts())
	h.say(bob, "I want to talk to a real person", 1)
	c := h.caseOf(bob)
	if c == nil {
		t.Fatal("no case")
	}
	if st := h.api(tokBoss, "POST", "/api/cases/"+c.ID+"/claim", nil, nil); st != http.StatusOK {
		t.Fatalf("claim = %d", st)
	}
	before := len(h.emu.Messages(bob))
	if st := h.api(tokBoss, "POST", "/api/cases/"+c.ID+"/resolve", map[string]string{"note": "done"}, nil); st != http.StatusOK {
		t.Fatalf("resolve = %d", st)
	}
	h.waitNew(bob, before, 2)
	got := h.tap(bob, handoff.CSATData(c.ID, 1), 1)
	if !strings.Contains(got[0].Text, "sorry") || !hasQuick(got, "followup:"+c.ID) {
		t.Fatalf("low rating got %s, want an apology and a lead's follow-up offered", dump(got))
	}
	// A comment after the rating is not a new complaint.
	got = h.say(bob, "the agent was rude and nothing got fixed", 1)
	if hasQuick(got, "last:done") || strings.Contains(allText(got), "I'm listening") {
		t.Errorf("comment after the rating got %s, want it taken as a comment", dump(got))
	}
	// The lead has a follow-up task on the case with the score and the
	// comment (issue 12.2, 12.3).
	if ids := h.followUpIDs(); !slices.Contains(ids, c.ID) {
		t.Errorf("lead's follow-ups %v, want case %s", ids, c.ID)
	}
	v := h.caseByID(c.ID)
	if f := v.Case.FollowUp; f == nil || !f.Open() || f.Reason != handoff.FollowUpLowRating || f.Score != 1 ||
		!strings.Contains(f.Comment, "the agent was rude and nothing got fixed") {
		t.Errorf("follow-up %+v, want an open low_rating task, score 1, with the comment", f)
	}
	comment := false
	for _, tu := range v.Case.Transcript {
		comment = comment || (tu.Comment && strings.Contains(tu.Text, "the agent was rude"))
	}
	if !comment {
		t.Errorf("case transcript %+v lacks the comment turn", v.Case.Transcript)
	}
	if again := h.caseOf(bob); again != nil {
		t.Errorf("the comment opened case %s, want it attached to %s", again.ID, c.ID)
	}
	// Links are buttons, not raw URLs.
	got = h.say(bob, "How much is shipping?", 2)
	var button bool
	for _, m := range got {
		if m.Type == "text" && strings.Contains(m.Text, "https://") {
			t.Errorf("raw URL in %q", m.Text)
		}
		button = button || (m.Type == "flex" && strings.Contains(string(m.Flex), `"uri":"https://`))
	}
	if !button {
		t.Errorf("answer %s, want its link as a button", dump(got))
	}
}

// sweepOpts is handoffOpts with the SLA sweeper running every 100ms of
// real time, so a test moves the injected clock and sees the sweep's
// pushes at once.
func sweepOpts() e2eOpts {
	o := handoffOpts()
	o.env["WARMLINE_SLA_SWEEP_EVERY"] = "100ms"
	return o
}

// pushes are the messages user got by push (not as a reply) from index from.
func (h *e2e) pushes(user string, from int) []lineemu.Delivered {
	var out []lineemu.Delivered
	for _, m := range h.emu.Messages(user)[from:] {
		if m.Via == "push" {
			out = append(out, m)
		}
	}
	return out
}

// botTurnsHave fails unless every message in ms is a bot turn of case id's
// transcript, as the agent sees it.
func (h *e2e) botTurnsHave(id string, ms []lineemu.Delivered) {
	h.t.Helper()
	// A notice is pushed first and recorded on the case right after: the
	// turn may land a moment after the customer's copy, so look again until
	// a deadline (a loaded machine: TestE2EPromisesKept failed 2 runs of 3).
	deadline := time.Now().Add(10 * time.Second)
	for {
		v := h.caseByID(id)
		var missing []string
		for _, m := range ms {
			found := false
			for _, tu := range v.Case.Transcript {
				found = found || (tu.From == handoff.FromBot && tu.Text == m.Text)
			}
			if !found {
				missing = append(missing, m.Text)
			}
		}
		if len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) {
			h.t.Errorf("case %s: the customer got %q, which the agent's transcript lacks: %+v", id, missing, v.Case.Transcript)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var clockTime = regexp.MustCompile(`\d{1,2}:\d{2}`)

// TestE2EPromisesKept (issue 11.3, through the webhook and the sweeper):
// the pre-breach notice goes out at 80% of a P2/P3's target with an honest new
// time, the one the agent's API and brief show; a supervisor request gets
// nothing after a minute and, once its 5 minutes pass, an apology with the
// reason and a new time 5 minutes on (the SOP), which the agent's API shows;
// a P1's pre-breach notice names no new time and does not move its promise;
// every push is a bot turn of the case.
func TestE2EPromisesKept(t *testing.T) {
	h := startE2E(t, sweepOpts())
	h.say(alice, "我要找真人客服", 1)
	h.say(bob, "I want to speak to your supervisor", 1)
	h.say(chen, "我的账号被盗了，有人登入我的帐号", 2)
	p3, sup, p1 := h.caseOf(alice), h.caseOf(bob), h.caseOf(chen)
	if p3 == nil || sup == nil || p1 == nil {
		t.Fatalf("cases: P3 %v, supervisor %v, P1 %v; want all three", p3, sup, p1)
	}
	// A request for a person is P2 under the SOP's rules (the P3
	// example): a promise that may move, like P3's.
	if p3.Priority == "P1" || p1.Priority != "P1" {
		t.Fatalf("priorities %s and %s, want a movable one (P2/P3) and P1", p3.Priority, p1.Priority)
	}
	start := h.clock.Now()
	marks := map[string]int{alice: len(h.emu.Messages(alice)), bob: len(h.emu.Messages(bob)), chen: len(h.emu.Messages(chen))}
	supDue, p1Due := sup.Promise(), p1.Promise()
	if got := supDue.Sub(start); got != 5*time.Minute {
		t.Fatalf("supervisor promise %s after the request, want 5 minutes", got)
	}

	// One minute in: nothing for the supervisor request ("taking longer"
	// after one minute was the defect).
	h.clock.Advance(time.Minute)
	h.quiet(bob, 600*time.Millisecond)

	// Past its 5 minutes with no reply: an apology naming the promise and
	// a new time, 5 minutes from the sweep that said it.
	h.clock.Set(supDue.Add(time.Minute))
	renewed := supDue.Add(6 * time.Minute)
	got := h.waitNew(bob, marks[bob], 1)
	if !strings.Contains(got[0].Text, supDue.In(taipeiTime).Format("15:04")) || !strings.Contains(got[0].Text, renewed.In(taipeiTime).Format("15:04")) || !strings.Contains(got[0].Text, sup.ID) {
		t.Errorf("supervisor apology %s, want the promised %s, the new %s and the case", dump(got), supDue.In(taipeiTime).Format("15:04"), renewed.In(taipeiTime).Format("15:04"))
	}
	h.quiet(bob, 500*time.Millisecond)
	if c := h.caseByID(sup.ID).Case; !c.Promise().Equal(renewed) {
		t.Errorf("supervisor promise is %s, want the new time the customer was told, %s", c.Promise().In(taipeiTime), renewed.In(taipeiTime))
	}

	// The P1 at 80% of its 15 minutes: "still on it", no new time.
	h.clock.Set(start.Add(p1Due.Sub(start) * 8 / 10))
	got = h.waitNew(chen, marks[chen], 1)
	if clockTime.MatchString(got[0].Text) || !strings.Contains(got[0].Text, p1.ID) {
		t.Errorf("P1 notice %s, want the case and no new time", dump(got))
	}
	if c := h.caseByID(p1.ID).Case; !c.Promise().Equal(p1Due) {
		t.Errorf("P1 promise moved to %s, want %s", c.Promise().In(taipeiTime), p1Due.In(taipeiTime))
	}

	// The P2 (a person asked for) at 80% of its target: an honest new time, the agent's too.
	h.quiet(alice, 300*time.Millisecond)
	h.clock.Set(start.Add(p3.FirstResponseDue.Sub(start) * 8 / 10))
	got = h.waitNew(alice, marks[alice], 1)
	v := h.caseByID(p3.ID)
	promise := v.Case.Promise().In(taipeiTime)
	if !promise.After(p3.FirstResponseDue) {
		t.Errorf("P3 promise %s, want later than the first target %s", promise, p3.FirstResponseDue.In(taipeiTime))
	}
	if !strings.Contains(got[0].Text, promise.Format("15:04")) || !strings.Contains(got[0].Text, p3.ID) {
		t.Errorf("P3 notice %s, want the case and the new time %s the agent sees", dump(got), promise.Format("15:04"))
	}
	if brief := strings.Join(v.Brief, "\n"); !strings.Contains(brief, promise.Format("15:04")) {
		t.Errorf("P3 brief %q, want the time the customer was told, %s", brief, promise.Format("15:04"))
	}

	// Every push the customers got is in their case's transcript.
	h.botTurnsHave(p1.ID, h.pushes(chen, marks[chen]))
	h.botTurnsHave(p3.ID, h.pushes(alice, marks[alice]))
	// By then (12 minutes in) the renewed time (11 minutes) passed too: a
	// second apology, the last of this clock.
	h.waitNew(bob, marks[bob], 2)
	h.quiet(bob, 500*time.Millisecond)
	if n := len(h.pushes(bob, marks[bob])); n != 2 {
		t.Errorf("the supervisor request got %d pushes, want the two apologies: %s", n, dump(h.pushes(bob, marks[bob])))
	}
	h.botTurnsHave(sup.ID, h.pushes(bob, marks[bob]))
}

// TestE2EStoreCreditQuestionIsNotAComplaint (issue 6.1): "過期" in a
// question about store credit does not start the complaint script, the
// question is answered (or a menu offered), and an order number that
// follows is shown, not swallowed by "I'm listening".
func TestE2EStoreCreditQuestionIsNotAComplaint(t *testing.T) {
	t.Parallel()
	h := startE2E(t, e2eOpts{})
	got := h.say(alice, "我的購物金什麼時候會過期啊", 1)
	txt := allText(got)
	if hasQuick(got, "last:done") || strings.Contains(txt, "我在聽") || strings.Contains(txt, "聽到這樣") {
		t.Fatalf("store-credit question got %s, want no complaint script", dump(got))
	}
	if !strings.Contains(txt, "點數") && !strings.Contains(txt, "購物金") {
		t.Errorf("store-credit question got %s, want the points/credit answer or a menu naming it", dump(got))
	}
	got = h.say(alice, "WL20261101", 2)
	if !hasFlex(got) || !strings.Contains(allText(got), "黑貓") {
		t.Errorf("the order number after it got %s, want the order shown", dump(got))
	}
	if strings.Contains(allText(got), "我在聽") || hasQuick(got, "last:done") {
		t.Errorf("the order number was taken into a complaint: %s", dump(got))
	}
}

// TestE2ESoberAcknowledgement (issue 8.3, 8.4): a legal threat and a press
// mention, in three languages, get a sober acknowledgement with the case
// number and no thanks; a one-line complaint told in full gets no "thank
// you for explaining in detail".
func TestE2ESoberAcknowledgement(t *testing.T) {
	t.Parallel()
	h := startE2E(t, handoffOpts())
	tests := []struct {
		lang, legal, press, oneLine, followUp string
		sober, detail                         string
		thanks                                []string
	}{
		{"zh-TW", "你們再不處理我就要提告", "我要去找記者爆料", "你們的服務太差了", "而且打電話也沒有人接",
			"慎重", "仔細看過", []string{"謝謝", "感謝", "多謝"}},
		{"zh-CN", "你们再不处理我就去起诉", "我要找记者曝光你们", "你们的服务太差了", "而且打电话也没有人接",
			"慎重", "认真看过", []string{"谢谢", "感谢", "多谢"}},
		{"en", "if this isn't sorted my lawyer will be in touch", "I'm going to the press with this", "this is terrible service", "and nobody picks up the phone either",
			"seriously", "every point", []string{"thank"}},
	}
	user := h.newCustomer
	for _, tt := range tests {
		for _, threat := range []string{tt.legal, tt.press} {
			t.Run(tt.lang+" "+threat, func(t *testing.T) {
				u := user(tt.lang)
				got := h.say(u, threat, 1)
				c := h.caseOf(u)
				if c == nil || c.Tier != "L3" {
					t.Fatalf("%q opened %+v, want an L3 case; bot said %s", threat, c, dump(got))
				}
				txt := allText(got)
				if !strings.Contains(txt, tt.sober) || !strings.Contains(txt, c.ID) {
					t.Errorf("%q got %s, want a sober acknowledgement (%q) and case %s", threat, dump(got), tt.sober, c.ID)
				}
				for _, th := range tt.thanks {
					if strings.Contains(strings.ToLower(txt), th) {
						t.Errorf("%q got thanks (%q): %s", threat, th, dump(got))
					}
				}
			})
		}
		t.Run(tt.lang+" one line", func(t *testing.T) {
			u := user(tt.lang)
			got := h.say(u, tt.oneLine, 1)
			if !hasQuick(got, "last:done") {
				t.Fatalf("%q got %s, want the invitation to tell everything", tt.oneLine, dump(got))
			}
			got = h.tap(u, "last:done", 1)
			if txt := allText(got); strings.Contains(txt, tt.detail) {
				t.Errorf("after one line the bot said %s, want no thanks for explaining in detail", dump(got))
			}
		})
		// The control: a story of two lines is thanked for (the words
		// checked above are the ones the bot uses).
		t.Run(tt.lang+" two lines", func(t *testing.T) {
			u := user(tt.lang)
			h.say(u, tt.oneLine, 1)
			h.say(u, tt.followUp, 1)
			if got := h.tap(u, "last:done", 1); !strings.Contains(allText(got), tt.detail) {
				t.Errorf("after two lines the bot said %s, want the thanks for explaining (%q)", dump(got), tt.detail)
			}
		})
	}
}

// orderService is a shop's order service for the HTTP backend: it serves
// the demo orders and records the refund requests posted to it, answering
// them with refundStatus.
type orderService struct {
	mu           sync.Mutex
	orders       map[string]json.RawMessage
	refunds      []orders.RefundRequest
	refundStatus int
}

func newOrderService(t *testing.T) (*orderService, string) {
	t.Helper()
	data, err := os.ReadFile(repoPath(t, "knowledge/orders/demo/orders.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Orders []json.RawMessage `json:"orders"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	s := &orderService{orders: map[string]json.RawMessage{}, refundStatus: http.StatusCreated}
	for _, o := range f.Orders {
		var n struct{ Number string }
		_ = json.Unmarshal(o, &n)
		s.orders[n.Number] = o
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /orders/{n}", func(w http.ResponseWriter, r *http.Request) {
		o, ok := s.orders[r.PathValue("n")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(o)
	})
	mux.HandleFunc("POST /orders/{n}/refund-requests", func(w http.ResponseWriter, r *http.Request) {
		var req orders.RefundRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Number != r.PathValue("n") || r.Header.Get("Idempotency-Key") != req.ID {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.refundStatus < 300 {
			s.refunds = append(s.refunds, req)
		}
		w.WriteHeader(s.refundStatus)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return s, srv.URL
}

func (s *orderService) got() []orders.RefundRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.refunds)
}

func (s *orderService) answer(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refundStatus = status
}

// refundsRun runs `warmline refunds args` with h's environment.
func refundsRun(t *testing.T, h *e2e, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := run(context.Background(), append([]string{"refunds"}, args...), envFrom(h.env), nil, &out, &errOut); err != nil {
		t.Fatalf("warmline refunds %v: %v\n%s%s", args, err, out.String(), errOut.String())
	}
	return out.String()
}

// TestE2ERefundWithinLimitIsRecordedOnTheOrder (issue 7.4): a refund the
// bot settles at L1 is recorded where a person carries it out before the
// customer is told so: posted to the shop's order service (HTTP backend),
// or kept in Redis and listed by `warmline refunds` (file backend); only
// once the customer has shown the order is theirs. When it cannot be
// recorded the customer is told the truth and offered a person.
func TestE2ERefundWithinLimitIsRecordedOnTheOrder(t *testing.T) {
	t.Parallel()
	const ask = "订单 WL20261106 可以退款 300 元吗"
	t.Run("file backend: listed for the leads", func(t *testing.T) {
		h := startE2E(t, handoffOpts())
		if out := refundsRun(t, h); !strings.Contains(out, "no refund requests") {
			t.Fatalf("before: %q, want none", out)
		}
		// WL20261106 is not chen's LINE account's: the phone's last 4
		// digits first, nothing recorded before.
		got := h.say(chen, ask, 1)
		if txt := allText(got); !strings.Contains(txt, "后 4 位") || strings.Contains(txt, "登记退款申请") {
			t.Fatalf("refund on an order not shown to be theirs got %s, want the phone's last 4 digits asked first", dump(got))
		}
		if out := refundsRun(t, h); !strings.Contains(out, "no refund requests") {
			t.Fatalf("before the check: %q, want nothing recorded", out)
		}
		got = h.say(chen, "2036", 1)
		if txt := allText(got); !strings.Contains(txt, "登记") || !strings.Contains(txt, "5 个工作日") || !strings.Contains(txt, "WL20261106") {
			t.Errorf("refund within the limit got %s, want it recorded with the timeline", dump(got))
		}
		out := refundsRun(t, h)
		if !strings.Contains(out, "1 refund requests") || !strings.Contains(out, "WL20261106") || !strings.Contains(out, "NT$300") || !strings.Contains(out, "zh-CN") {
			t.Fatalf("warmline refunds = %q, want WL20261106 NT$300 (zh-CN) to carry out", out)
		}
		row := strings.Fields(strings.Split(strings.TrimSpace(out), "\n")[2])
		id := row[len(row)-1]
		if out := refundsRun(t, h, "done", "--by", "boss", id); !strings.Contains(out, "done by boss") {
			t.Errorf("refunds done = %q", out)
		}
		if out := refundsRun(t, h); !strings.Contains(out, "no refund requests") {
			t.Errorf("after done: %q, want none left", out)
		}
	})
	t.Run("HTTP backend: posted to the order service", func(t *testing.T) {
		svc, url := newOrderService(t)
		o := handoffOpts()
		o.env["WARMLINE_ORDERS_FILE"] = ""
		o.env["WARMLINE_ORDERS_URL"] = url
		o.env["WARMLINE_ORDERS_RETRIES"] = "1"
		h := startE2E(t, o)
		h.say(chen, ask, 1)
		if n := len(svc.got()); n != 0 {
			t.Fatalf("order service got %d requests before the ownership check, want 0", n)
		}
		got := h.say(chen, "2036", 1)
		if txt := allText(got); !strings.Contains(txt, "登记") || !strings.Contains(txt, "WL20261106") {
			t.Errorf("refund within the limit got %s, want it recorded", dump(got))
		}
		reqs := svc.got()
		if len(reqs) != 1 || reqs[0].Number != "WL20261106" || reqs[0].Amount != 300 || reqs[0].LineUserID != chen || reqs[0].Lang != "zh-CN" {
			t.Fatalf("order service got %+v, want one request for WL20261106, NT$300, from chen in zh-CN", reqs)
		}
		if reqs[0].RequestedAt.IsZero() || !reqs[0].DueBy.After(reqs[0].RequestedAt) {
			t.Errorf("request %+v, want a request time and a due day after it", reqs[0])
		}

		// Alice's own order (its LINE account is hers) is recorded at once;
		// with the order service down she is told the truth and offered a
		// person.
		svc.answer(http.StatusServiceUnavailable)
		h.say(alice, "can you answer in English?", 1)
		got = h.say(alice, "Can I get a refund of NT$200 for order WL20261101?", 1)
		txt := allText(got)
		if strings.Contains(txt, "5 working days") || !hasQuick(got, "handoff:request") {
			t.Errorf("refund that could not be recorded got %s, want the truth and a person offered", dump(got))
		}
		if !strings.Contains(strings.ToLower(txt), "couldn't record") && !strings.Contains(strings.ToLower(txt), "could not record") {
			t.Errorf("refund that could not be recorded got %s, want it said", dump(got))
		}
		if n := len(svc.got()); n != 1 {
			t.Errorf("order service recorded %d requests, want still 1", n)
		}
	})
}

// TestE2EElectricShockGetsProductSafetySteps (tryout 2, item 5, major): an
// electric shock from an appliance is a product hazard: the customer gets
// "stop using it, unplug it, call 119", not the account-takeover steps, and the
// case is filed as product safety.
func TestE2EElectricShockGetsProductSafetySteps(t *testing.T) {
	t.Parallel()
	h := startE2E(t, handoffOpts())
	tests := []struct {
		user, text, want, notWant string
	}{
		{alice, "吹風機插上去被電了一下", "停止使用", "密碼"},
		{chen, "吹风机插上去被电了一下", "停止使用", "密码"},
		{bob, "the hair dryer gave me a shock when I plugged it in", "stop using", "password"},
	}
	for _, tt := range tests {
		got := h.say(tt.user, tt.text, 1)
		c := h.caseOf(tt.user)
		if c == nil || c.Priority != "P1" {
			t.Fatalf("%q: case %+v, want a P1 case; bot said %s", tt.text, c, dump(got))
		}
		if first := got[0].Text; !strings.Contains(first, tt.want) || strings.Contains(first, tt.notWant) {
			t.Errorf("%q: first message %q, want the product-safety steps (%q), not the account steps", tt.text, first, tt.want)
		}
		if c.Topic != handoff.TopicProductSafety {
			t.Errorf("%q: case topic %q, want %q", tt.text, c.Topic, handoff.TopicProductSafety)
		}
	}
}

// customerSeq numbers the customers newCustomer adds.
var customerSeq atomic.Int64

// newCustomer adds a fresh emulator customer writing in lang.
func (h *e2e) newCustomer(lang string) string {
	h.t.Helper()
	id := fmt.Sprintf("U%032x", 0xc0575000+customerSeq.Add(1))
	h.emu.AddUser(lineemu.Profile{UserID: id, DisplayName: "Customer " + lang, Language: lang})
	return id
}

// TestE2ENeutralDefectQuestionsAreAnswered (tryout 2, item 6, major): a
// how-to question that names a defect is answered, not met with the
// complaint script, in three languages; and a question asked while the
// bot listens to a complaint is answered, not "I'm listening".
func TestE2ENeutralDefectQuestionsAreAnswered(t *testing.T) {
	t.Parallel()
	h := startE2E(t, e2eOpts{})
	script := []string{"聽到這樣", "听到这样", "sorry to hear", "我在聽", "我在听", "I'm listening"}
	for _, tt := range []struct{ lang, text string }{
		{"zh-TW", "瑕疵品怎麼換"},
		{"zh-TW", "如果收到的東西壞掉要怎麼處理"},
		{"zh-CN", "瑕疵品怎么换"},
		{"en", "how do I exchange a defective item?"},
		{"en", "what happens if my order arrives broken?"},
	} {
		u := h.newCustomer(tt.lang)
		got := h.say(u, tt.text, 1)
		txt := allText(got)
		if hasQuick(got, "last:done") || slices.ContainsFunc(script, func(s string) bool { return strings.Contains(txt, s) }) {
			t.Errorf("%q got the complaint script: %s", tt.text, dump(got))
		}
	}
	u := h.newCustomer("zh-TW")
	if got := h.say(u, "你們的服務太差了", 1); !hasQuick(got, "last:done") {
		t.Fatalf("complaint got %s, want the bot listening", dump(got))
	}
	// The lead-in ("我只是想先問一下流程") is not matched with the question:
	// the question after it is answered, no menu. After one bare
	// complaint word the misread complaint is dropped (bot's
	// TestListeningAnswersQuestions).
	got := h.sayAll(u, "我只是想先問一下流程，運費怎麼算？")
	if txt := allText(got); strings.Contains(txt, "我在聽") || hasQuick(got, "faq:") || !strings.Contains(txt, "NT$") {
		t.Errorf("a question while listening got %s, want the shipping answer, no menu", dump(got))
	}
	// Tryout 3 (N1): while listening this question got the likeliest entry
	// of the whole message, how to cancel an order, then a menu. The
	// question after the lead-in is answered, and the bot listens on to
	// the story it is in.
	en := h.newCustomer("en")
	if got := h.say(en, "I'm really disappointed with you, my order came broken", 1); !hasQuick(got, "last:done") {
		t.Fatalf("complaint got %s, want the bot listening", dump(got))
	}
	got = h.sayAll(en, "I just want to ask about the process first, how much is shipping?")
	if txt := allText(got); strings.Contains(txt, "Cancel order") || hasQuick(got, "faq:") || !strings.Contains(txt, "NT$") || !hasQuick(got, "last:done") {
		t.Errorf("a question mid-story got %s, want the shipping fee and the bot listening on", dump(got))
	}
}

// TestE2ESupervisorDemandIsNotQuotedBack (tryout 2, item 8): "叫你們店長
// 出來" is who the customer wants, not what went wrong: no apology quoting
// it back and no thanks for telling us, and the case opens for a lead.
func TestE2ESupervisorDemandIsNotQuotedBack(t *testing.T) {
	t.Parallel()
	h := startE2E(t, handoffOpts())
	for _, tt := range []struct{ lang, text, thanks string }{
		{"zh-TW", "叫你們店長出來", "改進"},
		{"zh-CN", "能不能叫你们当班的组长来跟我说", "改进"},
	} {
		u := h.newCustomer(tt.lang)
		got := h.say(u, tt.text, 1)
		c := h.caseOf(u)
		if c == nil {
			t.Fatalf("%q opened no case; bot said %s", tt.text, dump(got))
		}
		txt := allText(got)
		if strings.Contains(txt, tt.text) || strings.Contains(txt, tt.thanks) {
			t.Errorf("%q got %s, want no quote of the demand and no thanks", tt.text, dump(got))
		}
		if !strings.Contains(txt, c.ID) {
			t.Errorf("%q got %s, want the case %s", tt.text, dump(got), c.ID)
		}
	}
}
