package orders

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// DefaultPattern is the demo shop's order-number format.
const DefaultPattern = `WL\d{8}`

// maxSeparatorRun is how many spaces/dashes in a row may split an order
// number ("WL 2026-1101", "WL - 20261101").
const maxSeparatorRun = 3

// Extractor finds order numbers in free text. It is safe for concurrent use.
type Extractor struct {
	re *regexp.Regexp
}

// NewExtractor compiles a pattern (Go regexp syntax, matched
// case-insensitively) for order numbers. The pattern must not match the empty
// string.
func NewExtractor(pattern string) (*Extractor, error) {
	if strings.TrimSpace(pattern) == "" {
		return nil, errors.New("order number pattern: empty")
	}
	re, err := regexp.Compile(`(?i)(?:` + pattern + `)`)
	if err != nil {
		return nil, fmt.Errorf("order number pattern %q: %w", pattern, err)
	}
	if re.MatchString("") {
		return nil, fmt.Errorf("order number pattern %q: matches the empty string", pattern)
	}
	return &Extractor{re: re}, nil
}

// Find returns the first order number in text (full-width digits and letters
// normalised, case-insensitive), or ok=false. The number is returned upper
// case, without separators the pattern does not itself contain
// ("ｗｌ 2026-1101" → "WL20261101" for DefaultPattern). A match
// glued to other letters or digits ("WL202611019") does not count.
func (e *Extractor) Find(text string) (number string, ok bool) {
	if e == nil || e.re == nil || text == "" {
		return "", false
	}
	folded := width.Fold.String(text)

	// The text as written (patterns may contain separators themselves) and
	// the text with short runs of spaces/dashes between letters and digits
	// removed; the match that starts first wins.
	best, bestStart := "", -1
	for _, m := range e.re.FindAllStringIndex(folded, -1) {
		if isolated(folded, m[0], m[1]) {
			best, bestStart = folded[m[0]:m[1]], m[0]
			break
		}
	}
	if joined, origin, changed := joinSeparated(folded); changed {
		for _, m := range e.re.FindAllStringIndex(joined, -1) {
			start, end := origin[m[0]], origin[m[1]-1]+1
			if bestStart >= 0 && start >= bestStart {
				break
			}
			if isolated(folded, start, end) {
				best, bestStart = joined[m[0]:m[1]], start
				break
			}
		}
	}
	if bestStart < 0 {
		return "", false
	}
	return strings.ToUpper(best), true
}

// isolated reports whether s[start:end] is not glued to ASCII letters or
// digits on either side.
func isolated(s string, start, end int) bool {
	if start > 0 {
		if r, _ := utf8.DecodeLastRuneInString(s[:start]); isASCIIAlnum(r) {
			return false
		}
	}
	if end < len(s) {
		if r, _ := utf8.DecodeRuneInString(s[end:]); isASCIIAlnum(r) {
			return false
		}
	}
	return true
}

// joinSeparated drops runs of up to maxSeparatorRun separators that sit
// between two ASCII letters or digits. origin[i] is the byte offset in s of
// joined[i].
func joinSeparated(s string) (joined string, origin []int, changed bool) {
	var b strings.Builder
	b.Grow(len(s))
	origin = make([]int, 0, len(s))
	keep := func(from, to int) {
		b.WriteString(s[from:to])
		for k := from; k < to; k++ {
			origin = append(origin, k)
		}
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isSeparator(r) {
			keep(i, i+size)
			i += size
			continue
		}
		j, n := i, 0
		for j < len(s) {
			rr, sz := utf8.DecodeRuneInString(s[j:])
			if !isSeparator(rr) {
				break
			}
			j += sz
			n++
		}
		if i > 0 && j < len(s) && n <= maxSeparatorRun {
			prev, _ := utf8.DecodeLastRuneInString(s[:i])
			next, _ := utf8.DecodeRuneInString(s[j:])
			if isASCIIAlnum(prev) && isASCIIAlnum(next) {
				changed = true
				i = j
				continue
			}
		}
		keep(i, j)
		i = j
	}
	return b.String(), origin, changed
}

func isSeparator(r rune) bool {
	return r == ' ' || r == '\t' || r == '\u00a0' || r == '-' || r == '_' || unicode.Is(unicode.Pd, r)
}

func isASCIIAlnum(r rune) bool {
	return isASCIILetter(r) || r >= '0' && r <= '9'
}
