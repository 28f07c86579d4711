package escalation

import (
	"fmt"
	"maps"
	"math/bits"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hbollon/go-edlib"
)

// typos corrects a message before it is matched a second time, when it
// fired nothing as written: English trigger words within a small edit
// distance (supervisr, refnud, lawer) and a table of Chinese homophone typos
// (主館 → 主管, 領道 → 領導). The zero value corrects nothing.
type typos struct {
	words []fuzzyWord       // English trigger words, by length
	exact map[string]bool   // the trigger words themselves
	keep  map[string]bool   // real words close to a trigger word: never corrected
	en    map[string]string // explicit English typos of short trigger words
	zh    *strings.Replacer // nil when the table is empty
}

type fuzzyWord struct {
	word string
	mask uint32 // letters present, one bit per letter a–z
}

// minTypoWord is the shortest trigger word corrected: shorter words have too
// many real neighbours (boss/bass/moss). Five-letter words (human, agent)
// have few, and those are listed in keep (haman, gent).
const minTypoWord = 5

// maxTypos is the edit distance a word of n letters may be from a trigger
// word (a swap of two neighbouring letters counts as one edit).
func maxTypos(n int) int {
	if n >= 9 {
		return 2
	}
	return 1
}

func newTypos(field string, f typosFile) (*typos, error) {
	var errs []string
	t := &typos{exact: map[string]bool{}, keep: map[string]bool{}, en: map[string]string{}}
	for _, wrong := range slices.Sorted(maps.Keys(f.En)) {
		if right := f.En[wrong]; !isLowerWord(wrong) || !isLowerWord(right) {
			errs = append(errs, fmt.Sprintf("%s.en.%s: %q: want lower-case English words", field, wrong, right))
			continue
		}
		t.en[wrong] = f.En[wrong]
	}
	for i, w := range f.Words {
		if !isLowerWord(w) || len(w) < minTypoWord {
			errs = append(errs, fmt.Sprintf("%s.words[%d]: %q is not a lower-case English word of at least %d letters", field, i, w, minTypoWord))
			continue
		}
		if !t.exact[w] {
			t.exact[w] = true
			t.words = append(t.words, fuzzyWord{word: w, mask: letterMask(w)})
		}
	}
	for i, w := range f.Keep {
		if !isLowerWord(w) {
			errs = append(errs, fmt.Sprintf("%s.keep[%d]: %q is not a lower-case English word", field, i, w))
			continue
		}
		t.keep[w] = true
	}
	var pairs []string
	// Real words first: the replacer takes the leftmost match, and of those
	// the first listed, so a kept word is never read as a typo.
	for i, w := range f.ZhKeep {
		if !hasHan(w) {
			errs = append(errs, fmt.Sprintf("%s.zh_keep[%d]: %q is not a Chinese word", field, i, w))
			continue
		}
		pairs = append(pairs, w, w)
	}
	for _, wrong := range slices.Sorted(maps.Keys(f.Zh)) {
		right := f.Zh[wrong]
		switch {
		case wrong == "" || right == "":
			errs = append(errs, fmt.Sprintf("%s.zh: %q: %q: empty", field, wrong, right))
		case utf8.RuneCountInString(wrong) != utf8.RuneCountInString(right):
			errs = append(errs, fmt.Sprintf("%s.zh.%s: %q has %d characters, want as many as %q", field, wrong, right, utf8.RuneCountInString(right), wrong))
		default:
			pairs = append(pairs, wrong, right)
		}
	}
	soundAlike, err := soundAlikes(field, f)
	if err != nil {
		errs = append(errs, err.Error())
	}
	for _, p := range soundAlike {
		if _, explicit := f.Zh[p[0]]; !explicit {
			pairs = append(pairs, p[0], p[1])
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	if len(pairs) > 0 {
		t.zh = strings.NewReplacer(pairs...)
	}
	slices.SortFunc(t.words, func(a, b fuzzyWord) int { return len(a.word) - len(b.word) })
	return t, nil
}

func isLowerWord(w string) bool {
	if w == "" {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return true
}

func letterMask(w string) uint32 {
	var m uint32
	for i := 0; i < len(w); i++ {
		if c := w[i] | 0x20; c >= 'a' && c <= 'z' {
			m |= 1 << (c - 'a')
		}
	}
	return m
}

// fix returns s with its typos corrected, and whether anything changed.
// Chinese corrections keep the length in characters; English ones replace a
// word by the trigger word, which may be longer or shorter.
func (t *typos) fix(s string) (string, bool) {
	if t == nil {
		return s, false
	}
	out := s
	if t.zh != nil && hasHan(s) {
		out = t.zh.Replace(s)
	}
	if len(t.words) > 0 || len(t.en) > 0 {
		out = t.fixEnglish(out)
	}
	return out, out != s
}

// fixEnglish replaces each ASCII word close to (but not equal to) a trigger
// word by that word. A word that is a trigger word plus a suffix
// (supervisors), a listed real word, or too short is left alone.
func (t *typos) fixEnglish(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		if !isASCIILetter(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isASCIILetter(s[j]) {
			j++
		}
		if w, ok := t.correct(s[i:j]); ok {
			if b.Len() == 0 {
				b.Grow(len(s) + 8)
			}
			b.WriteString(s[last:i])
			b.WriteString(w)
			last = j
		}
		i = j
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// correct returns the trigger word token is a typo of.
func (t *typos) correct(token string) (string, bool) {
	n := len(token)
	if n > 24 {
		return "", false
	}
	lower := strings.ToLower(token)
	if right, ok := t.en[lower]; ok {
		return right, true
	}
	if n < minTypoWord-1 {
		return "", false
	}
	if t.exact[lower] || t.keep[lower] {
		return "", false
	}
	mask := letterMask(lower)
	best, bestD := "", 3
	for _, w := range t.words {
		k := maxTypos(len(w.word))
		d := len(w.word) - n
		if d > k {
			break // sorted by length: every later word is longer still
		}
		if -d > k || bits.OnesCount32(mask^w.mask) > 2*k {
			continue // an edit changes at most two letters of the set
		}
		if strings.HasPrefix(lower, w.word) {
			return "", false // the word with a suffix: refunds, managers
		}
		// Of two words as far, the one sharing the longer start wins:
		// swolen is swollen, not stolen.
		if dist := edlib.OSADamerauLevenshteinDistance(lower, w.word); dist <= k && (dist < bestD || dist == bestD && commonPrefix(lower, w.word) > commonPrefix(lower, best)) {
			best, bestD = w.word, dist
		}
	}
	return best, best != ""
}

// soundAlikes lists the misreadings of the Chinese trigger words (wrong,
// right): each word with one character replaced by one that sounds alike
// (its group in zh_sounds), unless the result is a kept real word or another
// trigger word.
func soundAlikes(field string, f typosFile) ([][2]string, error) {
	var errs []string
	group := map[rune]int{}
	for i, g := range f.ZhSounds {
		rs := []rune(g)
		if len(rs) < 2 {
			errs = append(errs, fmt.Sprintf("%s.zh_sounds[%d]: %q needs at least two characters", field, i, g))
		}
		for _, c := range rs {
			if !unicode.Is(unicode.Han, c) {
				errs = append(errs, fmt.Sprintf("%s.zh_sounds[%d]: %q is not a Chinese character", field, i, c))
				continue
			}
			if j, dup := group[c]; dup && j != i {
				errs = append(errs, fmt.Sprintf("%s.zh_sounds[%d]: %q is already in group %d", field, i, c, j))
				continue
			}
			group[c] = i
		}
	}
	words := map[string]bool{}
	for i, w := range f.ZhWords {
		if utf8.RuneCountInString(w) < 2 || !hasHan(w) {
			errs = append(errs, fmt.Sprintf("%s.zh_words[%d]: %q is not a Chinese word of at least two characters", field, i, w))
		}
		words[w] = true
	}
	keep := map[string]bool{}
	for _, w := range f.ZhKeep {
		keep[w] = true
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	var out [][2]string
	seen := map[string]bool{}
	for _, w := range f.ZhWords {
		rs := []rune(w)
		for i, c := range rs {
			g, ok := group[c]
			if !ok {
				continue
			}
			for _, alt := range f.ZhSounds[g] {
				if alt == c {
					continue
				}
				wrong := string(rs[:i]) + string(alt) + string(rs[i+1:])
				if keep[wrong] || words[wrong] || seen[wrong] {
					continue
				}
				seen[wrong] = true
				out = append(out, [2]string{wrong, w})
			}
		}
	}
	// Longer misreadings first, so 負則人 is read before a shorter one in it.
	slices.SortStableFunc(out, func(a, b [2]string) int {
		return utf8.RuneCountInString(b[0]) - utf8.RuneCountInString(a[0])
	})
	return out, nil
}
