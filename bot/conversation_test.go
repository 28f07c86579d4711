package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/knowledge/orders"
)

// botTurns returns the case's bot turns with notice n.
func botTurns(c *handoff.Case, n handoff.NoticeKind) []handoff.Turn {
	var out []handoff.Turn
	for _, tu := range c.Transcript {
		if tu.From == handoff.FromBot && tu.Notice == n {
			out = append(out, tu)
		}
	}
	return out
}

// Item 2: during a handoff every message is acknowledged (case number,
// who answers by when, from the case's own due time) at most once per
// HandoffAckEvery, and the acknowledgement is in the case transcript.
func TestHandoffAcknowledgementThrottled(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"zh-TW", "zh-CN", "en"} {
		t.Run(lang, func(t *testing.T) {
			h := newHarness(t)
			h.profiles.byID["U1"] = Profile{Language: lang}
			h.text("U1", "我要找真人客服")
			c := h.activeCase("U1")
			if c == nil {
				t.Fatal("no case")
			}
			due := c.FirstResponseDue.In(taipei()).Format("15:04")
			steps := []struct {
				after   time.Duration
				wantAck bool
			}{{time.Minute, true}, {2 * time.Minute, false}, {4 * time.Minute, true}, {time.Minute, false}}
			acks := 0
			for i, s := range steps {
				h.clock.Advance(s.after)
				msgs := h.text("U1", "請問還在處理嗎 "+itoa(i))
				if got := len(msgs) == 1; got != s.wantAck {
					t.Fatalf("step %d: acknowledged=%v, want %v: %s", i, got, s.wantAck, all(msgs))
				}
				if s.wantAck {
					acks++
					mustContain(t, msgs[0].Text, h.T(lang, "bot_handoff_ack", map[string]any{"CaseID": c.ID}))
					mustContain(t, msgs[0].Text, due)
				}
			}
			if got := len(botTurns(h.activeCase("U1"), handoff.NoticeAck)); got != acks {
				t.Errorf("case has %d acknowledgement turns, want %d", got, acks)
			}
			// Past the due time the customer hears an apology, not a deadline in the past.
			h.clock.Set(c.FirstResponseDue.Add(time.Minute))
			msgs := h.text("U1", "還在嗎")
			mustContain(t, all(msgs), h.T(lang, "bot_handoff_ack_overdue", nil))
			// Once a person answered the conversation is theirs: the
			// message goes to the case, the bot says nothing over them.
			lead := handoff.Agent{ID: "a1", Name: "Mei", Role: "lead"}
			if _, err := h.cases.Claim(context.Background(), lead, c.ID); err != nil {
				t.Fatalf("Claim: %v", err)
			}
			if _, err := h.cases.Reply(context.Background(), lead, c.ID, "您好"); err != nil {
				t.Fatalf("Reply: %v", err)
			}
			h.clock.Advance(10 * time.Minute)
			msgs = h.text("U1", "好的")
			if len(msgs) != 0 {
				t.Errorf("after a person replied the bot said %s, want nothing over them", all(msgs))
			}
			if got := lastCustomerText(h.activeCase("U1")); got != "好的" {
				t.Errorf("case's last customer text %q, want the message in the case", got)
			}
		})
	}
}

// Item 2: a supervisor request during a handoff is acknowledged at once
// with the new target, even right after another acknowledgement.
func TestSupervisorRequestDuringHandoffAcknowledged(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.profiles.byID["U1"] = Profile{Language: "en"}
	h.text("U1", "I want to talk to a person")
	h.text("U1", "hello?") // acknowledged
	msgs := h.text("U1", "let me speak to your manager")
	c := h.activeCase("U1")
	if !hasKind(c.Triggers, escalation.KindSupervisor) {
		t.Fatalf("triggers %+v, want supervisor added", c.Triggers)
	}
	if len(msgs) != 1 {
		t.Fatalf("got %s, want one acknowledgement", all(msgs))
	}
	mustContain(t, msgs[0].Text, h.T("en", "bot_handoff_ack_supervisor", map[string]any{"CaseID": c.ID, "Tier": h.T("en", "bot_tier_lead", nil)}))
	mustContain(t, msgs[0].Text, c.FirstResponseDue.In(taipei()).Format("15:04"))
	if len(botTurns(c, handoff.NoticeSupervisor)) != 1 {
		t.Errorf("transcript %+v lacks the supervisor acknowledgement", c.Transcript)
	}
}

