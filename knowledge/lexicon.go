package knowledge

import (
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"go.yaml.in/yaml/v3"

	"github.com/warmline/warmline/internal/regexlit"
)

// lexiconFiles is warmline's built-in lexicon (lexicon/*.yaml): retail and
// customer-support concepts in the three languages.
//
//go:embed lexicon/*.yaml
var lexiconFiles embed.FS

// conceptPrefix starts the term that stands for a concept in the index: a
// Latin token both analysers keep as it is (no stemming, no bigrams).
const conceptPrefix = "qxc"

// concept is one group of words that mean the same thing to a customer,
// per language (zh-TW and zh-CN are pooled after conversion to
// Simplified), and patterns (regular expressions) that mention it too.
type concept struct {
	EN       []string `yaml:"en"`
	ZhTW     []string `yaml:"zh-TW"`
	ZhCN     []string `yaml:"zh-CN"`
	Patterns []string `yaml:"patterns"`
}

// lexicon finds the concepts a text mentions. English members are matched
// as stemmed word sequences, Chinese ones as substrings of Simplified text.
type lexicon struct {
	analyzer analysis.Analyzer     // English: words, lower case, stemmed; no stop words
	en       map[string][]enMember // first stem -> members starting with it
	zh       map[rune][]zhMember   // first character -> members starting with it
	patterns []patternMember
	concepts int
	// longest: an English member inside a longer member of another
	// concept ("how" in "how long") does not count.
	longest bool
}

type patternMember struct {
	re      *regexp.Regexp
	concept int
	// need, when not nil, lists strings one of which every match
	// contains (regexlit.Of): a text with none is not searched.
	need []regexlit.Literal
}

type enMember struct {
	stems   []string
	concept int
}

type zhMember struct {
	text    string
	concept int
}

// builtinConcepts is the embedded lexicon, parsed once per process: it is
// immutable, and every Load and reload would otherwise decode the same YAML
// again. Callers must not modify the slice (append to a clone).
var builtinConcepts = sync.OnceValues(parseBuiltinConcepts)

// parseBuiltinConcepts parses the embedded lexicon.
func parseBuiltinConcepts() ([]concept, error) {
	names, err := fs.Glob(lexiconFiles, "lexicon/*.yaml")
	if err != nil {
		return nil, err
	}
	var all []concept
	for _, name := range names {
		data, err := lexiconFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		var f struct {
			Concepts []concept `yaml:"concepts"`
		}
		dec := yaml.NewDecoder(strings.NewReader(string(data)))
		dec.KnownFields(true)
		if err := dec.Decode(&f); err != nil {
			return nil, fmt.Errorf("lexicon %s: %w", name, err)
		}
		all = append(all, f.Concepts...)
	}
	return all, nil
}

// lexiconSection validates the "lexicon" node of KB file name: a shop's
// own concepts, in the built-in lexicon's shape.
func (l *loader) lexiconSection(name string, n *yaml.Node) {
	if n.Kind != yaml.SequenceNode {
		l.fail(name, n.Line, "", "lexicon: want a list of concepts, each with en, zh-TW, zh-CN lists of words")
		return
	}
	for i, item := range n.Content {
		if item.Kind == yaml.MappingNode {
			for k := 0; k+1 < len(item.Content); k += 2 {
				if key := item.Content[k]; !slices.Contains([]string{EN, ZhTW, ZhCN, "patterns"}, key.Value) {
					l.fail(name, key.Line, "", "lexicon[%d]: unknown field %q (want en, zh-TW, zh-CN or patterns)", i+1, key.Value)
				}
			}
		}
		var c concept
		if err := item.Decode(&c); err != nil {
			l.fail(name, item.Line, "", "lexicon[%d]: %s", i+1, strings.TrimPrefix(err.Error(), "yaml: "))
			continue
		}
		if _, err := newLexicon([]concept{c}, l.conv); err != nil {
			l.fail(name, item.Line, "", "lexicon[%d]: %s", i+1, strings.TrimPrefix(err.Error(), "lexicon concept 1: "))
			continue
		}
		if len(c.EN)+len(c.ZhTW)+len(c.ZhCN)+len(c.Patterns) < 2 {
			l.fail(name, item.Line, "", "lexicon[%d]: a concept needs at least two words", i+1)
			continue
		}
		l.lexicon = append(l.lexicon, c)
	}
}

func newLexicon(concepts []concept, conv *Converter) (*lexicon, error) {
	lx := &lexicon{
		analyzer: lexiconAnalyzer(),
		en:       map[string][]enMember{},
		zh:       map[rune][]zhMember{},
	}
	for i, c := range concepts {
		for _, p := range c.Patterns {
			re, err := regexp.Compile(p)
			if err != nil {
				return nil, fmt.Errorf("lexicon concept %d: pattern %q: %w", i+1, p, err)
			}
			need, _ := regexlit.Of(re.String())
			lx.patterns = append(lx.patterns, patternMember{re: re, concept: i, need: need})
		}
		for lang, words := range map[string][]string{EN: c.EN, ZhTW: c.ZhTW, ZhCN: c.ZhCN} {
			for _, w := range words {
				if lang == EN {
					stems := lx.stems(w)
					if len(stems) == 0 {
						continue
					}
					if !slices.ContainsFunc(lx.en[stems[0]], func(m enMember) bool {
						return m.concept == i && slices.Equal(m.stems, stems)
					}) {
						lx.en[stems[0]] = append(lx.en[stems[0]], enMember{stems: stems, concept: i})
					}
					continue
				}
				w = strings.ToLower(normalizeZh(conv, strings.TrimSpace(w), lang))
				if utf8.RuneCountInString(w) < 2 {
					return nil, fmt.Errorf("lexicon concept %d: %q: Chinese members need two characters or more", i+1, w)
				}
				r, _ := utf8.DecodeRuneInString(w)
				if !slices.ContainsFunc(lx.zh[r], func(m zhMember) bool { return m.concept == i && m.text == w }) {
					lx.zh[r] = append(lx.zh[r], zhMember{text: w, concept: i})
				}
			}
		}
	}
	lx.concepts = len(concepts)
	return lx, nil
}

