package bot

import (
	"testing"

	"github.com/warmline/warmline/handoff/escalation"
)

// TestAnalyzeOncePerTurn: the turn's memo gives the same analysis as the
// rules, a fresh one for another text or language, and each caller its own
// Triggers (during.go deletes from its copy).
func TestAnalyzeOncePerTurn(t *testing.T) {
	h := newHarness(t)
	tr := &turn{st: &state{Lang: "zh-TW"}}
	const threat = "再不處理我就找律師告你們，也要找主管"
	want := h.e.rules.Analyze(threat, "zh-TW")
	if len(want.Triggers) == 0 {
		t.Fatal("the threat fires no trigger: the test needs one that does")
	}
	got := h.e.analyze(tr, threat)
	if len(got.Triggers) != len(want.Triggers) || got.Complaint != want.Complaint {
		t.Fatalf("memo: got %+v, want %+v", got, want)
	}
	got.Triggers[0] = escalation.Trigger{}
	if again := h.e.analyze(tr, threat); again.Triggers[0].Kind != want.Triggers[0].Kind {
		t.Fatalf("a caller's change reached the memo: %+v", again.Triggers[0])
	}
	if other := h.e.analyze(tr, "請問運費多少"); len(other.Triggers) != 0 {
		t.Fatalf("another text got the memo's triggers: %+v", other.Triggers)
	}
	tr.st.Lang = "en"
	if en := h.e.analyze(tr, "I will sue you"); !en.Has(escalation.KindLegalMedia) {
		t.Fatalf("English threat after a language change: %+v", en)
	}
}
