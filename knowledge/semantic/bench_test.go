package semantic

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
)

// vectorEmbedder returns fixed vectors at once: it measures the index,
// not a model.
type vectorEmbedder struct {
	byText map[string][]float32
	query  []float32
}

func (e *vectorEmbedder) Name() string { return "fixed" }

func (e *vectorEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, s := range texts {
		v, ok := e.byText[s]
		if !ok {
			v = e.query
		}
		out[i] = append([]float32(nil), v...)
	}
	return out, nil
}

func randomVector(r *rand.Rand, dim int) []float32 {
	v := make([]float32, dim)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return v
}

// BenchmarkSearch is one question against 5,000 entries of dimension 256
// (one vector each; cost is linear in vectors, so 3 per entry is 3×).
func BenchmarkSearch(b *testing.B) {
	for _, vectors := range []int{5000, 15000} {
		b.Run(fmt.Sprintf("vectors=%d/dim=256", vectors), func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 2))
			emb := &vectorEmbedder{byText: map[string][]float32{}, query: randomVector(r, 256)}
			docs := make([]Doc, vectors)
			for i := range docs {
				docs[i] = Doc{ID: fmt.Sprintf("entry-%d", i%5000), Text: fmt.Sprintf("text %d", i)}
				emb.byText[docs[i].Text] = randomVector(r, 256)
			}
			ix, err := NewTier(emb, Options{}).Build(context.Background(), docs)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if res, ok := ix.Search(ctx, "question", 3); !ok || len(res) != 3 {
					b.Fatalf("Search = %v, %v", res, ok)
				}
			}
		})
	}
}
