package knowledge

import (
	"context"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func builtin(t *testing.T) *lexicon {
	t.Helper()
	concepts, err := builtinConcepts()
	if err != nil {
		t.Fatal(err)
	}
	conv, err := defaultConverter()
	if err != nil {
		t.Fatal(err)
	}
	lx, err := newLexicon(concepts, conv)
	if err != nil {
		t.Fatal(err)
	}
	return lx
}

func TestBuiltinLexicon(t *testing.T) {
	lx := builtin(t)
	if lx.concepts < 150 {
		t.Errorf("built-in lexicon: %d concepts, want at least 150", lx.concepts)
	}
	// Pairs that must share a concept: different words, same meaning.
	same := []struct{ a, b, script string }{
		{"when will it be dispatched", "has it shipped yet", EN},
		{"I want my money back", "refund please", EN},
		{"promo code", "my voucher", EN},
		{"什么时候发货", "什么时候出货", "zh"}, // zh-CN and zh-TW words, both Simplified here
		{"退钱", "退款", "zh"},
		{"优惠券", "折价券", "zh"},
		{"短信", "简讯", "zh"},
		{"自提", "取货", "zh"},
		{"where is WL20261107", "order number", EN},
	}
	for _, tt := range same {
		ca, cb := lx.conceptsOf(tt.a, tt.script), lx.conceptsOf(tt.b, tt.script)
		if !slices.ContainsFunc(ca, func(c string) bool { return slices.Contains(cb, c) }) {
			t.Errorf("%q %v and %q %v share no concept", tt.a, ca, tt.b, cb)
		}
	}
	if cs := lx.conceptsOf("which nations are not democratic", EN); len(cs) > 0 {
		t.Errorf("an unrelated question: concepts %v, want none", cs)
	}
}

func TestLexiconMatch(t *testing.T) {
	// One entry per topic, each with a single example: the question's
	// words are in no example, only in the lexicon.
	kb := `entries:
  - id: ship-time
    category: consultation
    title: {en: When we ship, zh-TW: 出貨時間}
    examples: {en: ["when do you ship"], zh-TW: ["什麼時候出貨"]}
    answer: {en: Within 24 hours., zh-TW: 24 小時內。}
  - id: refund
    category: consultation
    title: {en: Refunds, zh-TW: 退款}
    examples: {en: ["how do refunds work"], zh-TW: ["怎麼退款"]}
    answer: {en: To your card in 7 days., zh-TW: 7 天內退回信用卡。}
  - id: coupon
    category: consultation
    title: {en: Coupons, zh-TW: 折價券}
    examples: {en: ["how to use a coupon"], zh-TW: ["折價券怎麼用"]}
    answer: {en: Enter it at checkout., zh-TW: 結帳時輸入。}
`
	on, err := Load(context.Background(), fstest.MapFS{"kb.yaml": {Data: []byte(kb)}})
	if err != nil {
		t.Fatal(err)
	}
	tune := defaultTuning
	tune.lexicon = false
	off, err := loadTuned(context.Background(), fstest.MapFS{"kb.yaml": {Data: []byte(kb)}}, LoadOptions{}, tune)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ q, lang, want string }{
		{"has my parcel been dispatched", EN, "ship-time"},
		{"I want my money back", EN, "refund"},
		{"where do I type the promo code", EN, "coupon"},
		{"你们什么时候发货", ZhCN, "ship-time"},
		{"我想退钱", ZhCN, "refund"},
		{"優惠碼要在哪裡輸入", ZhTW, "coupon"},
	} {
		if got := bestID(on.Match(context.Background(), tt.q, tt.lang)); got != tt.want {
			t.Errorf("%q with the lexicon: got %q, want %q", tt.q, got, tt.want)
		}
		if m := off.Match(context.Background(), tt.q, tt.lang); bestID(m) == tt.want && m.Confidence == High {
			t.Errorf("%q without the lexicon: already %s (high); the case proves nothing", tt.q, tt.want)
		}
	}
}

func TestKBLexicon(t *testing.T) {
	entry := `entries:
  - id: loyalty
    category: consultation
    title: {en: Grove points, zh-TW: 森林點}
    examples: {en: ["how do grove points work"], zh-TW: ["森林點怎麼用"]}
    answer: {en: One point per NT$100., zh-TW: 每 100 元一點。}
  - id: hours
    category: consultation
    title: {en: Opening hours, zh-TW: 營業時間}
    examples: {en: ["when are you open"], zh-TW: ["幾點開門"]}
    answer: {en: 11:00 to 21:00., zh-TW: 11:00 到 21:00。}
`
	lex := `lexicon:
  - en: [grove points, leaf coins]
    zh-TW: [森林點, 葉子幣]
`
	b, err := Load(context.Background(), fstest.MapFS{"kb.yaml": {Data: []byte(entry)}, "words.yaml": {Data: []byte(lex)}})
	if err != nil {
		t.Fatal(err)
	}
	without, err := Load(context.Background(), fstest.MapFS{"kb.yaml": {Data: []byte(entry)}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ q, lang string }{{"how many leaf coins do I have", EN}, {"葉子幣可以折抵嗎", ZhTW}} {
		if got := bestID(b.Match(context.Background(), tt.q, tt.lang)); got != "loyalty" {
			t.Errorf("%q: got %q, want loyalty", tt.q, got)
		}
		if m := without.Match(context.Background(), tt.q, tt.lang); bestID(m) == "loyalty" && m.Confidence == High {
			t.Errorf("%q without the KB's lexicon: got loyalty (high) already; the case proves nothing", tt.q)
		}
	}

	for name, bad := range map[string]string{
		"not a list":      "lexicon: {en: [a, b]}\n",
		"unknown key":     "lexicon:\n  - {en: [a, b], fr: [c]}\n",
		"one character":   "lexicon:\n  - {zh-TW: [點, 點數]}\n",
		"one word":        "lexicon:\n  - {en: [alone]}\n",
		"bad pattern":     "lexicon:\n  - {en: [a, b], patterns: ['(']}\n",
		"words not lists": "lexicon:\n  - {en: word}\n",
	} {
		_, err := Load(context.Background(), fstest.MapFS{"kb.yaml": {Data: []byte(entry)}, "words.yaml": {Data: []byte(bad)}})
		if err == nil || !strings.Contains(err.Error(), "words.yaml") || !strings.Contains(err.Error(), "lexicon") {
			t.Errorf("%s: got %v, want an error naming words.yaml and lexicon", name, err)
		}
	}
}

func TestExpandBlanksParticles(t *testing.T) {
	lx := builtin(t)
	got := lx.expand("包裹到了吗", "zh")
	if strings.Contains(got, "吗") {
		t.Errorf("expand kept a particle: %q", got)
	}
	if !strings.Contains(got, "包裹到了") {
		t.Errorf("expand lost the question's words: %q", got)
	}
	if cs := lx.conceptsOf("包裹到了吗", "zh"); len(cs) == 0 || !strings.Contains(got, cs[0]) {
		t.Errorf("expand %q lost the concepts %v", got, cs)
	}
	if got := lx.expand("is it here yet?", EN); !strings.HasPrefix(got, "is it here yet?") {
		t.Errorf("English text changed: %q", got)
	}
}
