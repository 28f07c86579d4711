package handoff

import (
	"context"
	"strings"
	"testing"

	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/knowledge"
)

// TestBriefKeepsTheWholeRequest (tryout #5): the request is quoted up to a
// generous bound, so the issue at its end is kept, and a longer one is cut
// between words with an ellipsis, never mid-word.
func TestBriefKeepsTheWholeRequest(t *testing.T) {
	t.Parallel()
	s := briefService(t)
	req := "I want a refund of NT$2,400 for order WL20261107, the tablecloth is stained"
	c := &Case{ID: "CS-1", Lang: "en", Tier: "L2", Priority: "P2", Category: "complaint", Request: req,
		Triggers: []escalation.Trigger{{Kind: escalation.KindRefund, Message: req, Evidence: "NT$2,400", Amount: 2400}}}
	if got := s.Brief(c, "zh-TW")[1]; !strings.Contains(got, "「"+req+"」") {
		t.Errorf("want line %q, want the whole request %q", got, req)
	}
	tests := []struct {
		name, in string
		n        int
		want     string
	}{
		{"short is kept", "the tablecloth is stained", 40, "the tablecloth is stained"},
		{"cut before the word", "I want a refund for order WL20261107, the tablecloth is stained", 48, "I want a refund for order WL20261107, the…"},
		{"no separator before the ellipsis", "one two three, four", 15, "one two three…"},
		{"Chinese cut at a character", "我要投訴，快遞員態度很差，把包裹直接丟在門口", 10, "我要投訴，快遞員態…"},
		{"one long word is cut inside", "supercalifragilistic", 12, "supercalifr…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := excerpt(tt.in, tt.n)
			if got != tt.want {
				t.Errorf("excerpt(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
			}
			if n := len([]rune(got)); n > tt.n {
				t.Errorf("excerpt has %d runes, want ≤ %d", n, tt.n)
			}
		})
	}
}

type fixedKB struct{ b *knowledge.Base }

func (k fixedKB) Current() *knowledge.Base { return k.b }

func demoKB(t *testing.T) KB {
	t.Helper()
	b, err := knowledge.Load(context.Background(), knowledge.Demo())
	if err != nil {
		t.Fatalf("demo KB: %v", err)
	}
	return fixedKB{b}
}

// TestBriefTryoutCases are the briefs the tryout found wrong (#5), each as
// the bot stores the case.
func TestBriefTryoutCases(t *testing.T) {
	t.Parallel()
	s := briefService(t)
	s.kb = demoKB(t)

	t.Run("a courier complaint is a complaint, not an unhelpful answer", func(t *testing.T) {
		msg := "我要投诉，快递员态度很差，把包裹直接丢在门口"
		for _, tr := range []escalation.Trigger{
			{Kind: escalation.KindComplaint, Message: msg},
			{Kind: escalation.KindUnhelpful, Message: msg, Evidence: "no L1 remedy for complaint"}, // as older bots stored it
		} {
			c := &Case{ID: "CS-7", Lang: "zh-CN", Tier: "L2", Priority: "P3", Category: "complaint", Topic: "complaint",
				Request: msg, Triggers: []escalation.Trigger{tr}}
			c.normalize()
			brief := s.Brief(c, "zh-TW")
			if want := "轉接原因：客訴，機器人無法處理"; brief[3] != want {
				t.Errorf("why line %q, want %q", brief[3], want)
			}
			if want := "需求：客訴：「" + msg + "」"; brief[1] != want {
				t.Errorf("want line %q, want %q (no 客訴（客訴）)", brief[1], want)
			}
			for _, lang := range []string{"zh-CN", "en"} {
				if got := strings.Join(s.Brief(c, lang), "\n"); strings.Contains(got, "没有帮助") || strings.Contains(got, "did not help") || strings.Contains(got, "unhelpful") {
					t.Errorf("%s brief calls the complaint unhelpful:\n%s", lang, got)
				}
			}
		}
	})

	t.Run("the label is the trigger the quote fired", func(t *testing.T) {
		c := &Case{ID: "CS-5", Lang: "zh-TW", Tier: "L2", Priority: "P2", Category: "consultation", Request: "我要找真人客服",
			Triggers: []escalation.Trigger{
				{Kind: escalation.KindHuman, Message: "我要找真人客服", Evidence: "真人客服"},
				{Kind: escalation.KindSupervisor, Message: "我要找你們主管", Evidence: "主管"},
			},
			Transcript: []Turn{{From: FromCustomer, Text: "我要找真人客服"}, {From: FromCustomer, Text: "我要找你們主管"}}}
		if got, want := s.Brief(c, "zh-TW")[1], "需求：要求專人協助（之前沒有其他提問）：「我要找真人客服」"; got != want {
			t.Errorf("want line %q, want %q", got, want)
		}
	})

	t.Run("FAQ titles in the agent's language, an order once, one amount format", func(t *testing.T) {
		c := &Case{ID: "CS-2", Lang: "en", Tier: "L2", Priority: "P2", Category: "complaint",
			Triggers: []escalation.Trigger{{Kind: escalation.KindRefund, Message: "refund of NT$2,400 please", Evidence: "NT$2,400", Amount: 2400}},
			Tried: []Attempt{
				{Kind: AttemptFAQ, Ref: "shipping-time", Summary: "Shipping time", Outcome: OutcomeAnswered},
				{Kind: AttemptFAQ, Ref: "retired-entry", Summary: "Gift wrapping", Outcome: OutcomeAnswered},
				{Kind: AttemptOrder, Ref: "WL****1101", OrderNumber: "WL20261101", Outcome: OutcomeStatusShown, OrderStatus: "in_transit"},
				{Kind: AttemptOrder, Ref: "WL****1106", OrderNumber: "WL20261106", Outcome: OutcomeStatusShown, OrderStatus: "shipped"},
				{Kind: AttemptOrder, Ref: "WL20261101"},
				{Kind: AttemptRefund, Ref: "NT$2400", Outcome: OutcomeRefundOverLimit, Amount: 2400},
			}}
		want := "已嘗試：常見問題「出貨與到貨時間」、常見問題「Gift wrapping」、訂單 WL20261101（配送中）、訂單 WL20261106（已出貨）、" +
			"退款 NT$2,400（超過機器人的額度，待專人核准）"
		brief := s.Brief(c, "zh-TW")
		if brief[2] != want {
			t.Errorf("tried line\n got %q\nwant %q", brief[2], want)
		}
		if all := strings.Join(brief, "\n"); strings.Contains(all, "小幫手") || strings.Contains(all, "NT$2400") {
			t.Errorf("brief mixes terms or formats:\n%s", all)
		}
		if got := s.Brief(c, "en")[2]; !strings.Contains(got, "“Shipping time”") || !strings.Contains(got, "NT$2,400") {
			t.Errorf("en tried line %q, want the en title and NT$2,400", got)
		}
	})
}

