package escalation

import "testing"

// The eighth blind set (triggers-blind8-*) was written on 2026-12-02 by a
// helper who saw only the SOP and the blind7 file's header (the labelling
// guide, copied into this set's header), never the rules, the complaint
// model or the detector, and split once into -dev (read and tuned on) and
// -test (held out: only its aggregate scores are logged, never its
// messages).

// TestBlind8DevEval scores the dev half (tuned on): its misses are logged.
func TestBlind8DevEval(t *testing.T) {
	t.Parallel() // independent and read-only: overlaps with the other heavy tests
	r := testRules(t)
	guardSet(t, r, "triggers-blind8-dev.yaml", false, floors{})
}

// TestBlind8HeldOutEval scores the held-out half, logging aggregate scores
// only (never the messages).
func TestBlind8HeldOutEval(t *testing.T) {
	t.Parallel() // independent and read-only: overlaps with the other heavy tests
	r := testRules(t)
	guardSet(t, r, "triggers-blind8-test.yaml", true, floors{})
}
