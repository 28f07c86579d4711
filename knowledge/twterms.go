package knowledge

import (
	_ "embed"
	"fmt"
	"strings"
	"unicode/utf8"
)

// twTermsFile lists Taiwan-only wording and its mainland equivalent (the
// file's header documents the format).
//
//go:embed twterms.txt
var twTermsFile string

// TaiwanTerm is Taiwan wording found in Simplified Chinese text, with what
// a mainland reader says instead.
type TaiwanTerm struct {
	Term       string
	Suggestion string // mainland wording; alternatives joined by "/"
}

// termTable is the parsed term list. Immutable once built.
type termTable struct {
	terms  map[string]termDef
	maxLen int // longest term, in runes
}

type termDef struct {
	suggestion string // "" for a mainland word listed to shadow a shorter term
	auto       bool   // conversion replaces the term with suggestion
}

// parseTermTable reads the term list format of twterms.txt.
func parseTermTable(src string) (*termTable, error) {
	t := &termTable{terms: map[string]termDef{}}
	for n, line := range strings.Split(src, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		bad := func(why string) error { return fmt.Errorf("term list line %d %q: %s", n+1, line, why) }
		var d termDef
		switch {
		case len(f) == 2 && f[1] == "=":
		case len(f) == 2:
			d.suggestion = f[1]
		case len(f) == 3 && f[2] == "auto":
			if strings.Contains(f[1], "/") {
				return nil, bad("an auto replacement needs a single suggestion")
			}
			d = termDef{suggestion: f[1], auto: true}
		default:
			return nil, bad("want TERM SUGGESTION [auto] or TERM =")
		}
		if _, dup := t.terms[f[0]]; dup {
			return nil, bad("listed twice")
		}
		t.terms[f[0]] = d
		t.maxLen = max(t.maxLen, utf8.RuneCountInString(f[0]))
	}
	if len(t.terms) == 0 {
		return nil, fmt.Errorf("term list is empty")
	}
	return t, nil
}

// scan walks s and calls term for each listed term, longest first at each
// position, and text for the runs in between.
func (t *termTable) scan(s string, term func(string, termDef), text func(string)) {
	r := []rune(s)
	start := 0 // start of the pending text run
	for i := 0; i < len(r); {
		n := min(t.maxLen, len(r)-i)
		for ; n > 0; n-- {
			if _, ok := t.terms[string(r[i:i+n])]; ok {
				break
			}
		}
		if n == 0 {
			i++
			continue
		}
		if start < i {
			text(string(r[start:i]))
		}
		w := string(r[i : i+n])
		term(w, t.terms[w])
		i += n
		start = i
	}
	if start < len(r) {
		text(string(r[start:]))
	}
}

// find returns the Taiwan terms of s in order, each once.
func (t *termTable) find(s string) []TaiwanTerm {
	var out []TaiwanTerm
	seen := map[string]bool{}
	t.scan(s, func(w string, d termDef) {
		if d.suggestion != "" && !seen[w] {
			seen[w] = true
			out = append(out, TaiwanTerm{Term: w, Suggestion: d.suggestion})
		}
	}, func(string) {})
	return out
}

// replaceAuto replaces the terms marked auto in s by their mainland
// wording.
func (t *termTable) replaceAuto(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	t.scan(s, func(w string, d termDef) {
		if d.auto {
			b.WriteString(d.suggestion)
		} else {
			b.WriteString(w)
		}
	}, func(text string) { b.WriteString(text) })
	return b.String()
}