// TestEveryAttemptKindAndTopicIsNamed (tryout 4 replay): every attempt kind
// has its inbox label and every flow topic a name in each language, so
// neither the facts ("Other" for the safety steps) nor the closed-case
// history ("· refund", handoff/inbox/history.go) shows a raw or wrong string.
func TestEveryAttemptKindAndTopicIsNamed(t *testing.T) {
	t.Parallel()
	s := briefService(t)
	for _, lang := range []string{"zh-TW", "zh-CN", "en"} {
		for _, k := range []AttemptKind{AttemptFAQ, AttemptOrder, AttemptRefund, AttemptLAST, AttemptSafety} {
			if !s.tr.Has(lang, "inbox_tried_"+string(k)) {
				t.Errorf("%s: no inbox_tried_%s", lang, k)
			}
		}
		// The flows' topics are named by the bot's own messages, which the
		// brief gets as the case's TopicTitle and the history reads.
		for _, topic := range []string{"refund", "order_status", "complaint", TopicProductSafety, TopicAccountSecurity} {
			if !s.tr.Has(lang, "bot_topic_"+topic) {
				t.Errorf("%s: topic %q has no bot_topic_ name", lang, topic)
			}
		}
	}
}

// TestAddedAfterHandoffIsThisCasesOnly (tryout 4 replay): a conversation's
// transcript may hold the handoff notice of an earlier case the customer
// cancelled; only what they said after this case's notice is "added after
// the handoff".
func TestAddedAfterHandoffIsThisCasesOnly(t *testing.T) {
	t.Parallel()
	s := briefService(t)
	c := &Case{ID: "CS-2", Lang: "zh-CN", Tier: "L2", Priority: "P1", Transcript: []Turn{
		{From: FromBot, Kind: TurnText, Text: "工单 CS-1", Notice: NoticeHandoff},
		{From: FromCustomer, Kind: TurnText, Text: "我要退款 2500 元"},
		{From: FromBot, Kind: TurnText, Text: "已取消"},
		{From: FromCustomer, Kind: TurnText, Text: "充电宝鼓包了"},
		{From: FromBot, Kind: TurnText, Text: "工单 CS-2", Notice: NoticeHandoff},
		{From: FromCustomer, Kind: TurnText, Text: "订单是 WL20261110"},
	}}
	brief := strings.Join(s.Brief(c, "zh-CN"), "\n")
	if !strings.Contains(brief, "转接后顾客补充：“订单是 WL20261110”") || strings.Contains(brief, "2500") {
		t.Errorf("brief:\n%s\nwant only the message after this case's notice added", brief)
	}
}
