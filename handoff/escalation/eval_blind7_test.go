package escalation

import "testing"

// The seventh blind set (triggers-blind7-*) was written on 2026-12-01 by a
// helper who saw only the SOP and issue 11's description of what customers
// write, never the rules, the complaint model or the detector, with the
// blind6 labelling guide (in the file's header), and split once into -dev
// (read and tuned on; the complaint model is trained on it) and -test (held
// out: only its aggregate scores are logged, never its messages).

// TestBlind7DevEval scores the dev half and the blind7 work's own probes
// (triggers-probe25, -probe26), all tuned on, with floors a little under what they
// score (regression guards, not measurements).
func TestBlind7DevEval(t *testing.T) {
	t.Parallel() // independent and read-only: overlaps with the other heavy tests
	r := testRules(t)
	guardSet(t, r, "triggers-blind7-dev.yaml", false, floors{precision: 0.99, recall: 0.99,
		kindRecall: recallOf(0.96, 0.99, 0.99, 0.99, 0.99), complaintP: 0.96, complaintR: 0.92})
	guardSet(t, r, "triggers-probe25.yaml", false, floors{precision: 0.99, recall: 0.99})
	guardSet(t, r, "triggers-probe26.yaml", false, floors{precision: 0.99, recall: 0.98})
}
