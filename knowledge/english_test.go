package knowledge

import (
	"slices"
	"testing"
)

func analysed(tune tuning, text string) []string {
	var out []string
	for _, t := range englishAnalyzer(tune).Analyze([]byte(text)) {
		out = append(out, string(t.Term))
	}
	return out
}

func TestEnglishAnalyzer(t *testing.T) {
	porter := defaultTuning
	porter.enLemmas, porter.enFiller, porter.enSnowball = 0, 0, false
	all := defaultTuning
	all.enLemmas, all.enFiller = lemmasIrregular|lemmasDerived|lemmasChat, fillerGreeting|fillerVerbs
	snow := porter
	snow.enSnowball = true
	for _, c := range []struct {
		name string
		tune tuning
		text string
		want []string
	}{
		{"bleve's English analyser", porter, "Hi, where's my refunded order?", []string{"hi", "refund", "order"}},
		{"greeting filler out", defaultTuning, "hi pls, thanks! quick question: refund?", []string{"refund"}},
		{"forms of one verb meet", defaultTuning, "refunded refunding refunds shipped shipping cancelled cancellation", []string{"refund", "refund", "refund", "ship", "ship", "cancel", "cancel"}},
		{"irregular and derived forms", all, "paid payment bought delivery shipment", []string{"pai", "pai", "bui", "deliv", "ship"}},
		{"chat spellings", all, "can u tell me ur addr pls", []string{"address"}},
		{"snowball", snow, "paying using", []string{"pay", "use"}},
	} {
		if got := analysed(c.tune, c.text); !slices.Equal(got, c.want) {
			t.Errorf("%s: %q -> %q, want %q", c.name, c.text, got, c.want)
		}
	}
}

// TestLexiconAnalyzerKeepsFunctionWords: lexicon members such as "how
// long" are matched with their function words.
func TestLexiconAnalyzerKeepsFunctionWords(t *testing.T) {
	var got []string
	for _, tok := range lexiconAnalyzer(defaultTuning).Analyze([]byte("How long does shipping take?")) {
		got = append(got, string(tok.Term))
	}
	if want := []string{"how", "long", "doe", "ship", "take"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
