package escalation

import (
	"regexp/syntax"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/warmline/warmline/internal/regexlit"
)

// A prefilter is a conjunction of sets of lower-case literals: every match
// of a pattern contains at least one literal of each set. Checking them with
// strings.Contains skips most regexp runs: messages rarely contain any
// trigger word, and a pattern that needs two words ("is this normal") rarely
// finds both. The most selective set (longest literals) comes first.
type prefilter [][]string

// fold is how text and literals are lowered for the prefilter: lower case
// with the two non-ASCII letters (?i) matches to ASCII ones (ſ, the Kelvin
// sign) folded too, so a (?i) pattern that matches "ſpeak" is not skipped
// for want of "speak" (strings.ToLower keeps ſ). Text and literals fold
// alike, so a literal matched case-sensitively is only looked for more
// widely.
func fold(s string) string { return regexlit.FoldASCII(s) }

// mayMatch reports whether lowered (the text folded: fold) contains a
// literal of every set. A nil prefilter always may match.
func (p prefilter) mayMatch(lowered string) bool {
	for _, set := range p {
		if !containsAny(lowered, set) {
			return false
		}
	}
	return true
}

func containsAny(s string, lits []string) bool {
	for _, lit := range lits {
		if strings.Contains(s, lit) {
			return true
		}
	}
	return false
}

// newPrefilter derives the literals of a pattern; nil when it cannot (the
// pattern is then always run). A pattern that is a sequence contributes one
// set per part that has literals.
func newPrefilter(pattern string) prefilter {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil
	}
	for re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	parts := []*syntax.Regexp{re}
	if re.Op == syntax.OpConcat {
		parts = re.Sub
	}
	var p prefilter
	for _, part := range parts {
		set, ok := required(part)
		if !ok || len(set) == 0 || slices.Contains(set, "") || allSpace(set) {
			continue
		}
		if !slices.ContainsFunc(p, func(s []string) bool { return slices.Equal(s, set) }) {
			p = append(p, set)
		}
	}
	slices.SortStableFunc(p, func(a, b []string) int { return minLen(b) - minLen(a) })
	return p
}

