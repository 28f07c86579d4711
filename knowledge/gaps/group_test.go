package gaps

import (
	"fmt"
	"testing"
	"time"

	"github.com/warmline/warmline/knowledge"
)

func TestSimilar(t *testing.T) {
	conv, err := knowledge.NewConverter()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		a, b string
		same bool
	}{
		{"寄到金門要多少運費", "寄到金门要多少运费", true}, // Traditional and Simplified
		{"寄到金門要多少運費", "寄到金門要多少運費呢？", true},
		{"How much is shipping to Kinmen?", "how much is shipping to kinmen", true},
		{"my order [order] is late", "my order [number] is late", true}, // placeholders do not count
		{"寄到金門要多少運費", "可以開發票嗎", false},
		{"do you sell gift cards", "how much is shipping to kinmen", false},
	} {
		j := jaccard(tokens(conv, tt.a), tokens(conv, tt.b))
		if got := j >= Similar; got != tt.same {
			t.Errorf("%q ~ %q: jaccard %.2f, same group %v, want %v", tt.a, tt.b, j, got, tt.same)
		}
	}
}

// BenchmarkCluster groups a retention's worth of signals (the view and
// every auto-accept check do this).
func BenchmarkCluster(b *testing.B) {
	conv, err := knowledge.NewConverter()
	if err != nil {
		b.Fatal(err)
	}
	var sigs []stored
	for i := range maxSignals {
		sigs = append(sigs, stored{ID: fmt.Sprint(i), Kind: KindMenu, Lang: "en", At: time.Unix(int64(i), 0),
			Question: fmt.Sprintf("question %d about topic %d and thing %d", i%3000, i%97, i%89)})
	}
	b.ResetTimer()
	for b.Loop() {
		c := newCluster(conv)
		for _, sg := range sigs {
			c.add(sg)
		}
	}
}
