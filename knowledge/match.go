package knowledge

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	unicodetok "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/warmline/warmline/knowledge/semantic"
)

// Field names, per script: the question side of an entry (title and
// examples) and its answer side (answer, quick replies, link labels), each
// a BM25 field (bm25.go); Chinese is normalised to Simplified first.
const (
	fieldEN  = "en"
	fieldZH  = "zh"
	fieldENA = "en_answer"
	fieldZHA = "zh_answer"

	analyzerZH = "warmline_zh"
	filterZH   = "warmline_cjk_bigram"

	maxCandidates = 3
)

// tuning holds the matcher's parameters; defaultTuning documents the
// values in use (chosen on the dev sets: docs/matching-calibration.md for
// the confidence, docs/knowledge-eval.md for the rest).
type tuning struct {
	// answerBoost weighs a match in the answer fields against one in the
	// question fields (1).
	answerBoost float64
	// answerCover is how much a question term found only in an entry's
	// answer counts toward coverage.
	answerCover float64
	// unigrams adds single Han characters to the Chinese bigrams.
	unigrams bool
	// confidence holds the weights of the logistic model that turns a
	// match's numbers into the probability that the best entry is right
	// (see features); highConfidence is the probability from which the
	// matcher answers a Chinese question (High), highConfidenceEN an
	// English one (stems and bigrams spread the numbers differently: one
	// threshold for both answered fewer Chinese questions or more English
	// ones wrongly). All are fitted on the dev sets of every dev KB and
	// CLINC's out-of-scope queries against each (docs/matching-calibration.md),
	// with confidently wrong at most 2% in each script.
	confidence       [numFeatures]float64
	highConfidence   float64
	highConfidenceEN float64
	// mediumCoverage is the coverage below which nothing is offered;
	// mediumConfidence (Chinese) and mediumConfidenceEN the fitted
	// probability below which nothing is offered either (chosen on the dev
	// sets: the most offered with no more out-of-scope menus than before,
	// TestMenuSize).
	mediumCoverage     float64
	mediumConfidence   float64
	mediumConfidenceEN float64
	// menuRatio drops from a menu the candidates scoring under this share
	// of the best one's score.
	menuRatio float64
	// fuzzyMinLen is the length (in letters) from which an English word
	// the KB does not know is corrected to a known word one edit away.
	fuzzyMinLen int
	// fuzzyWeight is how much a corrected word counts.
	fuzzyWeight float64
	// unknownWeight scales the weight of a question term no entry uses.
	unknownWeight float64
	// exampleWeight is the share of an entry's score that comes from its
	// best-matching example question (each example indexed on its own);
	// the rest from the whole entry (all its questions, its answer).
	exampleWeight float64
	// lexicon turns on the built-in lexicon's concepts (lexicon.go).
	lexicon bool
	// bm25 are the ranking's BM25 parameters.
	bm25 bm25
	// answerSentences, when above 0, indexes each sentence of an entry's
	// answer side as an example question counting this much.
	answerSentences float64
	// conceptWeight is how much a concept term of the question weighs
	// against a word (1) in the ranking (2: sparse KBs' rank-1 rose, 0.8
	// before; docs/knowledge-eval.md).
	conceptWeight float64
	// conceptCover, when above 0, is how much a concept term counts toward
	// coverage instead of conceptWeight.
	conceptCover float64
}

var defaultTuning = tuning{
	answerBoost:        0.2,
	answerCover:        1,
	unknownWeight:      0.6,
	unigrams:           true,
	confidence:         [numFeatures]float64{6.43, 2.26, -0.01, 2.54, 0.58, 0.96, 0.16, 3.47, -2.36, 0.01, 2.53, -11.52},
	highConfidence:     0.85,
	highConfidenceEN:   0.865,
	mediumCoverage:     0.20,
	mediumConfidence:   0.05,
	mediumConfidenceEN: 0.01,
	menuRatio:          0.3,
	fuzzyMinLen:        5,
	fuzzyWeight:        0.5,
	exampleWeight:      0.15,
	lexicon:            true,
	conceptWeight:      2,
	conceptCover:       1,
	answerSentences:    0.3,
	bm25:               defaultBM25,
}

