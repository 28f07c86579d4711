package escalation

import "testing"

// The eighth blind set (triggers-blind8-*) was written on 2026-12-02 by a
// helper who saw only the SOP and the blind7 file's header (the labelling
// guide, copied into this set's header), never the rules, the complaint
// model or the detector, and split once into -dev (read and tuned on) and
// -test (held out: only its aggregate scores are logged, never its
// messages).

// TestBlind8DevEval scores the dev half and the blind8 work's own probes
// (triggers-probe27), both tuned on: their misses are logged,
// and floors a little under what it scores guard it (regression guards, not
// measurements). Before it was read (rules of ed758a4): P 96.4% R 90.5%.
func TestBlind8DevEval(t *testing.T) {
	t.Parallel() // independent and read-only: overlaps with the other heavy tests
	r := testRules(t)
	guardSet(t, r, "triggers-blind8-dev.yaml", false, floors{precision: 0.99, recall: 0.98,
		kindRecall: recallOf(0.99, 0.99, 0.99, 0.93, 0.99), complaintP: 0.96, complaintR: 0.88})
	// the blind8 work's own probes (written after reading the rules: tuned on)
	guardSet(t, r, "triggers-probe27.yaml", false, floors{precision: 0.99, recall: 0.99})
}

// TestBlind8HeldOutEval scores the held-out half, logging aggregate scores
// only (never the messages). Scored once before the blind8 work, on the
// rules of ed758a4: P 93.9% R 90.1%; legal_media P 86.2% R 92.6%, security
// P 97.7% R 82.4%, supervisor P 94.5% R 94.5%, human P 91.8% R 81.8%,
// refund_over_limit P 100% R 98.3%; complaint P 91.2% R 85.4%. Its floors
// are set once, from the score at the end of the blind8 work; until then it
// checks only that the set is the one written (441 messages), so that the
// scores are not looked at while tuning.
func TestBlind8HeldOutEval(t *testing.T) {
	t.Parallel() // independent and read-only: overlaps with the other heavy tests
	r := testRules(t)
	if n := len(loadLabeled(t, "triggers-blind8-test.yaml")); n != 441 {
		t.Fatalf("triggers-blind8-test.yaml has %d messages, want 441", n)
	}
	guardSet(t, r, "triggers-blind8-test.yaml", true, floors{})
}
