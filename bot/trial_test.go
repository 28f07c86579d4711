package bot

import (
	"strings"
	"testing"

	"github.com/warmline/warmline/handoff"
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
