package handoff

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/locales"
)

func briefService(t *testing.T) *Service {
	t.Helper()
	tr, err := sharedTranslator()
	if err != nil {
		t.Fatalf("locales: %v", err)
	}
	return &Service{tr: tr, policy: DefaultPolicy()}
}

func briefCase(t *testing.T) *Case {
	return &Case{
		ID: "CS-20261123-0007", DisplayName: "Amy", Lang: "zh-TW", Category: "complaint", Topic: "shipping_delay",
		Tier: "L2", Priority: "P2", RepeatCount: 3, EarlierCases: []string{"CS-20261101-0003", "CS-20261115-0011"},
		Triggers: []escalation.Trigger{
			{Kind: escalation.KindSupervisor, Evidence: "主管"},
			{Kind: escalation.KindRepeat, Evidence: "3"},
		},
		Tried: []Attempt{
			{Kind: "faq", Ref: "shipping-time", Summary: "配送需要幾天？"},
			{Kind: "order", Ref: "WL****1234", Summary: "shipped"},
		},
		Transcript: []Turn{
			{From: FromBot, Text: "您好"},
			{From: FromCustomer, Text: "我的包裹已經等了兩個星期還沒到，客服一直說在處理，到底什麼時候會到？我真的很需要這個東西，請給我一個明確的日期，謝謝，拜託你們快一點處理好嗎"},
		},
		FirstResponseDue: at(t, "2026-11-23 10:05"),
		TeamOpen:         true,
	}
}

func TestBriefGolden(t *testing.T) {
	t.Parallel()
	s := briefService(t)
	excerpt := "我的包裹已經等了兩個星期還沒到，客服一直說在處理，到底什麼時候會到？我真的很需要這個東西，請給我一個明確的日期，謝謝，拜託你們快一點處理好嗎"
	tests := []struct {
		lang string
		want []string
	}{
		{"en", []string{
			"Who: Amy · Traditional Chinese · 3 contacts on this issue · earlier cases: CS-20261101-0003, CS-20261115-0011",
			// Issue 11 item 13: a topic without a title is not shown as its id.
			"Wants (complaint): “" + excerpt + "”",
			"Tried: FAQ “配送需要幾天？”, order WL****1234 (shipped)",
			"Why escalated: asked for a supervisor (“主管”), repeat contact",
			"Promised: first reply by 2026-11-23 10:05 (Taiwan time) · L2 P2",
		}},
		{"zh-TW", []string{
			"顧客：Amy・繁體中文・此問題第 3 次聯繫・過去案件：CS-20261101-0003、CS-20261115-0011",
			"需求：客訴：「" + excerpt + "」",
			"已嘗試：常見問題「配送需要幾天？」、訂單 WL****1234（已出貨）",
			"轉接原因：要求主管（「主管」）、重複聯繫",
			"承諾：2026-11-23 10:05（台灣時間）前首次回覆・L2 P2",
		}},
		{"zh-CN", []string{
			"顾客：Amy・繁体中文・此问题第 3 次联系・过往工单：CS-20261101-0003、CS-20261115-0011",
			"诉求：投诉：“" + excerpt + "”",
			"已尝试：常见问题“配送需要幾天？”、订单 WL****1234（已发货）",
			"转接原因：要求主管（“主管”）、重复联系",
			"承诺：2026-11-23 10:05（台湾时间）前首次回复・L2 P2",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			got := s.Brief(briefCase(t), tt.lang)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Brief(%s) mismatch (-want +got):\n%s", tt.lang, diff)
			}
			if again := s.Brief(briefCase(t), tt.lang); !cmp.Equal(got, again) {
				t.Errorf("Brief is not deterministic")
			}
		})
	}
}

func TestBriefSparseCaseAfterHours(t *testing.T) {
	t.Parallel()
	s := briefService(t)
	c := &Case{ID: "CS-1", Lang: "en", Tier: "L3", Priority: "P3", RepeatCount: 1,
		FirstResponseDue: at(t, "2026-11-24 13:00"), TeamOpen: false, TeamBackAt: at(t, "2026-11-24 09:00")}
	want := []string{
		"Who: (no display name) · English · 1 contact on this issue · no earlier cases",
		"Wants: general question (uncategorised)",
		// Issue 11 item 13: "asked for a person" only when they did (this
		// case has no trigger); see TestBriefTriedNothing.
		"Tried: nothing yet.",
		"Promised: first reply by 2026-11-24 13:00 (Taiwan time) · L3 P3",
		"Opened after hours: the team is back at 2026-11-24 09:00 (Taiwan time).",
	}
	got := s.Brief(c, "en")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Brief mismatch (-want +got):\n%s", diff)
	}
	for _, lang := range locales.Supported {
		lines := s.Brief(briefCase(t), lang)
		if len(lines) < 3 || len(lines) > 6 {
			t.Errorf("%s brief has %d lines, want 3–6", lang, len(lines))
		}
		for _, l := range lines {
			if strings.Contains(l, "[handoff_") {
				t.Errorf("%s brief has a missing message: %q", lang, l)
			}
		}
	}
}

