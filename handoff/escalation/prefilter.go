package escalation

import (
	"regexp/syntax"
	"slices"
	"strings"
	"unicode/utf8"
)

// A prefilter is a set of lower-case literals at least one of which every
// match of a pattern contains. Checking them with strings.Contains skips most
// regexp runs: messages rarely contain any trigger word.
type prefilter []string

// mayMatch reports whether lowered (the text in lower case) contains one of
// the literals. A nil prefilter always may match.
func (p prefilter) mayMatch(lowered string) bool {
	if p == nil {
		return true
	}
	for _, lit := range p {
		if strings.Contains(lowered, lit) {
			return true
		}
	}
	return false
}

// newPrefilter derives the literals of a pattern; nil when it cannot (the
// pattern is then always run).
func newPrefilter(pattern string) prefilter {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil
	}
	set, ok := required(re)
	if !ok || len(set) == 0 {
		return nil
	}
	for _, s := range set {
		if s == "" {
			return nil
		}
	}
	return set
}

const maxClassRunes = 16

// required returns literals one of which any match of re must contain.
func required(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		return []string{strings.ToLower(string(re.Rune))}, true
	case syntax.OpCharClass:
		var out []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			if hi-lo >= maxClassRunes || len(out) > maxClassRunes {
				return nil, false
			}
			for r := lo; r <= hi; r++ {
				out = append(out, strings.ToLower(string(r)))
			}
		}
		return dedupe(out), len(out) > 0
	case syntax.OpCapture:
		return required(re.Sub[0])
	case syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0])
		}
		return nil, false
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			s, ok := required(sub)
			if !ok {
				return nil, false
			}
			out = append(out, s...)
		}
		return dedupe(out), true
	case syntax.OpConcat:
		var best []string
		bestLen := 0
		for _, sub := range re.Sub {
			s, ok := required(sub)
			if !ok {
				continue
			}
			if l := minLen(s); l > bestLen {
				best, bestLen = s, l
			}
		}
		return best, best != nil
	}
	return nil, false
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
