package knowledge

import (
	"path/filepath"
	"slices"
	"testing"
)

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
