package bot

import (
	"strings"
	"testing"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
)

// Tryout #4: a refund above the limit got an unrelated refund FAQ pasted
// before the escalation, "They'll approve it" (en), no apology for a
// stained tablecloth, and was tied to an order the customer never named.
func TestRefundAboveTheLimitIsReviewedNotPromised(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lang, lookup, text string
		wantOrder          string // the refund's order; "" when none was named for it
		defect             bool
	}{
		{lang: "en", text: "I want a refund of NT$2,400 for order WL20260001, the tablecloth is stained", wantOrder: "WL20260001", defect: true},
		{lang: "zh-TW", text: "訂單 WL20260001 的桌巾有污漬，我要退款 2400 元", wantOrder: "WL20260001", defect: true},
		// An order looked up earlier is not the refund's order unless named.
		{lang: "zh-CN", lookup: "WL20260001", text: "我要退款 NT$1,280"},
		{lang: "en", lookup: "WL20260001", text: "I want a refund of NT$1,280 please"},
	}
	for _, tt := range tests {
		t.Run(tt.lang+" "+tt.text, func(t *testing.T) {
			h := newHarnessWith(t, func(c *EngineConfig) { c.RefundPolicyEntry = "return-policy" })
			user := "U1"
			if tt.lookup != "" {
				user = "Uowner"
				h.profiles.byID[user] = Profile{Language: tt.lang}
				h.text(user, tt.lookup)
			}
			h.profiles.byID[user] = Profile{Language: tt.lang}
			msgs := h.text(user, tt.text)
			c := h.activeCase(user)
			if c == nil || !hasKind(c.Triggers, escalation.KindRefund) {
				t.Fatalf("case %+v, want a refund_over_limit case; replies:\n%s", c, all(msgs))
			}
			got := all(msgs)
			mustNotContain(t, got, h.answerOf("return-policy", tt.lang)) // no FAQ pasted into an escalation
			mustNotContain(t, got, "approve it")
			mustNotContain(t, got, "核准後")
			mustNotContain(t, got, "审批后")
			amount := c.Triggers[0].Evidence
			if tt.wantOrder != "" {
				mustContain(t, got, h.T(tt.lang, "bot_refund_over_limit", map[string]any{"Order": tt.wantOrder, "Amount": amount}))
			} else {
				mustContain(t, got, h.T(tt.lang, "bot_refund_over_limit_no_order", map[string]any{"Amount": amount}))
				mustNotContain(t, got, tt.lookup)
				for _, a := range c.Tried {
					if a.Kind == handoff.AttemptRefund && a.Ref != "" {
						t.Errorf("refund attempt tied to %q, an order the customer did not name for it", a.Ref)
					}
				}
			}
			sorry := h.T(tt.lang, "bot_refund_sorry_defect", nil)
			if tt.defect {
				if !strings.HasPrefix(msgs[0].Text, sorry) {
					t.Errorf("first message %q does not start with the apology %q", msgs[0].Text, sorry)
				}
			} else {
				mustNotContain(t, got, sorry)
			}
			// Who reviews it, and by when.
			mustContain(t, got, c.ID)
			mustContain(t, got, c.Promise().In(taipei()).Format("15:04"))
		})
	}
}
