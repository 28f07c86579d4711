package bot

import (
	"strings"
	"testing"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
)

// Tryout #3: a child scalded by a thermos got the appliance text ("unplug
// it, keep it away from anything that could catch fire"), no apology, and
// a brief saying "account security or fraud". A product safety report is
// apologised for first, with concern for the child, gets burn advice, and
// its case says product safety / injury; an account takeover stays an
// account security report.
func TestProductSafetyIsNotAccountSecurity(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lang, text        string
		sorry, advice     string // first message: apology first, then the advice
		notAdvice         []string
		topic, kindID     string
		notKindID         string
		legal, lockOrders bool
	}{
		{lang: "zh-TW", text: "你們賣的保溫瓶漏水燙到我小孩，再不處理我要寄存證信函，也會去找消保官",
			sorry: "bot_safety_sorry_child", advice: "bot_safety_burn", notAdvice: []string{"bot_security_safety", "bot_security_account"},
			topic: handoff.TopicProductSafety, kindID: "handoff_kind_security_product", notKindID: "handoff_kind_security_account", legal: true},
		{lang: "zh-CN", text: "你们卖的保温杯漏水，把我孩子的手烫伤了，再不处理我就找律师起诉你们",
			sorry: "bot_safety_sorry_child", advice: "bot_safety_burn", notAdvice: []string{"bot_security_safety", "bot_security_account"},
			topic: handoff.TopicProductSafety, kindID: "handoff_kind_security_product", notKindID: "handoff_kind_security_account", legal: true},
		{lang: "en", text: "The thermos you sold me leaked and scalded my son's hand",
			sorry: "bot_safety_sorry_child", advice: "bot_safety_burn", notAdvice: []string{"bot_security_safety", "bot_security_account"},
			topic: handoff.TopicProductSafety, kindID: "handoff_kind_security_product", notKindID: "handoff_kind_security_account"},
		// Smoke from a charger: the unplug text fits.
		{lang: "en", text: "the charger is overheating and there was smoke coming from it",
			sorry: "bot_safety_sorry", advice: "bot_security_safety", notAdvice: []string{"bot_safety_burn", "bot_security_account"},
			topic: handoff.TopicProductSafety, kindID: "handoff_kind_security_product", notKindID: "handoff_kind_security_account"},
		{lang: "zh-TW", text: "充電器插著插著就冒煙了，還有焦味",
			sorry: "bot_safety_sorry", advice: "bot_security_safety", notAdvice: []string{"bot_safety_burn", "bot_security_account"},
			topic: handoff.TopicProductSafety, kindID: "handoff_kind_security_product", notKindID: "handoff_kind_security_account"},
		// An account takeover is not a product safety report.
		{lang: "zh-CN", text: "我的账号被盗了，有人改了我的密码",
			advice: "bot_security_account", notAdvice: []string{"bot_safety_burn", "bot_security_safety", "bot_safety_sorry"},
			topic: handoff.TopicAccountSecurity, kindID: "handoff_kind_security_account", notKindID: "handoff_kind_security_product", lockOrders: true},
	}
	for _, tt := range tests {
		t.Run(tt.lang+" "+tt.text, func(t *testing.T) {
			h := newHarness(t)
			h.profiles.byID["U1"] = Profile{Language: tt.lang}
			msgs := h.text("U1", tt.text)
			c := h.activeCase("U1")
			if c == nil || !hasKind(c.Triggers, escalation.KindSecurity) {
				t.Fatalf("case %+v, want a security case; replies:\n%s", c, all(msgs))
			}
			if c.Topic != tt.topic {
				t.Errorf("topic %q, want %q", c.Topic, tt.topic)
			}
			first := msgs[0].Text
			if tt.sorry != "" && !strings.HasPrefix(first, h.T(tt.lang, tt.sorry, nil)) {
				t.Errorf("first message %q does not start with the apology %q", first, h.T(tt.lang, tt.sorry, nil))
			}
			mustContain(t, first, h.T(tt.lang, tt.advice, nil))
			for _, id := range tt.notAdvice {
				mustNotContain(t, all(msgs), h.T(tt.lang, id, nil))
			}
			if tt.legal {
				mustContain(t, all(msgs), h.T(tt.lang, "bot_legal_ack", nil))
			}
			// No "thank you for telling us" after an injury or a threat.
			mustNotContain(t, all(msgs), h.T(tt.lang, "bot_thanks", nil))
			mustContain(t, msgs[len(msgs)-1].Text, c.ID)
			for _, lang := range []string{"zh-TW", "zh-CN", "en"} {
				brief := strings.Join(h.cases.Brief(c, lang), "\n")
				mustContain(t, brief, h.T(lang, tt.kindID, nil))
				mustNotContain(t, brief, h.T(lang, tt.notKindID, nil))
			}
			locked, _ := h.rdb.Exists(t.Context(), h.prefix+"{u:U1}:verify_lock").Result()
			if (locked == 1) != tt.lockOrders {
				t.Errorf("order look-ups paused=%v, want %v", locked == 1, tt.lockOrders)
			}
		})
	}
}

// Tryout #3: an injury told while a person has the case gets the apology
// and the steps too, before the raise notice.
func TestProductSafetyDuringHandoff(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ lang, person, text string }{
		{"zh-TW", "我要找真人客服", "剛剛保溫瓶漏水燙到我小孩"},
		{"zh-CN", "我要找人工客服", "刚才保温杯漏水，把我孩子的手烫伤了"},
		{"en", "I want to talk to a person", "the thermos just leaked and scalded my son's hand"},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			h := newHarness(t)
			h.profiles.byID["U1"] = Profile{Language: tt.lang}
			h.text("U1", tt.person)
			msgs := h.text("U1", tt.text)
			c := h.activeCase("U1")
			if !hasKind(c.Triggers, escalation.KindSecurity) || len(msgs) < 2 {
				t.Fatalf("triggers %+v replies %s, want the safety steps and the raise notice", c.Triggers, all(msgs))
			}
			mustContain(t, msgs[0].Text, h.T(tt.lang, "bot_safety_sorry_child", nil))
			mustContain(t, msgs[0].Text, h.T(tt.lang, "bot_safety_burn", nil))
			mustContain(t, msgs[len(msgs)-1].Text, c.ID)
		})
	}
}
