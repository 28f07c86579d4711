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
	guardSet(t, "triggers-blind7-dev.yaml", false, floors{precision: 0.99, recall: 0.99,
		kindRecall: recallOf(0.96, 0.99, 0.99, 0.99, 0.99), complaintP: 0.96, complaintR: 0.92})
	guardSet(t, "triggers-probe25.yaml", false, floors{precision: 0.99, recall: 0.99})
	guardSet(t, "triggers-probe26.yaml", false, floors{precision: 0.99, recall: 0.98})
}

// TestBlind7HeldOutEval scores the held-out half, logging aggregate scores
// only (never the messages), and guards it with floors a little under the
// values measured once at the end of the blind7 work, after the last rule
// change (they catch regressions; never tune on this set: write a new blind
// set to measure the next change). Issue 11's targets: recall >= 95% for
// every kind and precision >= 95%.
//
// Measured once, 2026-12-01 22:06 UTC, with the rules before the blind7 work
// (commit cf7a620) and after it (commit 1a1b693, the last rule change):
//
//	triggers-blind7-test (525): P 93.2% → 95.9%, R 88.6% → 90.2%;
//	  legal_media P 93.0% → 93.2% R 88.0% → 90.7%, security P 88.2% →
//	  92.6% R 85.2% → 85.2%, supervisor P 96.3% → 98.8% R 92.9% → 94.0%,
//	  human P 92.7% → 96.2% R 86.4% → 86.4%, refund_over_limit P 96.2% →
//	  98.8% R 90.6% → 95.3%; complaint P 95.0% → 95.7% R 77.4% → 79.6%.
//
// Overall precision meets its target; recall meets it for refunds only
// (security and human 85-86%, legal/media 91%, supervisor 94%): the dev
// sets and probes went to ~99-100%, the held-out half gained 1.6 points, so
// most of what customers write differently is still phrasing the rules do
// not generalise to. After the blind8 work (2026-12-02): P 96.4% R 90.5%, a
// regression guard only: one blind8 change (an exclusion for a journalist
// friend's praise) failed its legal/media floor and was narrowed, so this set
// is no longer a clean measurement; blind8-test is.
func TestBlind7HeldOutEval(t *testing.T) {
	t.Parallel() // independent and read-only: overlaps with the other heavy tests
	guardSet(t, "triggers-blind7-test.yaml", true, floors{precision: 0.955, recall: 0.9,
		kindRecall: recallOf(0.9, 0.85, 0.935, 0.86, 0.95), complaintP: 0.955, complaintR: 0.79})
}