func TestBriefQuotesWhatTheCustomerWants(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		triggers []escalation.Trigger
		turns    []string
		want     string
	}{
		{"the issue before the request, not the request or digits",
			[]escalation.Trigger{{Kind: escalation.KindHuman, Message: "我要找真人"}},
			[]string{"運費怎麼算", "我的杯子寄來就破了", "1234", "我要找真人"}, "我的杯子寄來就破了"},
		{"a legal threat speaks for itself",
			[]escalation.Trigger{{Kind: escalation.KindLegalMedia, Message: "再不處理我就寄存證信函"}},
			[]string{"謝謝", "再不處理我就寄存證信函"}, "再不處理我就寄存證信函"},
		{"only the request", []escalation.Trigger{{Kind: escalation.KindHuman, Message: "agent please"}},
			[]string{"agent please"}, "agent please"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Case{Triggers: tt.triggers}
			for _, x := range tt.turns {
				c.Transcript = append(c.Transcript, Turn{From: FromCustomer, Text: x})
			}
			if got := firstCustomerText(c); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBriefTriedNothing(t *testing.T) {
	t.Parallel()
	s := briefService(t)
	tests := []struct {
		name     string
		triggers []escalation.Trigger
		want     string
	}{
		{"asked for a person", []escalation.Trigger{{Kind: escalation.KindHuman, Message: "我要真人"}}, "Tried: nothing; the customer asked for a person."},
		{"asked for a supervisor", []escalation.Trigger{{Kind: escalation.KindSupervisor, Message: "叫主管"}}, "Tried: nothing; the customer asked for a supervisor."},
		{"a security report", []escalation.Trigger{{Kind: escalation.KindSecurity, Message: "my account was hacked"}}, "Tried: nothing yet."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Case{ID: "CS-1", Tier: "L2", Priority: "P2", Triggers: tt.triggers}
			if got := s.Brief(c, "en")[2]; got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestBriefHasNoInternalStrings: outcomes, statuses and postback data are
// rendered from locale messages in the agent's language, in old cases too.
func TestBriefHasNoInternalStrings(t *testing.T) {
	t.Parallel()
	s := briefService(t)
	// A case as stored before outcomes were typed.
	c := &Case{ID: "CS-1", Lang: "zh-TW", Tier: "L2", Priority: "P2", Category: "consultation",
		Triggers: []escalation.Trigger{
			{Kind: escalation.KindHuman, Message: "找專人", Evidence: "handoff:request"},
			{Kind: escalation.KindUnhelpful, Message: "東西壞了", Evidence: "no L1 remedy for complaint"},
		},
		Tried: []Attempt{
			{Kind: "order", Ref: "WL****1110", Summary: "in_transit"},
			{Kind: "order", Ref: "WL****1111", Summary: "verification locked"},
			{Kind: "order", Ref: "WL****1112", Summary: "backend unavailable"},
			{Kind: "faq", Ref: "damaged-item", Summary: "not helpful"},
			{Kind: "refund", Ref: "NT$300", Summary: "approved at L1"},
			{Kind: "last", Ref: "complaint", Summary: "2"},
		},
	}
	c.normalize()
	raw := []string{"handoff:request", "no L1 remedy", "in_transit", "verification locked", "backend unavailable",
		"not helpful", "approved at L1", "damaged-item", "[handoff_", "[order_"}
	for _, lang := range locales.Supported {
		brief := strings.Join(s.Brief(c, lang), "\n")
		for _, r := range raw {
			if strings.Contains(brief, r) {
				t.Errorf("%s brief shows %q:\n%s", lang, r, brief)
			}
		}
		if lang != locales.EN {
			for _, en := range []string{"order", "FAQ", "refund", "did not help", "listened"} {
				if strings.Contains(brief, en) {
					t.Errorf("%s brief has English %q:\n%s", lang, en, brief)
				}
			}
		}
	}
	want := "已嘗試：訂單 WL****1110（配送中）、訂單 WL****1111（驗證失敗次數過多，已暫停驗證）、訂單 WL****1112（訂單系統沒有回應）、" +
		"常見問題回答（顧客表示沒有幫助）、退款 NT$300（機器人已在額度內核准）、客訴安撫（傾聽 2 則訊息並致歉）"
	if got := s.Brief(c, "zh-TW")[2]; got != want {
		t.Errorf("zh-TW tried line:\n got %q\nwant %q", got, want)
	}
	// Agents are authorised to see the full order number.
	full := &Case{ID: "CS-2", Tier: "L2", Priority: "P3", Tried: []Attempt{{Kind: AttemptOrder, Ref: "WL****1110",
		OrderNumber: "WL20261110", Outcome: OutcomeStatusShown, OrderStatus: "in_transit"}}}
	if got := s.Brief(full, "en")[2]; !strings.Contains(got, "WL20261110") {
		t.Errorf("tried line %q, want the full order number WL20261110", got)
	}
}

// TestBriefRefundOverLimit: a refund the bot recorded over its limit (as
// bot/refund.go stores it, no typed outcome) awaits a person's approval; the
// request line quotes the refund request that opened the case, not an
// earlier order question.
func TestBriefRefundOverLimit(t *testing.T) {
	t.Parallel()
	s := briefService(t)
	for _, tt := range []struct {
		name    string
		attempt Attempt
	}{
		{"as the bot stores it", Attempt{Kind: AttemptRefund, Ref: "WL20261101", Summary: "NT$1,280 over the L1 limit NT$1,000"}},
		{"claimed approved", Attempt{Kind: AttemptRefund, Ref: "WL20261101", Outcome: OutcomeRefundApproved, Amount: 1280}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := &Case{ID: "CS-1", Lang: "en", Tier: "L2", Priority: "P2", Category: "consultation", Topic: "refund",
				Triggers: []escalation.Trigger{{Kind: escalation.KindRefund, Message: "I want a refund of 1280 for WL20261101", Evidence: "NT$1,280", Amount: 1280}},
				Tried:    []Attempt{{Kind: AttemptOrder, Ref: "WL****1101", Outcome: OutcomeStatusShown, OrderStatus: "delivered"}, tt.attempt},
				Transcript: []Turn{{From: FromCustomer, Text: "where is WL20261101"}, {From: FromBot, Text: "It was delivered."},
					{From: FromCustomer, Text: "I want a refund of 1280 for WL20261101"}},
			}
			c.normalize()
			brief := strings.Join(s.Brief(c, "en"), "\n")
			if !strings.Contains(brief, "NT$1,280") && !strings.Contains(brief, "1280") {
				t.Errorf("brief lacks the amount:\n%s", brief)
			}
			if !strings.Contains(brief, "awaits a person's approval") || strings.Contains(brief, "approved by the bot") {
				t.Errorf("brief does not say the refund awaits approval:\n%s", brief)
			}
			if !strings.Contains(brief, "I want a refund of 1280") || strings.Contains(s.Brief(c, "en")[1], "where is") {
				t.Errorf("want line = %q, want the refund request", s.Brief(c, "en")[1])
			}
		})
	}
}

// TestBriefPersonRequestAfterOtherTopics: a request for a supervisor after
// an answered FAQ is not shown as a need for that FAQ, and "the customer
// asked for a person" is claimed only when that was their first message.
func TestBriefPersonRequestAfterOtherTopics(t *testing.T) {
	t.Parallel()
	s := briefService(t)
	c := &Case{ID: "CS-1", Lang: "zh-TW", Tier: "L2", Priority: "P2", Category: "consultation", Topic: "island-shipping",
		TopicTitle: map[string]string{"zh-TW": "離島配送"},
		Triggers:   []escalation.Trigger{{Kind: escalation.KindSupervisor, Message: "我要找主管", Evidence: "主管"}},
		Transcript: []Turn{{From: FromCustomer, Text: "寄到金門要錢嗎"}, {From: FromBot, Text: "離島運費 NT$150。"},
			{From: FromCustomer, Text: "我要找主管"}},
	}
	brief := s.Brief(c, "zh-TW")
	if want := "需求：要求主管處理；先前詢問離島配送：「寄到金門要錢嗎」"; brief[1] != want {
		t.Errorf("want line = %q, want %q", brief[1], want)
	}
	if want := "已嘗試：機器人未記錄這次需求的處理，請見對話紀錄。"; brief[2] != want {
		t.Errorf("tried line = %q, want %q (not the 'asked directly' claim)", brief[2], want)
	}
	direct := &Case{ID: "CS-2", Lang: "en", Tier: "L2", Priority: "P3",
		Triggers:   []escalation.Trigger{{Kind: escalation.KindHuman, Message: "agent please"}},
		Transcript: []Turn{{From: FromBot, Text: "Hi!"}, {From: FromCustomer, Text: "agent please"}}}
	if got, want := s.Brief(direct, "en")[2], "Tried: nothing; the customer asked for a person."; got != want {
		t.Errorf("direct request tried line = %q, want %q", got, want)
	}
}

// TestBriefSaysWhatWasAttached (issue 11, 1.11): the damaged-item flow
// opens the case with the photos and the order so the agent need not ask;
// the brief says what the customer sent (kept, and not kept), in the
// agent's language, and nothing when they sent nothing.
func TestBriefSaysWhatWasAttached(t *testing.T) {
	t.Parallel()
	s := briefService(t)
	media := func(typ MediaType, id string) Turn {
		return Turn{From: FromCustomer, Kind: TurnMedia, Media: &Media{Type: typ, ID: id}}
	}
	c := &Case{ID: "CS-1", Tier: "L2", Priority: "P3", Request: "收到的時候東西破了", Transcript: []Turn{
		{From: FromCustomer, Text: "收到的時候東西破了"}, media(MediaImage, "a"), media(MediaImage, "b"), media(MediaFile, "c"),
		media(MediaVideo, ""), {From: FromCustomer, Kind: TurnSticker, Sticker: &Sticker{Keywords: []string{"ok"}}},
	}}
	for lang, want := range map[string]string{
		"en":    "Attached: 2 photos, 1 file, 1 not kept (in the conversation)",
		"zh-TW": "附件：2 張照片、1 個檔案、1 個未保存（見對話紀錄）",
		"zh-CN": "附件：2 张照片、1 个文件、1 个未保存（见对话记录）",
	} {
		if brief := s.Brief(c, lang); !slices.Contains(brief, want) {
			t.Errorf("%s brief lacks %q:\n%s", lang, want, strings.Join(brief, "\n"))
		}
	}
	c.Transcript = c.Transcript[:1]
	for _, line := range s.Brief(c, "en") {
		if strings.HasPrefix(line, "Attached") {
			t.Errorf("a case with nothing sent says %q", line)
		}
	}
}

// TestBriefNamesTheRefundOrder (tryout 2, item 7: major): a refund over
// the limit hands off with the order the customer named; the brief's
// "Tried" line names it (the bot stores it as the attempt's Ref), so the
// agent need not ask; a refund without an order says so by omission.
func TestBriefNamesTheRefundOrder(t *testing.T) {
	t.Parallel()
	s := briefService(t)
	tests := []struct {
		name    string
		attempt Attempt
		lang    string
		want    string
	}{
		{"over the limit, zh-TW", Attempt{Kind: AttemptRefund, Ref: "WL20261110", Summary: "NT$2,500 over the L1 limit NT$500", Outcome: OutcomeRefundOverLimit, Amount: 2500}, "zh-TW", "訂單 WL20261110 退款 NT$2,500"},
		{"over the limit, en", Attempt{Kind: AttemptRefund, Ref: "WL20261110", Outcome: OutcomeRefundOverLimit, Amount: 2500}, "en", "a refund of NT$2,500 on order WL20261110"},
		{"recorded, zh-CN", Attempt{Kind: AttemptRefund, Ref: "WL20261106", Outcome: OutcomeRefundRecorded, Amount: 300}, "zh-CN", "订单 WL20261106 退款 NT$300"},
		{"no order named", Attempt{Kind: AttemptRefund, Ref: "NT$300", Summary: "approved at L1", Outcome: OutcomeRefundApproved, Amount: 300}, "en", "a refund of NT$300"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Case{ID: "CS-1", Tier: "L2", Priority: "P3", Request: "我想退兩千五", Tried: []Attempt{tt.attempt}}
			tried := s.Brief(c, tt.lang)[2]
			if !strings.Contains(tried, tt.want) {
				t.Errorf("tried line %q, want %q", tried, tt.want)
			}
			if tt.attempt.Ref == "NT$300" && strings.Contains(tried, "order") {
				t.Errorf("tried line %q names an order the customer did not give", tried)
			}
		})
	}
}
