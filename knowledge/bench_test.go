package knowledge

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"go.uber.org/zap"
)

var benchQuestions = []struct{ lang, q string }{
	{ZhTW, "請問運費怎麼算，滿多少免運"},
	{ZhTW, "我上週訂的東西到現在還沒收到，可以幫我查一下物流到哪裡了嗎？"}, // a long, run-on Chinese question
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

// kb5000 is a KB directory of 5,000 entries in 50 files, each entry with a
// title, two example questions and an answer in zh-TW, zh-CN and English,
// built from the demo KB's entries with words of its own per copy (as
// BenchmarkMatch5000), written as YAML as a manager would.
func kb5000(b testing.TB) fstest.MapFS {
	b.Helper()
	demo := demoBase(b)
	fsys := fstest.MapFS{}
	var file strings.Builder
	q := func(s string) string { return fmt.Sprintf("%q", s) }
	n := 0
	for i := 0; n < 5000; i++ {
		for _, e := range demo.entries {
			if n == 5000 {
				break
			}
			if n%100 == 0 {
				file.Reset()
				file.WriteString("entries:\n")
			}
			tag := fmt.Sprintf(" model%d", i)
			zhTag := fmt.Sprintf(" 型號%d", i)
			fmt.Fprintf(&file, "  - id: %s-%d\n    category: %s\n    title: {en: %s, zh-TW: %s, zh-CN: %s}\n    examples:\n",
				e.ID, i, e.Category, q(short(e.Title[EN], i)), q(short(e.Title[ZhTW], i)), q(short(e.Title[ZhCN], i)))
			for _, l := range allLangs {
				t := tag
				if l != EN {
					t = zhTag
				}
				var ex []string
				for _, s := range e.Examples[l][:min(len(e.Examples[l]), 2)] {
					ex = append(ex, q(s+t))
				}
				fmt.Fprintf(&file, "      %s: [%s]\n", l, strings.Join(ex, ", "))
			}
			fmt.Fprintf(&file, "    answer:\n      en: %s\n      zh-TW: %s\n      zh-CN: %s\n", q(e.Answer[EN]), q(e.Answer[ZhTW]), q(e.Answer[ZhCN]))
			n++
			if n%100 == 0 {
				fsys[fmt.Sprintf("kb%02d.yaml", n/100)] = &fstest.MapFile{Data: []byte(file.String())}
			}
		}
	}
	return fsys
}

// short is title cut to fit 20 characters with copy i's number.
func short(title string, i int) string {
	n := fmt.Sprintf(" %d", i)
	r := []rune(title)
	return string(r[:min(len(r), 20-len(n))]) + n
}

// BenchmarkLoad5000 loads a 5,000-entry three-language KB (parse,
// validate, convert, index), and BenchmarkReload5000 reloads it in a
// Store (the same load, then the swap), with one Converter shared as in
// the service.
func BenchmarkLoad5000(b *testing.B) {
	fsys := kb5000(b)
	conv, err := NewConverter()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		base, err := LoadWith(context.Background(), fsys, LoadOptions{Converter: conv})
		if err != nil {
			b.Fatal(err)
		}
		if len(base.entries) != 5000 {
			b.Fatalf("%d entries, want 5000", len(base.entries))
		}
	}
}

func BenchmarkReload5000(b *testing.B) {
	fsys := kb5000(b)
	conv, err := NewConverter()
	if err != nil {
		b.Fatal(err)
	}
	opts := LoadOptions{Converter: conv}
	base, err := LoadWith(context.Background(), fsys, opts)
	if err != nil {
		b.Fatal(err)
	}
	store := NewStoreFS(zap.NewNop(), fsys, base, opts)
	b.ReportAllocs()
	for b.Loop() {
		if err := store.Reload(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}
