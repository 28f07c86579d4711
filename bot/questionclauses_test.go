package bot

import (
	"slices"
	"testing"
)

// TestQuestionClauses: a message is split at its question marks and at a
// connector opening a new question, the connector and polite lead-ins
// left out; words that merely begin with a connector's characters stay
// whole (那個杯子 is not 個杯子).
func TestQuestionClauses(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
	}{
		{"請問運費多少？還有可以超商取貨嗎", []string{"運費多少", "可以超商取貨嗎"}},
		{"how much is shipping? and also can I pick up at a store", []string{"how much is shipping", "can I pick up at a store"}},
		{"那個杯子破了怎麼辦？另外退款要多久", []string{"那個杯子破了怎麼辦", "退款要多久"}},
		{"andrew here, how much is shipping", []string{"andrew here, how much is shipping"}},
	} {
		if got := questionClauses(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("questionClauses(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