// Item 4: the unsolved timer never blocks an answer the KB has; it hands
// off when L1 is stuck.
func TestUnsolvedTimerNeverBlocksAnAnswer(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.profiles.byID["U1"] = Profile{Language: "en"}
	h.text("U1", "return")
	h.clock.Advance(20 * time.Minute)
	msgs := h.text("U1", "how long does delivery take")
	mustContain(t, all(msgs), h.answerOf("shipping-time", "en"))
	if c := h.activeCase("U1"); c != nil {
		t.Fatalf("case %s opened although the KB answered", c.ID)
	}
	msgs = h.postback("U1", "fb:no:shipping-time")
	c := h.activeCase("U1")
	if c == nil || !hasKind(c.Triggers, escalation.KindUnsolved) {
		t.Fatalf("stuck after 20 minutes: case %+v, want unsolved_timeout; replies:\n%s", c, all(msgs))
	}
}

// Item 7: refunds get their own path.
func TestRefundPath(t *testing.T) {
	t.Parallel()
	t.Run("within the limit: asks the order, records it, says who processes it", func(t *testing.T) {
		h := newHarness(t)
		h.profiles.byID["Uowner"] = Profile{Language: "en"}
		msgs := h.text("Uowner", "can I get NT$300 back to my credit card?")
		mustContain(t, all(msgs), h.T("en", "bot_refund_ask_order", map[string]any{"Amount": "NT$300"}))
		mustNotContain(t, all(msgs), "sorry")
		msgs = h.text("Uowner", "WL20260001")
		mustContain(t, all(msgs), h.tr.N("en", "bot_refund_recorded", h.e.cfg.RefundDays, map[string]any{"Order": "WL20260001", "Amount": "NT$300"}))
		if c := h.activeCase("Uowner"); c != nil {
			t.Errorf("case %s opened for a refund within the limit", c.ID)
		}
		if st := h.conv("Uowner"); !strings.Contains(st["refunds"], `"order":"WL20260001","amount":300`) || st["mode"] != "" {
			t.Errorf("refunds %q mode %q, want the request recorded", st["refunds"], st["mode"])
		}
		// Recorded where a person carries it out, due 5 working days on.
		pending, err := h.backend.refunds.Pending(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(pending) != 1 || pending[0].Number != "WL20260001" || pending[0].Amount != 300 || pending[0].LineUserID != "Uowner" ||
			pending[0].Lang != "en" || !pending[0].DueBy.Equal(addWorkingDays(h.clock.Now().In(h.e.loc), 5)) {
			t.Errorf("refund requests %+v, want WL20260001 NT$300 from Uowner in en, due in 5 working days", pending)
		}
	})
	t.Run("order in the same message", func(t *testing.T) {
		h := newHarness(t)
		h.profiles.byID["Uowner"] = Profile{Language: "zh-TW"}
		msgs := h.text("Uowner", "訂單 WL20260001 可以退款 300 元嗎")
		mustContain(t, all(msgs), h.tr.N("zh-TW", "bot_refund_recorded", h.e.cfg.RefundDays, map[string]any{"Order": "WL20260001", "Amount": "NT$300"}))
	})
	t.Run("another customer's order: the phone's digits first", func(t *testing.T) {
		h := newHarness(t)
		h.profiles.byID["U1"] = Profile{Language: "en"}
		msgs := h.text("U1", "refund 300 for WL20260001 please")
		mustContain(t, all(msgs), h.T("en", "bot_refund_verify", map[string]any{"Order": "WL20260001", "Amount": "NT$300"}))
		mustNotContain(t, all(msgs), "recorded")
		msgs = h.text("U1", "1111")
		mustContain(t, all(msgs), h.T("en", "bot_order_no_match", nil))
		if pending, _ := h.backend.refunds.Pending(context.Background()); len(pending) != 0 {
			t.Fatalf("recorded %+v on digits that do not match", pending)
		}
		msgs = h.text("U1", "5678")
		mustContain(t, all(msgs), h.tr.N("en", "bot_refund_recorded", h.e.cfg.RefundDays, map[string]any{"Order": "WL20260001", "Amount": "NT$300"}))
		if pending, _ := h.backend.refunds.Pending(context.Background()); len(pending) != 1 || pending[0].LineUserID != "U1" {
			t.Errorf("refund requests %+v, want the one of U1 after the check", pending)
		}
	})
	t.Run("not recorded: said, and a person offered", func(t *testing.T) {
		h := newHarness(t)
		h.profiles.byID["Uowner"] = Profile{Language: "en"}
		h.text("Uowner", "WL20260001") // shown: theirs
		h.backend.setDown(true)
		msgs := h.text("Uowner", "can I get NT$300 back for it?")
		mustContain(t, all(msgs), h.T("en", "bot_refund_not_recorded", map[string]any{"Order": "WL20260001", "Amount": "NT$300"}))
		mustNotContain(t, all(msgs), "working days")
		if !hasReply(msgs, dataHandoffRequest) {
			t.Errorf("no person offered: %s", all(msgs))
		}
		if st := h.conv("Uowner"); strings.Contains(st["refunds"], "WL20260001") {
			t.Errorf("refunds %q: a request that was not recorded is kept as recorded", st["refunds"])
		}
	})
	t.Run("the order just looked up is recognised", func(t *testing.T) {
		h := newHarness(t)
		h.profiles.byID["Uowner"] = Profile{Language: "en"}
		h.text("Uowner", "WL20260001")
		msgs := h.text("Uowner", "can I get NT$300 back to my card?")
		mustContain(t, all(msgs), h.tr.N("en", "bot_refund_recorded", h.e.cfg.RefundDays, map[string]any{"Order": "WL20260001", "Amount": "NT$300"}))
	})
	for _, tt := range []struct{ lang, text string }{
		{"zh-TW", "兩千塊可以退回信用卡嗎"},
		{"en", "I'd like a refund of NT$2,000 please"},
	} {
		t.Run("over the limit "+tt.lang, func(t *testing.T) {
			h := newHarness(t)
			h.profiles.byID["U1"] = Profile{Language: tt.lang}
			msgs := h.text("U1", tt.text)
			mustContain(t, all(msgs), h.T(tt.lang, "bot_refund_ask_order", map[string]any{"Amount": "NT$2,000"}))
			mustNotContain(t, all(msgs), h.T(tt.lang, "bot_apology_complaint", nil))
			if c := h.activeCase("U1"); c != nil {
				t.Fatalf("case opened before the order was known")
			}
			msgs = h.text("U1", "WL20260001")
			c := h.activeCase("U1")
			if c == nil {
				t.Fatalf("no case for a refund over the limit; replies:\n%s", all(msgs))
			}
			if c.Triggers[0].Kind != escalation.KindRefund || c.Triggers[0].Amount != 2000 || c.Triggers[0].Message != tt.text {
				t.Errorf("trigger %+v, want refund_over_limit with the amount", c.Triggers[0])
			}
			var captured bool
			for _, a := range c.Tried {
				captured = captured || (a.Kind == "refund" && a.Ref == "WL20260001" && strings.Contains(a.Summary, "NT$2,000"))
			}
			if !captured {
				t.Errorf("tried %+v, want the order and amount captured", c.Tried)
			}
			got := all(msgs)
			mustContain(t, got, h.T(tt.lang, "bot_refund_over_limit", map[string]any{"Order": "WL20260001", "Amount": "NT$2,000"}))
			mustContain(t, got, c.ID)
			mustContain(t, got, c.FirstResponseDue.In(taipei()).Format("15:04"))
		})
	}
}

// Item 8: tone.
func TestQuoteCutsAtClauseBoundaries(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"the mug is broken", "the mug is broken"},
		{"the mug arrived broken, and the box was completely crushed too", "the mug arrived broken"},
		{"I ordered a blue mug and what arrived is a red plate that is cracked", ""},
		{"收到的杯子破掉了，而且包裝也很隨便，盒子都壓扁了，真的很不開心", "收到的杯子破掉了"}, // a short clause, not the whole story (tryout #8)
		{"收到的杯子破掉了！", "收到的杯子破掉了"},
	}
	for _, tt := range tests {
		if got := quote(tt.in); got != tt.want {
			t.Errorf("quote(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestToneOfApologiesAndSeriousReports(t *testing.T) {
	t.Parallel()
	t.Run("one line: no thanks for the detail", func(t *testing.T) {
		h := newHarness(t)
		h.profiles.byID["U1"] = Profile{Language: "en"}
		h.text("U1", "this is terrible service")
		msgs := h.postback("U1", "last:done")
		mustNotContain(t, all(msgs), h.T("en", "bot_apology_detail", nil))
		mustContain(t, all(msgs), h.T("en", "bot_apology_quote", map[string]any{"Quote": "this is terrible service"}))
	})
	t.Run("legal threat: sober, no thanks", func(t *testing.T) {
		h := newHarness(t)
		h.profiles.byID["U1"] = Profile{Language: "zh-TW"}
		msgs := h.text("U1", "你們再不處理我就要提告，也會找記者")
		got := all(msgs)
		mustContain(t, got, h.T("zh-TW", "bot_legal_ack", nil))
		mustNotContain(t, got, h.T("zh-TW", "bot_thanks", nil))
		mustNotContain(t, got, "謝謝")
		if c := h.activeCase("U1"); c == nil || !hasKind(c.Triggers, escalation.KindLegalMedia) {
			t.Errorf("case %+v, want a legal_media case", c)
		}
	})
	t.Run("account takeover: safety steps before the wait", func(t *testing.T) {
		h := newHarness(t)
		h.profiles.byID["U1"] = Profile{Language: "en"}
		msgs := h.text("U1", "someone hacked my account and changed my password")
		c := h.activeCase("U1")
		if c == nil || len(msgs) < 2 {
			t.Fatalf("case %+v replies %s, want safety steps then the case", c, all(msgs))
		}
		mustContain(t, msgs[0].Text, h.T("en", "bot_security_account", nil))
		mustContain(t, msgs[0].Text, h.T("en", "bot_security_locked", nil))
		mustContain(t, msgs[len(msgs)-1].Text, c.ID)
		ttl, err := h.rdb.TTL(context.Background(), h.prefix+"{u:U1}:verify_lock").Result()
		if err != nil || ttl < 23*time.Hour {
			t.Errorf("order look-ups paused for %v (%v), want about a day", ttl, err)
		}
	})
	t.Run("physical hazard: stop using it", func(t *testing.T) {
		h := newHarness(t)
		h.profiles.byID["U1"] = Profile{Language: "en"}
		msgs := h.text("U1", "the charger is overheating and there was smoke coming from it")
		if h.activeCase("U1") == nil {
			t.Fatalf("no case; replies %s", all(msgs))
		}
		mustContain(t, msgs[0].Text, h.T("en", "bot_security_safety", nil))
		if n, _ := h.rdb.Exists(context.Background(), h.prefix+"{u:U1}:verify_lock").Result(); n != 0 {
			t.Error("order look-ups paused for a product hazard")
		}
	})
}

// Item 10: late orders, English labels, pickup, digits with the number.
func TestOrderDetails(t *testing.T) {
	t.Parallel()
	t.Run("past its ETA: apology and help", func(t *testing.T) {
		h := newHarness(t)
		h.profiles.byID["Uowner"] = Profile{Language: "zh-TW"}
		h.clock.Set(time.Date(2026, 11, 26, 10, 0, 0, 0, taipei()))
		msgs := h.text("Uowner", "WL20260001")
		mustContain(t, all(msgs), h.T("zh-TW", "bot_order_late_eta", map[string]any{"Order": "WL20260001", "ETA": "2026/11/24"}))
		if !hasReply(msgs, "handoff:request") || !hasReply(msgs, "faq:shipping-time") {
			t.Errorf("late order replies %v, want a person and the delivery FAQ", replies(msgs))
		}
	})
	t.Run("still being prepared days later", func(t *testing.T) {
		h := newHarness(t)
		h.profiles.byID["Uowner"] = Profile{Language: "en"}
		msgs := h.text("Uowner", "WL20260010")
		mustContain(t, all(msgs), h.T("en", "bot_order_late_preparing", map[string]any{"Order": "WL20260010", "Placed": "2026/11/18"}))
		if !hasReply(msgs, "handoff:request") || !hasReply(msgs, "faq:shipping-time") {
			t.Errorf("late order replies %v, want a person and the delivery FAQ", replies(msgs))
		}
	})
	t.Run("on time: no apology", func(t *testing.T) {
		h := newHarness(t)
		h.profiles.byID["Uowner"] = Profile{Language: "en"}
		got := all(h.text("Uowner", "WL20260001"))
		mustNotContain(t, got, "sorry")
	})
	for _, tt := range []struct {
		lang    string
		want    []string
		notWant string
	}{
		{"en", []string{"7-ELEVEN pickup", "7-ELEVEN store pickup", "7-ELEVEN Xinyi store", "2026/11/30", "Natural soy candle × 3", "Pick up by"}, "門市"},
		{"zh-TW", []string{"7-ELEVEN 取貨", "7-ELEVEN 超商取貨", "7-ELEVEN 信義門市", "2026/11/30", "天然大豆蠟燭 × 3"}, ""},
		{"zh-CN", []string{"7-ELEVEN 取货", "7-ELEVEN 便利店取件", "2026/11/30"}, "超商"},
	} {
		t.Run("pickup labels "+tt.lang, func(t *testing.T) {
			h := newHarness(t)
			h.profiles.byID["Uowner"] = Profile{Language: tt.lang}
			got := all(h.text("Uowner", "WL20260011"))
			for _, w := range tt.want {
				mustContain(t, got, w)
			}
			if tt.notWant != "" {
				mustNotContain(t, got, tt.notWant)
			}
		})
	}
	t.Run("number and phone digits in one message", func(t *testing.T) {
		h := newHarness(t)
		h.profiles.byID["Ux"] = Profile{Language: "zh-CN"}
		msgs := h.text("Ux", "WL20260002 电话尾号 1222")
		if len(msgs) == 0 || msgs[0].Card == nil {
			t.Fatalf("want the order at once, got %s", all(msgs))
		}
		msgs = h.text("Ux", "WL20260002 电话尾号 9999")
		mustContain(t, all(msgs), h.T("zh-CN", "bot_order_no_match", nil))
	})
	t.Run("the issue's own message: WL20261110 电话尾号 6666", func(t *testing.T) {
		h := newHarness(t)
		h.profiles.byID["Ux"] = Profile{Language: "zh-CN"}
		msgs := h.text("Ux", "WL20261110 电话尾号 6666")
		if len(msgs) == 0 || msgs[0].Card == nil || !strings.Contains(msgs[0].Card.Title, "WL20261110") {
			t.Fatalf("want the order's card at once, got %s", all(msgs))
		}
		mustNotContain(t, all(msgs), h.T("zh-CN", "bot_order_verify", map[string]any{"Order": "WL20261110"}))
		if m := h.conv("Ux")["mode"]; m != "" {
			t.Errorf("mode %q after a verified order, want none", m)
		}
	})
	t.Run("asked for the digits, the number is shown as typed", func(t *testing.T) {
		h := newHarness(t)
		h.profiles.byID["Ux"] = Profile{Language: "en"}
		got := all(h.text("Ux", "where is WL20261110"))
		mustContain(t, got, "WL20261110")
		mustNotContain(t, got, orders.Mask("WL20261110"))
	})
}

func TestWithDigits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text, order string
		want        string
	}{
		{"WL20261110 电话尾号 6666", "WL20261110", "6666"},
		{"WL 2026-1110", "WL20261110", ""},
		{"WL 2026-1110 末四碼 2026", "WL20261110", ""}, // ambiguous: the tail is also part of the number
		{"WL20261110 末四碼 2026", "WL20261110", "2026"},
		{"WL20261110", "WL20261110", ""},
		{"WL20261110 ６６６６", "WL20261110", "6666"},
	}
	for _, tt := range tests {
		got := strings.Join(withDigits(tt.text, tt.order), "")
		if got != tt.want {
			t.Errorf("withDigits(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

// Item 11: asking for a language switches; writing in another one offers
// the switch without switching.
func TestLanguageRequests(t *testing.T) {
	t.Parallel()
	tests := []struct {
		from, text, want string
	}{
		{"zh-TW", "can you answer in English?", "en"},
		{"zh-TW", "Could you reply in English please", "en"},
		{"en", "可以用中文回答嗎", "zh-TW"},
		{"en", "请用简体中文回复", "zh-CN"},
		{"zh-CN", "能用繁體中文嗎", "zh-TW"},
		{"en", "answer in simplified chinese please", "zh-CN"},
		{"zh-CN", "可以讲中文吗", "zh-CN"}, // "Chinese" keeps their script
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			h := newHarness(t)
			h.profiles.byID["U1"] = Profile{Language: tt.from}
			msgs := h.text("U1", tt.text)
			mustContain(t, all(msgs), h.T(tt.want, "bot_lang_set", nil))
			if st := h.conv("U1"); st["lang"] != tt.want || st["lang_source"] != langChoice {
				t.Errorf("lang %s/%s, want %s/choice", st["lang"], st["lang_source"], tt.want)
			}
		})
	}
	t.Run("another language is offered, not switched to", func(t *testing.T) {
		h := newHarness(t)
		// Trial defect 1: only an explicit choice keeps its language (a
		// profile language gives way, TestClearLanguageFollowsUnlessChosen).
		h.profiles.byID["U1"] = Profile{Language: "en"}
		h.postback("U1", "lang:zh-TW")
		msgs := h.text("U1", "how long does delivery take")
		mustContain(t, all(msgs), h.answerOf("shipping-time", "zh-TW"))
		if !hasReply(msgs, "lang:en") {
			t.Fatalf("replies %v, want an offer to switch to English", replies(msgs))
		}
		if last := msgs[len(msgs)-1].QuickReplies; last[0].Label != h.T("en", "bot_qr_switch_lang", nil) {
			t.Errorf("first quick reply %+v, want the switch labelled in English", last[0])
		}
		if st := h.conv("U1"); st["lang"] != "zh-TW" {
			t.Errorf("lang %s, want zh-TW kept", st["lang"])
		}
		// Offered once, not on every message.
		if msgs := h.text("U1", "what is your returns policy"); hasReply(msgs, "lang:en") {
			t.Errorf("switch offered again: %v", replies(msgs))
		}
		if msgs := h.text("U1", "WL20260001"); hasReply(msgs, "lang:en") {
			t.Errorf("an order number offered a switch: %v", replies(msgs))
		}
	})
}

// Item 12: a low rating gets an apology and a lead's follow-up; a comment
// after the rating goes to the case, not into a new complaint.
func TestLowRating(t *testing.T) {
	t.Parallel()
	// ask is in the customer's language: a clearly English message moves a
	// zh-TW profile to English (trial defect 1).
	resolved := func(h *harness, ask string) *handoff.Case {
		h.t.Helper()
		h.text("U1", ask)
		c := h.activeCase("U1")
		if c == nil {
			h.t.Fatal("no case")
		}
		lead := handoff.Agent{ID: "a1", Name: "Lead", Role: "lead"}
		if _, err := h.cases.Resolve(context.Background(), lead, c.ID, ""); err != nil {
			h.t.Fatalf("Resolve: %v", err)
		}
		return c
	}
	t.Run("apology, comment on the case, a lead's follow-up", func(t *testing.T) {
		h := newHarness(t)
		h.profiles.byID["U1"] = Profile{Language: "zh-TW"}
		c := resolved(h, "我要找真人客服")
		msgs := h.postback("U1", handoff.CSATData(c.ID, 2))
		mustContain(t, all(msgs), h.T("zh-TW", "bot_csat_low", map[string]any{"CaseID": c.ID}))
		if !hasReply(msgs, dataFollowUp+c.ID) {
			t.Fatalf("replies %v, want the follow-up offer", replies(msgs))
		}
		msgs = h.text("U1", "客服態度很差，問題也沒解決")
		mustContain(t, all(msgs), h.T("zh-TW", "bot_comment_thanks", map[string]any{"CaseID": c.ID}))
		mustNotContain(t, all(msgs), h.T("zh-TW", "bot_listen", nil))
		if m := h.conv("U1")["mode"]; m != "" {
			t.Errorf("mode %q after a comment, want none (not a new complaint)", m)
		}
		msgs = h.postback("U1", dataFollowUp+c.ID)
		mustContain(t, all(msgs), h.T("zh-TW", "bot_follow_up_requested", map[string]any{"CaseID": c.ID}))
		if fu := h.activeCase("U1"); fu != nil {
			t.Errorf("a follow-up opened case %s, want a task on %s", fu.ID, c.ID)
		}
		got, err := h.cases.Get(context.Background(), handoff.Agent{ID: "a1", Role: "lead"}, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.FollowUp.Open() || got.FollowUp.Comment != "客服態度很差，問題也沒解決" {
			t.Errorf("follow-up %+v, want an open task carrying the comment", got.FollowUp)
		}
		if len(botTurns(got, handoff.NoticeCSAT)) == 0 || len(botTurns(got, handoff.NoticeFollowUp)) != 1 {
			t.Errorf("transcript %+v, want the apology and the follow-up notice as bot turns", got.Transcript)
		}
	})
	t.Run("a good rating is thanked", func(t *testing.T) {
		h := newHarness(t)
		h.profiles.byID["U1"] = Profile{Language: "en"}
		c := resolved(h, "I want to talk to a person")
		msgs := h.postback("U1", handoff.CSATData(c.ID, 4))
		mustContain(t, all(msgs), h.T("en", "bot_csat_thanks", nil))
		if hasReply(msgs, dataFollowUp+c.ID) {
			t.Error("follow-up offered after a good rating")
		}
	})
}
