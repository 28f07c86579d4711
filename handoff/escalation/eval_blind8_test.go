package escalation

import "testing"

// The eighth blind set (triggers-blind8-*) was written on 2026-12-02 by a
// helper who saw only the SOP and the blind7 file's header (the labelling
// guide, copied into this set's header), never the rules, the complaint
// model or the detector, and split once into -dev (read and tuned on) and
// -test (held out until the blind9 work, which read and tuned on it: see
// TestBlind8TestHalfEval).

// TestBlind8DevEval scores the dev half and the blind8 work's own probes
// (triggers-probe27), both tuned on: their misses are logged,
// and floors a little under what it scores guard it (regression guards, not
// measurements). Before it was read (rules of ed758a4): P 96.4% R 90.5%;
// after the blind8 work: P 100% R 98.6%.
func TestBlind8DevEval(t *testing.T) {
	t.Parallel() // independent and read-only: overlaps with the other heavy tests
	guardSet(t, "triggers-blind8-dev.yaml", false, floors{precision: 0.99, recall: 0.98,
		kindRecall: recallOf(0.99, 0.99, 0.99, 0.93, 0.99), complaintP: 0.96, complaintR: 0.88})
	// the blind8 work's own probes (written after reading the rules: tuned on)
	guardSet(t, "triggers-probe27.yaml", false, floors{precision: 0.99, recall: 0.99})
}

// TestBlind8TestHalfEval scores the former held-out half, which is dev data
// since the blind9 work (2026-12-02): it had been scored twice and never
// read; the blind9 work read its misses and tuned on them, so its floors are
// dev floors (regression guards a little under what it scores, not
// measurements), and its misses are logged. The clean measurement was then
// triggers-blind9-test (TestBlind9TestHalfEval, itself dev data since the
// blind10 work).
//
// As a held-out set it measured, before the blind8 work (rules of ed758a4)
// P 93.9% R 90.1% and after it (5073990) P 94.4% R 91.9% (legal_media P
// 86.4% R 94.4%, security P 100% R 84.3%, supervisor 94.5%/94.5%, human
// 92.3%/87.3%, refund_over_limit 100%/98.3%; complaint 91.3%/86.0%). Tuned
// on in the blind9 work: P 100% R 100%, complaint P 96.1% R 86.5%.
func TestBlind8TestHalfEval(t *testing.T) {
	t.Parallel() // independent and read-only: overlaps with the other heavy tests
	if n := len(loadLabeled(t, "triggers-blind8-test.yaml")); n != 441 {
		t.Fatalf("triggers-blind8-test.yaml has %d messages, want 441", n)
	}
	guardSet(t, "triggers-blind8-test.yaml", false, floors{precision: 0.99, recall: 0.99,
		kindRecall: recallOf(0.98, 0.98, 0.98, 0.98, 0.98), complaintP: 0.95, complaintR: 0.85})
}
