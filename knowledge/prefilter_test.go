package knowledge

import (
	"path/filepath"
	"slices"
	"testing"
)

func TestRequiredLiterals(t *testing.T) {
	for _, tt := range []struct {
		pattern string
		want    []literal // nil: none
	}{
		{`(?i)\bonly\s+(\d+|one|two)\b`, []literal{{s: "only", fold: true}}},
		{`分\s*[0-9一二]+\s*(期|個月)`, []literal{{s: "分"}}},
		{`(?i)\b(over|in)\s+\d+\s+months\b`, []literal{{s: "months", fold: true}}},
		{`\b[A-Za-z]{1,4}-?\d{6,}\b`, []literal{{s: "0"}, {s: "1"}, {s: "2"}, {s: "3"}, {s: "4"}, {s: "5"}, {s: "6"}, {s: "7"}, {s: "8"}, {s: "9"}}},
		{`(退|換)貨`, []literal{{s: "換"}, {s: "退"}}}, // a class, in rune order
		{`a*b?`, nil},
		{`(x|)y?`, nil},
		{`(?i)é`, nil},
	} {
		got, ok := requiredLiterals(tt.pattern)
		if !ok {
			got = nil
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("requiredLiterals(%q) = %v, want %v", tt.pattern, got, tt.want)
		}
	}
}

// TestPrefilterKeepsConcepts finds the same concepts with and without the
// patterns' prefilter on every text of the demo KB and the evaluation
// questions.
func TestPrefilterKeepsConcepts(t *testing.T) {
	b := demoBase(t)
	plain := *b.lex
	plain.patterns = slices.Clone(b.lex.patterns)
	for i := range plain.patterns {
		plain.patterns[i].need = nil
	}
	texts := map[string][]string{}
	for _, e := range b.entries {
		for _, script := range []string{EN, "zh"} {
			q, a := entryText(e, script, b.conv, b.syn)
			texts[script] = append(texts[script], q...)
			texts[script] = append(texts[script], a...)
		}
	}
	sets, _ := filepath.Glob("testdata/eval/*.yaml")
	for _, s := range sets {
		for _, c := range evalFile(t, filepath.Base(s)) {
			script := EN
			if c.Lang != EN {
				script = "zh"
			}
			texts[script] = append(texts[script], c.Q, "ONLY 2 came, in 12 MONTHS, ſhip AB-1234567")
		}
	}
	var n int
	for script, list := range texts {
		for _, text := range list {
			if got, want := b.lex.conceptsOf(text, script), plain.conceptsOf(text, script); !slices.Equal(got, want) {
				t.Errorf("%q: concepts %v with the prefilter, %v without", text, got, want)
			}
			n++
		}
	}
	if n < 1000 {
		t.Errorf("checked %d texts, want more", n)
	}
}
