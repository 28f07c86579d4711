package escalation

import "testing"

// The eleventh blind sets (triggers-blind11-*, 705 messages, and
// complaints-blind11-*, 329) were written on 2026-12-03 by a helper
// (trigdata11) who saw only the SOP and the labelling guide, never the rules
// or the models, and split into -dev and -test (held out: only aggregate
// scores are logged, never its messages).

// TestBlind11DevEval scores the dev halves. They chose the trigger model's
// thresholds (TestKindModelDevEval, with the model trained without them),
// and the model in trigger_model.json is trained on them since, so these
// floors guard regressions, they measure nothing. Rules alone (6d34381):
// triggers-blind11-dev P 95.7% R 87.7% (security 97.8% / 75.9%), complaint
// P 91.4% R 85.9%; complaints-blind11-dev complaint P 98.0% R 76.9%. Rules
// and the model trained without them: P 95.6% R 96.1% (security 96.6% /
// 96.6% at threshold 1; 2.5 was chosen for security precision over both
// halves), complaint set P 98.2% R 84.6%. With the model trained on them:
// P 96.2% R 98.3%; complaint set P 98.5% R 100%.
func TestBlind11DevEval(t *testing.T) {
	t.Parallel() // independent and read-only: overlaps with the other heavy tests
	if n := len(loadLabeled(t, "triggers-blind11-dev.yaml")); n != 241 {
		t.Fatalf("triggers-blind11-dev.yaml has %d messages, want 241", n)
	}
	guardSet(t, "triggers-blind11-dev.yaml", false, floors{precision: 0.96, recall: 0.98,
		kindRecall: recallOf(0.98, 0.98, 0.98, 0.89, 0.98), complaintP: 0.92, complaintR: 0.97})
	guardSet(t, "complaints-blind11-dev.yaml", false, floors{complaintP: 0.98, complaintR: 0.99})
}

// TestBlind11HeldOutEval measures the held-out halves (triggers-blind11-test,
// 464 messages; complaints-blind11-test, 211): only their aggregate scores
// are logged, never their messages, and nothing was tuned on them. Scored
// twice, 2026-12-03: on the rules before the trigger model (6d34381, 12:10
// UTC) and on the rules with it (12:53 UTC, the last change to Analyze):
//
//	triggers-blind11-test: P 94.3% -> 94.7%, R 86.5% -> 93.2%;
//	  legal_media P 93.9% -> 94.2% R 83.6% -> 89.1%, security P 97.8% ->
//	  98.1% R 79.6% -> 91.2%, supervisor P 90.6% -> 90.9% R 92.3% -> 96.2%,
//	  human P 91.3% -> 92.0% R 85.7% -> 93.9%, refund_over_limit P 94.8%
//	  R 98.2% (unchanged); complaint P 92.4% -> 91.1% R 87.2% -> 89.7%.
//	complaints-blind11-test: complaint P 97.4% -> 96.5% R 76.0% -> 83.0%.
//
// Issue 11's trigger targets are not met: security (P1) recall 91.2%,
// legal/media 89.1%, human 93.9%; precision 94.7% (supervisor 90.9%, human
// 92.0%). The complaint target (P >= 95%, R >= 80%) is met on the
// complaint set. The floors are the "after" numbers rounded down.
func TestBlind11HeldOutEval(t *testing.T) {
	t.Parallel() // independent and read-only: overlaps with the other heavy tests
	if n := len(loadLabeled(t, "triggers-blind11-test.yaml")); n != 464 {
		t.Fatalf("triggers-blind11-test.yaml has %d messages, want 464", n)
	}
	guardSet(t, "triggers-blind11-test.yaml", true, floors{precision: 0.94, recall: 0.93,
		kindRecall: recallOf(0.89, 0.91, 0.96, 0.93, 0.98), complaintP: 0.91, complaintR: 0.89})
	guardSet(t, "complaints-blind11-test.yaml", true, floors{complaintP: 0.96, complaintR: 0.83})
}
