package knowledge

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestAddExamples(t *testing.T) {
	ctx := context.Background()
	learned := []byte(`add_examples:
  - entry: shipping-fee
    examples:
      zh-TW: [寄到金門要多少運費]
  - entry: return-policy
    examples:
      en: [can I send this back]
`)
	b, err := LoadWith(ctx, os.DirFS("testdata/fixtures/kb"), LoadOptions{Files: map[string][]byte{"learned.yaml": learned}})
	if err != nil {
		t.Fatal(err)
	}
	e, _ := b.Entry("shipping-fee")
	if !slices.Contains(e.Examples[ZhTW], "寄到金門要多少運費") || !slices.Contains(e.Examples[ZhCN], "寄到金门要多少运费") {
		t.Errorf("shipping-fee examples %v: want the added zh-TW one and its zh-CN conversion", e.Examples)
	}
	if m := b.Match(ctx, "can I send this back", EN); m.Confidence != High || m.Best().ID != "return-policy" {
		t.Errorf("added example: got %v %v, want return-policy, high", m.Best(), m.Confidence)
	}

	for _, tt := range []struct{ name, file, want string }{
		{"unknown entry", "add_examples:\n  - entry: nope\n    examples: {en: [hi]}\n", `learned.yaml:2: entry "nope": add_examples: no entry has id "nope"`},
		{"no examples", "add_examples:\n  - entry: shipping-fee\n", "add_examples: no examples"},
		{"unknown key", "add_examples:\n  - entry: shipping-fee\n    exemples: {en: [hi]}\n", `unknown field "exemples"`},
		{"bad language", "add_examples:\n  - entry: shipping-fee\n    examples: {fr: [salut]}\n", `unknown language "fr"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadWith(ctx, os.DirFS("testdata/fixtures/kb"), LoadOptions{Files: map[string][]byte{"learned.yaml": []byte(tt.file)}})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
	// An empty list is a valid file.
	if _, err := LoadWith(ctx, os.DirFS("testdata/fixtures/kb"), LoadOptions{Files: map[string][]byte{"learned.yaml": []byte("add_examples: []\n")}}); err != nil {
		t.Errorf("empty add_examples: %v", err)
	}
}
