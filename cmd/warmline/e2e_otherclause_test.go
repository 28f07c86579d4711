package main

import (
	"strings"
	"testing"
)

// TestE2EOtherQuestionTheShopCannotAnswer: two questions in one message
// through the webhook, the KB answering one and knowing nothing of the
// other. The fee is answered and the other is never dropped nor met with
// a menu of unrelated entries: a question about the shop ("你們有實體店面
// 嗎") is said to be unclear and a person offered; any other ("可以講個笑
// 話給我聽嗎") is said plainly to be outside what the shop's assistant
// answers, no person offered. Three languages.
func TestE2EOtherQuestionTheShopCannotAnswer(t *testing.T) {
	t.Parallel()
	h := startE2E(t, e2eOpts{})
	for _, tt := range []struct {
		lang, ask, said string
		person          bool
	}{
		{"zh-TW", "運費怎麼算？還有可以講個笑話給我聽嗎？", "我是本店的客服小幫手", false},
		{"zh-CN", "运费怎么算？还有可以讲个笑话给我听吗？", "我是本店的客服助手", false},
		{"en", "How much is shipping? And can you tell me a joke?", "I'm the shop's assistant", false},
		{"zh-TW", "運費怎麼算？還有你們有實體店面嗎？", "換個方式再問我一次", true},
		{"zh-CN", "运费怎么算？还有你们有实体店面吗？", "换个说法再问我一次", true},
		{"en", "How much is shipping? And where is your warehouse?", "ask it again in other words", true},
	} {
		u := h.newCustomer(tt.lang)
		got := h.sayAll(u, tt.ask)
		txt := allText(got)
		if !strings.Contains(txt, "NT$60") || !strings.Contains(txt, tt.said) || hasQuick(got, "faq:") {
			t.Errorf("%s %q got %s, want the fee answered, %q said of the other, no menu", tt.lang, tt.ask, dump(got), tt.said)
		}
		if hasQuick(got, "handoff:request") != tt.person {
			t.Errorf("%s %q got %s: a person offered %v, want %v", tt.lang, tt.ask, dump(got), !tt.person, tt.person)
		}
	}
}

// TestE2ELeadInQuestionIsAnswered: a clause that only announces the
// question ("我只是想先問一下流程，…") does not dilute it into a menu: the
// question after it is answered, in three languages.
func TestE2ELeadInQuestionIsAnswered(t *testing.T) {
	t.Parallel()
	h := startE2E(t, e2eOpts{})
	for _, tt := range []struct{ lang, ask string }{
		{"zh-TW", "我只是想先問一下流程，運費怎麼算？"},
		{"zh-CN", "我就是想先问一下流程，运费怎么算？"},
		{"en", "I just want to ask about the process first, how much is shipping?"},
	} {
		u := h.newCustomer(tt.lang)
		got := h.sayAll(u, tt.ask)
		if txt := allText(got); !strings.Contains(txt, "NT$60") || hasQuick(got, "faq:") || !hasQuick(got, "fb:yes:shipping-fee") {
			t.Errorf("%s %q got %s, want the shipping fee answered, no menu", tt.lang, tt.ask, dump(got))
		}
	}
}
