package knowledge

import (
	"regexp/syntax"
	"strings"
	"unicode/utf8"
)

// A lexicon pattern is tried on every text the matcher reads, the KB's
// included, and most texts cannot match it: requiredLiterals finds strings
// one of which every match must contain, so a text with none of them is
// not searched (the result is the same, only faster).

// literal is a string a match must contain; fold: ASCII letters in any
// case (from (?i)), compared against foldASCII of the text.
type literal struct {
	s    string
	fold bool
}

func (l literal) in(text, folded string) bool {
	if l.fold {
		return strings.Contains(folded, l.s)
	}
	return strings.Contains(text, l.s)
}

// foldASCII is text in lower case with the two non-ASCII letters that
// (?i) matches to ASCII ones (ſ for s, the Kelvin sign for k) replaced.
func foldASCII(text string) string {
	text = strings.ToLower(text)
	if strings.ContainsAny(text, "ſ\u212a") {
		text = strings.NewReplacer("ſ", "s", "\u212a", "k").Replace(text)
	}
	return text
}

// maxClassRunes is the largest character class taken as a set of
// literals.
const maxClassRunes = 16

// requiredLiterals parses pattern and returns strings one of which every
// match contains, or ok false when it finds none it can be sure of.
func requiredLiterals(pattern string) (need []literal, ok bool) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, false
	}
	return required(re.Simplify())
}

func required(re *syntax.Regexp) ([]literal, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		s := string(re.Rune)
		if re.Flags&syntax.FoldCase == 0 {
			return []literal{{s: s}}, true
		}
		for _, r := range re.Rune {
			if r >= utf8.RuneSelf {
				return nil, false
			}
		}
		return []literal{{s: strings.ToLower(s), fold: true}}, true
	case syntax.OpCharClass:
		var out []literal
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i+1]-re.Rune[i] >= maxClassRunes {
				return nil, false
			}
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				out = append(out, literal{s: string(r)})
			}
			if len(out) > maxClassRunes {
				return nil, false
			}
		}
		return out, len(out) > 0
	case syntax.OpCapture, syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0])
		}
	case syntax.OpConcat:
		// The child whose shortest literal is longest narrows the most.
		var best []literal
		bestLen := 0
		for _, sub := range re.Sub {
			if need, ok := required(sub); ok {
				shortest := len(need[0].s)
				for _, l := range need {
					shortest = min(shortest, len(l.s))
				}
				if shortest > bestLen {
					best, bestLen = need, shortest
				}
			}
		}
		return best, best != nil
	case syntax.OpAlternate:
		var out []literal
		for _, sub := range re.Sub {
			need, ok := required(sub)
			if !ok {
				return nil, false
			}
			out = append(out, need...)
		}
		return out, len(out) > 0
	}
	return nil, false
}