// Base is a loaded, validated, immutable knowledge base. Safe for concurrent use.
type Base struct {
	entries  []*Entry
	byID     map[string]*Entry
	langs    []string
	conv     *Converter
	tune     tuning
	syn      *synonyms
	lex      *lexicon // nil when tuning.lexicon is off
	greeting []string // entry ids offered in the greeting
	zh, en   *script
	// exact maps the analysed terms of an example question (sorted, per
	// script) to its entry, or -1 when examples of two entries share them.
	// A question with exactly an example's terms is answered with High
	// confidence whatever the margin: a customer who asks exactly what the
	// KB lists must get that answer.
	exact map[string]int
	// sem is the semantic tier's index (nil: none configured, or its
	// build failed with semErr); semOpts its thresholds.
	sem     *semantic.Index
	semErr  error
	semOpts SemanticOptions
}

// script is the index of one script (English or Chinese): the analyser
// and, per entry, the analysed terms of its questions and of its answer,
// for coverage and IDF.
type script struct {
	question, answer string // bleve field names
	analyzer         analysis.Analyzer
	docs             int                   // entries with questions in this script
	questionTerms    []map[string]struct{} // per entry index
	answerTerms      []map[string]struct{}
	df               map[string]int // entries whose questions or answer use a term
	// The BM25 indexes: one document per entry for its questions and for
	// its answer side, one per question (title or example) with exEntry
	// its entry.
	q, a, ex *field
	exEntry  []int
	exWeight []float64 // per example document: 1, or answerSentences
	fz       *fuzzy    // English only: known question words, for typos
}

