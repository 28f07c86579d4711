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
// lower case, possessives off, then (per tune) irregular and chat forms to
// their base word (englishLemmas), bleve's English stop words plus chat
// filler (englishFiller) out, and the Porter or Snowball stemmer.
func englishAnalyzer(tune tuning) analysis.Analyzer {
	filters := []analysis.TokenFilter{en.NewPossessiveFilter(), lowercase.NewLowerCaseFilter()}
	if tune.enLemmas != 0 {
		filters = append(filters, lemmaFilter{groups: tune.enLemmas})
	}
	stops := analysis.NewTokenMap()
	_ = stops.LoadBytes(en.EnglishStopWords) // a constant list: cannot fail
	if tune.enFiller&fillerGreeting != 0 {
		for _, w := range englishFiller {
			stops.AddToken(w)
		}
	}
	if tune.enFiller&fillerVerbs != 0 {
		for _, w := range englishFillerVerbs {
			stops.AddToken(w)
		}
	}
	filters = append(filters, stop.NewStopTokensFilter(stops), englishStemmer(tune))
	return &analysis.DefaultAnalyzer{Tokenizer: unicodetok.NewUnicodeTokenizer(), TokenFilters: filters}
}

// lexiconAnalyzer is the lexicon's English analyser: englishAnalyzer with
// no stop words (members such as "how long" keep their function words).
func lexiconAnalyzer(tune tuning) analysis.Analyzer {
	filters := []analysis.TokenFilter{en.NewPossessiveFilter(), lowercase.NewLowerCaseFilter()}
	if tune.enLemmasLex != 0 {
		filters = append(filters, lemmaFilter{groups: tune.enLemmasLex})
	}
	filters = append(filters, englishStemmer(tune))
	return &analysis.DefaultAnalyzer{Tokenizer: unicodetok.NewUnicodeTokenizer(), TokenFilters: filters}
}

func englishStemmer(tune tuning) analysis.TokenFilter {
	if tune.enSnowball {
		return en.NewEnglishStemmerFilter()
	}
	return porter.NewPorterStemmer()
}

// The word lists of tuning.enLemmas and enFiller, as bits.
const (
	lemmasIrregular = 1 << iota // englishLemmas
	lemmasDerived               // englishDerived
	lemmasChat                  // englishChat
)

const (
	fillerGreeting = 1 << iota // englishFiller
	fillerVerbs                // englishFillerVerbs
)

// lemmaFilter replaces a word by its base form from englishLemmas.
type lemmaFilter struct{ groups int }

func (f lemmaFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	for _, t := range input {
		for g, m := range []map[string]string{englishLemmas, englishDerived, englishChat} {
			if f.groups&(1<<g) == 0 {
				continue
			}
			if l, ok := m[string(t.Term)]; ok {
				t.Term = []byte(l)
				break
			}
		}
	}
	return input
}

// englishLemmas maps general English forms a stemmer does not bring to
// their base word: irregular verbs and plurals, derived nouns of shop
// verbs (delivery, shipment, payment), and chat spellings (u, pls, wanna).
// Not per KB: every English question and entry goes through it.
var englishLemmas = map[string]string{
	// irregular verbs
	"paid": "pay", "bought": "buy", "sent": "send", "sold": "sell", "broke": "break", "broken": "break",
	"took": "take", "taken": "take", "got": "get", "gotten": "get", "gave": "give", "given": "give",
	"went": "go", "gone": "go", "came": "come", "made": "make", "lost": "lose", "chose": "choose",
	"chosen": "choose", "wore": "wear", "worn": "wear", "tore": "tear", "torn": "tear", "kept": "keep",
	"found": "find", "left": "leave", "told": "tell", "thought": "think", "brought": "bring",
	"spent": "spend", "held": "hold", "won": "win", "wrote": "write", "written": "write",
	"forgot": "forget", "forgotten": "forget", "shipt": "ship", "stolen": "steal", "stole": "steal",
	"fell": "fall", "fallen": "fall", "ran": "run", "ate": "eat", "eaten": "eat", "saw": "see",
	"seen": "see", "said": "say", "met": "meet", "shown": "show", "hid": "hide", "hidden": "hide",
	"woke": "wake", "sat": "sit",
}

// englishDerived maps nouns of shop verbs a stemmer keeps apart to the verb.
var englishDerived = map[string]string{
	// irregular plurals
	"children": "child", "feet": "foot", "teeth": "tooth", "mice": "mouse", "men": "man", "women": "woman",
	"knives": "knife", "shelves": "shelf", "leaves": "leaf", "halves": "half", "wives": "wife",
	// nouns of shop verbs a stemmer keeps apart
	"delivery": "deliver", "deliveries": "deliver", "shipment": "ship", "shipments": "ship",
	"payment": "pay", "payments": "pay", "purchase": "buy", "purchases": "buy", "purchased": "buy",
	"purchasing": "buy", "arrival": "arrive", "refundable": "refund", "replacement": "replace",
	"replacements": "replace", "cancellation": "cancel", "cancellations": "cancel",
	"installation": "install", "assembly": "assemble", "subscription": "subscribe",
	"subscriptions": "subscribe", "registration": "register", "reservation": "reserve",
	"reservations": "reserve", "confirmation": "confirm", "modification": "modify",
}

// englishChat maps British spellings and chat spellings to one form.
var englishChat = map[string]string{
	// British and American spellings
	"cancelled": "cancel", "cancelling": "cancel", "colour": "color", "colours": "color",
	"centre": "center", "favourite": "favorite", "cheque": "check", "catalogue": "catalog",
	"jewellery": "jewelry", "aluminium": "aluminum", "organise": "organize", "realise": "realize",
	// chat spellings
	"u": "you", "ur": "your", "r": "are", "pls": "please", "plz": "please", "plse": "please",
	"pleasee": "please", "thx": "thanks", "thanx": "thanks", "ty": "thanks", "tks": "thanks",
	"wanna": "want", "gonna": "go", "gotta": "must", "dunno": "know", "abt": "about",
	"bc": "because", "cuz": "because", "coz": "because", "tmr": "tomorrow", "tmrw": "tomorrow",
	"2day": "today", "msg": "message", "pic": "photo", "pics": "photo", "pix": "photo",
	"addr": "address", "acct": "account", "info": "information", "ppl": "people",
	"rly": "really", "ya": "you", "yr": "your", "im": "i", "ive": "i", "dont": "do", "cant": "can",
	"didnt": "did", "doesnt": "does", "wont": "will", "isnt": "is",
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

// englishFillerVerbs are the modal and asking verbs of "can u tell me",
// "i wanna know", "just wondering".
var englishFillerVerbs = []string{
	"can", "may", "might", "will", "shall", "must",
	"want", "wanted", "know", "wondering", "wonder", "ask", "asking", "asked",
	"just", "tell", "like", "also", "let", "anyone", "somebody", "someone",
}
