package knowledge

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"
	"unicode/utf8"
)

// FuzzDetectLang checks language detection on arbitrary text:
//   - the answer is one of the three languages, and ok says whether there is one;
//   - English only for text with Latin letters and no Han character,
//     Chinese only for text with a Han character;
//   - digits, punctuation and emoji around a text change nothing, nor does
//     saying a (valid UTF-8) text twice: only the proportions count;
//   - Simplified text OpenCC made from a text detected as Traditional is
//     never detected as Traditional.
func FuzzDetectLang(f *testing.F) {
	for _, s := range []string{
		"請問運費多少", "请问运费多少", "how much is shipping", "我的iPhone壞了", "iPhone 坏了怎么办",
		"123", "😀", "", "你好", "謝谢", "ありがとう", "привет", "Ｈｅｌｌｏ", "退貨 refund 退货", "\xff\xfe",
	} {
		f.Add(s)
	}
	conv, err := defaultConverter()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		lang, ok := DetectLang(text)
		if ok != (lang != "") || !slices.Contains([]string{"", EN, ZhTW, ZhCN}, lang) {
			t.Fatalf("DetectLang(%q) = %q, %v", text, lang, ok)
		}
		hasHan := strings.ContainsFunc(text, isHan)
		switch lang {
		case EN:
			if hasHan || !strings.ContainsFunc(text, func(r rune) bool { return unicode.Is(unicode.Latin, r) }) {
				t.Fatalf("DetectLang(%q) = en for a text with Han characters or no Latin letter", text)
			}
		case ZhTW, ZhCN:
			if !hasHan {
				t.Fatalf("DetectLang(%q) = %s for a text without a Han character", text, lang)
			}
		}
		if l, o := DetectLang("12:30 !? " + text + " 😀 #3"); l != lang || o != ok {
			t.Fatalf("DetectLang with digits and emoji around %q = %q, %v; want %q, %v", text, l, o, lang, ok)
		}
		if l, o := DetectLang(text + text); utf8.ValidString(text) && (l != lang || o != ok) {
			t.Fatalf("DetectLang(%q twice) = %q, %v; want %q, %v", text, l, o, lang, ok)
		}
		if lang == ZhTW && utf8.ValidString(text) {
			if l, _ := DetectLang(conv.ToSimplified(text)); l == ZhTW {
				t.Fatalf("DetectLang(ToSimplified(%q) = %q) = zh-TW", text, conv.ToSimplified(text))
			}
		}
	})
}

// FuzzLoad feeds arbitrary bytes to the KB loader as one file:
//   - it never panics, and returns a KB or an error, never both or neither;
//   - an error is ErrEmpty or names the file for every problem;
//   - a KB it accepts keeps the format's rules (ids, categories, the three
//     languages, title length, at most four quick replies);
//   - loading the same bytes again gives the same entries.
func FuzzLoad(f *testing.F) {
	for _, p := range []string{"testdata/fixtures/kb/shop.yaml", "testdata/fixtures/kb/more/account.yaml", "demo/greeting.yaml", "demo/products.yaml", "demo/synonyms.yaml"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		"", "entries: []", "entries:\n  - id: x\n", "add_examples: []", "a: &a [*a]", "entries: [1, 2]",
		"entries:\n  - id: Bad ID\n    category: complaint\n    title: {en: x, zh-TW: 好}\n    examples: {en: [x]}\n    answer: {en: y, zh-TW: 好}\n",
		"synonyms:\n  - [運費, 运费, shipping]\n", "\t- x", "--- \n...\n",
	} {
		f.Add([]byte(s))
	}
	ctx := context.Background()
	conv, err := defaultConverter()
	if err != nil {
		f.Fatal(err)
	}
	opts := LoadOptions{Converter: conv}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 16<<10 {
			return // a KB file is small; big inputs only slow the fuzzer down
		}
		fsys := fstest.MapFS{"kb.yaml": {Data: data}}
		b, err := LoadWith(ctx, fsys, opts)
		if (b == nil) == (err == nil) {
			t.Fatalf("LoadWith(%q) = %v, %v: want a KB or an error", data, b, err)
		}
		if err != nil {
			if errors.Is(err, ErrEmpty) {
				return
			}
			for _, e := range unjoin(err) {
				var ke *Error
				if !errors.As(e, &ke) || ke.File != "kb.yaml" || ke.Msg == "" {
					t.Fatalf("LoadWith(%q): problem %q does not name the file", data, e)
				}
			}
			return
		}
		ids := map[string]bool{}
		for _, e := range b.Entries() {
			if !idPattern.MatchString(e.ID) || ids[e.ID] {
				t.Fatalf("LoadWith(%q) accepted entry id %q (bad or repeated)", data, e.ID)
			}
			ids[e.ID] = true
			if !slices.Contains(categories, e.Category) || !slices.Contains(actions, e.Action) {
				t.Fatalf("LoadWith(%q) accepted entry %q with category %q, action %q", data, e.ID, e.Category, e.Action)
			}
			if len(e.QuickReplies) > MaxQuickReplies {
				t.Fatalf("LoadWith(%q) accepted entry %q with %d quick replies", data, e.ID, len(e.QuickReplies))
			}
			for _, l := range allLangs {
				if strings.TrimSpace(e.Title[l]) == "" || utf8.RuneCountInString(e.Title[l]) > MaxLabelLen || strings.TrimSpace(e.Answer[l]) == "" {
					t.Fatalf("LoadWith(%q) accepted entry %q with %s title %q, answer %q", data, e.ID, l, e.Title[l], e.Answer[l])
				}
			}
		}
		again, err := LoadWith(ctx, fsys, opts)
		if err != nil {
			t.Fatalf("LoadWith(%q) the second time: %v", data, err)
		}
		if len(again.Entries()) != len(b.Entries()) {
			t.Fatalf("LoadWith(%q): %d entries, then %d", data, len(b.Entries()), len(again.Entries()))
		}
		for i, e := range again.Entries() {
			if e.ID != b.Entries()[i].ID || e.Answer[EN] != b.Entries()[i].Answer[EN] {
				t.Fatalf("LoadWith(%q): entry %d is %q, then %q", data, i, b.Entries()[i].ID, e.ID)
			}
		}
	})
}

// unjoin flattens errors.Join trees.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var all []error
		for _, e := range j.Unwrap() {
			all = append(all, unjoin(e)...)
		}
		return all
	}
	return []error{err}
}
