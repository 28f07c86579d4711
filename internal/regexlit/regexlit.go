// Package regexlit finds strings every match of a regular expression must
// contain, so that a text with none of them need not be searched with the
// expression (the result is the same, only faster). The knowledge
// lexicon's patterns and the escalation rules' phrase patterns both use it.
package regexlit

import (
	"regexp/syntax"
	"strings"
	"unicode"
)

// Literal is a string a match must contain. Fold: its letters matched in
// any case (from (?i)); S is then in lower case and is compared against
// FoldASCII of the text.
type Literal struct {
	S    string
	Fold bool
}

// In reports whether text (folded: FoldASCII(text)) contains l.
func (l Literal) In(text, folded string) bool {
	if l.Fold {
		return strings.Contains(folded, l.S)
	}
	return strings.Contains(text, l.S)
}

// FoldASCII is text in lower case with the two non-ASCII letters that (?i)
// matches to ASCII ones (ſ for s, the Kelvin sign for k) replaced.
func FoldASCII(text string) string {
	text = strings.ToLower(text)
	if strings.ContainsAny(text, "ſ\u212a") {
		text = strings.NewReplacer("ſ", "s", "\u212a", "k").Replace(text)
	}
	return text
}

// maxClassRunes is the largest character class taken as a set of literals.
const maxClassRunes = 16

// Of parses pattern (Perl syntax, as regexp.Compile) and returns literals
// one of which every match contains, or ok false when it finds none it can
// be sure of.
func Of(pattern string) (need []Literal, ok bool) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, false
	}
	return Required(re.Simplify())
}

// Required returns literals one of which every match of re contains, or ok
// false when it finds none it can be sure of.
func Required(re *syntax.Regexp) ([]Literal, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		s := string(re.Rune)
		if re.Flags&syntax.FoldCase == 0 {
			return []Literal{{S: s}}, true
		}
		// Letters with case forms outside ASCII are not folded by
		// FoldASCII; caseless runes (Chinese) match only themselves.
		for _, r := range re.Rune {
			if r > unicode.MaxASCII && unicode.SimpleFold(r) != r {
				return nil, false
			}
		}
		return []Literal{{S: strings.ToLower(s), Fold: true}}, true
	case syntax.OpCharClass:
		var out []Literal
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i+1]-re.Rune[i] >= maxClassRunes {
				return nil, false
			}
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				out = append(out, Literal{S: string(r)})
			}
			if len(out) > maxClassRunes {
				return nil, false
			}
		}
		return out, len(out) > 0
	case syntax.OpCapture, syntax.OpPlus:
		return Required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return Required(re.Sub[0])
		}
	case syntax.OpConcat:
		// The child whose shortest literal is longest narrows the most.
		var best []Literal
		bestLen := 0
		for _, sub := range re.Sub {
			if need, ok := Required(sub); ok {
				shortest := len(need[0].S)
				for _, l := range need {
					shortest = min(shortest, len(l.S))
				}
				if shortest > bestLen {
					best, bestLen = need, shortest
				}
			}
		}
		return best, best != nil
	case syntax.OpAlternate:
		var out []Literal
		for _, sub := range re.Sub {
			need, ok := Required(sub)
			if !ok {
				return nil, false
			}
			out = append(out, need...)
		}
		return out, len(out) > 0
	}
	return nil, false
}
