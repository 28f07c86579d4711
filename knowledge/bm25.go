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
	postings map[string]*postings // set by done
	length   []float64            // tokens per document
	avg      float64
	n        int // documents, for IDF
	bm25     bm25
	// While documents are added: the postings per term number, and per
	// term number its count in the document being added and that
	// document's number plus 1.
	byID          []*postings
	count, seenIn []int32
}

// postings are the documents that use a term. A document's share of the
// term's BM25 score depends only on the term's count in it and its length:
// done groups the documents by that pair (class), so a query computes each
// distinct share once per term and adds it to every document of its class.
// A document is on a term's postings once, so the order of the documents
// does not change the sums.
type postings struct {
	// docs are in the order added until done, then grouped by class:
	// class c holds docs[start[c]:start[c+1]], in document order.
	docs  []int32
	tf    []float64 // per document: sqrt of the term's count; nil after done
	start []int32
	// per class: tf, and tf plus the document's length norm
	ctf, cden []float64
}

func (ps *postings) len() int { return len(ps.docs) }

func newField(p bm25) *field { return &field{bm25: p} }

// add appends a document with the given analysed tokens (term numbers);
// documents are numbered in the order added.
func (f *field) add(tokens []int32) {
	doc := int32(len(f.length))
	f.length = append(f.length, float64(len(tokens)))
	for _, t := range tokens {
		if int(t) >= len(f.byID) {
			n := int(t) + 1 - len(f.byID)
			f.byID = append(f.byID, make([]*postings, n)...)
			f.count = append(f.count, make([]int32, n)...)
			f.seenIn = append(f.seenIn, make([]int32, n)...)
		}
		if f.seenIn[t] != doc+1 {
			f.seenIn[t], f.count[t] = doc+1, 0
		}
		f.count[t]++
	}
	for _, t := range tokens {
		if f.count[t] == 0 {
			continue // already added
		}
		ps := f.byID[t]
		if ps == nil {
			ps = &postings{}
			f.byID[t] = ps
		}
		ps.docs = append(ps.docs, doc)
		ps.tf = append(ps.tf, math.Sqrt(float64(f.count[t])))
		f.count[t] = 0
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
//
// names are the terms by number.
func (f *field) done(n int, names []string) {
	f.postings = make(map[string]*postings, len(f.byID))
	for t, ps := range f.byID {
		if ps != nil {
			f.postings[names[t]] = ps
		}
	}
	f.byID, f.count, f.seenIn = nil, nil, nil
	if len(f.length) == 0 {
		return
	}
	f.n = n
	f.avg = math.Ceil(float64(len(f.postings)) / float64(n))
	norm := make([]float64, len(f.length))
	for d, l := range f.length {
		norm[d] = f.bm25.k1 * (1 - f.bm25.b + f.bm25.b*l/f.avg)
	}
	type class struct{ tf, den float64 }
	index := map[class]int32{}
	var cls []int32
	for _, ps := range f.postings {
		cls = cls[:0]
		for k, d := range ps.docs {
			c := class{ps.tf[k], ps.tf[k] + norm[d]}
			i, ok := index[c]
			if !ok {
				i = int32(len(ps.ctf))
				index[c] = i
				ps.ctf, ps.cden = append(ps.ctf, c.tf), append(ps.cden, c.den)
			}
			cls = append(cls, i)
		}
		clear(index)
		ps.tf = nil
		// A counting sort by class, stable.
		ps.start = make([]int32, len(ps.ctf)+1)
		for _, c := range cls {
			ps.start[c+1]++
		}
		for c := range ps.ctf {
			ps.start[c+1] += ps.start[c]
		}
		if len(ps.ctf) == 1 {
			continue
		}
		next := slices.Clone(ps.start[:len(ps.ctf)])
		grouped := make([]int32, len(ps.docs))
		for k, d := range ps.docs {
			grouped[next[cls[k]]] = d
			next[cls[k]]++
		}
		ps.docs = grouped
	}
}

func (f *field) docs() int { return len(f.length) }

// idf is BM25's inverse document frequency of term in the field.
func (f *field) idf(term string) float64 {
	var df float64
	if ps := f.postings[term]; ps != nil {
		df = float64(ps.len())
	}
	n := float64(f.n)
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

// hits accumulates a query's scores over a field's documents: cells is
// indexed by document (zero for a document no term hit) and touched lists,
// in the order first hit, the documents with matched > 0, so a caller
// visits and resets only those.
type hits struct {
	cells   []cell
	touched []int32
}

// cell is one document's score and the number of query terms it matched.
type cell struct {
	acc     float64
	matched int32
}

// score adds to h, per document, the BM25 score of each term weighted by
// boost * weights[i] (the IDF counts twice, as in bleve's query weight, so
// rare words weigh more), and one per term found to its matched count.
// Only the documents on a term's postings are visited.
func (f *field) score(terms []string, weights []float64, boost float64, h *hits) {
	if boost <= 0 || f.avg == 0 {
		return
	}
	cells := h.cells
	for i, t := range terms {
		ps := f.postings[t]
		if ps == nil {
			continue
		}
		idf := f.idf(t)
		w := boost * weights[i] * idf * idf
		w *= f.bm25.k1
		for c, tf := range ps.ctf {
			share := w * tf / ps.cden[c]
			for _, d := range ps.docs[ps.start[c]:ps.start[c+1]] {
				x := &cells[d]
				x.acc += share
				if x.matched == 0 {
					h.touched = append(h.touched, d)
				}
				x.matched++
			}
		}
	}
}

// reset zeroes what score wrote, leaving h ready for another query.
func (h *hits) reset() {
	for _, d := range h.touched {
		h.cells[d] = cell{}
	}
	h.touched = h.touched[:0]
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