// idf is BM25's IDF over entries; a term no entry uses weighs the most.
func (sc *script) idf(term string) float64 {
	df := float64(sc.df[term])
	n := float64(sc.docs)
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

func (sc *script) known(term string) bool { return sc.df[term] > 0 }

// newBase indexes entries; extra are the KB's own lexicon concepts, added
// to the built-in ones.
func newBase(entries []*Entry, langs []string, conv *Converter, syn *synonyms, extra []concept, tune tuning) (*Base, error) {
	b := &Base{
		entries: entries,
		byID:    make(map[string]*Entry, len(entries)),
		exact:   map[string]int{},
		langs:   langs,
		conv:    conv,
		syn:     syn,
		tune:    tune,
	}
	for _, e := range entries {
		b.byID[e.ID] = e
	}
	if tune.lexicon {
		concepts, err := builtinConcepts()
		if err != nil {
			return nil, fmt.Errorf("build search index: %w", err)
		}
		if b.lex, err = newLexicon(slices.Concat(concepts, extra), conv); err != nil {
			return nil, fmt.Errorf("build search index: %w", err)
		}
	}
	im, err := indexMapping(tune)
	if err != nil {
		return nil, fmt.Errorf("build search index: %w", err)
	}
	newScript := func(q, a, analyzer string) *script {
		return &script{
			question: q, answer: a,
			analyzer:      im.AnalyzerNamed(analyzer),
			questionTerms: make([]map[string]struct{}, len(entries)),
			answerTerms:   make([]map[string]struct{}, len(entries)),
			df:            map[string]int{},
			q:             newField(tune.bm25), a: newField(tune.bm25), ex: newField(tune.bm25),
		}
	}
	b.en = newScript(fieldEN, fieldENA, en.AnalyzerName)
	b.zh = newScript(fieldZH, fieldZHA, analyzerZH)
	if b.en.analyzer == nil || b.zh.analyzer == nil {
		return nil, fmt.Errorf("build search index: analyzer missing")
	}
	for i, e := range entries {
		enQ, enA := entryText(e, EN, b.conv, syn)
		zhQ, zhA := entryText(e, "zh", b.conv, syn)
		for _, x := range []struct {
			sc     *script
			script string
			q, a   []string
		}{{b.en, EN, enQ, enA}, {b.zh, "zh", zhQ, zhA}} {
			qx, ax := b.expandAll(x.q, x.script), b.expandAll(x.a, x.script)
			x.sc.add(i, qx, ax)
			x.sc.q.add(x.sc.tokens(qx...))
			x.sc.a.add(x.sc.tokens(ax...))
			for k, q := range x.q {
				if key := exactKey(x.sc, q); key != "" {
					if j, seen := b.exact[key]; seen && j != i {
						b.exact[key] = -1
					} else {
						b.exact[key] = i
					}
				}
				x.sc.ex.add(x.sc.tokens(qx[k]))
				x.sc.exEntry = append(x.sc.exEntry, i)
				x.sc.exWeight = append(x.sc.exWeight, 1)
			}
			if b.tune.answerSentences > 0 {
				for _, a := range ax {
					for _, sent := range sentences(a) {
						x.sc.ex.add(x.sc.tokens(sent))
						x.sc.exEntry = append(x.sc.exEntry, i)
						x.sc.exWeight = append(x.sc.exWeight, b.tune.answerSentences)
					}
				}
			}
		}
	}
	examples := b.en.ex.docs() + b.zh.ex.docs()
	for _, sc := range []*script{b.en, b.zh} {
		sc.q.done(len(entries))
		sc.a.done(len(entries))
		sc.ex.done(examples)
	}
	b.en.fz = newFuzzy()
	for t, ps := range b.en.q.postings {
		if !isConceptTerm(t) {
			b.en.fz.add(t, len(ps))
		}
	}
	return b, nil
}

// tokens analyses texts into their terms, in order.
func (sc *script) tokens(texts ...string) []string {
	var out []string
	for _, text := range texts {
		for _, tok := range sc.analyzer.Analyze([]byte(text)) {
			out = append(out, string(tok.Term))
		}
	}
	return out
}

// indexMapping is a bleve mapping that holds the analysers: bleve's
// English one and a Chinese one (width folding, bigrams plus single
// characters).
func indexMapping(tune tuning) (*mapping.IndexMappingImpl, error) {
	im := bleve.NewIndexMapping()
	if err := im.AddCustomTokenFilter(filterZH, map[string]any{
		"type":           cjk.BigramName,
		"output_unigram": tune.unigrams,
	}); err != nil {
		return nil, err
	}
	if err := im.AddCustomAnalyzer(analyzerZH, map[string]any{
		"type":          custom.Name,
		"tokenizer":     unicodetok.Name,
		"token_filters": []any{cjk.WidthName, lowercase.Name, filterZH},
	}); err != nil {
		return nil, err
	}
	return im, nil
}

func (sc *script) add(i int, question, answer []string) {
	if len(question) == 0 {
		return
	}
	sc.docs++
	terms := func(texts []string) map[string]struct{} {
		set := map[string]struct{}{}
		for _, text := range texts {
			for _, tok := range sc.analyzer.Analyze([]byte(text)) {
				set[string(tok.Term)] = struct{}{}
			}
		}
		return set
	}
	sc.questionTerms[i] = terms(question)
	sc.answerTerms[i] = terms(answer)
	seen := map[string]bool{}
	for _, set := range []map[string]struct{}{sc.questionTerms[i], sc.answerTerms[i]} {
		for t := range set {
			if !seen[t] {
				seen[t] = true
				sc.df[t]++
			}
		}
	}
}

// entryText returns the text of an entry to index for lang (EN, or "zh"
// for both Chinese variants normalised to Simplified): its questions
// (title and examples) and its answer side (answer, quick replies, link
// labels).
func entryText(e *Entry, lang string, conv *Converter, syn *synonyms) (question, answer []string) {
	langs := []string{lang}
	if lang == "zh" {
		langs = []string{ZhTW, ZhCN}
	}
	var q, a []string
	addTo := func(list *[]string, l, s string) {
		if s == "" {
			return
		}
		if lang == "zh" {
			s = normalizeZh(conv, s, l)
		}
		s = syn.rewrite(s, lang)
		if !slices.Contains(*list, s) {
			*list = append(*list, s)
		}
	}
	for _, l := range langs {
		addTo(&q, l, e.Title[l])
		for _, s := range e.Examples[l] {
			addTo(&q, l, s)
		}
		addTo(&a, l, e.Answer[l])
		for _, c := range e.QuickReplies {
			addTo(&a, l, c.Label[l])
			addTo(&a, l, c.Text[l])
		}
		for _, k := range e.Links {
			addTo(&a, l, k.Label[l])
		}
	}
	return q, a
}

// normalizeZh brings Chinese text to Simplified for matching. OpenCC's
// Traditional-to-Simplified tables are not idempotent on Simplified text
// (they may turn 么 into 幺), so text known or detected to be Simplified is
// left alone.
func normalizeZh(conv *Converter, s, lang string) string {
	if lang == "" {
		lang, _ = DetectLang(s)
	}
	if lang == ZhCN {
		return s
	}
	return conv.ToSimplified(s)
}

// Entry returns the entry with the given id.
func (b *Base) Entry(id string) (*Entry, bool) {
	e, ok := b.byID[id]
	return e, ok
}

// Entries returns all entries in file order.
func (b *Base) Entries() []*Entry {
	return slices.Clone(b.entries)
}

// Languages returns the languages the KB covers.
func (b *Base) Languages() []string { return slices.Clone(b.langs) }

// Converter returns the Chinese converter the KB was loaded with.
func (b *Base) Converter() *Converter { return b.conv }

// Match finds the entries that answer text, asked in lang.
//
// The script of text picks the index (any Han character: the Chinese one,
// after conversion to Simplified; otherwise the English one), so a customer
// who set zh-TW but types English is still understood. Candidates are
// returned for every confidence, best first; with Low the caller must not
// present them as answers.
func (b *Base) Match(ctx context.Context, text, lang string) Match {
	m, _ := b.Explain(ctx, text, lang)
	return m
}

// Explanation is how Match decided, for logs and tuning. Terms are
// analysed words, never the raw question: still customer text, log them at
// debug level only.
type Explanation struct {
	Script   string   // "en" or "zh"
	Terms    []string // analysed question terms, after typo correction
	Coverage float64  // share of the question's weight the best entry covers
	Margin   float64  // (best - runner-up) / best score (see Base.score)
	Matched  int      // question terms the best entry uses
	Exact    bool     // the question is exactly one entry's example
	Concepts int      // lexicon concepts of the question the best entry has
	Unknown  float64  // share of the question's weight in terms no entry uses
	// CoverageGap is Coverage less the runner-up's coverage (Coverage
	// without a runner-up).
	CoverageGap float64
	// Margin3 is (best - third) / best score (1 without a third).
	Margin3 float64
	// Overlap is the share of the best entry's best-matching example
	// question (its terms) that the question shares: near 1 when the
	// customer asked about all of that example.
	Overlap float64
	// Confidence is the fitted probability that the best entry is right.
	Confidence float64
	// Semantic is what the optional semantic tier did (zero without one).
	Semantic SemanticExplanation
}

// Explain is Match with the numbers behind the decision.
//
// With a semantic tier (LoadOptions.Semantic), a lexical result that is
// not High is combined with the tier's nearest entries (SemanticOptions);
// when the tier is slow or down the lexical result stands.
func (b *Base) Explain(ctx context.Context, text, lang string) (Match, Explanation) {
	m, ex := b.explainLexical(ctx, text, lang)
	if m.Confidence != High {
		m = b.applySemantic(ctx, strings.TrimSpace(text), m, ex.Confidence, &ex.Semantic)
	}
	return m, ex
}

// explainLexical is the lexical matcher.
func (b *Base) explainLexical(ctx context.Context, text, lang string) (Match, Explanation) {
	var ex Explanation
	text = strings.TrimSpace(text)
	if text == "" {
		return Match{}, ex
	}
	sc := b.en
	ex.Script = EN
	if strings.ContainsFunc(text, isHan) {
		sc = b.zh
		ex.Script = "zh"
		text = normalizeZh(b.conv, text, "")
	}
	if sc.docs == 0 {
		return Match{}, ex
	}
	text = b.syn.rewrite(text, ex.Script)
	terms, weights := b.queryTerms(sc, b.lex.expand(text, ex.Script))
	ex.Terms = terms
	if len(terms) == 0 {
		return Match{}, ex
	}
	scores, overlap := b.score(sc, terms, weights)

	order := topScores(scores, maxCandidates)
	if len(order) == 0 {
		return Match{}, ex
	}
	var m Match
	for _, i := range order {
		m.Candidates = append(m.Candidates, Candidate{Entry: b.entries[i], Score: scores[i]})
	}
	top := order[0]
	ex.Coverage, ex.Matched, ex.Concepts, ex.Unknown = b.coverage(sc, top, terms, weights)
	ex.Overlap = overlap[top]
	ex.Margin, ex.Margin3, ex.CoverageGap = 1, 1, ex.Coverage
	if len(order) > 1 {
		ex.Margin = (scores[top] - scores[order[1]]) / scores[top]
		cov2, _, _, _ := b.coverage(sc, order[1], terms, weights)
		ex.CoverageGap = ex.Coverage - cov2
	}
	if len(order) > 2 {
		ex.Margin3 = (scores[top] - scores[order[2]]) / scores[top]
	}
	// A question that is exactly one entry's example is that entry's, even
	// when BM25 ranks a neighbour first: the KB author said so.
	exactHit := false
	if j, ok := b.exact[exactKey(sc, text)]; ok && j >= 0 {
		exactHit = true
		ex.Exact = true
		if j != top {
			rest := []Candidate{{Entry: b.entries[j], Score: scores[j]}}
			for _, c := range m.Candidates {
				if c.Entry != b.entries[j] && len(rest) < maxCandidates {
					rest = append(rest, c)
				}
			}
			m.Candidates = rest
		}
	}
	ex.Confidence = b.tune.probability(ex.features(len(terms)))
	switch {
	case exactHit:
		m.Confidence = High
	case ex.Confidence >= b.tune.highFor(ex.Script):
		m.Confidence = High
	case ex.Coverage >= b.tune.mediumCoverage && ex.Confidence >= b.tune.mediumFor(ex.Script):
		m.Confidence = Medium
		// A menu is for close candidates: drop those far behind the best.
		best := m.Candidates[0].Score
		m.Candidates = slices.DeleteFunc(m.Candidates, func(c Candidate) bool { return c.Score < b.tune.menuRatio*best })
	default:
		m.Confidence = Low
	}
	return m, ex
}

// numFeatures is the length of Explanation.features.
const numFeatures = 12

// features are the numbers the confidence model weighs: coverage, margin
// over the runner-up and over the third, the coverage gap to the
// runner-up, whether the best entry uses every question term, the
// concepts it shares (up to 3, scaled to 1), the share of the question
// unknown to the KB, the overlap with the best entry's best example, the
// coverage of the question's known weight, whether the question is
// Chinese, the log of its number of terms (Chinese bigrams and single
// characters make more terms than English words), and 1 (the intercept).
func (ex Explanation) features(terms int) [numFeatures]float64 {
	var all, known, zh, logTerms float64
	if terms > 0 && ex.Matched == terms {
		all = 1
	}
	if ex.Unknown < 1 {
		known = ex.Coverage / (1 - ex.Unknown)
	}
	if ex.Script != EN {
		zh = 1
	}
	if terms > 0 {
		logTerms = math.Log(float64(terms))
	}
	return [numFeatures]float64{ex.Coverage, ex.Margin, ex.Margin3, ex.CoverageGap, all, float64(min(ex.Concepts, 3)) / 3,
		ex.Unknown, ex.Overlap, known, zh, logTerms, 1}
}

// highFor is the High threshold for a question in script (EN or "zh").
func (tu tuning) highFor(script string) float64 {
	if script == EN {
		return tu.highConfidenceEN
	}
	return tu.highConfidence
}

// mediumFor is the menu's probability floor for a question in script.
func (tu tuning) mediumFor(script string) float64 {
	if script == EN {
		return tu.mediumConfidenceEN
	}
	return tu.mediumConfidence
}

// probability is the logistic model over features.
func (tu tuning) probability(f [numFeatures]float64) float64 {
	var z float64
	for i, x := range f {
		z += tu.confidence[i] * x
	}
	return 1 / (1 + math.Exp(-z))
}

// score returns, per entry, how well it matches the question terms: a
// blend of the entry's BM25 score (all its questions, its answer at a
// lower boost) and the BM25 score of its best question, each scaled by the
// best score of its kind so the two are comparable. As in a disjunction
// query, a score is multiplied by the share of the query's clauses (term,
// field) it matched.
//
// overlap is, per entry, the share of its best-scoring example's tokens
// that are question terms (Explanation.Overlap).
func (b *Base) score(sc *script, terms []string, weights []float64) (scores, overlap []float64) {
	n := len(b.entries)
	buf := scratchPool.Get().(*scratch)
	defer scratchPool.Put(buf)
	acc, matched := buf.get(0, n)
	sc.q.score(terms, weights, 1, acc, matched)
	sc.a.score(terms, weights, b.tune.answerBoost, acc, matched)
	clauses := float64(len(terms))
	if b.tune.answerBoost > 0 {
		clauses *= 2
	}
	var maxEntry float64
	for i := range acc {
		acc[i] *= float64(matched[i]) / clauses
		maxEntry = max(maxEntry, acc[i])
	}
	out := make([]float64, n)
	overlap = make([]float64, n)
	if maxEntry <= 0 {
		return out, overlap
	}
	w := b.tune.exampleWeight
	exScore, _ := buf.get(2, n)
	var maxEx float64
	if w > 0 {
		exAcc, exMatched := buf.get(1, sc.ex.docs())
		sc.ex.score(terms, weights, 1, exAcc, exMatched)
		for d, v := range exAcc {
			if v <= 0 {
				continue
			}
			i := sc.exEntry[d]
			v *= sc.exWeight[d] * float64(exMatched[d]) / float64(len(terms))
			if v > exScore[i] {
				exScore[i] = v
				overlap[i] = float64(exMatched[d]) / max(1, sc.ex.length[d])
			}
			maxEx = max(maxEx, exScore[i])
		}
	}
	for i := range out {
		out[i] = (1 - w) * acc[i] / maxEntry
		if maxEx > 0 {
			out[i] += w * exScore[i] / maxEx
		}
	}
	return out, overlap
}

// queryTerms analyses text like the index does and returns its distinct
// terms with a weight: 1, or fuzzyWeight for an English word the KB does
// not know that was corrected to a known word one edit away.
// exactKey normalises a question for the exact-example lookup: lower case,
// letters and digits only, single spaces, courtesy words at either end
// left out (so "Where is my order?", "hi, where is my order? thanks" and
// "where is my order" agree; other stop words are kept, unlike in the
// index).
func exactKey(sc *script, text string) string {
	var sb strings.Builder
	space := false
	for _, r := range strings.ToLower(text) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && sb.Len() > 0 {
				sb.WriteByte(' ')
			}
			space = false
			sb.WriteRune(r)
		default:
			space = true
		}
	}
	key := courtesyWords().strip(sb.String())
	if key == "" {
		return ""
	}
	return sc.question + "\x00" + key
}

