package bot

import (
	"strings"
	"testing"

	"github.com/warmline/warmline/locales"
)

func TestExplicitLang(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"English", "en", true},
		{"English please", "en", true},
		{"Can you speak English?", "en", true},
		{"in english pls", "en", true},
		{"請用中文", "zh-TW", true},
		{"说简体中文", "zh-CN", true},
		{"可以講英文嗎？", "en", true},
		{"繁體中文就好", "zh-TW", true},
		{"Is the English manual included in the box?", "", false},
		{"我的英文名字打錯了", "", false},
		{"how much is shipping", "", false},
	}
	for _, tt := range tests {
		got, ok := explicitLang(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("explicitLang(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestUnfollowCancelsOpenCase(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.profiles.byID["U1"] = Profile{Language: "en"}
	h.text("U1", "I want to talk to a real person")
	c := h.activeCase("U1")
	if c == nil {
		t.Fatal("no case opened for a request for a person")
	}
	if msgs := h.handle(Event{Kind: KindUnfollow, UserID: "U1"}); len(msgs) != 0 {
		t.Errorf("unfollow answered: %s", all(msgs))
	}
	if c := h.activeCase("U1"); c != nil {
		t.Fatalf("case %s still open after the customer blocked the account", c.ID)
	}
}

func TestOrderCardInCustomersScript(t *testing.T) {
	t.Parallel()
	tests := []struct{ lang, want, notWant string }{
		{"zh-CN", "黑猫宅急便", "竹纖維"},
		{"zh-TW", "黑貓宅急便", "竹纤维"},
	}
	for _, tt := range tests {
		h := newHarness(t)
		h.profiles.byID["Uhan"] = Profile{Language: tt.lang}
		got := all(h.text("Uhan", "WL20260009"))
		if !strings.Contains(got, tt.want) || strings.Contains(got, tt.notWant) {
			t.Errorf("%s card %q, want %q and not %q", tt.lang, got, tt.want, tt.notWant)
		}
	}
}

func TestSmallTalkGreetingIsNotAnFAQ(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.profiles.byID["U1"] = Profile{Language: "en"}
	for _, q := range []string{"hi how are you", "Hi, how are you?", "hello!!"} {
		got := all(h.text("U1", q))
		if want := h.T("en", "bot_hello", nil); !strings.Contains(got, want[:10]) {
			t.Errorf("%q answered %q, want the greeting", q, got)
		}
	}
}

func TestCaseNamesTheTopicForTheBrief(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.profiles.byID["U1"] = Profile{Language: "en"}
	h.text("U1", "how long does delivery take")
	h.text("U1", "I want to talk to a real person")
	c := h.activeCase("U1")
	if c == nil {
		t.Fatal("no case")
	}
	if c.Topic != "shipping-time" || c.TopicTitle["en"] == "" || c.TopicTitle["zh-TW"] == "" {
		t.Fatalf("topic %q titles %v, want shipping-time with its titles", c.Topic, c.TopicTitle)
	}
	brief := strings.Join(h.cases.Brief(c, "zh-TW"), "\n")
	if !strings.Contains(brief, c.TopicTitle["zh-TW"]) || strings.Contains(brief, "shipping-time") {
		t.Errorf("brief %q, want the topic's title, not its id", brief)
	}
}

func TestTriggersDuringHandoffRaiseTheCase(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.profiles.byID["U1"] = Profile{Language: "en"}
	h.text("U1", "I want to talk to a real person")
	c := h.activeCase("U1")
	if c == nil || c.Tier != "L2" {
		t.Fatalf("case %+v, want an L2 case", c)
	}
	msgs := h.text("U1", "if this isn't sorted by friday my lawyer will be in touch")
	c = h.activeCase("U1")
	if c.Tier != "L3" || c.Priority != "P1" {
		t.Fatalf("after a legal threat the case is %s/%s, want L3/P1", c.Tier, c.Priority)
	}
	// The raise is acknowledged with the new target (item 2), not answered.
	if len(msgs) != 1 || !strings.Contains(msgs[0].Text, c.ID) || !strings.Contains(msgs[0].Text, c.FirstResponseDue.In(taipei()).Format("15:04")) {
		t.Errorf("during a handoff got %s, want one acknowledgement with the case and its new due time", all(msgs))
	}
	// A legal case stays open when the customer taps cancel.
	msgs = h.postback("U1", "handoff:cancel")
	if c := h.activeCase("U1"); c == nil {
		t.Fatal("the customer cancelled a legal case")
	}
	if !strings.Contains(all(msgs), c.ID) {
		t.Errorf("cancel refusal %q does not name the case", all(msgs))
	}
}

func TestSupervisorRequestNamesALead(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.profiles.byID["U1"] = Profile{Language: "en"}
	got := all(h.text("U1", "Let me speak to your manager"))
	if !strings.Contains(got, h.T("en", "bot_tier_lead", nil)) || !strings.Contains(got, "within 5 minutes") {
		t.Errorf("supervisor handoff said %q, want a team lead within 5 minutes", got)
	}
}

func TestVerificationGivesWayToANewQuestion(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.profiles.byID["U1"] = Profile{Language: "en"}
	h.text("U1", "WL20260002") // someone else's order: asks for the last 4 digits
	if got := h.conv("U1")["mode"]; got != "awaiting_verification" {
		t.Fatalf("mode %q, want awaiting_verification", got)
	}
	got := all(h.text("U1", "how long does delivery take"))
	if strings.Contains(got, h.T("en", "bot_order_verify_digits", nil)) {
		t.Errorf("a new question got %q, want it answered", got)
	}
	if m := h.conv("U1")["mode"]; m == "awaiting_verification" {
		t.Errorf("still awaiting verification after the customer moved on")
	}
}

func TestKeywordListsRenderedOnce(t *testing.T) {
	h := newHarness(t)
	for _, id := range keywordIDs {
		if len(h.e.kw[id]) < 3 {
			t.Errorf("keyword list %s has %d phrases, want its phrases in three languages", id, len(h.e.kw[id]))
		}
	}
	if !h.e.isKeyword("Hi, how are you?", "bot_kw_hello") || h.e.isKeyword("how much is shipping", "bot_kw_hello") {
		t.Error("isKeyword does not match greetings exactly")
	}
}

// TestMessageScriptBeatsProfileScript (tryout 5, item 1): a customer whose
// LINE profile says one Chinese script and who plainly writes the other is
// answered in the script they write; a single telling character only
// offers the switch; an explicit choice still wins over the message and is
// only offered the other script.
func TestMessageScriptBeatsProfileScript(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, profile string
		choose        string // typed before the question
		question      string
		wantLang      string
		wantOffer     string // lang: quick reply offered, "" for none
	}{
		{"zh-TW profile writes Simplified", "zh-TW", "", "运送要多长时间", locales.ZhCN, ""},
		{"zh-CN profile writes Traditional", "zh-CN", "", "運送要多長時間", locales.ZhTW, ""},
		{"zh-TW profile writes English", "zh-TW", "", "how long does delivery take", locales.EN, ""},
		{"en profile writes Simplified", "en", "", "运送要多长时间", locales.ZhCN, ""},
		{"one telling character only offers", "zh-CN", "", "運送要多久", locales.ZhCN, locales.ZhTW},
		{"a choice of Traditional stands, Simplified offered", "zh-TW", "繁體中文", "运送要多长时间", locales.ZhTW, locales.ZhCN},
		{"a choice of Simplified stands, Traditional offered", "", "简体中文", "運送要多長時間", locales.ZhCN, locales.ZhTW},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.profiles.byID["U1"] = Profile{Language: tt.profile}
			if tt.choose != "" {
				h.text("U1", tt.choose)
			}
			msgs := h.text("U1", tt.question)
			mustContain(t, all(msgs), h.answerOf("shipping-time", tt.wantLang))
			if st := h.conv("U1"); st["lang"] != tt.wantLang {
				t.Errorf("stored lang %s, want %s", st["lang"], tt.wantLang)
			}
			for _, l := range locales.Supported {
				if got, want := hasReply(msgs, "lang:"+l), l == tt.wantOffer; got != want {
					t.Errorf("quick reply lang:%s offered %v, want %v: %s", l, got, want, all(msgs))
				}
			}
		})
	}
}
