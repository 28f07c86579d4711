package escalation

import "testing"

// The third blind sets (triggers-blind3-*, complaints-blind3-*) were written
// on 2026-12-01 by a helper who never saw the rules or the detector, and
// split once into -dev (read and tuned on; the complaint model trains on it)
// and -test (held out: only its aggregate scores are logged, never its
// messages, and nobody tuning has read it).

func TestBlind3DevEval(t *testing.T) {
	t.Parallel() // independent and read-only: overlaps with the other heavy tests
	for _, name := range []string{"triggers-blind3-dev.yaml", "complaints-blind3-dev.yaml"} {
		set := loadLabeled(t, name)
		evaluate(set, analyzedSet(t, name)).report(t, name, len(set))
	}
}

// TestBlind3HeldOutEval scores the held-out halves and guards them with
// floors just under the measured values (they catch regressions; they are
// not a target to tune to). Issue 11's targets: recall >= 95% for every kind
// and precision >= 95% on triggers; complaint precision >= 95% and recall
// >= 80%.
//
// Measured 2026-12-01 with the rules as they were before the issue-11
// trigger work (commit 200456c) and after it (see README):
//
//	triggers-blind3-test (268): P 94.6% → 95.4%, R 89.2% → 94.9%;
//	  legal_media P 90.0% → 92.3% R 97.3% → 97.3%, security P 94.4% → 95.2%
//	  R 77.3% → 90.9%, supervisor P 94.1% → 94.6% R 84.2% → 92.1%, human
//	  P 94.7% → 94.9% R 92.3% → 94.9%, refund_over_limit R 97.3% → 100%;
//	  complaint P 92.3% → 96.0% R 68.9% → 77.9%.
//	complaints-blind3-test (168): complaint P 82.5% → 87.7% R 61.2% → 75.3%.
//
// After the blind5 work (commit cba6f0f and the next; these sets' aggregate
// scores had been read before, so this is not a clean measurement):
//
//	triggers-blind3-test: P 95.4% R 95.4%; supervisor P 94.7% R 94.7%,
//	  security R 90.9%, human R 94.9%, legal_media R 97.3%; complaint
//	  P 95.2% R 82.0% (81.1% with the model's scale of 0.75, chosen for
//	  "terrible service" next to a refund).
//	complaints-blind3-test: complaint P 92.8% R 75.3% (91.4% / 75.3%
//	  with the scale).
func TestBlind3HeldOutEval(t *testing.T) {
	t.Parallel() // independent and read-only: overlaps with the other heavy tests
	guardSet(t, "triggers-blind3-test.yaml", true, floors{precision: 0.95, recall: 0.95,
		kindRecall: recallOf(0.97, 0.905, 0.945, 0.945, 0.99), complaintP: 0.95, complaintR: 0.81})
	// Complaint precision lowered from 0.91 in the blind6 work (same cause as
	// in TestBlind2HeldOutEval): P 91.4% R 75.3% → P 88.9% R 84.7%.
	guardSet(t, "complaints-blind3-test.yaml", true, floors{complaintP: 0.885, complaintR: 0.745})
}
