package escalation

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

type phrase struct {
	re     *regexp.Regexp
	pre    prefilter
	ids    [][]int32 // pre as literal ids of Rules.lits
	id     int32     // index in Rules.phraseIndex (a list's phrases are numbered in a row)
	source string    // as written in the rules file
	lang   string
}

// variant is one rewrite of a message with the phrases whose prefilter it
// passes.
type variant struct {
	text string
	// cand lists, in increasing order, the ids of the phrases whose
	// prefilter the variant passes (it holds a literal of each of their
	// sets); only those may match.
	cand []int32
	// matched caches, by position in cand, whether the phrase matches the
	// text as written (0: not run yet, 1: matches, 2: does not), so that
	// the checks of one message (anyMatch, then find or spans, then the
	// same sets again for statedApart and besides) run a pattern on a text
	// once.
	matched []int8
}

// candidates returns the range of v.cand that holds phrases of list
// (numbered in a row from list[0].id).
func (v *variant) candidates(list []phrase) (from, to int) {
	if len(list) == 0 {
		return 0, 0
	}
	lo, hi := list[0].id, list[0].id+int32(len(list))
	from, _ = slices.BinarySearch(v.cand, lo)
	to, _ = slices.BinarySearch(v.cand, hi)
	return from, to
}

// matches reports whether the phrase at position k of v.cand matches the
// variant's text as written, running it at most once.
func (v *variant) matches(k int, p *phrase) bool {
	switch v.matched[k] {
	case 1:
		return true
	case 2:
		return false
	}
	ok := p.re.MatchString(v.text)
	v.setMatched(k, ok)
	return ok
}

func (v *variant) setMatched(k int, ok bool) {
	if ok {
		v.matched[k] = 1
	} else {
		v.matched[k] = 2
	}
}

// phraseSet is one trigger's patterns, all languages together. Exclusions
// blank out the text they match before the match patterns run.
type phraseSet struct {
	match   []phrase
	exclude []phrase
	soft    []phrase // complaint lexicon only; Rules.complaintSoft matches them
}

// find reports the first match pattern (in file order) that matches one of
// the variants of a message (the same text rewritten rune for rune: as
// written, converted to Traditional) after the exclusions are blanked out,
// with the variant and the byte span in it. A rune blanked by an exclusion in
// any variant is blanked in all of them, so an exclusion written in
// Traditional also covers the Simplified original.
//
// Blanking only removes text, so a message no match pattern matches as
// written cannot match after blanking: most messages skip the exclusions.
func (s *phraseSet) find(variants []variant) (index, start, end int, ok bool) {
	hit := false
	for i := range variants {
		hit = hit || s.anyMatch(&variants[i])
	}
	if !hit {
		return 0, 0, 0, false
	}
	masked := s.mask(variants)
	for i := range variants {
		v := &variants[i]
		text := blankRunes(v.text, masked)
		from, to := v.candidates(s.match)
		for k := from; k < to; k++ {
			m := &s.match[v.cand[k]-s.match[0].id]
			if masked == nil && v.matched[k] == 2 {
				continue // known not to match the text as written
			}
			if loc := m.re.FindStringIndex(text); loc != nil {
				return i, loc[0], loc[1], true
			}
			if masked == nil {
				v.setMatched(k, false)
			}
		}
	}
	return 0, 0, 0, false
}

// mask returns the runes the exclusions blank out in any variant (nil when
// none).
func (s *phraseSet) mask(variants []variant) []bool {
	var masked []bool // per rune
	for i := range variants {
		vr := &variants[i]
		v := vr.text
		from, to := vr.candidates(s.exclude)
		for k := from; k < to; k++ {
			if vr.matched[k] == 2 {
				continue // known not to match
			}
			ex := &s.exclude[vr.cand[k]-s.exclude[0].id]
			locs := ex.re.FindAllStringIndex(v, -1)
			vr.setMatched(k, locs != nil)
			for _, loc := range locs {
				if masked == nil {
					masked = make([]bool, utf8.RuneCountInString(v))
				}
				from := utf8.RuneCountInString(v[:loc[0]])
				to := from + utf8.RuneCountInString(v[loc[0]:loc[1]])
				for r := from; r < to && r < len(masked); r++ {
					masked[r] = true
				}
			}
		}
	}
	return masked
}