func (b *Base) queryTerms(sc *script, text string) ([]string, []float64) {
	var terms []string
	var weights []float64
	for _, tok := range sc.analyzer.Analyze([]byte(text)) {
		t, w := string(tok.Term), 1.0
		concept := isConceptTerm(t)
		if concept {
			w = b.tune.conceptWeight
		}
		if !concept && sc == b.en && !sc.known(t) && utf8.RuneCountInString(t) >= b.tune.fuzzyMinLen {
			if c, ok := b.correct(sc, t); ok {
				t, w = c, b.tune.fuzzyWeight
			}
		}
		if !slices.Contains(terms, t) {
			terms = append(terms, t)
			weights = append(weights, w)
		}
	}
	return terms, weights
}

// correct returns the known question word one edit away from t that most
// entries use.
func (b *Base) correct(sc *script, t string) (string, bool) {
	if sc.fz == nil {
		return "", false
	}
	return sc.fz.correct(t)
}

// coverage is the share of the question's IDF weight whose terms entry i
// uses: fully in its questions, answerCover in its answer only. Terms no
// entry uses weigh the most, so a question about something the KB does
// not cover scores low.
func (b *Base) coverage(sc *script, i int, terms []string, weights []float64) (cov float64, matched, concepts int, unknown float64) {
	var have, total, unk float64
	for k, t := range terms {
		w := sc.idf(t)
		qw := weights[k]
		if b.tune.conceptCover > 0 && isConceptTerm(t) {
			qw = b.tune.conceptCover
		}
		if !sc.known(t) {
			w *= b.tune.unknownWeight
			unk += w
		}
		total += w
		hit := false
		if _, ok := sc.questionTerms[i][t]; ok {
			have += w * qw
			hit = true
		} else if _, ok := sc.answerTerms[i][t]; ok {
			have += w * qw * b.tune.answerCover
			hit = true
		}
		if hit {
			matched++
			if isConceptTerm(t) {
				concepts++
			}
		}
	}
	if total == 0 {
		return 0, matched, concepts, 0
	}
	return have / total, matched, concepts, unk / total
}

