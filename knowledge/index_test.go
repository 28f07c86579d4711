package knowledge

import (
	"slices"
	"testing"
)

// TestSentenceTokensAreTheSentencesAnalysed checks the shortcut the index
// build takes for an answer's sentences (the answer's own tokens that lie
// in each sentence) against analysing each sentence alone, on every answer
// of the evaluation KBs and on texts where a sentence end is inside a word.
func TestSentenceTokensAreTheSentencesAnalysed(t *testing.T) {
	b := sparseDemoBase(t, defaultTuning)
	tricky := []string{
		"Delivery takes 3.5 days. Then it arrives!",
		"e.g. this; that;those",
		"版本1；2 好。我們下週見！",
		"Thanks!\u200d😀 see you",
		"Great!\ufe0f ok?",
		"Visit https://shop.example.com/a?b=c. Or call.",
		"Wait…really?! Yes.\r\nNext line\n\nend",
		"退貨。。退款；；Refund.Policy 1.2.3",
		"。",
		"",
	}
	texts := map[*script][]string{b.en: tricky, b.zh: tricky}
	kbs := []*Base{b, demoBase(t), sparseBitextBase(t, defaultTuning)}
	for _, shop := range sparseShops() {
		kbs = append(kbs, shopKB(t, shop, defaultTuning))
	}
	for _, kb := range kbs {
		for _, e := range kb.entries {
			for _, x := range []struct {
				sc     *script
				script string
			}{{b.en, EN}, {b.zh, "zh"}} {
				_, a := entryText(e, x.script, kb.conv, kb.syn)
				texts[x.sc] = append(texts[x.sc], b.expandAll(a, x.script)...)
			}
		}
	}
	tz := &tokenizer{ids: map[string]int32{}}
	var clean, checked int
	for sc, list := range texts {
		for _, text := range list {
			ids, starts := tz.tokensAt(sc, text, true)
			got := tz.sentenceTokens(sc, text, ids, starts)
			sents := sentences(text)
			if len(got) != len(sents) {
				t.Fatalf("%q: %d sentences, want %d", text, len(got), len(sents))
			}
			for k, sent := range sents {
				want := tz.tokens(sc, sent)
				g := slices.Sorted(slices.Values(got[k]))
				slices.Sort(want)
				if !slices.Equal(g, want) {
					t.Errorf("%q, sentence %q: tokens %v, want %v", text, sent, g, want)
				}
				checked++
			}
			if splitsCleanly(text) {
				clean++
			}
		}
	}
	t.Logf("%d sentences checked; %d of %d texts took the shortcut", checked, clean, len(texts[b.en])+len(texts[b.zh]))
	for _, tt := range []struct {
		text string
		want bool
	}{
		{"Ships in 2 days. Thanks!", true},
		{"3.5 days", false},
		{"e.g. this", false},
		{"1；2", false},
		{"Great!\ufe0f ok", false},
		{"好。我們", true},
		{"一次；密碼", true},
		{"a\u0301.b", false},
	} {
		if got := splitsCleanly(tt.text); got != tt.want {
			t.Errorf("splitsCleanly(%q) = %t, want %t", tt.text, got, tt.want)
		}
	}
}
