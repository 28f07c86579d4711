package regexlit

import (
	"regexp"
	"slices"
	"testing"
)

func TestOf(t *testing.T) {
	for _, tt := range []struct {
		pattern string
		want    []Literal // nil: none
	}{
		{`(?i)\bonly\s+(\d+|one|two)\b`, []Literal{{S: "only", Fold: true}}},
		{`分\s*[0-9一二]+\s*(期|個月)`, []Literal{{S: "分"}}},
		{`(?i)\b(over|in)\s+\d+\s+months\b`, []Literal{{S: "months", Fold: true}}},
		{`\b[A-Za-z]{1,4}-?\d{6,}\b`, []Literal{{S: "0"}, {S: "1"}, {S: "2"}, {S: "3"}, {S: "4"}, {S: "5"}, {S: "6"}, {S: "7"}, {S: "8"}, {S: "9"}}},
		{`(退|換)貨`, []Literal{{S: "換"}, {S: "退"}}},            // a class, in rune order
		{`(?i)退款 now`, []Literal{{S: "退款 now", Fold: true}}}, // caseless runes fold to themselves
		{`a*b?`, nil},
		{`(x|)y?`, nil},
		{`(?i)é`, nil},
	} {
		got, ok := Of(tt.pattern)
		if !ok {
			got = nil
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Of(%q) = %v, want %v", tt.pattern, got, tt.want)
		}
	}
}

// TestLiteralsAreNeeded: every text a pattern matches contains one of its
// literals, including the non-ASCII letters (?i) folds to ASCII ones.
func TestLiteralsAreNeeded(t *testing.T) {
	for _, tt := range []struct{ pattern, text string }{
		{`(?i)ship`, "ſhip it"},
		{`(?i)kg`, "2 \u212ag"},
		{`(?i)退款 NOW`, "我要退款 now"},
		{`(?i)only\s+\d`, "ONLY 2 came"},
		{`[a-c]x`, "bx"},
	} {
		re := regexp.MustCompile(tt.pattern)
		if !re.MatchString(tt.text) {
			t.Fatalf("%q does not match %q", tt.pattern, tt.text)
		}
		need, ok := Of(tt.pattern)
		if !ok {
			t.Fatalf("Of(%q) found no literals", tt.pattern)
		}
		folded := FoldASCII(tt.text)
		if !slices.ContainsFunc(need, func(l Literal) bool { return l.In(tt.text, folded) }) {
			t.Errorf("%q matches %q but contains none of %v", tt.pattern, tt.text, need)
		}
	}
}
