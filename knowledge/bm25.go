package knowledge

import (
	"math"
	"slices"
)

// bm25 holds BM25's parameters.
type bm25 struct{ k1, b float64 }

// defaultBM25 are the usual parameters (as in bleve and Lucene).
var defaultBM25 = bm25{k1: 1.2, b: 0.75}

// field is an in-memory inverted index of one text field over a set of
// documents (entries, or example questions), scored with BM25.
type field struct {
	postings map[string][]posting
	length   []float64 // tokens per document
	avg      float64
	norm     []float64 // per document, k1 * the length norm
	n        int       // documents, for IDF
	bm25     bm25
}

type posting struct {
	doc int32
	tf  float64 // sqrt of the term's count in the document
}

func newField(p bm25) *field { return &field{postings: map[string][]posting{}, bm25: p} }

// add appends a document with the given analysed tokens; documents are
// numbered in the order added.
func (f *field) add(tokens []string) {
	doc := int32(len(f.length))
	f.length = append(f.length, float64(len(tokens)))
	counts := map[string]int{}
	for _, t := range tokens {
		counts[t]++
	}
	for t, c := range counts {
		f.postings[t] = append(f.postings[t], posting{doc: doc, tf: math.Sqrt(float64(c))})
	}
}

// done computes the length norms once every document is added. The
// "average length" is bleve's: distinct terms over documents, far under the
// true average, so long documents (an entry with many examples) are
// penalised more than textbook BM25 does. The matcher was tuned with it;
// the true average lost a point of rank-1 on the dev sets.
//
// n is the number of documents IDF and the average count: more than the
// field's own when its documents share an index with another field's (the
// example questions of both scripts, as bleve kept them).
func (f *field) done(n int) {
	if len(f.length) == 0 {
		return
	}
	f.n = n
	f.avg = math.Ceil(float64(len(f.postings)) / float64(n))
	f.norm = make([]float64, len(f.length))
	for d, l := range f.length {
		f.norm[d] = f.bm25.k1 * (1 - f.bm25.b + f.bm25.b*l/f.avg)
	}
}

func (f *field) docs() int { return len(f.length) }

// idf is BM25's inverse document frequency of term in the field.
func (f *field) idf(term string) float64 {
	df := float64(len(f.postings[term]))
	n := float64(f.n)
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

// score adds to acc, per document, the BM25 score of each term weighted by
// boost * weights[i] (the IDF counts twice, as in bleve's query weight, so
// rare words weigh more), and to matched one per term found.
func (f *field) score(terms []string, weights []float64, boost float64, acc []float64, matched []int32) {
	if boost <= 0 || f.avg == 0 {
		return
	}
	for i, t := range terms {
		ps := f.postings[t]
		if len(ps) == 0 {
			continue
		}
		idf := f.idf(t)
		w := boost * weights[i] * idf * idf
		w *= f.bm25.k1
		for _, p := range ps {
			acc[p.doc] += w * p.tf / (p.tf + f.norm[p.doc])
			matched[p.doc]++
		}
	}
}

// fuzzy finds, for a word no entry uses, the known words one edit away
// (Levenshtein distance 1) by symmetric deletion.
type fuzzy struct {
	deletes map[string][]string // word with one letter deleted -> known words
	known   map[string]int      // known word -> entries using it
}

func newFuzzy() *fuzzy { return &fuzzy{deletes: map[string][]string{}, known: map[string]int{}} }

func (z *fuzzy) add(word string, entries int) {
	if _, ok := z.known[word]; ok {
		z.known[word] += entries
		return
	}
	z.known[word] = entries
	for _, d := range deletions(word) {
		if !slices.Contains(z.deletes[d], word) {
			z.deletes[d] = append(z.deletes[d], word)
		}
	}
}

// correct returns the known word one edit from t that most entries use
// (the lexically first on a tie).
func (z *fuzzy) correct(t string) (string, bool) {
	var best string
	bestN := -1
	consider := func(w string) {
		if n, ok := z.known[w]; ok && w != t && editDistance1(w, t) && (n > bestN || n == bestN && w < best) {
			best, bestN = w, n
		}
	}
	for _, w := range z.deletes[t] { // t is a known word with a letter deleted
		consider(w)
	}
	for _, d := range deletions(t) {
		consider(d) // a known word is t with a letter deleted
		for _, w := range z.deletes[d] {
			consider(w) // substitution
		}
	}
	return best, best != ""
}

func deletions(w string) []string {
	r := []rune(w)
	out := make([]string, 0, len(r))
	for i := range r {
		out = append(out, string(r[:i])+string(r[i+1:]))
	}
	return out
}

// editDistance1 reports whether a and b are one insertion, deletion or
// substitution apart.
func editDistance1(a, b string) bool {
	x, y := []rune(a), []rune(b)
	if len(x) > len(y) {
		x, y = y, x
	}
	if len(y)-len(x) > 1 {
		return false
	}
	i := 0
	for i < len(x) && x[i] == y[i] {
		i++
	}
	if len(x) == len(y) {
		return i < len(x) && string(x[i+1:]) == string(y[i+1:])
	}
	return string(x[i:]) == string(y[i+1:])
}
