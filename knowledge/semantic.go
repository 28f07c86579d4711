package knowledge

import (
	"context"
	"slices"

	"go.uber.org/zap"

	"github.com/warmline/warmline/knowledge/semantic"
)

// SemanticOptions are the thresholds with which Match combines the
// optional semantic tier with the lexical matcher. Zero values take the
// defaults in brackets. The defaults were NOT tuned with a real model
// here (no model weights were available offline): cosine scales differ
// between models (multilingual-e5 puts unrelated texts near 0.7, bge-m3
// nearer 0.4), so choose them on a dev split with the model you run.
type SemanticOptions struct {
	// Alpha weighs the lexical evidence against the cosine when reranking
	// candidates: α·lexical + (1−α)·cosine, where lexical is the lexical
	// matcher's fitted probability that its best entry is right
	// (Explanation.Confidence), scaled for the other candidates by their
	// score relative to the best one's [0.5].
	Alpha float64
	// AnswerCosine and AnswerMargin: a lexical menu (Medium) becomes a
	// direct answer (High) only when the lexical and the semantic top
	// entries agree, the cosine is at least AnswerCosine [0.80] and it
	// leads the semantic runner-up by at least AnswerMargin [0.05]. The
	// semantic tier alone never answers.
	AnswerCosine float64
	AnswerMargin float64
	// MenuCosine: when the lexical matcher offers nothing (Low), entries
	// whose cosine is at least MenuCosine [0.65] are offered as a menu
	// (Medium).
	MenuCosine float64
}

// Default semantic thresholds (not tuned with a real model).
const (
	DefaultSemanticAlpha        = 0.5
	DefaultSemanticAnswerCosine = 0.80
	DefaultSemanticAnswerMargin = 0.05
	DefaultSemanticMenuCosine   = 0.65
)

func (o SemanticOptions) withDefaults() SemanticOptions {
	if o.Alpha <= 0 || o.Alpha > 1 {
		o.Alpha = DefaultSemanticAlpha
	}
	if o.AnswerCosine <= 0 {
		o.AnswerCosine = DefaultSemanticAnswerCosine
	}
	if o.AnswerMargin <= 0 {
		o.AnswerMargin = DefaultSemanticAnswerMargin
	}
	if o.MenuCosine <= 0 {
		o.MenuCosine = DefaultSemanticMenuCosine
	}
	return o
}

// semanticK is how many entries the semantic tier returns per question.
const semanticK = maxCandidates

// SemanticExplanation is what the semantic tier did for one question.
type SemanticExplanation struct {
	// Searched: the lexical result was not High, so the tier was asked.
	Searched bool
	// OK: the tier answered in time (false: slow, down, breaker open, or
	// no index); the lexical result then stands unchanged.
	OK bool
	// Top is the semantic top entry, Cosine its similarity and Margin its
	// lead over the semantic runner-up.
	Top    string
	Cosine float64
	Margin float64
	// Outcome: "answered" (a menu promoted to High), "reranked" (a menu
	// reordered), "offered" (a no-match raised to a menu), or "" (the
	// lexical result unchanged).
	Outcome string
}

// semanticDocs are the texts that stand for each entry in the semantic
// index: its titles and example questions in every language, the learned
// ones (add_examples) included.
func semanticDocs(entries []*Entry) []semantic.Doc {
	var docs []semantic.Doc
	for _, e := range entries {
		for _, l := range allLangs {
			if s := e.Title[l]; s != "" {
				docs = append(docs, semantic.Doc{ID: e.ID, Text: s})
			}
			for _, s := range e.Examples[l] {
				docs = append(docs, semantic.Doc{ID: e.ID, Text: s})
			}
		}
	}
	return docs
}

