package knowledge

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// Index fields: one bleve document per entry, with the English examples
// and title in fieldEN and the Chinese ones, all converted to Simplified,
// in fieldZH.
const (
	fieldEN = "en"
	fieldZH = "zh"
)

// Confidence thresholds (see doc.go for how they were chosen).
const (
	// highCoverage is the share of the question's weight (IDF over
	// entries) that the best entry's vocabulary must cover for High.
	highCoverage = 0.70
	// highMargin is how far ahead of the runner-up the best entry's
	// BM25 score must be, relative to its own score, for High.
	highMargin = 0.15
	// mediumCoverage is the coverage below which nothing is offered.
	mediumCoverage = 0.40
	// fuzzyMinLen is the length (in letters) from which an English word
	// the KB does not know is corrected to a known word one edit away.
	fuzzyMinLen = 5
	// fuzzyWeight is how much a corrected word counts toward coverage.
	fuzzyWeight   = 0.5
	maxCandidates = 3
)

// Base is a loaded, validated, immutable knowledge base. Safe for concurrent use.
type Base struct {
	entries []*Entry
	byID    map[string]*Entry
	langs   []string
	conv    *Converter
	idx     bleve.Index
	fields  map[string]*fieldIndex
}

// fieldIndex is the vocabulary of one index field: which entries use which
// analysed term, for coverage and IDF.
type fieldIndex struct {
	analyzer analysis.Analyzer
	docs     int                   // entries with text in this field
	terms    []map[string]struct{} // per entry index
	df       map[string]int        // entries using a term
}