func allSpace(set []string) bool {
	for _, s := range set {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}

// required returns literals one of which any match of re must contain,
// folded (they are looked for in the folded text: a literal matched
// case-sensitively is only looked for more widely).
func required(re *syntax.Regexp) ([]string, bool) {
	need, ok := regexlit.Required(re)
	if !ok {
		return nil, false
	}
	out := make([]string, len(need))
	for i, l := range need {
		out[i] = fold(l.S)
	}
	return dedupe(out), true
}

func minLen(set []string) int {
	m := -1
	for _, s := range set {
		if n := utf8.RuneCountInString(s); m < 0 || n < m {
			m = n
		}
	}
	return m
}

func dedupe(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}

// literalIndex finds, in one pass over a text, which of the prefilter
// literals of a rules file it contains, so that checking a pattern's
// prefilter is a few table lookups instead of a substring search per
// literal. Literals are bucketed by their first two bytes (one for one-byte
// literals).
type literalIndex struct {
	ids  map[string]int32
	one  [256][]indexed
	two  map[[2]byte][]indexed
	size int
}

type indexed struct {
	lit string
	id  int32
}

func newLiteralIndex() *literalIndex {
	return &literalIndex{ids: map[string]int32{}, two: map[[2]byte][]indexed{}}
}

// add registers the literals of p and returns them as ids.
func (x *literalIndex) add(p prefilter) [][]int32 {
	var out [][]int32
	for _, set := range p {
		var ids []int32
		for _, lit := range set {
			id, ok := x.ids[lit]
			if !ok {
				id = int32(x.size)
				x.size++
				x.ids[lit] = id
				if len(lit) == 1 {
					x.one[lit[0]] = append(x.one[lit[0]], indexed{lit, id})
				} else {
					k := [2]byte{lit[0], lit[1]}
					x.two[k] = append(x.two[k], indexed{lit, id})
				}
			}
			ids = append(ids, id)
		}
		out = append(out, ids)
	}
	return out
}

// scan appends to out the ids of the literals lowered contains, each once;
// seen (by id, all false) is scratch, left all false.
func (x *literalIndex) scan(lowered string, seen []bool, out []int32) []int32 {
	start := len(out)
	for i := 0; i < len(lowered); i++ {
		for _, l := range x.one[lowered[i]] {
			if !seen[l.id] {
				seen[l.id] = true
				out = append(out, l.id)
			}
		}
		if i+1 < len(lowered) {
			for _, l := range x.two[[2]byte{lowered[i], lowered[i+1]}] {
				if !seen[l.id] && strings.HasPrefix(lowered[i:], l.lit) {
					seen[l.id] = true
					out = append(out, l.id)
				}
			}
		}
	}
	for _, id := range out[start:] {
		seen[id] = false
	}
	return out
}

// maxSets is the most prefilter sets of a pattern the phrase index checks;
// a pattern with more is checked on its first maxSets only (fewer sets only
// let more texts through to the pattern, which decides).
const maxSets = 64

// phraseIndex finds, from the literals a text contains, the phrases whose
// prefilter it passes, in one pass over those literals instead of checking
// every phrase of the rules (some 1,800 per text) in turn.
type phraseIndex struct {
	uses    [][]litUse // by literal id: the phrases and sets that list it
	full    []uint64   // by phrase id: a bit per prefilter set
	always  []int32    // phrases without a prefilter, in order
	lits    int        // literals in the literal index
	scratch sync.Pool  // *indexScratch
}

type litUse struct {
	phrase int32
	set    uint8
}

type indexScratch struct {
	seen    []bool   // by literal id
	found   []int32  // literal ids
	sat     []uint64 // by phrase id: the sets a literal of the text satisfies
	touched []int32  // phrase ids with a bit in sat
}

// add numbers p as the next phrase, with its prefilter as literal ids.
func (x *phraseIndex) add(p *phrase) {
	p.id = int32(len(x.full))
	sets := p.ids[:min(len(p.ids), maxSets)]
	if len(sets) == 0 {
		x.always = append(x.always, p.id)
	}
	var full uint64
	for k, set := range sets {
		full |= 1 << k
		for _, lit := range set {
			for int(lit) >= len(x.uses) {
				x.uses = append(x.uses, nil)
			}
			x.uses[lit] = append(x.uses[lit], litUse{phrase: p.id, set: uint8(k)})
		}
	}
	x.full = append(x.full, full)
}

// candidates returns, in increasing order, the ids of the phrases whose
// prefilter lowered (the text folded: fold) passes: it holds a literal of
// each of their sets.
func (x *phraseIndex) candidates(lits *literalIndex, lowered string) []int32 {
	sc, _ := x.scratch.Get().(*indexScratch)
	if sc == nil {
		sc = &indexScratch{seen: make([]bool, lits.size), sat: make([]uint64, len(x.full))}
	}
	sc.found = lits.scan(lowered, sc.seen, sc.found[:0])
	sc.touched = sc.touched[:0]
	for _, l := range sc.found {
		if int(l) >= len(x.uses) {
			continue
		}
		for _, u := range x.uses[l] {
			if sc.sat[u.phrase] == 0 {
				sc.touched = append(sc.touched, u.phrase)
			}
			sc.sat[u.phrase] |= 1 << u.set
		}
	}
	n := len(x.always)
	for _, p := range sc.touched {
		if sc.sat[p] == x.full[p] {
			n++
		}
	}
	out := make([]int32, 0, n)
	out = append(out, x.always...)
	for _, p := range sc.touched {
		if sc.sat[p] == x.full[p] {
			out = append(out, p)
		}
		sc.sat[p] = 0
	}
	slices.Sort(out)
	x.scratch.Put(sc)
	return out
}
