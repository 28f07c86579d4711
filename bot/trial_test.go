package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/knowledge/orders"
)

// Trial defect 1: a message clearly in another language than a detected or
// profile language is answered in its own language; only an explicit
// choice keeps the stored language (with an offer, TestLanguageRequests).
func TestClearLanguageFollowsUnlessChosen(t *testing.T) {
	t.Parallel()
	t.Run("detected English, then Simplified Chinese", func(t *testing.T) {
		h := newHarness(t)
		h.text("U1", "how long does delivery take")
		if st := h.conv("U1"); st["lang"] != "en" {
			t.Fatalf("lang %s, want en detected", st["lang"])
		}
		msgs := h.text("U1", "您好，在吗")
		mustContain(t, all(msgs), h.T("zh-CN", "bot_hello", nil))
		if hasReply(msgs, "lang:zh-CN") {
			t.Errorf("switch offered instead of answering in zh-CN: %v", replies(msgs))
		}
		if st := h.conv("U1"); st["lang"] != "zh-CN" {
			t.Errorf("lang %s, want zh-CN", st["lang"])
		}
	})
	t.Run("English profile, Simplified question", func(t *testing.T) {
		h := newHarness(t)
		h.profiles.byID["U1"] = Profile{Language: "en"}
		h.text("U1", "hello")
		msgs := h.text("U1", "运送要多久")
		mustContain(t, all(msgs), h.answerOf("shipping-time", "zh-CN"))
		if hasReply(msgs, "lang:zh-CN") {
			t.Errorf("switch offered instead of answering in zh-CN: %v", replies(msgs))
		}
		if st := h.conv("U1"); st["lang"] != "zh-CN" || st["lang_source"] != langDetected {
			t.Errorf("lang %s/%s, want zh-CN/detected", st["lang"], st["lang_source"])
		}
	})
	t.Run("English profile, the trial's 积分咋用", func(t *testing.T) {
		h := newHarness(t)
		h.profiles.byID["U1"] = Profile{Language: "en"}
		h.text("U1", "how long does delivery take")
		msgs := h.text("U1", "积分咋用")
		if hasReply(msgs, "lang:zh-CN") {
			t.Errorf("switch offered instead of answering in zh-CN: %v", replies(msgs))
		}
		if st := h.conv("U1"); st["lang"] != "zh-CN" {
			t.Errorf("lang %s, want zh-CN", st["lang"])
		}
	})
	t.Run("Chinese profile, English question", func(t *testing.T) {
		h := newHarness(t)
		h.profiles.byID["U1"] = Profile{Language: "zh-TW"}
		msgs := h.text("U1", "how long does delivery take")
		mustContain(t, all(msgs), h.answerOf("shipping-time", "en"))
	})
	t.Run("explicit choice keeps its language and offers", func(t *testing.T) {
		h := newHarness(t)
		h.postback("U1", "lang:en")
		msgs := h.text("U1", "运送要多久")
		mustContain(t, all(msgs), h.answerOf("shipping-time", "en"))
		if !hasReply(msgs, "lang:zh-CN") {
			t.Errorf("replies %v, want the offer to switch to zh-CN", replies(msgs))
		}
		if st := h.conv("U1"); st["lang"] != "en" || st["lang_source"] != langChoice {
			t.Errorf("lang %s/%s, want en/choice", st["lang"], st["lang_source"])
		}
	})
}

// Trial defect 2: greetings with particles and colloquial forms.
func TestColloquialGreetings(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, tt := range []struct{ lang, text string }{
		{"zh-CN", "你好呀"}, {"zh-TW", "哈囉"}, {"zh-TW", "嗨嗨"}, {"zh-CN", "您好～"},
		{"en", "hiya"}, {"en", "hey there"}, {"zh-TW", "早安"}, {"zh-TW", "晚安"},
		{"zh-CN", "您好，在吗"}, {"zh-TW", "你好呀～"},
	} {
		user := "U" + tt.text
		h.profiles.byID[user] = Profile{Language: tt.lang}
		got := all(h.text(user, tt.text))
		if !strings.Contains(got, h.T(tt.lang, "bot_hello", nil)) {
			t.Errorf("%q (%s) answered %q, want the greeting", tt.text, tt.lang, got)
		}
	}
}

