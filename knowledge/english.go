package knowledge

import (
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/token/stop"
	unicodetok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
)

// englishAnalyzer is the analyser of English questions and entries: words,
// lower case, possessives off, bleve's English stop words plus chat filler
// (englishFiller) out, and the Porter stemmer.
func englishAnalyzer() analysis.Analyzer {
	stops := analysis.NewTokenMap()
	_ = stops.LoadBytes(en.EnglishStopWords) // a constant list: cannot fail
	for _, w := range englishFiller {
		stops.AddToken(w)
	}
	return &analysis.DefaultAnalyzer{Tokenizer: unicodetok.NewUnicodeTokenizer(), TokenFilters: []analysis.TokenFilter{
		en.NewPossessiveFilter(), lowercase.NewLowerCaseFilter(), stop.NewStopTokensFilter(stops), porter.NewPorterStemmer(),
	}}
}

// lexiconAnalyzer is the lexicon's English analyser: englishAnalyzer with
// no stop words (members such as "how long" keep their function words).
func lexiconAnalyzer() analysis.Analyzer {
	return &analysis.DefaultAnalyzer{Tokenizer: unicodetok.NewUnicodeTokenizer(), TokenFilters: []analysis.TokenFilter{
		en.NewPossessiveFilter(), lowercase.NewLowerCaseFilter(), porter.NewPorterStemmer(),
	}}
}

// englishFiller is chat filler and politeness of LINE messages, out of
// English questions and entries like stop words: "hi", "pls", "can u",
// "i wanna know", "quick question" carry no topic, and as words no entry
// uses they weigh the most against coverage.
var englishFiller = []string{
	"hi", "hii", "hello", "hey", "heya", "hiya", "yo", "morning", "afternoon", "evening",
	"please", "thanks", "thank", "pls", "plz", "thx",
	"quick", "question", "questions", "okay", "ok", "um", "uh",
	"hmm", "btw", "lol", "sorry", "dear", "sir", "madam", "guys", "really",
	"actually", "kindly",
}
