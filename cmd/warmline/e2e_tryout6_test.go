package main

// End-to-end tests of the defects tryout 5 left open after the first
// round (bot12): each goes through the signed webhook and the LINE
// emulator's recorded replies.

import (
	"net/http"
	"strings"
	"testing"
	"time"
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

// TestE2ETryout6BotIsQuietOnceAPersonReplied (tryout 5 M3): after an
// agent has replied in the case, a customer's FAQ-like question gets no
// "while you wait" answer and an L3 case no "I won't reply to each"
// notice: the message goes to the case for the person, the bot says
// nothing over them. Before the reply, the acknowledgement still comes.
func TestE2ETryout6BotIsQuietOnceAPersonReplied(t *testing.T) {
	t.Parallel()
	h := startE2E(t, handoffOpts())
	for _, tt := range []struct{ lang, ask, tok, agentSays, before, after string }{
		{"en", "I want to talk to a person", tokKen, "Hi, this is Ken. What can I help you with today?", "is it still being handled?", "oh I just wanted to know if you ship to Kinmen"},
		{"zh-TW", "你們再不處理我就寄存證信函", tokLee, "您好，我是李律明，這件事由我負責。", "請問還在處理嗎", "退款，請今天處理"},
	} {
		u := h.newCustomer(tt.lang)
		h.say(u, tt.ask, 1)
		c := h.caseOf(u)
		if c == nil {
			t.Fatalf("%s: no case after %q", tt.lang, tt.ask)
		}
		// Before a person replied: acknowledged with the case number.
		if got := allText(h.say(u, tt.before, 1)); !strings.Contains(got, c.ID) {
			t.Errorf("%s before the reply got %q, want the acknowledgement with %s", tt.lang, got, c.ID)
		}
		if st := h.api(tt.tok, "POST", "/api/cases/"+c.ID+"/claim", nil, nil); st != http.StatusOK {
			t.Fatalf("%s claim = %d", tt.lang, st)
		}
		before := len(h.emu.Messages(u))
		if st := h.api(tt.tok, "POST", "/api/cases/"+c.ID+"/reply", map[string]string{"text": tt.agentSays}, nil); st != http.StatusOK {
			t.Fatalf("%s reply = %d", tt.lang, st)
		}
		h.waitNew(u, before, 1)
		h.clock.Advance(10 * time.Minute) // past the acknowledgement interval
		if _, err := h.emu.SendText(t.Context(), u, tt.after); err != nil {
			t.Fatal(err)
		}
		h.quiet(u, 1500*time.Millisecond)
		var v caseView
		h.api(tt.tok, "GET", "/api/cases/"+c.ID, nil, &v)
		found := false
		for _, tu := range v.Case.Transcript {
			found = found || (tu.From == "customer" && tu.Text == tt.after)
		}
		if !found {
			t.Errorf("%s: %q is not in the case for the person", tt.lang, tt.after)
		}
	}
}