func (f *fieldIndex) idf(term string) float64 {
	df := float64(f.df[term])
	n := float64(f.docs)
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

func newBase(entries []*Entry, langs []string, conv *Converter) (*Base, error) {
	b := &Base{
		entries: entries,
		byID:    make(map[string]*Entry, len(entries)),
		langs:   langs,
		conv:    conv,
		fields:  map[string]*fieldIndex{},
	}
	for _, e := range entries {
		b.byID[e.ID] = e
	}
	im := bleve.NewIndexMapping()
	im.ScoringModel = index.BM25Scoring
	im.DefaultMapping.Dynamic = false
	doc := bleve.NewDocumentMapping()
	for field, analyzer := range map[string]string{fieldEN: en.AnalyzerName, fieldZH: cjk.AnalyzerName} {
		fm := bleve.NewTextFieldMapping()
		fm.Analyzer = analyzer
		fm.Store = false
		fm.IncludeInAll = false
		fm.IncludeTermVectors = false
		doc.AddFieldMappingsAt(field, fm)
		b.fields[field] = &fieldIndex{
			analyzer: im.AnalyzerNamed(analyzer),
			terms:    make([]map[string]struct{}, len(entries)),
			df:       map[string]int{},
		}
	}
	im.DefaultMapping = doc
	idx, err := bleve.NewUsing("", im, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("build search index: %w", err)
	}
	// An in-memory scorch index runs a goroutine until closed; close it
	// when the Base is no longer reachable (a reload replaced it).
	runtime.AddCleanup(b, func(idx bleve.Index) { _ = idx.Close() }, idx)
	b.idx = idx

	batch := idx.NewBatch()
	for i, e := range entries {
		texts := map[string]string{
			fieldEN: strings.Join(append([]string{e.Title[EN]}, e.Examples[EN]...), "\n"),
			fieldZH: b.chineseText(e),
		}
		for field, text := range texts {
			if strings.TrimSpace(text) == "" {
				continue
			}
			fi := b.fields[field]
			fi.docs++
			set := map[string]struct{}{}
			for _, tok := range fi.analyzer.Analyze([]byte(text)) {
				set[string(tok.Term)] = struct{}{}
			}
			fi.terms[i] = set
			for t := range set {
				fi.df[t]++
			}
		}
		if err := batch.Index(strconv.Itoa(i), texts); err != nil {
			return nil, fmt.Errorf("index entry %s: %w", e.ID, err)
		}
	}
	if err := idx.Batch(batch); err != nil {
		return nil, fmt.Errorf("build search index: %w", err)
	}
	return b, nil
}

// chineseText is an entry's Chinese title and examples, both variants,
// normalised to Simplified and deduplicated.
func (b *Base) chineseText(e *Entry) string {
	var lines []string
	for _, lang := range []string{ZhTW, ZhCN} {
		for _, s := range append([]string{e.Title[lang]}, e.Examples[lang]...) {
			if s == "" {
				continue
			}
			if n := b.conv.ToSimplified(s); !slices.Contains(lines, n) {
				lines = append(lines, n)
			}
		}
	}
	return strings.Join(lines, "\n")
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
// who set zh-TW but types English is still understood; lang is only a hint
// for text without letters. Candidates are returned for every confidence,
// best first; with Low the caller must not present them as answers.
func (b *Base) Match(ctx context.Context, text, lang string) Match {
	m, _ := b.explain(ctx, text, lang)
	return m
}

// Explanation is how Match decided, for logs and tuning.
type Explanation struct {
	Field    string
	Terms    []string // analysed question terms, after typo correction
	Coverage float64
	Margin   float64
}

func (b *Base) explain(ctx context.Context, text, lang string) (Match, Explanation) {
	var ex Explanation
	text = strings.TrimSpace(text)
	if text == "" {
		return Match{}, ex
	}
	field := fieldEN
	if hasHan(text) {
		field = fieldZH
		text = b.conv.ToSimplified(text)
	}
	ex.Field = field
	fi := b.fields[field]
	if fi.docs == 0 {
		return Match{}, ex
	}
	terms, weights := b.queryTerms(fi, field, text)
	ex.Terms = terms
	if len(terms) == 0 {
		return Match{}, ex
	}
	disj := make([]query.Query, len(terms))
	for i, t := range terms {
		tq := query.NewTermQuery(t)
		tq.SetField(field)
		tq.SetBoost(weights[i])
		disj[i] = tq
	}
	req := bleve.NewSearchRequestOptions(query.NewDisjunctionQuery(disj), maxCandidates+1, 0, false)
	res, err := b.idx.SearchInContext(ctx, req)
	if err != nil || len(res.Hits) == 0 {
		return Match{}, ex
	}
	var m Match
	for _, h := range res.Hits {
		i, err := strconv.Atoi(h.ID)
		if err != nil || i < 0 || i >= len(b.entries) {
			continue
		}
		if len(m.Candidates) < maxCandidates {
			m.Candidates = append(m.Candidates, Candidate{Entry: b.entries[i], Score: h.Score})
		}
	}
	if len(m.Candidates) == 0 {
		return Match{}, ex
	}
	top, _ := strconv.Atoi(res.Hits[0].ID)
	ex.Coverage = coverage(fi, fi.terms[top], terms, weights)
	ex.Margin = 1
	if len(res.Hits) > 1 && res.Hits[0].Score > 0 {
		ex.Margin = (res.Hits[0].Score - res.Hits[1].Score) / res.Hits[0].Score
	}
	switch {
	case ex.Coverage >= highCoverage && ex.Margin >= highMargin:
		m.Confidence = High
	case ex.Coverage >= mediumCoverage:
		m.Confidence = Medium
	default:
		m.Confidence = Low
	}
	return m, ex
}

// queryTerms analyses text like the index does and returns its distinct
// terms with a weight: 1, or fuzzyWeight for an English word the KB does
// not know that was corrected to a known word one edit away.
func (b *Base) queryTerms(fi *fieldIndex, field, text string) ([]string, []float64) {
	var terms []string
	var weights []float64
	for _, tok := range fi.analyzer.Analyze([]byte(text)) {
		t, w := string(tok.Term), 1.0
		if fi.df[t] == 0 && field == fieldEN && utf8.RuneCountInString(t) >= fuzzyMinLen {
			if c, ok := b.correct(field, t); ok {
				t, w = c, fuzzyWeight
			}
		}
		if !slices.Contains(terms, t) {
			terms = append(terms, t)
			weights = append(weights, w)
		}
	}
	return terms, weights
}

// correct returns the known term one edit away from t that most entries
// use, with bleve's Levenshtein automaton.
func (b *Base) correct(field, t string) (string, bool) {
	r, err := b.idx.Advanced()
	if err != nil {
		return "", false
	}
	rd, err := r.Reader()
	if err != nil {
		return "", false
	}
	defer rd.Close()
	fz, ok := rd.(index.IndexReaderFuzzy)
	if !ok {
		return "", false
	}
	d, err := fz.FieldDictFuzzy(field, t, 1, "")
	if err != nil {
		return "", false
	}
	defer d.Close()
	var best string
	var bestCount uint64
	for de, err := d.Next(); err == nil && de != nil; de, err = d.Next() {
		if de.Count > bestCount || (de.Count == bestCount && de.Term < best) {
			best, bestCount = de.Term, de.Count
		}
	}
	return best, best != ""
}

// coverage is the share of the question's IDF weight whose terms the
// entry's vocabulary contains. Terms no entry uses weigh the most, so a
// question about something the KB does not cover scores low.
func coverage(fi *fieldIndex, vocab map[string]struct{}, terms []string, weights []float64) float64 {
	var have, total float64
	for i, t := range terms {
		w := fi.idf(t)
		total += w
		if _, ok := vocab[t]; ok {
			have += w * weights[i]
		}
	}
	if total == 0 {
		return 0
	}
	return have / total
}
