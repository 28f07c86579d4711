package knowledge

import (
	"cmp"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// Building the index: every entry's texts are prepared (Chinese to
// Simplified, synonyms, lexicon concepts) and analysed once, by
// GOMAXPROCS goroutines; the terms are then numbered and added to the
// BM25 fields and term sets in entry order, so the index is the same
// whatever the number of goroutines.

// vocab numbers the terms of one script while its index is built.
type vocab struct {
	ids   map[string]int32
	names []string
}

func newVocab() *vocab { return &vocab{ids: map[string]int32{}} }

func (v *vocab) id(term string) int32 {
	if id, ok := v.ids[term]; ok {
		return id
	}
	id := int32(len(v.names))
	v.ids[term] = id
	v.names = append(v.names, term)
	return id
}

// entryTokens is one entry analysed, per script (English, Chinese).
type entryTokens [2]scriptTokens

// scriptTokens are an entry's analysed texts in one script, each a list
// of local term numbers (tokenizer.names).
type scriptTokens struct {
	questions [][]int32 // per question text (title, examples)
	answers   [][]int32 // per answer-side text
	exact     []string  // per question text: its exactKey ("" for none)
	sentences [][]int32 // per sentence of the answer side (answerSentences > 0)
}

// tokenizer analyses entries on one goroutine, numbering the terms it
// meets in its own table (names) so analysing needs no lock.
type tokenizer struct {
	ids   map[string]int32
	names []string
	// global is, per local term number and script, the script's term
	// number (-1 until the merge first meets it).
	global [2][]int32
	// norm and expanded remember the normalised (entryTextMemo) and
	// expanded (expandAllMemo) form of each text this worker met.
	norm, expanded map[string]string
}

func (tz *tokenizer) tokens(sc *script, text string) []int32 {
	ids, _ := tz.tokensAt(sc, text, false)
	return ids
}

// tokensAt is tokens and, when at is set, where each token starts in
// text.
func (tz *tokenizer) tokensAt(sc *script, text string, at bool) (ids []int32, starts []int) {
	toks := sc.analyzer.Analyze([]byte(text))
	out := make([]int32, len(toks))
	if at {
		starts = make([]int, len(toks))
	}
	for i, tok := range toks {
		if at {
			starts[i] = tok.Start
		}
		id, ok := tz.ids[string(tok.Term)]
		if !ok {
			id = int32(len(tz.names))
			term := string(tok.Term)
			tz.ids[term] = id
			tz.names = append(tz.names, term)
		}
		out[i] = id
	}
	return out, starts
}

func (tz *tokenizer) analyse(sc *script, texts []string) [][]int32 {
	out := make([][]int32, len(texts))
	for i, text := range texts {
		out[i] = tz.tokens(sc, text)
	}
	return out
}

// entry analyses entry e in both scripts.
func (b *Base) analyseEntry(tz *tokenizer, e *Entry) entryTokens {
	var out entryTokens
	for k, x := range []struct {
		sc     *script
		script string
	}{{b.en, EN}, {b.zh, "zh"}} {
		q, a := entryTextMemo(e, x.script, b.conv, b.syn, tz.norm)
		qx, ax := b.expandAllMemo(q, x.script, tz.expanded), b.expandAllMemo(a, x.script, tz.expanded)
		st := &out[k]
		st.questions = tz.analyse(x.sc, qx)
		st.exact = make([]string, len(q))
		for j, s := range q {
			st.exact[j] = exactKey(x.sc, s)
		}
		if b.tune.answerSentences <= 0 {
			st.answers = tz.analyse(x.sc, ax)
			continue
		}
		for _, text := range ax {
			ids, starts := tz.tokensAt(x.sc, text, true)
			st.answers = append(st.answers, ids)
			st.sentences = append(st.sentences, tz.sentenceTokens(x.sc, text, ids, starts)...)
		}
	}
	return out
}

// sentenceTokens are the tokens of each sentence of text (sentences), in
// any order: those of text's own tokens (ids, starting at starts) that lie
// in the sentence when text splits cleanly into its sentences (every
// sentence end breaks a word, so analysing a sentence alone gives the
// same tokens), otherwise each sentence analysed again.
func (tz *tokenizer) sentenceTokens(sc *script, text string, ids []int32, starts []int) [][]int32 {
	spans := sentenceSpans(text)
	out := make([][]int32, len(spans))
	if !splitsCleanly(text) {
		for k, sp := range spans {
			out[k] = tz.tokens(sc, text[sp[0]:sp[1]])
		}
		return out
	}
	for n, id := range ids {
		// the last span starting at or before the token
		k, found := slices.BinarySearchFunc(spans, starts[n], func(sp [2]int, at int) int { return cmp.Compare(sp[0], at) })
		if !found {
			k--
		}
		if k >= 0 && starts[n] < spans[k][1] {
			out[k] = append(out[k], id)
		}
	}
	return out
}

// indexBatch is how many entries are analysed before they are merged.
const indexBatch = 1024

// index analyses and indexes every entry.
func (b *Base) index() {
	workers := max(1, min(runtime.GOMAXPROCS(0), (len(b.entries)+63)/64))
	tzs := make([]*tokenizer, workers)
	for w := range tzs {
		tzs[w] = &tokenizer{ids: map[string]int32{}, norm: map[string]string{}, expanded: map[string]string{}}
	}
	results := make([]entryTokens, min(indexBatch, len(b.entries)))
	by := make([]int, len(results)) // the tokenizer of each result
	for start := 0; start < len(b.entries); start += indexBatch {
		batch := b.entries[start:min(start+indexBatch, len(b.entries))]
		var next atomic.Int64
		var wg sync.WaitGroup
		for w, tz := range tzs {
			wg.Go(func() {
				for {
					lo := int(next.Add(16)) - 16
					if lo >= len(batch) {
						return
					}
					for j := lo; j < min(lo+16, len(batch)); j++ {
						results[j], by[j] = b.analyseEntry(tz, batch[j]), w
					}
				}
			})
		}
		wg.Wait()
		for j := range batch {
			b.merge(start+j, &results[j], tzs[by[j]])
			results[j] = entryTokens{}
		}
	}
}

// merge adds entry i's analysed texts to the index.
func (b *Base) merge(i int, et *entryTokens, tz *tokenizer) {
	for k, sc := range []*script{b.en, b.zh} {
		st := &et[k]
		global := func(lists [][]int32) [][]int32 {
			for _, l := range lists {
				for n, id := range l {
					l[n] = tz.globalID(k, sc.voc, id)
				}
			}
			return lists
		}
		qt, at := global(st.questions), global(st.answers)
		sc.add(i, qt, at)
		sc.q.add(slices.Concat(qt...))
		sc.a.add(slices.Concat(at...))
		for n, key := range st.exact {
			if key != "" {
				if j, seen := b.exact[key]; seen && j != i {
					b.exact[key] = -1
				} else {
					b.exact[key] = i
				}
			}
			sc.addExample(i, qt[n], 1)
		}
		for _, sent := range global(st.sentences) {
			sc.addExample(i, sent, b.tune.answerSentences)
		}
	}
}

// globalID is script k's number for the tokenizer's term id.
func (tz *tokenizer) globalID(k int, voc *vocab, id int32) int32 {
	g := tz.global[k]
	for int(id) >= len(g) {
		g = append(g, -1)
	}
	tz.global[k] = g
	if g[id] < 0 {
		g[id] = voc.id(tz.names[id])
	}
	return g[id]
}

// add records entry i's term sets and document frequencies from the
// term numbers of its questions and of its answer side (one list per
// text). An entry without questions in the script is not counted.
func (sc *script) add(i int, question, answer [][]int32) {
	if len(question) == 0 {
		return
	}
	sc.docs++
	if need := len(sc.voc.names); len(sc.dfByID) < need {
		sc.dfByID = append(sc.dfByID, make([]int32, need-len(sc.dfByID))...)
		sc.dfEntry = append(sc.dfEntry, make([]int32, need-len(sc.dfEntry))...)
	}
	var ids []int32
	set := func(lists [][]int32) termSet {
		ids = ids[:0]
		for _, l := range lists {
			for _, id := range l {
				if sc.dfEntry[id] != int32(i)+1 {
					sc.dfEntry[id] = int32(i) + 1
					sc.dfByID[id]++
				}
				ids = append(ids, id)
			}
		}
		slices.Sort(ids)
		return termSet(slices.Clone(slices.Compact(ids)))
	}
	sc.questionTerms[i] = set(question)
	sc.answerTerms[i] = set(answer)
}

// addExample indexes one example document of entry i counting weight.
func (sc *script) addExample(i int, tokens []int32, weight float64) {
	k := slices.Index(sc.exWeights, weight)
	if k < 0 {
		k = len(sc.exWeights)
		sc.exWeights = append(sc.exWeights, weight)
	}
	sc.ex.add(tokens)
	sc.exDocs = append(sc.exDocs, exDoc{entry: int32(i), weight: uint8(k)})
}

// finish turns the build's term numbers into the maps queries use.
func (sc *script) finish() {
	sc.df = make(map[string]int, len(sc.dfByID))
	for id, n := range sc.dfByID {
		if n > 0 {
			sc.df[sc.voc.names[id]] = int(n)
		}
	}
	sc.ids = sc.voc.ids
	sc.voc, sc.dfByID, sc.dfEntry = nil, nil, nil
}
