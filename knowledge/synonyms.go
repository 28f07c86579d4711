package knowledge

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/warmline/warmline/internal/regexlit"
)

// Synonyms are groups of words or phrases a support manager declares to mean
// the same thing to customers ("parcel", "package"; 退款, 退錢), per script.
// The matcher rewrites every member of a group to the group's first member,
// in the KB's questions and answers and in the customer's question alike, so
// a question using one member meets entries written with another.
type synonyms struct {
	// en is any English member, longest first, whole words.
	en *regexp.Regexp
	// enNeed are literals one of which every match of en contains
	// (regexlit): a text with none is returned as it is, unsearched.
	enNeed []regexlit.Literal
	enTo   map[string]string // lowercased English member -> canonical
	zh     *strings.Replacer // Simplified Chinese member -> canonical
	groups int
}

// rawSynonyms is the "synonyms" section of a KB file: language -> groups.
type rawSynonyms map[string][][]string

// synonymGroups collects the synonym groups of all files, validated, per
// script ("en", "zh": both Chinese variants normalised to Simplified).
type synonymGroups struct {
	en, zh [][]string
	// owner maps a member (lowercased English, Simplified Chinese) to the
	// place it was first declared, to report a member in two groups.
	owner map[string]string
}

// synonymsSection validates the "synonyms" node of file name and adds its
// groups.
func (l *loader) synonymsSection(name string, n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		l.fail(name, n.Line, "", "synonyms: want a mapping of language to a list of groups")
		return
	}
	if l.syn.owner == nil {
		l.syn.owner = map[string]string{}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		lang := key.Value
		if !slices.Contains(allLangs, lang) {
			l.fail(name, key.Line, "", "synonyms: unknown language %q (want zh-TW, zh-CN or en)", lang)
			continue
		}
		var groups [][]string
		if err := val.Decode(&groups); err != nil {
			l.fail(name, val.Line, "", "synonyms.%s: want a list of groups, each a list of words: %s", lang, strings.TrimPrefix(err.Error(), "yaml: "))
			continue
		}
		for gi, g := range groups {
			line := val.Line
			if gi < len(val.Content) {
				line = val.Content[gi].Line
			}
			var clean []string
			for _, w := range g {
				w = strings.Join(strings.Fields(w), " ")
				w = strings.ToLower(w)
				if lang != EN {
					w = normalizeZh(l.conv, w, lang)
				}
				if w == "" {
					l.fail(name, line, "", "synonyms.%s[%d]: empty word", lang, gi+1)
					continue
				}
				if slices.Contains(clean, w) {
					continue
				}
				key := lang[:2] + ":" + w
				if prev, dup := l.syn.owner[key]; dup {
					l.fail(name, line, "", "synonyms.%s[%d]: %q is already in a group (%s)", lang, gi+1, w, prev)
					continue
				}
				l.syn.owner[key] = name + ":" + strconv.Itoa(line)
				clean = append(clean, w)
			}
			if len(clean) < 2 {
				l.fail(name, line, "", "synonyms.%s[%d]: a group needs at least two different words", lang, gi+1)
				continue
			}
			if lang == EN {
				l.syn.en = append(l.syn.en, clean)
			} else {
				l.syn.zh = append(l.syn.zh, clean)
			}
		}
	}
}

// build compiles the groups into rewriters.
func (g synonymGroups) build() *synonyms {
	s := &synonyms{enTo: map[string]string{}, groups: len(g.en) + len(g.zh)}
	var members []string
	for _, grp := range g.en {
		for _, w := range grp[1:] {
			s.enTo[w] = grp[0]
			members = append(members, w)
		}
	}
	if len(members) > 0 {
		byLen(members)
		alts := make([]string, len(members))
		for i, w := range members {
			alts[i] = strings.ReplaceAll(regexp.QuoteMeta(w), `\ `, `\s+`)
			alts[i] = strings.ReplaceAll(alts[i], " ", `\s+`)
		}
		// A trailing s/es keeps plurals ("parcels") in the group; the
		// English analyser stems the canonical word again afterwards.
		s.en = regexp.MustCompile(`(?i)\b(` + strings.Join(alts, "|") + `)(?:s|es)?\b`)
		s.enNeed, _ = regexlit.Of(s.en.String())
	}
	var pairs []string
	var zhMembers []string
	zhTo := map[string]string{}
	for _, grp := range g.zh {
		for _, w := range grp[1:] {
			zhTo[w] = grp[0]
			zhMembers = append(zhMembers, w)
		}
	}
	byLen(zhMembers)
	for _, w := range zhMembers {
		to := zhTo[w]
		if !strings.ContainsFunc(w, isHan) && strings.ContainsFunc(to, isHan) {
			// A Latin or digit member (7-11, visa) was a word of its own in
			// the customer's text: rewritten to Han characters it must stay
			// one, or its bigrams with the neighbours (可以7-11取货 ->
			// 以超, 超商取) are rare terms no question means.
			to = " " + to + " "
		}
		pairs = append(pairs, w, to)
	}
	if len(pairs) > 0 {
		s.zh = strings.NewReplacer(pairs...)
	}
	return s
}

// byLen sorts words longest first, so the longest member wins where
// members overlap ("money back" before "money").
func byLen(words []string) {
	slices.SortStableFunc(words, func(a, b string) int { return len(b) - len(a) })
}

// rewrite replaces every synonym in text (English, or Chinese already
// normalised to Simplified) by its group's first member. Chinese text is
// lowercased first (for Latin members like "line pay"); the analysers
// lowercase anyway.
func (s *synonyms) rewrite(text, script string) string {
	if s == nil {
		return text
	}
	if script == EN {
		if s.en == nil {
			return text
		}
		if s.enNeed != nil {
			folded := regexlit.FoldASCII(text)
			if !slices.ContainsFunc(s.enNeed, func(l regexlit.Literal) bool { return l.In(text, folded) }) {
				return text
			}
		}
		return s.en.ReplaceAllStringFunc(text, func(m string) string {
			w := strings.ToLower(strings.Join(strings.Fields(m), " "))
			if to, ok := s.enTo[w]; ok {
				return to
			}
			for _, suf := range []string{"es", "s"} {
				if to, ok := s.enTo[strings.TrimSuffix(w, suf)]; ok && strings.HasSuffix(w, suf) {
					return to
				}
			}
			return m
		})
	}
	if s.zh == nil {
		return text
	}
	return s.zh.Replace(strings.ToLower(text))
}
