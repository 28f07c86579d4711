package knowledge

import (
	"slices"
	"testing"
)

func analysed(text string) []string {
	var out []string
	for _, t := range englishAnalyzer().Analyze([]byte(text)) {
		out = append(out, string(t.Term))
	}
	return out
}

func TestEnglishAnalyzer(t *testing.T) {
	for _, c := range []struct {
		name string
		text string
		want []string
	}{
		{"stop words and possessives out, Porter stems", "Where's my refunded order?", []string{"refund", "order"}},
		{"greeting filler out", "hi pls, thanks! quick question: refund?", []string{"refund"}},
		{"forms of one verb meet", "refunded refunding refunds shipped shipping cancelled cancellation", []string{"refund", "refund", "refund", "ship", "ship", "cancel", "cancel"}},
	} {
		if got := analysed(c.text); !slices.Equal(got, c.want) {
			t.Errorf("%s: %q -> %q, want %q", c.name, c.text, got, c.want)
		}
	}
}

// TestLexiconAnalyzerKeepsFunctionWords: lexicon members such as "how
// long" are matched with their function words.
func TestLexiconAnalyzerKeepsFunctionWords(t *testing.T) {
	var got []string
	for _, tok := range lexiconAnalyzer().Analyze([]byte("How long does shipping take?")) {
		got = append(got, string(tok.Term))
	}
	if want := []string{"how", "long", "doe", "ship", "take"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
