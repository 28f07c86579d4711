package main

// End-to-end tests of the defects tryout 5 left open after the first
// round (bot12): each goes through the signed webhook and the LINE
// emulator's recorded replies.

import (
	"strings"
	"testing"
)

// TestE2ETryout6RefundWithAComplaintKeepsTheRefundSafeguards (tryout 5
// M1): a refund over the limit said together with a complaint, in
// Chinese, on an order that is not the customer's, takes the refund path
// as the bare request and the English one do: the refund category, the
// amount tried, the ⚠ unverified-order flag in the brief, and the customer
// told a person reviews the refund and by when, with one apology.
func TestE2ETryout6RefundWithAComplaintKeepsTheRefundSafeguards(t *testing.T) {
	t.Parallel()
	h := startE2E(t, handoffOpts())
	for _, tt := range []struct{ lang, ask, sorry, review string }{
		{"zh-CN", "我要退款 WL20261106，一共1280块，东西质量太差了", "很抱歉", "专员审核"},
		{"zh-TW", "我要退款 WL20261106，一共1280元，東西品質太差了", "很抱歉", "專員審核"},
		{"zh-TW", "你們服務太差了，我要退款 WL20261106 1280 元", "很抱歉", "專員審核"},
	} {
		u := h.newCustomer(tt.lang)
		got := h.say(u, tt.ask, 2)
		txt := allText(got)
		if hasQuick(got, "last:done") || containsAny(txt, []string{"完整告訴我", "完整告诉我"}) {
			t.Errorf("%s %q got the complaint script: %s", tt.lang, tt.ask, dump(got))
		}
		if n := strings.Count(txt, tt.sorry); n != 1 || !strings.Contains(txt, tt.review) || !strings.Contains(txt, "NT$1,280") {
			t.Errorf("%s %q got %s, want one apology (%d) and the NT$1,280 refund review said", tt.lang, tt.ask, dump(got), n)
		}
		c := h.caseOf(u)
		if c == nil {
			t.Fatalf("%s: no case for an over-limit refund", tt.lang)
		}
		if !strings.Contains(txt, c.ID) || !strings.Contains(txt, "前") {
			t.Errorf("%s customer got %s, want the case %s and by when", tt.lang, dump(got), c.ID)
		}
		brief := h.briefIn(c.ID, "zh-TW")
		for _, want := range []string{"退款申請（退款）", "NT$1,280", "⚠ 訂單 WL20261106 尚未驗證"} {
			if !strings.Contains(brief, want) {
				t.Errorf("%s brief:\n%s\nwant %q", tt.lang, brief, want)
			}
		}
		if strings.Contains(brief, "客訴") {
			t.Errorf("%s brief:\n%s\nwant the refund category, not the complaint", tt.lang, brief)
		}
	}
}