// buildSemantic builds b's semantic index with tier. A failure is logged
// once and b matches lexically.
func (b *Base) buildSemantic(ctx context.Context, tier *semantic.Tier, opts SemanticOptions, log *zap.Logger) {
	b.semOpts = opts.withDefaults()
	ix, err := tier.Build(ctx, semanticDocs(b.entries))
	if err != nil {
		b.semErr = err
		log.Warn("semantic index not built, matching lexically", zap.Int("entries", len(b.entries)), zap.Error(err))
		return
	}
	b.sem = ix
	log.Info("semantic index built", zap.Int("entries", len(b.entries)), zap.Int("vectors", ix.Len()), zap.Int("dim", ix.Dim()))
}

// SemanticStatus reports the semantic index: its vectors, and the build
// error when building failed (0, nil: no semantic tier configured).
func (b *Base) SemanticStatus() (vectors int, err error) {
	return b.sem.Len(), b.semErr
}

// applySemantic combines the lexical result m (not High, with fitted
// probability p) with the semantic tier's answer for question.
func (b *Base) applySemantic(ctx context.Context, question string, m Match, p float64, sx *SemanticExplanation) Match {
	if b.sem == nil {
		return m
	}
	sx.Searched = true
	res, ok := b.sem.Search(ctx, question, semanticK)
	if !ok || len(res) == 0 {
		return m
	}
	sx.OK = true
	o := b.semOpts
	sx.Top, sx.Cosine = res[0].ID, float64(res[0].Score)
	sx.Margin = sx.Cosine
	if len(res) > 1 {
		sx.Margin = sx.Cosine - float64(res[1].Score)
	}
	cos := map[string]float64{}
	for _, r := range res {
		cos[r.ID] = float64(r.Score)
	}

	switch m.Confidence {
	case Medium:
		if m.Best().ID == sx.Top && sx.Cosine >= o.AnswerCosine && sx.Margin >= o.AnswerMargin {
			sx.Outcome = "answered"
			return Match{Confidence: High, Candidates: b.rerank(m.Candidates, p, res, cos, 0, true)}
		}
		sx.Outcome = "reranked"
		return Match{Confidence: Medium, Candidates: b.rerank(m.Candidates, p, res, cos, o.MenuCosine, true)}
	default: // Low
		if sx.Cosine < o.MenuCosine {
			return m
		}
		sx.Outcome = "offered"
		return Match{Confidence: Medium, Candidates: b.rerank(m.Candidates, p, res, cos, o.MenuCosine, false)}
	}
}

// rerank orders the lexical candidates and the semantic results whose
// cosine is at least minCosine (0: none added) by α·lexical + (1−α)·cosine,
// lexical being p for the best lexical candidate and p scaled by their
// score relative to its for the others. keepLex
// false (a Low match, whose candidates carry no evidence) keeps a lexical
// candidate only when the semantic tier found it too.
func (b *Base) rerank(lex []Candidate, p float64, res []semantic.Result, cos map[string]float64, minCosine float64, keepLex bool) []Candidate {
	alpha := b.semOpts.Alpha
	var top float64
	if len(lex) > 0 {
		top = lex[0].Score
	}
	lexNorm := map[string]float64{}
	for _, c := range lex {
		if top > 0 {
			lexNorm[c.Entry.ID] = p * c.Score / top
		}
	}
	var out []Candidate
	seen := map[string]bool{}
	add := func(e *Entry) {
		if seen[e.ID] {
			return
		}
		seen[e.ID] = true
		out = append(out, Candidate{Entry: e, Score: alpha*lexNorm[e.ID] + (1-alpha)*max(cos[e.ID], 0)})
	}
	for _, c := range lex {
		if keepLex || cos[c.Entry.ID] >= minCosine {
			add(c.Entry)
		}
	}
	if minCosine > 0 {
		for _, r := range res {
			if e, ok := b.byID[r.ID]; ok && float64(r.Score) >= minCosine {
				add(e)
			}
		}
	}
	slices.SortStableFunc(out, func(x, y Candidate) int {
		switch {
		case x.Score > y.Score:
			return -1
		case x.Score < y.Score:
			return 1
		}
		return 0
	})
	return out[:min(len(out), maxCandidates)]
}
