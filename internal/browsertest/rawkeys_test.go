package browsertest

import "testing"

func TestHasWord(t *testing.T) {
	for _, tt := range []struct {
		s, w string
		want bool
	}{
		{"主題 refund 低評分", "refund", true},
		{"Refund request", "refund", false},
		{"refund_over_limit", "refund", false},
		{"a refund.", "refund", true},
		{"order_status", "order_status", true},
		{"(faq_shipping)", "faq_shipping", true},
		{"faq_shipping2", "faq_shipping", false},
		{"pre-refund", "refund", false},
		{"", "refund", false},
	} {
		if got := hasWord(tt.s, tt.w); got != tt.want {
			t.Errorf("hasWord(%q, %q) = %v, want %v", tt.s, tt.w, got, tt.want)
		}
	}
}
