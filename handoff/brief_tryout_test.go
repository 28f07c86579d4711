package handoff

import (
	"strings"
	"testing"

	"github.com/warmline/warmline/handoff/escalation"
)

// TestBriefKeepsTheWholeRequest (tryout #5): the request is quoted up to a
// generous bound, so the issue at its end is kept, and a longer one is cut
// between words with an ellipsis, never mid-word.
func TestBriefKeepsTheWholeRequest(t *testing.T) {
	s := briefService(t)
	req := "I want a refund of NT$2,400 for order WL20261107, the tablecloth is stained"
	c := &Case{ID: "CS-1", Lang: "en", Tier: "L2", Priority: "P2", Category: "complaint", Request: req,
		Triggers: []escalation.Trigger{{Kind: escalation.KindRefund, Message: req, Evidence: "NT$2,400", Amount: 2400}}}
	if got := s.Brief(c, "zh-TW")[1]; !strings.Contains(got, "「"+req+"」") {
		t.Errorf("want line %q, want the whole request %q", got, req)
	}
	tests := []struct {
		name, in string
		n        int
		want     string
	}{
		{"short is kept", "the tablecloth is stained", 40, "the tablecloth is stained"},
		{"cut before the word", "I want a refund for order WL20261107, the tablecloth is stained", 48, "I want a refund for order WL20261107, the…"},
		{"no separator before the ellipsis", "one two three, four", 15, "one two three…"},
		{"Chinese cut at a character", "我要投訴，快遞員態度很差，把包裹直接丟在門口", 10, "我要投訴，快遞員態…"},
		{"one long word is cut inside", "supercalifragilistic", 12, "supercalifr…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := excerpt(tt.in, tt.n)
			if got != tt.want {
				t.Errorf("excerpt(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
			}
			if n := len([]rune(got)); n > tt.n {
				t.Errorf("excerpt has %d runes, want ≤ %d", n, tt.n)
			}
		})
	}
}
