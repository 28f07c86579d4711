package orders

import (
	"strings"
	"testing"
)

func TestNewExtractor(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		wantErr string
	}{
		{"default", DefaultPattern, ""},
		{"other shop", `[A-Z]{3}-\d{6}`, ""},
		{"empty", "", "empty"},
		{"blank", "  ", "empty"},
		{"invalid", `WL(\d{8}`, "missing closing )"},
		{"matches empty", `\d*`, "empty string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := NewExtractor(tt.pattern)
			if tt.wantErr == "" {
				if err != nil || e == nil {
					t.Fatalf("NewExtractor(%q) = %v, %v; want an extractor", tt.pattern, e, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("NewExtractor(%q) error = %v, want it to mention %q", tt.pattern, err, tt.wantErr)
			}
		})
	}
}

func TestExtractorFind(t *testing.T) {
	def, err := NewExtractor(DefaultPattern)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		text   string
		want   string
		wantOK bool
	}{
		{"zh-TW sentence", "我的訂單WL20261101到哪了", "WL20261101", true},
		{"zh-CN lower case", "订单号 wl20261101", "WL20261101", true},
		{"en with hash", "order #WL20261101 pls", "WL20261101", true},
		{"full-width", "請幫我查ＷＬ２０２６１１０２，謝謝", "WL20261102", true},
		{"full-width lower", "订单ｗｌ２０２６１１０３", "WL20261103", true},
		{"space and dash", "my order is WL 2026-1101", "WL20261101", true},
		{"spaced digits zh", "訂單編號 WL 2026 1104 請問出貨了嗎", "WL20261104", true},
		{"full-width space and dash", "訂單ＷＬ　２０２６－１１０５", "WL20261105", true},
		{"dash after prefix", "wl-20261106?", "WL20261106", true},
		{"spaced dash", "WL - 20261107", "WL20261107", true},
		{"mixed case", "Wl20261108 where is it", "WL20261108", true},
		{"first of two", "WL20261109 and WL20261110", "WL20261109", true},
		{"spaced one before plain one", "WL 2026 1101 or WL20261102", "WL20261101", true},
		{"followed by quantity", "WL20261101 2 items", "WL20261101", true},
		{"in parentheses", "（WL20261101）", "WL20261101", true},
		{"too few digits", "WL2026110", "", false},
		{"too many digits", "WL202611011", "", false},
		{"glued to a word", "abcWL20261101", "", false},
		{"no number", "你好，我想問退貨", "", false},
		{"phone is not an order", "0912-345-678", "", false},
		{"empty", "", "", false},
		{"long separator run", "WL    20261101", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := def.Find(tt.text)
			if got != tt.want || ok != tt.wantOK {
				t.Fatalf("Find(%q) = %q, %v; want %q, %v", tt.text, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestExtractorFindCustomPattern(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		text    string
		want    string
		wantOK  bool
	}{
		{"pattern with its own dash", `AB-\d{6}`, "訂單 ab-123456 呢", "AB-123456", true},
		{"digits only", `\d{10}`, "order 1234567890", "1234567890", true},
		{"digits only spaced", `\d{10}`, "order 12345 67890", "1234567890", true},
		{"digits only too long", `\d{10}`, "12345678901", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := NewExtractor(tt.pattern)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := e.Find(tt.text)
			if got != tt.want || ok != tt.wantOK {
				t.Fatalf("Find(%q) = %q, %v; want %q, %v", tt.text, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestExtractorNilSafe(t *testing.T) {
	var e *Extractor
	if got, ok := e.Find("WL20261101"); ok || got != "" {
		t.Fatalf("nil Find = %q, %v; want \"\", false", got, ok)
	}
}

func TestExtractorLongSeparatorRun(t *testing.T) {
	e, err := NewExtractor(DefaultPattern)
	if err != nil {
		t.Fatal(err)
	}
	text := "a" + strings.Repeat(" -", 50000) + " WL20261101"
	if got, ok := e.Find(text); !ok || got != "WL20261101" {
		t.Fatalf("Find(long text) = %q, %v; want WL20261101", got, ok)
	}
}

func BenchmarkExtractorFind(b *testing.B) {
	e, err := NewExtractor(DefaultPattern)
	if err != nil {
		b.Fatal(err)
	}
	texts := []string{
		"我的訂單WL20261101到哪了",
		"订单号 ｗｌ ２０２６－１１０１ 什么时候到",
		"Hi, I ordered a mug last week and it still has not arrived, can you check order # WL 2026 1101 please?",
		"你好，我想問一下退貨要怎麼辦理，謝謝",
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		e.Find(texts[i%len(texts)])
	}
}