// spans returns every match of the match patterns in the variants after the
// exclusions, as rune spans [from, to) (the variants are rune-for-rune
// rewrites, so the spans of one apply to all).
func (s *phraseSet) spans(variants []variant) [][2]int {
	hit := false
	for i := range variants {
		hit = hit || s.anyMatch(&variants[i])
	}
	if !hit {
		return nil
	}
	masked := s.mask(variants)
	var out [][2]int
	for i := range variants {
		v := &variants[i]
		text := blankRunes(v.text, masked)
		from, to := v.candidates(s.match)
		for k := from; k < to; k++ {
			if masked == nil && v.matched[k] == 2 {
				continue // known not to match the text as written
			}
			m := &s.match[v.cand[k]-s.match[0].id]
			locs := m.re.FindAllStringIndex(text, -1)
			if masked == nil {
				v.setMatched(k, locs != nil)
			}
			for _, loc := range locs {
				from := utf8.RuneCountInString(text[:loc[0]])
				sp := [2]int{from, from + utf8.RuneCountInString(text[loc[0]:loc[1]])}
				if !slices.Contains(out, sp) {
					out = append(out, sp)
				}
			}
		}
	}
	return out
}

// clauses numbers the runes of text by clause: a clause ends at punctuation,
// or at a space next to a Chinese character (Chinese chat separates clauses
// with spaces; English separates words).
func clauses(text string) []int {
	rs := []rune(text)
	out := make([]int, len(rs))
	n := 0
	for i, c := range rs {
		switch {
		case strings.ContainsRune("，,。.!！?？;；:：~～、\n", c):
			n++
		case unicode.IsSpace(c) && (i > 0 && unicode.Is(unicode.Han, rs[i-1]) || i+1 < len(rs) && unicode.Is(unicode.Han, rs[i+1])):
			n++
		}
		out[i] = n
	}
	return out
}

// outside reports whether a span of some lies in no clause that holds a
// span of others and overlaps none of them: a soft complaint word stated
// apart from the question ("包裹延遲一週了 什麼時候會到").
func outside(text string, some, others [][2]int) bool {
	cl := clauses(text)
	clauseOf := func(r int) int {
		if r >= len(cl) {
			r = len(cl) - 1
		}
		if r < 0 {
			return 0
		}
		return cl[r]
	}
	for _, s := range some {
		free := true
		for _, o := range others {
			overlap := s[0] < o[1] && o[0] < s[1]
			if overlap {
				free = false
				break
			}
			for r := o[0]; r < o[1]; r++ {
				if c := clauseOf(r); c >= clauseOf(s[0]) && c <= clauseOf(s[1]-1) {
					free = false
					break
				}
			}
		}
		if free {
			return true
		}
	}
	return false
}

func (s *phraseSet) anyMatch(v *variant) bool {
	from, to := v.candidates(s.match)
	for k := from; k < to; k++ {
		if v.matches(k, &s.match[v.cand[k]-s.match[0].id]) {
			return true
		}
	}
	return false
}

// blankRunes replaces the masked runes of s with spaces of the same byte
// length, so byte offsets stay valid.
func blankRunes(s string, masked []bool) string {
	if masked == nil {
		return s
	}
	b := []byte(s)
	// The width comes from decoding, not from utf8.RuneLen: an invalid
	// byte decodes as U+FFFD, 1 byte wide in s but 3 in RuneLen.
	for i, r := 0, 0; i < len(s); r++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		if r < len(masked) && masked[r] {
			for j := i; j < i+size; j++ {
				b[j] = ' '
			}
		}
		i += size
	}
	return string(b)
}

// message is one customer text prepared for matching.
type message struct {
	original string
	folded   string // full-width ASCII folded to half-width
	trad     string // folded, Simplified converted to Traditional
	// tries are the groups of variants matched in turn until one matches:
	// as written (see rewrites), then with typos corrected. The variants of
	// a group are rune-for-rune rewrites of each other.
	tries [][]variant
}

