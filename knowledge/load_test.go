package knowledge

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"testing/fstest"
)

func loadFixture(t testing.TB) *Base {
	t.Helper()
	b, err := Load(context.Background(), os.DirFS("testdata/fixtures/kb"))
	if err != nil {
		t.Fatalf("load fixture KB: %v", err)
	}
	return b
}

func TestLoadFixture(t *testing.T) {
	b := loadFixture(t)
	var ids []string
	for _, e := range b.Entries() {
		ids = append(ids, e.ID)
	}
	// Files in lexical path order ("more/account.yaml" < "shop.yaml"),
	// entries in file order.
	if got, want := strings.Join(ids, ","), "order-status,human-agent,shipping-fee,return-policy"; got != want {
		t.Fatalf("entries: got %s, want %s", got, want)
	}
	fee, ok := b.Entry("shipping-fee")
	if !ok {
		t.Fatal("shipping-fee missing")
	}
	tests := []struct {
		name, got, want string
	}{
		{"zh-CN title converted from zh-TW", fee.Title[ZhCN], "运费说明"},
		{"zh-CN answer converted in mainland wording", fee.Answer[ZhCN], "快递运费 NT$100，满 NT$1,000 包邮。"},
		{"zh-CN example converted", fee.Examples[ZhCN][0], "运费怎么算"},
		{"file recorded", fee.File, "shop.yaml"},
		{"link label converted", fee.Links[0].Label[ZhCN], "运费说明"},
	}
	ret, _ := b.Entry("return-policy")
	tests = append(tests, []struct{ name, got, want string }{
		{"zh-TW title converted from zh-CN", ret.Title[ZhTW], "退貨說明"},
		{"zh-TW quick reply text converted", ret.QuickReplies[0].Text[ZhTW], "我要申請退貨"},
		{"answer trimmed, en kept", ret.Answer[EN], "You can return an item within 7 days of delivery."},
	}...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
	if os, _ := b.Entry("order-status"); os.Action != ActionOrderStatus || os.Examples[ZhCN][1] != "查一下物流" {
		t.Errorf("order-status: action %q, zh-CN examples %q: both Chinese variants given must be kept", os.Action, os.Examples[ZhCN])
	}
}

const goodEntry = `
  - id: %s
    category: consultation
    title: {zh-TW: 標題, en: Title}
    examples:
      zh-TW: ["問題"]
      en: ["question"]
    answer:
      zh-TW: 回答
      en: Answer
`

func entryYAML(id string) string { return strings.Replace(goodEntry, "%s", id, 1) }

func TestLoadValidation(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string // substrings that must all appear in the error
	}{
		{
			name: "duplicate id names both files",
			files: map[string]string{
				"a.yaml":     "entries:" + entryYAML("same"),
				"sub/b.yaml": "entries:" + entryYAML("same"),
			},
			want: []string{`sub/b.yaml:2: entry "same": duplicate id: also in a.yaml`},
		},
		{
			name:  "bad id",
			files: map[string]string{"a.yaml": "entries:" + entryYAML("Bad_ID")},
			want:  []string{`a.yaml:2: entry "Bad_ID": bad id "Bad_ID"`},
		},
		{
			name:  "missing id",
			files: map[string]string{"a.yaml": "entries:" + strings.Replace(entryYAML("x"), "- id: x\n    category", "- category", 1)},
			want:  []string{"a.yaml:2: missing id"},
		},
		{
			name:  "unknown category and action",
			files: map[string]string{"a.yaml": "entries:" + strings.Replace(entryYAML("x"), "category: consultation", "category: faq\n    action: refund", 1)},
			want:  []string{`entry "x": unknown category "faq"`, `entry "x": unknown action "refund"`},
		},
		{
			name:  "missing en answer",
			files: map[string]string{"a.yaml": "entries:" + strings.Replace(entryYAML("x"), "      en: Answer\n", "", 1)},
			want:  []string{`entry "x": answer: missing en`},
		},
		{
			name:  "missing title",
			files: map[string]string{"a.yaml": "entries:" + strings.Replace(entryYAML("x"), "    title: {zh-TW: 標題, en: Title}\n", "", 1)},
			want:  []string{`entry "x": title: missing en`, `entry "x": title: missing Chinese`},
		},
		{
			name:  "missing both Chinese examples",
			files: map[string]string{"a.yaml": "entries:" + strings.Replace(entryYAML("x"), `      zh-TW: ["問題"]`+"\n", "", 1)},
			want:  []string{`entry "x": examples: missing Chinese (give zh-TW or zh-CN)`},
		},
		{
			name:  "empty examples list",
			files: map[string]string{"a.yaml": "entries:" + strings.Replace(entryYAML("x"), `en: ["question"]`, `en: []`, 1)},
			want:  []string{`entry "x": examples.en is empty`},
		},
		{
			name:  "unknown language key",
			files: map[string]string{"a.yaml": "entries:" + strings.Replace(entryYAML("x"), "zh-TW: 回答", "zh-HK: 回答\n      zh-TW: 回答", 1)},
			want:  []string{`entry "x": answer: unknown language "zh-HK"`},
		},
		{
			name: "too many quick replies and a long label",
			files: map[string]string{"a.yaml": "entries:" + entryYAML("x") + `    quick_replies:
      - {label: {zh-TW: 一, en: one}, text: {zh-TW: 一, en: one}}
      - {label: {zh-TW: 二, en: two}, text: {zh-TW: 二, en: two}}
      - {label: {zh-TW: 三, en: three}, text: {zh-TW: 三, en: three}}
      - {label: {zh-TW: 四, en: four}, text: {zh-TW: 四, en: four}}
      - {label: {zh-TW: 五, en: a label that is far too long}, text: {zh-TW: 五, en: five}}
`},
			want: []string{`entry "x": 5 quick replies, at most 4`, `quick_replies[5].label.en is 28 characters, at most 20`},
		},
		{
			name: "bad url",
			files: map[string]string{"a.yaml": "entries:" + entryYAML("x") + `    links:
      - {label: {zh-TW: 說明, en: Help}, url: "shop.example.tw/help"}
`},
			want: []string{`entry "x": links[1].url "shop.example.tw/help": want an absolute https://`},
		},
		{
			name:  "unknown field",
			files: map[string]string{"a.yaml": "entries:" + strings.Replace(entryYAML("x"), "    answer:", "    answers:\n      en: x\n    answer:", 1)},
			want:  []string{`a.yaml:8: entry "x": unknown field "answers"`},
		},
		{
			name:  "yaml syntax error with line",
			files: map[string]string{"a.yaml": "entries:\n  - id: x\n    title: [unclosed\n"},
			want:  []string{"a.yaml: line 2:"},
		},
		{
			name: "all problems at once across files",
			files: map[string]string{
				"a.yaml": "entries:" + strings.Replace(entryYAML("x"), "category: consultation", "category: nope", 1),
				"b.yaml": "entries:\n  - id: y\n    title: [unclosed\n",
			},
			want: []string{`a.yaml:2: entry "x": unknown category "nope"`, "b.yaml: line"},
		},
		{
			name:  "empty file",
			files: map[string]string{"a.yaml": "# nothing yet\n"},
			want:  []string{"a.yaml: no entries"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, data := range tt.files {
				fsys[name] = &fstest.MapFile{Data: []byte(data)}
			}
			b, err := Load(context.Background(), fsys)
			if err == nil {
				t.Fatalf("got a KB with %d entries, want an error", len(b.Entries()))
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
			var ke *Error
			if !errors.As(err, &ke) {
				t.Errorf("error %v is not a *knowledge.Error", err)
			}
		})
	}
}

func TestLoadEnglishOnly(t *testing.T) {
	fsys := fstest.MapFS{"kb.yaml": &fstest.MapFile{Data: []byte(`entries:
  - id: track-order
    category: consultation
    title: {en: Track order}
    examples: {en: ["where is my order"]}
    answer: {en: Let me check.}
`)}}
	if _, err := Load(context.Background(), fsys); err == nil || !strings.Contains(err.Error(), "missing Chinese") {
		t.Fatalf("Load of an English-only KB: got %v, want a missing Chinese error", err)
	}
	b, err := LoadWith(context.Background(), fsys, LoadOptions{Languages: []string{EN}})
	if err != nil {
		t.Fatalf("LoadWith en: %v", err)
	}
	if m := b.Match(context.Background(), "where is my order", EN); m.Best() == nil || m.Best().ID != "track-order" {
		t.Errorf("match: got %+v, want track-order", m)
	}
	if m := b.Match(context.Background(), "我的訂單在哪", ZhTW); m.Confidence != Low {
		t.Errorf("Chinese question on an English-only KB: got %s, want low", m.Confidence)
	}
}

func TestLoadEmpty(t *testing.T) {
	if _, err := Load(context.Background(), fstest.MapFS{}); !errors.Is(err, ErrEmpty) {
		t.Fatalf("got %v, want ErrEmpty", err)
	}
}

func TestDemoLoads(t *testing.T) {
	b := demoBase(t) // Load(ctx, Demo()), once per test binary; fails the test if it does not load

	if len(b.Entries()) < 10 {
		t.Errorf("demo KB has %d entries, want at least 10", len(b.Entries()))
	}
	var order, handoff bool
	for _, e := range b.Entries() {
		order = order || e.Action == ActionOrderStatus
		handoff = handoff || e.Action == ActionHandoff
		for _, lang := range allLangs {
			if e.Answer[lang] == "" || e.Title[lang] == "" || len(e.Examples[lang]) == 0 {
				t.Errorf("entry %s: %s is incomplete after loading", e.ID, lang)
			}
		}
	}
	if !order || !handoff {
		t.Errorf("demo KB: order_status entry %v, handoff entry %v; want both", order, handoff)
	}
}
