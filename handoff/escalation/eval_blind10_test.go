package escalation

import "testing"

// The tenth blind sets (triggers-blind10-*, 661 messages, and
// complaints-blind10-*, 315) were written on 2026-12-03 by a helper
// (trigdata10) who saw only the SOP and the labelling guide, never the rules,
// the complaint model or the detector, and split once into -dev (read and
// tuned on in the blind10 work) and -test (held out: only aggregate scores
// are logged, never its messages).

// TestBlind10DevEval scores the dev halves, tuned on in the blind10 work:
// their misses are logged and floors a little under what they score guard
// them (regression guards, not measurements). Before they were read (rules of
// 851705c): triggers-blind10-dev P 96.7% R 93.5% (legal_media P 100% R
// 95.8%, security 97.7% / 84.3%, supervisor 100% / 100%, human 95.8% /
// 95.8%, refund_over_limit 91.4% / 100%; complaint P 95.3% R 93.2%);
// complaints-blind10-dev complaint P 100% R 78.9% (en 52.6%). After:
// triggers P 100% R 100%, complaint P 95.6% R 98.9%; complaints-blind10-dev
// complaint P 100% R 96.5%.
func TestBlind10DevEval(t *testing.T) {
	t.Parallel() // independent and read-only: overlaps with the other heavy tests
	if n := len(loadLabeled(t, "triggers-blind10-dev.yaml")); n != 227 {
		t.Fatalf("triggers-blind10-dev.yaml has %d messages, want 227", n)
	}
	guardSet(t, "triggers-blind10-dev.yaml", false, floors{precision: 0.99, recall: 0.99,
		kindRecall: recallOf(0.98, 0.98, 0.98, 0.95, 0.98), complaintP: 0.95, complaintR: 0.98})
	guardSet(t, "complaints-blind10-dev.yaml", false, floors{complaintP: 0.99, complaintR: 0.96})
}

// TestBlind10HeldOutEval measures the held-out halves (triggers-blind10-test,
// 434 messages; complaints-blind10-test, 207): only their aggregate scores
// are logged, never their messages, and nothing was tuned on them. Scored
// once on the rules before the blind10 work (851705c) and once after it
// (0a40c19, the last rule change), 2026-12-03 09:29 UTC:
//
//	triggers-blind10-test: P 91.8% -> 92.2%, R 88.1% -> 88.5%;
//	  legal_media P 95.3% R 93.2% (unchanged), security P 95.9% R 74.5% ->
//	  75.5%, supervisor P 85.4% -> 87.5% R 97.2%, human P 89.7% R 97.2%
//	  (unchanged), refund_over_limit P 89.4% R 97.7% (unchanged); complaint
//	  P 94.1% R 89.4% (unchanged).
//	complaints-blind10-test: complaint P 97.4% R 69.4% (unchanged; en 58.3%).
//
// The dev half went from 96.7% / 93.5% to 100% / 100% and the held-out
// half gained 0.4 points each: the phrase families written from dev did not
// reach this writer's other messages. Issue 11's targets are not met here:
// security recall 75.5% (P1), precision 92.2% (supervisor 87.5%, human 89.7%,
// refunds 89.4%), complaint recall 69.4% on the complaint set. The floors were
// the "after" numbers rounded down.
//
// Scored a third time (aggregate only) when the trigger model landed
// (trig11, 2026-12-03), so no longer a clean measurement, a guard: P 92.4%
// R 96.4% (security 96.7% / 92.6%, legal_media 95.7% / 100%, human 87.8% /
// 100%), complaint P 93.6% R 92.3%; complaints-blind10-test complaint P 96.6%
// R 78.7%. The model's complaint head trades a little precision for recall
// (P 94.1 -> 93.6, 97.4 -> 96.6; R 89.4 -> 92.3, 69.4 -> 78.7): the
// precision floors were lowered to 0.93 and 0.96 for it, the recall floors
// raised to the new numbers rounded down. The model's thresholds were chosen
// on blind11-dev, not here.
func TestBlind10HeldOutEval(t *testing.T) {
	t.Parallel() // independent and read-only: overlaps with the other heavy tests
	if n := len(loadLabeled(t, "triggers-blind10-test.yaml")); n != 434 {
		t.Fatalf("triggers-blind10-test.yaml has %d messages, want 434", n)
	}
	guardSet(t, "triggers-blind10-test.yaml", true, floors{precision: 0.92, recall: 0.96,
		kindRecall: recallOf(0.99, 0.92, 0.97, 0.99, 0.97), complaintP: 0.93, complaintR: 0.92})
	guardSet(t, "complaints-blind10-test.yaml", true, floors{complaintP: 0.96, complaintR: 0.78})
}
