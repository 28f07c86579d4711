package knowledge

import (
	"context"
	"testing"
)

func BenchmarkMatch(b *testing.B) {
	base := demoBase(b)
	for _, bc := range []struct{ lang, q string }{
		{ZhTW, "請問運費怎麼算，滿多少免運"},
		{ZhCN, "我想退货，要怎么申请"},
		{EN, "how long does delivery take to Kaohsiung"},
		{EN, "how long does delivry take"}, // typo: the fuzzy correction path
	} {
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
