package knowledge

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

//go:embed courtesy.yaml
var courtesyYAML []byte

// courtesy is the list of words customers wrap around a question
// (courtesy.yaml), longest first so "請問一下" goes before "請問".
type courtesy struct {
	prefixes, suffixes []string
}

// courtesyWords is the embedded list, parsed once per process. The file is
// part of the binary, so a parse error is a build defect: it panics on
// first use and TestCourtesyListParses catches it.
var courtesyWords = sync.OnceValue(func() *courtesy {
	c, err := parseCourtesy(courtesyYAML)
	if err != nil {
		panic(err)
	}
	return c
})

func parseCourtesy(data []byte) (*courtesy, error) {
	var f struct {
		Prefixes []string `yaml:"prefixes"`
		Suffixes []string `yaml:"suffixes"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("courtesy words: %w", err)
	}
	byLen := func(a, b string) int { return utf8.RuneCountInString(b) - utf8.RuneCountInString(a) }
	c := &courtesy{prefixes: slices.Clone(f.Prefixes), suffixes: slices.Clone(f.Suffixes)}
	slices.SortStableFunc(c.prefixes, byLen)
	slices.SortStableFunc(c.suffixes, byLen)
	return c, nil
}

// strip removes courtesy words from both ends of key (lower case, words
// separated by single spaces) until none is left there. Latin words go
// only as whole words; Chinese ones as they stand. What is left must
// still be a question: a key that is only courtesy words stays as it is.
func (c *courtesy) strip(key string) string {
	out := key
	for changed := true; changed; {
		changed = false
		for _, p := range c.prefixes {
			if rest, ok := cutWord(out, p, strings.CutPrefix, utf8.DecodeRuneInString); ok {
				out, changed = rest, true
				break
			}
		}
		for _, s := range c.suffixes {
			if rest, ok := cutWord(out, s, strings.CutSuffix, utf8.DecodeLastRuneInString); ok {
				out, changed = rest, true
				break
			}
		}
	}
	if out == "" {
		return key
	}
	return out
}

// cutWord cuts w from one end of s (cut is strings.CutPrefix or CutSuffix;
// next decodes the rune of what is left that touched w). A Latin w must
// be followed (or preceded) by a space or nothing, so "hi" is not cut from
// "history".
func cutWord(s, w string, cut func(string, string) (string, bool), next func(string) (rune, int)) (string, bool) {
	rest, ok := cut(s, w)
	if !ok || rest == "" {
		return "", false
	}
	r, _ := next(rest)
	if isLatin(w) && r != ' ' {
		return "", false
	}
	return strings.TrimSpace(rest), true
}

func isLatin(w string) bool {
	for _, r := range w {
		if r > unicode.MaxASCII {
			return false
		}
	}
	return true
}
