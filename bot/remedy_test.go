package bot

import (
	"slices"
	"strings"
	"testing"
)

// TestSentencesAndUnaskedClauses: a remedy splits into sentences that join
// back to it; a Chinese sentence keeps the clauses that ask for nothing,
// ending as it did, and a sentence that only asks keeps nothing.
func TestSentencesAndUnaskedClauses(t *testing.T) {
	text := "Please send your order number and a photo. We'll collect it for free.\nJust keep it in its packaging."
	got := sentences(text)
	want := []string{"Please send your order number and a photo. ", "We'll collect it for free.\n", "Just keep it in its packaging."}
	if !slices.Equal(got, want) || strings.Join(got, "") != text {
		t.Errorf("sentences(%q) = %q, want %q", text, got, want)
	}
	asks := func(c string) bool { return strings.Contains(c, "照片") || strings.Contains(c, "訂單編號") }
	for _, tt := range []struct{ in, want string }{
		{"請提供訂單編號和收到商品的照片，我們會免費安排到府取回，並在 1–2 個工作天內寄出正確的商品。\n", "我們會免費安排到府取回，並在 1–2 個工作天內寄出正確的商品。\n"},
		{"若確定少件，請提供訂單編號與外箱、內容物的照片，我們確認後 3 個工作天內為您補寄。", "若確定少件，我們確認後 3 個工作天內為您補寄。"},
		{"請在到貨後 7 天內拍下外箱與損壞處的照片，連同訂單編號傳給我們。", ""},
		{"Within 7 days, please send photos of the damage, together with your order number.", ""},
	} {
		if got := unaskedClauses(tt.in, asks); got != tt.want {
			t.Errorf("unaskedClauses(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
