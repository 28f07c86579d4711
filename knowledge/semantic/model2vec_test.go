package semantic

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func pieces(tb testing.TB, toks []fixtureToken, ids []int) []string {
	tb.Helper()
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = toks[id].piece
	}
	return out
}

func TestUnigramTokenization(t *testing.T) {
	m, err := LoadStaticModel(writeFixtureModel(t, "unigram", "F32", false))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text string
		want []string
	}{
		{"Where is my order?", []string{"▁where", "▁is", "▁my", "▁order", "▁?"}},
		// Fullwidth letters and punctuation fold under NFKC; runs of spaces fold.
		{"ＷＨＥＲＥ   is my order？", []string{"▁where", "▁is", "▁my", "▁order", "▁?"}},
		// Viterbi prefers the one likelier piece over ship+ping.
		{"shipping", []string{"▁shipping"}},
		// Unknown characters (我 is only known inside 我的 at a word start) are dropped.
		{"我的訂單在哪？", []string{"▁我的", "訂單", "在哪", "▁?"}},
		{"退款 money back", []string{"▁退款", "▁money", "▁back"}},
		{"zzz", []string{"▁"}},
		{"", nil},
		{"  ", nil},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := pieces(t, unigramFixture, m.tok.encode(tt.text))
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("encode(%q) (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

func TestWordPieceTokenization(t *testing.T) {
	m, err := LoadStaticModel(writeFixtureModel(t, "wordpiece", "F32", false))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text string
		want []string
	}{
		{"Where is my ORDER?", []string{"where", "is", "my", "order", "?"}},
		{"shipping", []string{"ship", "##ping"}},
		{"Café", []string{"cafe"}},                 // accents stripped with lowercase
		{"退款嗎", []string{"退", "款"}},                // CJK split per character, unknown dropped
		{"shipx refund", []string{"refund"}},       // a word with an unmatched part is [UNK], dropped
		{"my\torder\x00", []string{"my", "order"}}, // control characters cleaned
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := pieces(t, wordPieceFixture, m.tok.encode(tt.text))
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("encode(%q) (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

func TestStaticModelMean(t *testing.T) {
	for _, dtype := range []string{"F32", "F16"} {
		for _, norm := range []bool{false, true} {
			m, err := LoadStaticModel(writeFixtureModel(t, "unigram", dtype, norm))
			if err != nil {
				t.Fatal(err)
			}
			if m.Dim() != fixtureDim {
				t.Fatalf("Dim() = %d, want %d", m.Dim(), fixtureDim)
			}
			vs, err := m.Embed(context.Background(), []string{"my order", "zzz qqq"})
			if err != nil {
				t.Fatal(err)
			}
			ids := fixtureIDs(unigramFixture)
			a, b := unigramFixture[ids["▁my"]].vector(), unigramFixture[ids["▁order"]].vector()
			want := make([]float32, fixtureDim)
			for k := range want {
				want[k] = (a[k] + b[k]) / 2
			}
			if norm {
				normalize(want)
			}
			for k := range want {
				if math.Abs(float64(vs[0][k]-want[k])) > 2e-3 {
					t.Errorf("%s normalize=%v: vector = %v, want %v", dtype, norm, vs[0], want)
					break
				}
			}
			// "zzz qqq" is two unknown words: only the word-start pieces "▁" count.
			if vs[1][axisFiller] <= 0 {
				t.Errorf("%s: unknown-word text vector = %v, want the ▁ piece's", dtype, vs[1])
			}
		}
	}
}

func TestStaticModelWeightsAndMapping(t *testing.T) {
	dir := writeFixtureModel(t, "wordpiece", "F32", false)
	// Two rows only; every token maps to row 0 (order axis) except refund → row 1.
	ids := fixtureIDs(wordPieceFixture)
	mapping := make([]int64, len(wordPieceFixture))
	mapping[ids["refund"]] = 1
	weights := make([]float32, len(wordPieceFixture))
	for i := range weights {
		weights[i] = 1
	}
	weights[ids["refund"]] = 3
	rows := []float32{1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0}
	writeSafetensors(t, filepath.Join(dir, "model.safetensors"), map[string]tensor{
		"embeddings": {dtype: "F32", shape: []int64{2, fixtureDim}, f: rows},
		"weights":    {dtype: "F32", shape: []int64{int64(len(weights))}, f: weights},
		"mapping":    {dtype: "I64", shape: []int64{int64(len(mapping))}, i: mapping},
	})
	m, err := LoadStaticModel(dir)
	if err != nil {
		t.Fatal(err)
	}
	vs, _ := m.Embed(context.Background(), []string{"order refund"})
	want := []float32{0.5, 1.5, 0, 0, 0, 0, 0, 0}
	if diff := cmp.Diff(want, vs[0]); diff != "" {
		t.Errorf("weighted, mapped mean (-want +got):\n%s", diff)
	}
}

func TestLoadStaticModelErrors(t *testing.T) {
	if _, err := LoadStaticModel(t.TempDir()); err == nil {
		t.Error("empty directory: got no error")
	}
	dir := writeFixtureModel(t, "unigram", "F32", false)
	writeSafetensors(t, filepath.Join(dir, "model.safetensors"), map[string]tensor{
		"embeddings": {dtype: "F32", shape: []int64{3, fixtureDim}, f: make([]float32, 3*fixtureDim)},
	})
	if _, err := LoadStaticModel(dir); err == nil {
		t.Error("3 rows for a 25-token vocabulary: got no error")
	}
}

func TestStaticModelSearch(t *testing.T) {
	m, err := LoadStaticModel(writeFixtureModel(t, "unigram", "F32", true))
	if err != nil {
		t.Fatal(err)
	}
	tier := NewTier(m, Options{})
	ix, err := tier.Build(context.Background(), []Doc{
		{"order-status", "Where is my order?"},
		{"order-status", "訂單在哪"},
		{"refund", "How do I get a refund?"},
		{"shipping-fee", "How much is shipping?"},
		{"shipping-fee", "運費"},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ q, want string }{
		{"my money back", "refund"},
		{"how long for shipping", "shipping-fee"},
		{"我的訂單", "order-status"},
		{"退款", "refund"},
	}
	for _, tt := range tests {
		res, ok := ix.Search(context.Background(), tt.q, 2)
		if !ok || len(res) != 2 || res[0].ID != tt.want {
			t.Errorf("Search(%q) = %v, %v; want %s first", tt.q, res, ok, tt.want)
		}
	}
}