// Trial defect 3: during a handoff a question the KB answers is answered
// (and recorded in the case); other messages get the rate-limited
// acknowledgement that says later messages go to the case; the cancel
// button stays on acknowledgements.
func TestDuringHandoffAnswersQuestionsAndKeepsCancel(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.profiles.byID["U1"] = Profile{Language: "zh-TW"}
	h.text("U1", "我要找真人客服")
	c := h.activeCase("U1")
	if c == nil {
		t.Fatal("no case")
	}
	msgs := h.text("U1", "我的訂單一直沒到")
	mustContain(t, all(msgs), h.T("zh-TW", "bot_handoff_ack", map[string]any{"CaseID": c.ID}))
	if !hasReply(msgs, dataHandoffCancel) {
		t.Errorf("acknowledgement replies %v, want the cancel button", replies(msgs))
	}
	msgs = h.text("U1", "運送要多久？")
	got := all(msgs)
	mustContain(t, got, h.T("zh-TW", "bot_handoff_meanwhile", nil))
	mustContain(t, got, h.answerOf("shipping-time", "zh-TW"))
	if !hasReply(msgs, dataHandoffCancel) {
		t.Errorf("answer replies %v, want the cancel button", replies(msgs))
	}
	full := h.activeCase("U1")
	recorded := false
	for _, tu := range full.Transcript {
		if tu.Kind == handoff.TurnText && strings.Contains(tu.Text, h.answerOf("shipping-time", "zh-TW")) {
			recorded = true
		}
	}
	if !recorded {
		t.Errorf("the answer given during the handoff is not in the case transcript")
	}
	// Not a question: within the rate limit, silence (the ack said so).
	if msgs := h.text("U1", "好的"); len(msgs) != 0 {
		t.Errorf("second acknowledgement within the limit: %s", all(msgs))
	}
	if h.activeCase("U1") == nil {
		t.Fatal("case closed by the bot's answer")
	}
}

// Trial defect 4: while listening to a complaint, an order number told as
// part of the story is the complaint's order, acknowledged briefly; only
// a status question shows the order card.
func TestListeningTakesTheOrderAsContext(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.profiles.byID["Uowner"] = Profile{Language: "zh-TW"}
	h.text("Uowner", "收到的杯子破掉了，很生氣")
	msgs := h.text("Uowner", "對，WL20260001 裡面那個杯子")
	for _, m := range msgs {
		if m.Card != nil {
			t.Fatalf("order card shown while listening: %s", all(msgs))
		}
	}
	got := all(msgs)
	mustContain(t, got, h.T("zh-TW", "bot_listen_order", map[string]any{"Order": "WL20260001"}))
	mustNotContain(t, got, h.T("zh-TW", "bot_anything_else", nil))
	if !hasReply(msgs, dataLastDone) {
		t.Errorf("replies %v, want the done button (still listening)", replies(msgs))
	}
	st := h.conv("Uowner")
	if st["mode"] != modeListening || st["complaint_order"] != "WL20260001" {
		t.Errorf("mode %q complaint_order %q, want listening with WL20260001", st["mode"], st["complaint_order"])
	}
	// The story goes on to its apology, which names the order.
	msgs = h.postback("Uowner", dataLastDone)
	mustContain(t, all(msgs), h.T("zh-TW", "bot_apology_order", map[string]any{"Order": "WL20260001"}))

	// A status question while listening does show the order.
	h2 := newHarness(t)
	h2.profiles.byID["Uowner"] = Profile{Language: "zh-TW"}
	h2.text("Uowner", "收到的杯子破掉了，很生氣")
	msgs = h2.text("Uowner", "WL20260001 到哪了")
	card := false
	for _, m := range msgs {
		card = card || m.Card != nil
	}
	if !card {
		t.Errorf("a status question while listening got no card: %s", all(msgs))
	}
}

