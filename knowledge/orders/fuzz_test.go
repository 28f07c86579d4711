package orders

import (
	"regexp"
	"strings"
	"testing"

	"golang.org/x/text/width"
)

// FuzzExtractorFind checks order-number extraction on arbitrary text, for
// the default pattern and a pattern with a separator of its own:
//   - a found number is the whole pattern, upper case, and nothing else;
//   - it is in the input (after width folding, upper-casing and dropping
//     the spaces and dashes Find may join across);
//   - Find is idempotent on its own output, and finds it again between
//     Chinese text and spaces.
func FuzzExtractorFind(f *testing.F) {
	for _, s := range []string{
		"我的訂單 WL20261101 到哪了", "ｗｌ 2026-1101", "WL - 20261101", "WL202611019", "xWL20261101",
		"ABC-123456 please", "abc 123456", "WL2026\u00a01101", "WL20261101WL20261102", "", "WL",
		"訂單WL２０２６１１０１", "WL-2026—1101", "  -WL20261101- ",
	} {
		f.Add(s)
	}
	patterns := []string{DefaultPattern, `[A-Z]{3}-\d{6}`}
	extractors := make([]*Extractor, len(patterns))
	whole := make([]*regexp.Regexp, len(patterns))
	for i, p := range patterns {
		e, err := NewExtractor(p)
		if err != nil {
			f.Fatal(err)
		}
		extractors[i] = e
		whole[i] = regexp.MustCompile(`^(?:` + p + `)$`)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for i, e := range extractors {
			got, ok := e.Find(text)
			if !ok {
				if got != "" {
					t.Fatalf("pattern %q: Find(%q) = %q, false; want an empty number when not found", patterns[i], text, got)
				}
				continue
			}
			if !whole[i].MatchString(got) {
				t.Fatalf("pattern %q: Find(%q) = %q, which is not an order number", patterns[i], text, got)
			}
			if in := withoutSeparators(strings.ToUpper(width.Fold.String(text))); !strings.Contains(in, withoutSeparators(got)) {
				t.Fatalf("pattern %q: Find(%q) = %q, which is not in the text", patterns[i], text, got)
			}
			if again, ok := e.Find(got); !ok || again != got {
				t.Fatalf("pattern %q: Find(%q) = %q, %v; want %q (Find of its own output)", patterns[i], got, again, ok, got)
			}
			if again, ok := e.Find("訂單 " + got + " 謝謝"); !ok || again != got {
				t.Fatalf("pattern %q: Find in a sentence = %q, %v; want %q", patterns[i], again, ok, got)
			}
		}
	})
}

func withoutSeparators(s string) string {
	return strings.Map(func(r rune) rune {
		if isSeparator(r) {
			return -1
		}
		return r
	}, s)
}
