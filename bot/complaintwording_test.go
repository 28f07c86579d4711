package bot

import (
	"testing"
)

// Tryout #8: the complaint flow's wording. zh-CN echoed the whole message
// back ("关于您提到的“我要投诉，快递员态度很差，把包裹直接丢在门口”"); a broken
// item "isn't working as it should"; zh-TW's photo path had no Thank
// step; a legal threat during a handoff got "謝謝您告訴我們".
func TestComplaintWording(t *testing.T) {
	t.Parallel()
	courier := map[string]struct{ text, quote, lead string }{
		"zh-TW": {"我要投訴，快遞員態度很差，把包裹直接丟在門口", "快遞員態度很差", "我要投訴"},
		"zh-CN": {"我要投诉，快递员态度很差，把包裹直接丢在门口", "快递员态度很差", "我要投诉"},
		"en":    {"I want to complain, the courier was rude", "the courier was rude", "I want to complain"},
	}
	broken := map[string]string{"zh-TW": "收到的商品破損", "zh-CN": "收到的商品破损", "en": "my item arrived damaged"}
	person := map[string]string{"zh-TW": "我要找真人客服", "zh-CN": "我要找人工客服", "en": "I want to talk to a person"}
	legal := map[string]string{"zh-TW": "我要找消保官", "zh-CN": "再不处理我就找律师起诉你们", "en": "I'll post it on PTT and talk to my lawyer"}
	thanks := map[string]string{"zh-TW": "謝謝", "zh-CN": "谢谢", "en": "Thank you"}
	for _, lang := range []string{"zh-TW", "zh-CN", "en"} {
		t.Run(lang+" quote a short clause, not the whole message", func(t *testing.T) {
			h := newHarness(t)
			h.profiles.byID["U1"] = Profile{Language: lang}
			cc := courier[lang]
			h.text("U1", cc.text)
			msgs := h.postback("U1", "last:done")
			got := all(msgs)
			mustContain(t, got, h.T(lang, "bot_apology_quote", map[string]any{"Quote": cc.quote}))
			mustNotContain(t, got, cc.text)
			mustNotContain(t, got, cc.lead)
			mustContain(t, got, h.T(lang, "bot_thanks", nil))
		})
		t.Run(lang+" photo path: broken, not malfunctioning, and thanked once", func(t *testing.T) {
			h := newMediaHarness(t)
			h.profiles.byID["U1"] = Profile{Language: lang}
			h.text("U1", broken[lang])
			msgs := h.postback("U1", "last:done")
			mustNotContain(t, all(msgs), "working as it should")
			// The remedy that asks for the photos is the story's Thank step…
			mustContain(t, all(msgs), h.T(lang, "bot_thanks", nil))
			h.photo("U1", "1001", testPNG(t))
			msgs = h.text("U1", "WL20260001")
			c := h.activeCase("U1")
			if c == nil {
				t.Fatalf("no case; replies:\n%s", all(msgs))
			}
			// …so the case it opens once the photo and order are in does
			// not thank again (tryout 4: one Thank per story).
			mustNotContain(t, all(msgs), h.T(lang, "bot_thanks", nil))
		})
		t.Run(lang+" legal threat during a handoff: sober, no thanks", func(t *testing.T) {
			h := newHarness(t)
			h.profiles.byID["U1"] = Profile{Language: lang}
			h.text("U1", person[lang])
			msgs := h.text("U1", legal[lang])
			c := h.activeCase("U1")
			mustContain(t, all(msgs), h.T(lang, "bot_handoff_raised_legal", map[string]any{"CaseID": c.ID, "Tier": h.T(lang, "bot_tier_L3", nil)}))
			mustNotContain(t, all(msgs), thanks[lang])
		})
	}
}

func TestQuoteSkipsTheLeadIn(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, tt := range []struct{ in, want string }{
		{"我要投诉，快递员态度很差，把包裹直接丢在门口", "快递员态度很差"},
		{"我要客訴！東西寄錯了", "東西寄錯了"},
		{"I'd like to complain. The box was crushed", "The box was crushed"},
		{"我要投訴", ""},
	} {
		if got := h.e.quote(tt.in); got != tt.want {
			t.Errorf("quote(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
