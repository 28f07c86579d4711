package knowledge

import (
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// addedExamples is one item of an "add_examples" section: more example
// questions for an entry declared in any file of the KB.
type addedExamples struct {
	file     string
	line     int
	entry    string
	examples map[string][]string
}

var addKeys = []string{"entry", "examples"}

// addExamples validates one "add_examples" item of file name:
//
//	add_examples:
//	  - entry: shipping-fee
//	    examples:
//	      zh-TW: [買 800 塊要另外付運費嗎]
//
// Any language may be given alone (en is not required); the other Chinese
// variant is converted. The entry id is checked once every file is read
// (applyAdded).
func (l *loader) addExamples(name string, n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		l.fail(name, n.Line, "", "add_examples: item is not a mapping")
		return
	}
	var raw struct {
		Entry    string              `yaml:"entry"`
		Examples map[string][]string `yaml:"examples"`
	}
	if id := childNode(n, "entry"); id != nil {
		raw.Entry = id.Value
	}
	l.unknownKeys(name, raw.Entry, n, addKeys)
	if err := n.Decode(&raw); err != nil {
		l.fail(name, n.Line, raw.Entry, "add_examples: %s", strings.TrimPrefix(err.Error(), "yaml: "))
		return
	}
	fail := func(format string, args ...any) { l.fail(name, n.Line, raw.Entry, "add_examples: "+format, args...) }
	if raw.Entry == "" {
		fail("missing entry (the id of the entry the examples belong to)")
		return
	}
	ex := map[string][]string{}
	for lang, list := range raw.Examples {
		if !slices.Contains(allLangs, lang) {
			fail("examples: unknown language %q (want zh-TW, zh-CN or en)", lang)
			continue
		}
		for i, s := range list {
			if s = strings.TrimSpace(s); s == "" {
				fail("examples.%s[%d] is empty", lang, i+1)
				continue
			}
			ex[lang] = append(ex[lang], s)
		}
	}
	if len(ex) == 0 {
		fail("no examples")
		return
	}
	tw, cn := ex[ZhTW] != nil, ex[ZhCN] != nil
	conv := func(from, to string) {
		for _, s := range ex[from] {
			ex[to] = append(ex[to], l.conv.Convert(s, to))
		}
	}
	switch {
	case tw && !cn:
		conv(ZhTW, ZhCN)
	case cn && !tw:
		conv(ZhCN, ZhTW)
	}
	l.added = append(l.added, addedExamples{file: name, line: n.Line, entry: raw.Entry, examples: ex})
}

// applyAdded appends the "add_examples" items to their entries, in file
// order, skipping examples the entry already has.
func (l *loader) applyAdded() {
	for _, a := range l.added {
		e, ok := l.seen[a.entry]
		if !ok {
			l.fail(a.file, a.line, a.entry, "add_examples: no entry has id %q", a.entry)
			continue
		}
		for _, lang := range allLangs {
			for _, q := range a.examples[lang] {
				if !slices.Contains(e.Examples[lang], q) {
					e.Examples[lang] = append(e.Examples[lang], q)
				}
			}
		}
	}
}