func (lx *lexicon) stems(text string) []string {
	toks := lx.analyzer.Analyze([]byte(text))
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = string(t.Term)
	}
	return out
}

// conceptTerm is the index term of concept i.
func conceptTerm(i int) string { return conceptPrefix + strconv.Itoa(i) }

func isConceptTerm(t string) bool { return strings.HasPrefix(t, conceptPrefix) }

// concepts returns the concepts text mentions, in order of first mention,
// as index terms. script is EN or "zh" (text already Simplified).
func (lx *lexicon) conceptsOf(text, script string) []string {
	if lx == nil {
		return nil
	}
	var found []int
	add := func(c int) {
		if !slices.Contains(found, c) {
			found = append(found, c)
		}
	}
	var folded string
	for _, p := range lx.patterns {
		if p.need != nil {
			if folded == "" {
				folded = regexlit.FoldASCII(text)
			}
			if !slices.ContainsFunc(p.need, func(l regexlit.Literal) bool { return l.In(text, folded) }) {
				continue
			}
		}
		if p.re.MatchString(text) {
			add(p.concept)
		}
	}
	if script == EN {
		stems := lx.stems(text)
		type span struct{ start, end, concept int }
		var spans []span
		for i, s := range stems {
			for _, m := range lx.en[s] {
				if i+len(m.stems) <= len(stems) && slices.Equal(stems[i:i+len(m.stems)], m.stems) {
					spans = append(spans, span{i, i + len(m.stems), m.concept})
				}
			}
		}
		for _, a := range spans {
			if lx.longest && slices.ContainsFunc(spans, func(b span) bool {
				return b.concept != a.concept && b.start <= a.start && b.end >= a.end && b.end-b.start > a.end-a.start
			}) {
				continue
			}
			add(a.concept)
		}
	} else {
		text = strings.ToLower(text)
		type span struct{ start, end, concept int }
		var spans []span
		for i, r := range text {
			for _, m := range lx.zh[r] {
				if strings.HasPrefix(text[i:], m.text) {
					spans = append(spans, span{i, i + len(m.text), m.concept})
				}
			}
		}
		for _, a := range spans {
			add(a.concept)
		}
	}
	out := make([]string, len(found))
	for i, c := range found {
		out[i] = conceptTerm(c)
	}
	return out
}

// expand returns text followed by the terms of the concepts it mentions;
// in Chinese, sentence particles are then blanked out (zhParticles).
func (lx *lexicon) expand(text, script string) string {
	cs := lx.conceptsOf(text, script)
	if lx != nil && script != EN {
		text = zhParticles.Replace(zhFinalParticles(text))
	}
	if len(cs) == 0 {
		return text
	}
	return text + " " + strings.Join(cs, " ")
}

// zhParticles blanks the sentence particles of colloquial Chinese (喔, 欸,
// 啦, 嗎 ... in Simplified): they carry no topic, and as bigrams with their
// neighbour (到吗, 了啦) they are words no entry uses, which weigh the most
// against coverage. Concepts are found before they are blanked.
var zhParticles = strings.NewReplacer(
	"吗", " ", "呢", " ", "啦", " ", "喔", " ", "哦", " ", "欸", " ", "诶", " ", "耶", " ",
	"吧", " ", "呀", " ", "啊", " ", "嘛", " ", "咧", " ", "唷", " ", "哟", " ", "齁", " ",
	"嗯", " ", "呐", " ", "捏", " ", "哈", " ", "噢", " ", "喽", " ", "啰", " ",
)

// zhFinalParticles blanks 阿 and 吖 where they end a phrase (before
// punctuation, a space, an emoji or the end): typed for 啊 (運費要多少阿),
// they are particles there, while inside a word (阿姨, 阿里) they are not.
func zhFinalParticles(text string) string {
	if !strings.ContainsAny(text, "阿吖") {
		return text
	}
	b := []byte(text)
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == '阿' || r == '吖' {
			next, _ := utf8.DecodeRune(b[i+size:])
			if i+size == len(b) || !unicode.IsLetter(next) && !unicode.IsNumber(next) {
				copy(b[i:i+size], "   ") // both are 3 bytes in UTF-8
			}
		}
		i += size
	}
	return string(b)
}

// member reports whether the analysed term t is by itself a member of a
// concept for which known reports true: a one-word English member (en), a
// Chinese member, or the whole of a pattern's match.
func (lx *lexicon) member(t string, en bool, known func(concept string) bool) bool {
	if lx == nil {
		return false
	}
	if en {
		if slices.ContainsFunc(lx.en[t], func(m enMember) bool { return len(m.stems) == 1 && known(conceptTerm(m.concept)) }) {
			return true
		}
	} else if r, _ := utf8.DecodeRuneInString(t); slices.ContainsFunc(lx.zh[r], func(m zhMember) bool { return m.text == t && known(conceptTerm(m.concept)) }) {
		return true
	}
	for _, p := range lx.patterns {
		if loc := p.re.FindStringIndex(t); loc != nil && loc[0] == 0 && loc[1] == len(t) && known(conceptTerm(p.concept)) {
			return true
		}
	}
	return false
}
