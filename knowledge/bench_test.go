package knowledge

import (
	"context"
	"fmt"
	"testing"
)

var benchQuestions = []struct{ lang, q string }{
	{ZhTW, "請問運費怎麼算，滿多少免運"},
	{ZhCN, "我想退货，要怎么申请"},
	{EN, "how long does delivery take to Kaohsiung"},
	{EN, "how long does delivry take"}, // typo: the fuzzy correction path
}

func BenchmarkMatch(b *testing.B) {
	benchMatch(b, demoBase(b))
}

// BenchmarkMatch5000 matches against a KB of 5,000 entries (the demo
// entries copied, each copy with words of its own so no two are alike).
// The target: under 1 ms per question.
func BenchmarkMatch5000(b *testing.B) {
	demo := demoBase(b)
	var entries []*Entry
	for i := 0; len(entries) < 5000; i++ {
		for _, e := range demo.entries {
			if len(entries) == 5000 {
				break
			}
			c := *e
			c.ID = fmt.Sprintf("%s-%d", e.ID, i)
			tag := fmt.Sprintf(" model%d 型號%d", i, i)
			c.Title = Text{}
			for l, s := range e.Title {
				c.Title[l] = s + tag
			}
			c.Examples = map[string][]string{}
			for l, list := range e.Examples {
				for _, s := range list[:min(len(list), 3)] {
					c.Examples[l] = append(c.Examples[l], s+tag)
				}
			}
			entries = append(entries, &c)
		}
	}
	base, err := newBase(entries, demo.langs, demo.conv, demo.syn, nil, defaultTuning)
	if err != nil {
		b.Fatal(err)
	}
	benchMatch(b, base)
}

func benchMatch(b *testing.B, base *Base) {
	for _, bc := range benchQuestions {
		b.Run(bc.lang+"/"+bc.q, func(b *testing.B) {
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				base.Match(ctx, bc.q, bc.lang)
			}
		})
	}
}

func BenchmarkLoadDemo(b *testing.B) {
	conv, err := NewConverter()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := LoadWith(context.Background(), Demo(), LoadOptions{Converter: conv}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewConverter(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewConverter(); err != nil {
			b.Fatal(err)
		}
	}
}
