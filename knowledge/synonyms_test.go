package knowledge

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

const synonymEntries = `entries:
  - id: order-status
    category: consultation
    title: {zh-TW: 查詢訂單, en: Track my order}
    examples:
      zh-TW: ["我的包裹到哪了", "包裹寄出了嗎"]
      en: ["where is my package", "track my package"]
    answer: {zh-TW: 請看訂單頁。, en: See your orders page.}
  - id: refund-time
    category: consultation
    title: {zh-TW: 退款時間, en: Refund timing}
    examples:
      zh-TW: ["退款要多久", "退款幾天會到"]
      en: ["how long does a refund take", "refund timing"]
    answer: {zh-TW: 約七天。, en: About seven days.}
`

const synonymFile = `synonyms:
  en:
    - [package, parcel, box]
    - [refund, money back]
  zh-TW:
    - [包裹, 快遞]
  zh-CN:
    - [退款, 退钱]
`

func TestSynonymsMatch(t *testing.T) {
	with, err := Load(context.Background(), fstest.MapFS{
		"kb.yaml":       {Data: []byte(synonymEntries)},
		"synonyms.yaml": {Data: []byte(synonymFile)},
	})
	if err != nil {
		t.Fatalf("load with synonyms: %v", err)
	}
	// The built-in lexicon knows most of these words too: "without" has
	// neither, so each case shows the words are needed.
	tune := defaultTuning
	tune.lexicon = false
	without, err := loadTuned(context.Background(), fstest.MapFS{"kb.yaml": {Data: []byte(synonymEntries)}}, LoadOptions{}, tune)
	if err != nil {
		t.Fatalf("load without synonyms: %v", err)
	}
	tests := []struct {
		name, q, lang, want string
	}{
		{"en member", "where is my parcel", EN, "order-status"},
		{"en plural, capitals", "Track my PARCELS", EN, "order-status"},
		{"en phrase", "how long until I get my money back", EN, "refund-time"},
		{"zh-TW member", "我的快遞到哪了", ZhTW, "order-status"},
		{"zh-CN member from a zh-CN group, asked in zh-TW", "退錢", ZhTW, "refund-time"},
		{"zh-CN question, zh-TW group", "快递到哪了", ZhCN, "order-status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, ex := with.Explain(context.Background(), tt.q, tt.lang)
			if bestID(m) != tt.want || m.Confidence != High {
				t.Errorf("with synonyms: got %s (%s), want %s (high); %+v", bestID(m), m.Confidence, tt.want, ex)
			}
			// Without the synonyms file the same question must do worse:
			// otherwise this case does not test synonyms.
			if m := without.Match(context.Background(), tt.q, tt.lang); bestID(m) == tt.want && m.Confidence == High {
				t.Errorf("without synonyms: got %s (high) already; the case proves nothing", bestID(m))
			}
		})
	}
}