// Trial defect 6: a refund over the limit is recorded as awaiting a
// person's approval, and what the bot tried before a handoff (an answer
// the customer marked Solved, an order look-up) reaches the case.
func TestTriedReachesTheCase(t *testing.T) {
	t.Parallel()
	t.Run("refund over the limit awaits approval", func(t *testing.T) {
		h := newHarness(t)
		h.profiles.byID["U1"] = Profile{Language: "en"}
		h.text("U1", "I'd like a refund of NT$2,000 please")
		h.text("U1", "WL20260001")
		c := h.activeCase("U1")
		if c == nil {
			t.Fatal("no case")
		}
		var outcome handoff.Outcome
		for _, a := range c.Tried {
			if a.Kind == handoff.AttemptRefund {
				outcome = a.Outcome
			}
		}
		if outcome != handoff.OutcomeRefundOverLimit {
			t.Errorf("refund attempt outcome %q, want %q; tried %+v", outcome, handoff.OutcomeRefundOverLimit, c.Tried)
		}
		brief := strings.Join(h.cases.Brief(c, "en"), "\n")
		mustNotContain(t, brief, h.T("en", "handoff_outcome_refund_approved", nil))
	})
	t.Run("answers marked solved and order look-ups", func(t *testing.T) {
		h := newHarness(t)
		h.profiles.byID["Uowner"] = Profile{Language: "en"}
		h.text("Uowner", "how long does delivery take")
		h.postback("Uowner", "fb:yes:shipping-time")
		h.text("Uowner", "WL20260001")
		h.text("Uowner", "I want to talk to a real person")
		c := h.activeCase("Uowner")
		if c == nil {
			t.Fatal("no case")
		}
		var faq, order bool
		for _, a := range c.Tried {
			faq = faq || (a.Kind == handoff.AttemptFAQ && a.Ref == "shipping-time" && a.Outcome == handoff.OutcomeAnswered)
			order = order || (a.Kind == handoff.AttemptOrder && a.Outcome == handoff.OutcomeStatusShown && a.OrderNumber == "WL20260001" && a.OrderStatus == "in_transit")
		}
		if !faq || !order {
			t.Errorf("tried %+v, want the answer marked solved and the order shown", c.Tried)
		}
		brief := strings.Join(h.cases.Brief(c, "en"), "\n")
		mustNotContain(t, brief, h.T("en", "handoff_brief_tried_none", nil))
	})
}

// Trial defect 5: an order reply asks one closing question (the card's
// footer states where the status comes from, the text asks).
func TestOrderReplyAsksOnce(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"zh-TW", "zh-CN", "en"} {
		h := newHarness(t)
		h.profiles.byID["Uowner"] = Profile{Language: lang}
		msgs := h.text("Uowner", "WL20260001")
		var questions int
		for _, m := range msgs {
			questions += strings.Count(m.Text, "?") + strings.Count(m.Text, "？")
			if m.Card != nil {
				questions += strings.Count(m.Card.Footer, "?") + strings.Count(m.Card.Footer, "？")
			}
		}
		if questions != 1 {
			t.Errorf("%s order reply asks %d questions, want one:\n%s", lang, questions, all(msgs))
		}
	}
}

// Trial defect 5: the demo orders follow the day the demo runs on, so the
// order on its way is not apologised for as late.
func TestDemoOrderIsNotLateOnTheDayItRuns(t *testing.T) {
	t.Parallel()
	trialDay := time.Date(2026, 12, 1, 18, 39, 0, 0, taipei())
	demo, err := orders.NewDemoBackend(trialDay)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarnessWith(t, func(c *EngineConfig) { c.Orders, c.Refunds = demo, orders.NewRefundBook(c.Redis, c.Prefix, nil) })
	h.clock.Set(trialDay)
	const alice = "U0000000000000000000000000000a11c"
	h.profiles.byID[alice] = Profile{Language: "zh-TW"}
	msgs := h.text(alice, "WL20261101")
	got := all(msgs)
	mustContain(t, got, "2026/12/02")
	mustNotContain(t, got, "抱歉") // bot_order_late_eta's apology
	if strings.Count(got, "？")+strings.Count(got, "?") != 1 {
		t.Errorf("order reply asks more than one question:\n%s", got)
	}
}
