package escalation

import "testing"

// The seventh blind set (triggers-blind7-*) was written on 2026-12-01 by a
// helper who saw only the SOP and issue 11's description of what customers
// write, never the rules, the complaint model or the detector, with the
// blind6 labelling guide (in the file's header), and split once into -dev
// (read and tuned on; the complaint model is trained on it) and -test (held
// out: only its aggregate scores are logged, never its messages).

func TestBlind7DevEval(t *testing.T) {
	t.Parallel() // independent and read-only: overlaps with the other heavy tests
	r := testRules(t)
	set := loadLabeled(t, "triggers-blind7-dev.yaml")
	evaluate(r, set).report(t, "triggers-blind7-dev.yaml", len(set))
}