// topScores returns the indexes of the k best positive scores, best first
// (the lower index first on a tie).
func topScores(scores []float64, k int) []int {
	top := make([]int, 0, k+1)
	for i, s := range scores {
		if s <= 0 || len(top) == k && s <= scores[top[k-1]] {
			continue
		}
		at := len(top)
		for at > 0 && scores[top[at-1]] < s {
			at--
		}
		top = slices.Insert(top, at, i)
		if len(top) > k {
			top = top[:k]
		}
	}
	return top
}

// scratch holds the per-query score buffers (entries, examples, the best
// example score per entry), reused across queries: a KB of thousands of
// entries would otherwise allocate hundreds of kilobytes per question.
type scratch struct {
	acc     [3][]float64
	matched [3][]int32
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// get returns buffer k, zeroed, of length n.
func (s *scratch) get(k, n int) ([]float64, []int32) {
	if cap(s.acc[k]) < n {
		s.acc[k], s.matched[k] = make([]float64, n), make([]int32, n)
	}
	acc, matched := s.acc[k][:n], s.matched[k][:n]
	clear(acc)
	clear(matched)
	return acc, matched
}

// sentences splits text at sentence ends and line breaks.
func sentences(text string) []string {
	out := strings.FieldsFunc(text, func(r rune) bool {
		return r == '\n' || r == '.' || r == '!' || r == '?' || r == '。' || r == '！' || r == '？' || r == '；' || r == ';'
	})
	return slices.DeleteFunc(out, func(s string) bool { return strings.TrimSpace(s) == "" })
}

// expandAll is lexicon.expand over texts.
func (b *Base) expandAll(texts []string, script string) []string {
	out := make([]string, len(texts))
	for i, s := range texts {
		out[i] = b.lex.expand(s, script)
	}
	return out
}
