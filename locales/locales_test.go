package locales

import (
	"sort"
	"strings"
	"testing"
	"testing/fstest"
)

func TestEveryMessageInEveryLanguage(t *testing.T) {
	tr, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	all := map[string]bool{}
	for _, l := range Supported {
		for _, id := range tr.IDs(l) {
			all[id] = true
		}
	}
	var missing []string
	for id := range all {
		for _, l := range Supported {
			if !tr.Has(l, id) {
				missing = append(missing, l+":"+id)
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("messages missing in some languages:\n%s", strings.Join(missing, "\n"))
	}
	if len(all) == 0 {
		t.Fatal("no messages loaded")
	}
}

func TestRenderAndFallback(t *testing.T) {
	tr, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	tests := []struct{ lang, want string }{
		{ZhTW, "繁體中文"}, {ZhCN, "简体中文"}, {EN, "English"}, {"ja", "繁體中文"},
	}
	for _, tt := range tests {
		if got := tr.T(tt.lang, "lang_name", nil); got != tt.want {
			t.Errorf("T(%q, lang_name) = %q, want %q", tt.lang, got, tt.want)
		}
	}
	if got := tr.T(EN, "no_such_message", nil); got != "[no_such_message]" {
		t.Errorf("missing message rendered %q, want [no_such_message]", got)
	}
}

func TestPlural(t *testing.T) {
	fs := fstest.MapFS{
		"x.en.toml":    {Data: []byte("[n]\none = \"{{.Count}} case\"\nother = \"{{.Count}} cases\"\n")},
		"x.zh-TW.toml": {Data: []byte("[n]\nother = \"{{.Count}} 件\"\n")},
	}
	tr, err := NewFS(fs)
	if err != nil {
		t.Fatalf("NewFS: %v", err)
	}
	if got := tr.N(EN, "n", 1, nil); got != "1 case" {
		t.Errorf("got %q, want 1 case", got)
	}
	if got := tr.N(EN, "n", 3, nil); got != "3 cases" {
		t.Errorf("got %q, want 3 cases", got)
	}
	if got := tr.N(ZhTW, "n", 3, nil); got != "3 件" {
		t.Errorf("got %q, want 3 件", got)
	}
}

func TestDuplicateIDRejected(t *testing.T) {
	fs := fstest.MapFS{
		"a.en.toml": {Data: []byte("[x]\nother = \"a\"\n")},
		"b.en.toml": {Data: []byte("[x]\nother = \"b\"\n")},
	}
	if _, err := NewFS(fs); err == nil || !strings.Contains(err.Error(), "defined twice") {
		t.Fatalf("got %v, want duplicate error", err)
	}
}

func TestNormalize(t *testing.T) {
	tests := map[string]string{
		"zh-TW": ZhTW, "zh-Hant": ZhTW, "zh-Hant-TW": ZhTW, "zh-HK": ZhTW, "zh-MO": ZhTW,
		"zh-CN": ZhCN, "zh-Hans": ZhCN, "zh-Hans-CN": ZhCN, "en": EN, "en-US": EN, "ja": "", "": "",
	}
	for in, want := range tests {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}
