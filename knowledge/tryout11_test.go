package knowledge

import (
	"context"
	"testing"
)

// TestTryout11Defects holds the full demo KB to the answers a tester's
// tryout (round 11) found wrong, with variants in the three languages.
// Each case names the generic cause it guards, never a KB edit: the demo
// KB is unchanged.
func TestTryout11Defects(t *testing.T) {
	ctx := context.Background()
	b, err := Load(ctx, Demo())
	if err != nil {
		t.Fatalf("load demo: %v", err)
	}
	tests := []struct {
		name, q, lang, want string
	}{
		// A Latin synonym (7-11 -> 超商) rewritten into Han text made the
		// bigram 以超, used only by the outlying-islands example
		// 離島可以超商取貨嗎, and that entry was the confident answer.
		{"7-11 inside zh-TW text", "可以7-11取貨嗎", ZhTW, "pickup-how"},
		{"7-11 first", "7-11可以取貨嗎", ZhTW, "pickup-how"},
		{"7-11 after 用", "用7-11取貨可以嗎", ZhTW, "pickup-how"},
		{"7-ELEVEN capitals", "可以選7-ELEVEN取貨嗎", ZhTW, "pickup-how"},
		{"zh-CN 可以在7-11", "可以在7-11取货吗", ZhCN, "pickup-how"},
		{"en 7-11", "can I pick up at 7-11", EN, "pickup-how"},
		{"en 7-Eleven", "can I collect it at 7-Eleven", EN, "pickup-how"},
		// 711 (no hyphen) is a convenience store (lexicon pattern); as a
		// word no entry uses it weighed the most against coverage, so it
		// is left to its concept, which the KB has. (Chinese 可以在711取貨嗎
		// still gets a menu: the KB's synonyms rewrite 7-11, not 711.)
		{"en 711", "can i pick up at 711", EN, "pickup-how"},
		{"en 711 capitals, question mark", "Can I collect my parcel at 711?", EN, "pickup-how"},
		// 阿 typed for the particle 啊 was a word no entry uses (少阿,
		// 阿): the heaviest kind against coverage, and the answer became
		// a menu.
		{"阿 for 啊", "運費要多少阿", ZhTW, "shipping-fee"},
		{"阿 before punctuation", "運費要多少阿？", ZhTW, "shipping-fee"},
		{"阿 before an emoji", "運費要多少阿😅", ZhTW, "shipping-fee"},
		{"zh-CN 阿", "运费要多少阿", ZhCN, "shipping-fee"},
		{"zh-CN 吖", "运费要多少吖", ZhCN, "shipping-fee"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, ex := b.Explain(ctx, tt.q, tt.lang)
			if got := bestID(m); got != tt.want || m.Confidence != High {
				t.Errorf("%s: got %s (%s), want %s (high); terms %v", tt.q, got, m.Confidence, tt.want, ex.Terms)
			}
		})
	}
}

func TestZhFinalParticles(t *testing.T) {
	tests := []struct{ in, want string }{
		{"多少阿", "多少   "},
		{"多少阿？好", "多少   ？好"},
		{"多少吖 谢谢", "多少    谢谢"},
		{"阿姨要来", "阿姨要来"}, // inside a word
		{"阿里巴巴", "阿里巴巴"},
		{"阿3号", "阿3号"},
		{"没有", "没有"},
	}
	for _, tt := range tests {
		if got := zhFinalParticles(tt.in); got != tt.want {
			t.Errorf("zhFinalParticles(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
