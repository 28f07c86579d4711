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
// measurements). Before it was read (rules of ed758a4): P 96.4% R 90.5%;
// after the blind8 work: P 100% R 98.6%.
func TestBlind8DevEval(t *testing.T) {
	t.Parallel() // independent and read-only: overlaps with the other heavy tests
	r := testRules(t)
	guardSet(t, r, "triggers-blind8-dev.yaml", false, floors{precision: 0.99, recall: 0.98,
		kindRecall: recallOf(0.99, 0.99, 0.99, 0.93, 0.99), complaintP: 0.96, complaintR: 0.88})
	// the blind8 work's own probes (written after reading the rules: tuned on)
	guardSet(t, r, "triggers-probe27.yaml", false, floors{precision: 0.99, recall: 0.99})
}

// TestBlind8HeldOutEval scores the held-out half, logging aggregate scores
// only (never the messages), and guards it with floors just under the values
// measured once at the end of the blind8 work, after the last rule change
// (they catch regressions; never tune on this set: write a new blind set to
// measure the next change). Issue 11's targets: recall >= 95% for every kind
// and precision >= 95%.
//
// Measured once before the blind8 work (2026-12-02 02:55 UTC, rules of
// ed758a4) and once after it (03:33 UTC, rules of 5073990, the last rule
// change); tuned on: blind8-dev, triggers-probe27 and the older dev sets:
//
//	triggers-blind8-test (441): P 93.9% → 94.4%, R 90.1% → 91.9%;
//	  legal_media P 86.2% → 86.4% R 92.6% → 94.4%, security P 97.7% →
//	  100% R 82.4% → 84.3%, supervisor P 94.5% → 94.5% R 94.5% → 94.5%,
//	  human P 91.8% → 92.3% R 81.8% → 87.3%, refund_over_limit P 100% →
//	  100% R 98.3% → 98.3%; complaint P 91.2% → 91.3% R 85.4% → 86.0%.
//
// Neither target is met: recall reaches 95% for refunds only (security
// 84%, human 87%), precision is 94.4% (legal/media 86%: 8 false fires).
// blind8-dev went 96.4/90.5 → 100/98.6 and the held-out half gained 0.5
// points of precision and 1.8 of recall: most of what a new writer phrases
// differently is still not covered.
func TestBlind8HeldOutEval(t *testing.T) {
	t.Parallel() // independent and read-only: overlaps with the other heavy tests
	r := testRules(t)
	if n := len(loadLabeled(t, "triggers-blind8-test.yaml")); n != 441 {
		t.Fatalf("triggers-blind8-test.yaml has %d messages, want 441", n)
	}
	guardSet(t, r, "triggers-blind8-test.yaml", true, floors{precision: 0.94, recall: 0.915,
		kindRecall: recallOf(0.94, 0.84, 0.94, 0.87, 0.98), complaintP: 0.91, complaintR: 0.855})
}
