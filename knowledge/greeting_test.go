package knowledge

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func TestDemoGreetingTopics(t *testing.T) {
	got := demoBase(t).GreetingTopics()
	if want := []string{"order-status", "shipping-time", "return-how", "refund-time"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestGreetingTopics(t *testing.T) {
	const entries = `entries:
  - id: a
    category: consultation
    title: {zh-TW: 甲, en: A}
    examples: {zh-TW: [甲], en: [a]}
    answer: {zh-TW: 甲, en: A}
  - id: b
    category: consultation
    title: {zh-TW: 乙, en: B}
    examples: {zh-TW: [乙], en: [b]}
    answer: {zh-TW: 乙, en: B}
`
	eleven := "greeting_topics: [a, b" + strings.Repeat(", a", 9) + "]\n"
	tests := []struct {
		name  string
		files map[string]string
		want  []string // ids, or the error's parts
		err   bool
	}{
		{name: "none declared", files: map[string]string{"e.yaml": entries}},
		{name: "own file", files: map[string]string{"e.yaml": entries, "g.yaml": "greeting_topics: [b, a]\n"}, want: []string{"b", "a"}},
		{name: "next to entries", files: map[string]string{"e.yaml": entries + "greeting_topics:\n  - a\n"}, want: []string{"a"}},
		{name: "unknown id", err: true,
			files: map[string]string{"e.yaml": entries, "g.yaml": "greeting_topics:\n  - a\n  - refund\n"},
			want:  []string{`g.yaml:3: greeting_topics[2]: no entry has id "refund"`}},
		{name: "too many", err: true,
			files: map[string]string{"e.yaml": entries, "g.yaml": eleven},
			want:  []string{"g.yaml:1: greeting_topics: 11 topics, at most 10"}},
		{name: "twice in the list", err: true,
			files: map[string]string{"e.yaml": entries, "g.yaml": "greeting_topics: [a, a]\n"},
			want:  []string{`g.yaml:1: greeting_topics[2]: "a" is listed twice`}},
		{name: "declared in two files", err: true,
			files: map[string]string{"e.yaml": entries + "greeting_topics: [a]\n", "g.yaml": "greeting_topics: [b]\n"},
			want:  []string{"g.yaml:1: greeting_topics: already declared in e.yaml"}},
		{name: "not a list", err: true,
			files: map[string]string{"e.yaml": entries, "g.yaml": "greeting_topics: a\n"},
			want:  []string{"g.yaml:1: greeting_topics: want a list of entry ids"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, data := range tt.files {
				fsys[name] = &fstest.MapFile{Data: []byte(data)}
			}
			b, err := Load(context.Background(), fsys)
			if !tt.err {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				if got := b.GreetingTopics(); !slices.Equal(got, tt.want) {
					t.Errorf("got %v, want %v", got, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("got no error, want %q", tt.want)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("got %T, want a *Error in the chain", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}