func (r *Rules) prepare(text string) message {
	folded := width.Fold.String(text)
	trad := folded
	if hasHan(folded) {
		trad = r.zh.ToTraditional(folded) // OpenCC is costly on text with nothing to convert
	}
	m := message{original: text, folded: folded, trad: trad}
	// Written in Traditional (it has characters Simplified writes
	// otherwise): as written is worth matching even where the conversion
	// changed its length.
	traditional := trad != folded && utf8.RuneCountInString(trad) != utf8.RuneCountInString(folded) &&
		r.zh.ToSimplified(folded) != folded
	for _, g := range rewrites(folded, trad, traditional) {
		m.tries = append(m.tries, r.variants(g))
	}
	ff, okF := r.typos.fix(folded)
	ft, okT := ff, okF
	if trad != folded {
		ft, okT = r.typos.fix(trad)
	}
	if okF || okT {
		for _, g := range rewrites(ff, ft, traditional) {
			m.tries = append(m.tries, r.variants(g))
		}
	}
	return m
}

func (r *Rules) variants(texts []string) []variant {
	vs := make([]variant, len(texts))
	for i, t := range texts {
		cand := r.phraseIndex.candidates(r.lits, fold(t))
		vs[i] = variant{text: t, cand: cand, matched: make([]int8, len(cand))}
	}
	return vs
}

func hasHan(s string) bool {
	return strings.ContainsFunc(s, func(c rune) bool { return unicode.Is(unicode.Han, c) })
}

// match runs a phrase set on the message and returns the evidence. Patterns
// are written in Traditional, so Simplified text matches once converted; the
// text is also tried as written, because converting text that is already
// Traditional can change characters (OpenCC turns 扣款 into 釦款). A message
// that does not match as written is tried again with its typos corrected.
func (m message) match(set *phraseSet) (evidence string, ok bool) {
	for _, g := range m.tries {
		if i, s, e, ok := set.find(g); ok {
			return m.evidence(g[i].text, s, e), true
		}
	}
	return "", false
}

// vetoed reports whether the rules saw the words of set in the message and
// turned them down: a match pattern matches a variant as written, or an
// exclusion matches (a mention, a negation, a product name, curiosity).
// Called when set did not match; the trigger model does not overrule it.
func (m message) vetoed(set *phraseSet) bool {
	for _, g := range m.tries {
		for i := range g {
			if set.anyMatch(&g[i]) {
				return true
			}
		}
		if set.mask(g) != nil {
			return true
		}
	}
	return false
}

// rewrites lists the groups of variants of a message to match: as written
// and converted in one group, or, when the conversion changed the length
// (the variants of a group must be rune-for-rune rewrites of each other),
// converted only, and then, for a message written in Traditional, as
// written in a group of its own. The conversion rewrites some Traditional
// words too: s2twp turns 權限 into 許可權, and "給我一個有權限的人" was
// matched only as "給我一個有許可權的人". Simplified text as written is not
// matched on its own: the exclusions, written in Traditional, would miss it.
func rewrites(folded, trad string, traditional bool) [][]string {
	switch {
	case trad == folded:
		return [][]string{{folded}}
	case utf8.RuneCountInString(trad) == utf8.RuneCountInString(folded):
		return [][]string{{folded, trad}}
	case traditional:
		return [][]string{{trad}, {folded}}
	default:
		return [][]string{{trad}}
	}
}

// evidence returns the span [start, end) of variant (a rune-for-rune
// rewrite of the message) as the customer wrote it, or as rewritten when the
// rune counts differ.
func (m message) evidence(variant string, start, end int) string {
	if utf8.RuneCountInString(variant) != utf8.RuneCountInString(m.original) {
		return strings.TrimSpace(variant[start:end])
	}
	rs := utf8.RuneCountInString(variant[:start])
	re := rs + utf8.RuneCountInString(variant[start:end])
	orig := []rune(m.original)
	return strings.TrimSpace(string(orig[rs:re]))
}
