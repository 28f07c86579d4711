package inbox

import (
	"context"
	"strings"
	"testing"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
)

// TestCannedFullReadsAsASentence (tryout #11): the full reply puts no
// Title-Case KB title inside an English sentence, and Chinese greets with
// no space before 您好.
func TestCannedFullReadsAsASentence(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	e := newUIEnv(t, rdb, prefix, false)
	mei := e.signedIn(t, "mei")
	tests := []struct {
		lang, name      string
		want, forbidden []string
	}{
		{"en", "Bob", []string{"Hi Bob,", "your messages about the damaged or wrong item"}, []string{"Damaged on arrival"}},
		{"zh-TW", "王小美", []string{"王小美您好，", "關於商品到貨破損的內容"}, []string{"王小美 您好"}},
		{"zh-CN", "陈大文", []string{"陈大文您好，", "关于商品到货破损的内容"}, []string{"陈大文 您好"}},
	}
	for i, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			c, err := e.svc.Open(context.Background(), handoff.Opening{
				UserID: "U" + string(rune('a'+i)), DisplayName: tt.name, Lang: tt.lang, Category: "fault", Topic: "damaged-on-arrival",
				TopicTitle: map[string]string{"en": "Damaged on arrival", "zh-TW": "商品到貨破損", "zh-CN": "商品到货破损"},
				Triggers:   []escalation.Trigger{{Kind: escalation.KindDefect, Route: escalation.Route{Tier: "L2", Priority: "P3"}, Message: "the mug arrived broken"}},
				Transcript: []handoff.Turn{{From: handoff.FromCustomer, Text: "the mug arrived broken", At: e.clock.Now()}},
			})
			if err != nil {
				t.Fatal(err)
			}
			status, out := mei.call(t, "GET", "/api/cases/"+c.ID+"/canned", "")
			if status != 200 {
				t.Fatalf("canned: %d %v", status, out)
			}
			full, _ := out["full"].(string)
			for _, w := range tt.want {
				if !strings.Contains(full, w) {
					t.Errorf("full reply lacks %q:\n%s", w, full)
				}
			}
			for _, f := range tt.forbidden {
				if strings.Contains(full, f) {
					t.Errorf("full reply has %q:\n%s", f, full)
				}
			}
		})
	}
}

// TestCannedDoesNotQuoteAPersonRequest (tryout 2, items 8 and 13): a case
// whose whole request was "我要找人工客服" is not acknowledged as "about
// “我要找人工客服”"; a swollen power bank (a product safety report) is not
// "your account's security".
func TestCannedDoesNotQuoteAPersonRequest(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	e := newUIEnv(t, rdb, prefix, false)
	mei := e.signedIn(t, "mei")
	tests := []struct {
		name, lang, topic, text string
		trigger                 string
		want, forbidden         []string
	}{
		{"person request, zh-CN", "zh-CN", "", "我要找人工客服", escalation.KindHuman, []string{"您之前发来的消息我都已经看过了"}, []string{"“我要找人工客服”", "关于您的问题的内容"}},
		{"supervisor request, en", "en", "", "let me talk to your manager", escalation.KindSupervisor, nil, []string{"let me talk to your manager"}},
		{"a person, after a question: the question is quoted", "zh-TW", "", "運費怎麼算，我要找真人", escalation.KindDefect, []string{"「運費怎麼算」"}, nil},
		{"power bank, zh-TW", "zh-TW", handoff.TopicProductSafety, "我上禮拜買的行動電源鼓起來了", escalation.KindSecurity, []string{"關於您反映的產品安全問題造成您的困擾"}, []string{"帳號安全"}},
		{"power bank, en", "en", handoff.TopicProductSafety, "my power bank is swelling", escalation.KindSecurity, []string{"the product safety problem you reported"}, []string{"account's security"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := e.svc.Open(context.Background(), handoff.Opening{
				UserID: "U-p" + string(rune('a'+i)), DisplayName: "Amy", Lang: tt.lang, Category: "consultation", Topic: tt.topic, Request: tt.text,
				Triggers:   []escalation.Trigger{{Kind: tt.trigger, Route: escalation.Route{Tier: "L2", Priority: "P3"}, Message: tt.text}},
				Transcript: []handoff.Turn{{From: handoff.FromCustomer, Text: tt.text, At: e.clock.Now()}},
			})
			if err != nil {
				t.Fatal(err)
			}
			status, out := mei.call(t, "GET", "/api/cases/"+c.ID+"/canned", "")
			if status != 200 {
				t.Fatalf("canned: %d %v", status, out)
			}
			all, _ := out["full"].(string)
			for _, sec := range out["sections"].([]any) {
				for _, it := range dig(sec, "items").([]any) {
					all += "\n" + dig(it, "text").(string)
				}
			}
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("templates lack %q:\n%s", w, all)
				}
			}
			for _, f := range tt.forbidden {
				if strings.Contains(all, f) {
					t.Errorf("templates have %q:\n%s", f, all)
				}
			}
		})
	}
}
