package handoff

import (
	"strings"
	"testing"

	"github.com/warmline/warmline/handoff/escalation"
)

// TestBriefFilesTriggerCategories (lead tryout 5, item 3): a legal threat
// is filed as "Legal threat / media", not "General question (complaint)";
// an account takeover as "Account security", not "(fault)"; a product
// hazard as "Product safety"; in every language. A case no such trigger
// opened keeps the bot's category.
func TestBriefFilesTriggerCategories(t *testing.T) {
	t.Parallel()
	s := briefService(t)
	legal := "再不處理我就找律師，也會投訴到消保官"
	takeover := "someone logged into my account and changed my password"
	tests := []struct {
		name string
		c    *Case
		want map[string]string // lang → the want line contains
		not  []string
	}{
		{"legal threat, no topic", &Case{ID: "CS-1", Lang: "zh-TW", Category: "complaint", Request: legal,
			Triggers: []escalation.Trigger{{Kind: escalation.KindLegalMedia, Message: legal, Evidence: "律師"}}},
			map[string]string{"zh-TW": "需求：法律威脅／媒體：「", "zh-CN": "诉求：法律威胁／媒体：“", "en": "Wants (Legal threat / media): “"},
			[]string{"一般問題", "一般问题", "general question", "complaint", "客訴", "投诉（"}},
		{"account takeover", &Case{ID: "CS-2", Lang: "en", Category: "fault", Topic: TopicAccountSecurity, Request: takeover,
			Triggers: []escalation.Trigger{{Kind: escalation.KindSecurity, Message: takeover, Evidence: "logged into my account"}}},
			map[string]string{"zh-TW": "需求：帳號安全：「", "zh-CN": "诉求：账号安全：“", "en": "Wants (Account security): “"},
			[]string{"fault", "故障", "general question"}},
		{"product hazard", &Case{ID: "CS-3", Lang: "zh-TW", Category: "fault", Topic: TopicProductSafety, Request: "行動電源膨脹了還會發燙",
			Triggers: []escalation.Trigger{{Kind: escalation.KindSecurity, Message: "行動電源膨脹了還會發燙", Evidence: "膨脹"}}},
			map[string]string{"zh-TW": "需求：產品安全：「", "zh-CN": "诉求：产品安全：“", "en": "Wants (Product safety): “"},
			[]string{"fault", "故障"}},
		{"a person asked for keeps its category", &Case{ID: "CS-4", Lang: "en", Category: "complaint", Request: "the courier was rude",
			Triggers: []escalation.Trigger{{Kind: escalation.KindRepeat, Message: "the courier was rude"}}},
			map[string]string{"en": "(complaint)"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for lang, want := range tt.want {
				line := s.Brief(tt.c, lang)[1]
				if !strings.Contains(line, want) {
					t.Errorf("%s want line %q, want %q in it", lang, line, want)
				}
				for _, n := range tt.not {
					if strings.Contains(line, n) {
						t.Errorf("%s want line %q has %q", lang, line, n)
					}
				}
			}
		})
	}
}
