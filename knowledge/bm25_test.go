package knowledge

import (
	"slices"
	"testing"
)

func TestFieldScore(t *testing.T) {
	f := newField(defaultBM25)
	v := newVocab()
	ids := func(terms ...string) []int32 {
		var out []int32
		for _, t := range terms {
			out = append(out, v.id(t))
		}
		return out
	}
	f.add(ids("refund", "time"))
	f.add(ids("refund", "refund", "policy", "return", "item", "days"))
	f.add(ids("shipping", "fee"))
	f.done(3, v.names)
	if got := f.postings["refund"].len(); got != 2 {
		t.Errorf("refund is on %d documents, want 2", got)
	}
	h := hits{cells: make([]cell, 3)}
	f.score([]string{"refund", "time"}, []float64{1, 1}, 1, &h)
	var acc []float64
	var matched []int32
	for _, c := range h.cells {
		acc, matched = append(acc, c.acc), append(matched, c.matched)
	}
	if got := slices.Sorted(slices.Values(h.touched)); !slices.Equal(got, []int32{0, 1}) {
		t.Errorf("touched %v, want documents 0 and 1", h.touched)
	}
	if !(acc[0] > acc[1] && acc[1] > 0 && acc[2] == 0) {
		t.Errorf("scores %v: want doc 0 (both terms, short) > doc 1 (one term) > doc 2 (none) = 0", acc)
	}
	if !slices.Equal(matched, []int32{2, 1, 0}) {
		t.Errorf("matched %v, want [2 1 0]", matched)
	}
	if f.idf("time") <= f.idf("refund") {
		t.Errorf("idf: a rarer term must weigh more: time %.3f, refund %.3f", f.idf("time"), f.idf("refund"))
	}
}

func TestFuzzyCorrect(t *testing.T) {
	z := newFuzzy()
	for w, n := range map[string]int{"delivery": 3, "deliver": 1, "password": 2, "passport": 1, "refund": 4} {
		z.add(w, n)
	}
	for _, tt := range []struct{ in, want string }{
		{"delivry", "delivery"},   // deletion
		{"deliveery", "delivery"}, // insertion
		{"pasword", "password"},   // deletion, not passport (two edits)
		{"refumd", "refund"},      // substitution
		{"xyzzy", ""},
		{"refund", ""}, // known words are not corrected
	} {
		got, ok := z.correct(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("correct(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
	for _, tt := range []struct {
		a, b string
		want bool
	}{{"abc", "abd", true}, {"abc", "ab", true}, {"abc", "xabc", true}, {"abc", "bac", false}, {"abc", "abc", false}, {"abc", "a", false}} {
		if got := editDistance1(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance1(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestTopScores(t *testing.T) {
	for _, tt := range []struct {
		scores []float64
		want   []int
	}{
		{[]float64{0.1, 0.5, 0, 0.9, 0.5}, []int{3, 1, 4}},
		{[]float64{0, 0, 0.2}, []int{2}},
		{[]float64{0, 0}, []int{}},
		{[]float64{1, 1, 1, 1}, []int{0, 1, 2}},
	} {
		if got := topScores(tt.scores, 3); !slices.Equal(got, tt.want) {
			t.Errorf("topScores(%v) = %v, want %v", tt.scores, got, tt.want)
		}
	}
}