func TestSynonymsRewrite(t *testing.T) {
	g := synonymGroups{
		en: [][]string{{"package", "parcel", "box"}, {"refund", "money back", "money"}, {"convenience store", "7-11"}},
		zh: [][]string{{"包裹", "快递"}, {"便利店", "超商", "7-11"}},
	}
	s := g.build()
	tests := []struct {
		name, in, script, want string
	}{
		{"word", "where is my parcel", EN, "where is my package"},
		{"plural and case", "Two PARCELS and boxes", EN, "Two package and package"},
		{"whole words only", "parcelforce boxer", EN, "parcelforce boxer"},
		{"longest member first", "I want my money back", EN, "I want my refund"},
		{"shorter member alone", "no money", EN, "no refund"},
		{"phrase across spaces", "get my money   back at the 7-11", EN, "get my refund at the convenience store"},
		{"zh", "快递到超商了吗", "zh", "包裹到便利店了吗"},
		{"zh lowercases Latin members", "7-11 取货", "zh", " 便利店  取货"},
		{"zh Latin member stays a word", "可以在7-11取货", "zh", "可以在 便利店 取货"},
		{"zh Han member joins its neighbours", "可以在超商取货", "zh", "可以在便利店取货"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.rewrite(tt.in, tt.script); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	var none *synonyms
	if got := none.rewrite("parcel", EN); got != "parcel" {
		t.Errorf("nil synonyms: got %q, want the text unchanged", got)
	}
}

func TestSynonymsValidation(t *testing.T) {
	entries := "entries:" + entryYAML("x")
	tests := []struct {
		name  string
		files map[string]string
		want  []string // substrings that must all appear in the error; none: loads
	}{
		{
			name:  "synonyms-only file next to entries",
			files: map[string]string{"a.yaml": entries, "synonyms.yaml": "synonyms:\n  en:\n    - [parcel, package]\n"},
		},
		{
			name:  "entries and synonyms in one file",
			files: map[string]string{"a.yaml": entries + "synonyms:\n  zh-TW:\n    - [包裹, 快遞]\n"},
		},
		{
			name:  "unknown language",
			files: map[string]string{"a.yaml": entries, "s.yaml": "synonyms:\n  fr:\n    - [colis, paquet]\n"},
			want:  []string{`s.yaml:2: synonyms: unknown language "fr"`},
		},
		{
			name:  "group of one",
			files: map[string]string{"a.yaml": entries, "s.yaml": "synonyms:\n  en:\n    - [parcel, Parcel]\n"},
			want:  []string{"s.yaml:3: synonyms.en[1]: a group needs at least two different words"},
		},
		{
			name:  "word in two groups, across Chinese variants",
			files: map[string]string{"a.yaml": entries, "s.yaml": "synonyms:\n  zh-TW:\n    - [退款, 退錢]\n  zh-CN:\n    - [退钱, 还钱]\n"},
			want:  []string{`s.yaml:5: synonyms.zh-CN[1]: "退钱" is already in a group (s.yaml:3)`},
		},
		{
			name:  "not a list of groups",
			files: map[string]string{"a.yaml": entries, "s.yaml": "synonyms:\n  en: parcel\n"},
			want:  []string{"s.yaml:2: synonyms.en: want a list of groups"},
		},
		{
			name:  "not a mapping",
			files: map[string]string{"a.yaml": entries, "s.yaml": "synonyms: [parcel, package]\n"},
			want:  []string{"s.yaml:1: synonyms: want a mapping of language to a list of groups"},
		},
		{
			name:  "empty word",
			files: map[string]string{"a.yaml": entries, "s.yaml": "synonyms:\n  en:\n    - [parcel, '  ', package]\n"},
			want:  []string{"s.yaml:3: synonyms.en[1]: empty word"},
		},
		{
			name:  "synonyms alone are not a KB",
			files: map[string]string{"s.yaml": "synonyms:\n  en:\n    - [parcel, package]\n"},
			want:  []string{ErrEmpty.Error()},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, data := range tt.files {
				fsys[name] = &fstest.MapFile{Data: []byte(data)}
			}
			_, err := Load(context.Background(), fsys)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("got no error, want %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if tt.want[0] != ErrEmpty.Error() {
				var e *Error
				if !errors.As(err, &e) {
					t.Errorf("got %T, want a *Error in the chain", err)
				}
			}
		})
	}
}

func TestDemoSynonymsLoad(t *testing.T) {
	b := demoBase(t)
	if b.syn == nil || b.syn.groups == 0 {
		t.Fatal("demo KB loaded without its synonyms.yaml groups")
	}
	// "parcel" is no word of the order-status entry; the demo synonyms
	// make it "package", and the question one of the entry's examples.
	if m := b.Match(context.Background(), "how do I track my parcel", EN); bestID(m) != "order-status" || m.Confidence != High {
		t.Errorf("got %s (%s), want order-status (high)", bestID(m), m.Confidence)
	}
}

// TestBitextKBLoads checks the English-only evaluation KB and its synonyms
// load without the public data.
func TestBitextKBLoads(t *testing.T) {
	b := bitextBase(t)
	if b.syn == nil || b.syn.groups == 0 {
		t.Fatal("Bitext KB loaded without its synonyms")
	}
	if m := b.Match(context.Background(), "where is my parcel", EN); bestID(m) != "track_order" {
		t.Errorf("got %s, want track_order", bestID(m))
	}
}
