package escalation

import "testing"

// The fifth blind sets (triggers-blind5-*, complaints-blind5-*) were written
// on 2026-12-01 by a helper who saw only the SOP, never the rules, the
// complaint model or the detector, and split once into -dev (read and tuned
// on) and -test (held out until the blind6 work: scored once at the end of
// the blind5 work, then made dev data: read, tuned on and trained on since,
// so they measure nothing held out any more; blind6-test does).

func TestBlind5DevEval(t *testing.T) {
	t.Parallel() // independent and read-only: overlaps with the other heavy tests
	for _, name := range []string{"triggers-blind5-dev.yaml", "complaints-blind5-dev.yaml"} {
		set := loadLabeled(t, name)
		evaluate(set, analyzedSet(t, name)).report(t, name, len(set))
	}
}

// TestBlind5TestHalvesEval scores the former held-out halves (dev data since
// the blind6 work: their misses are logged) and keeps the floors set at the
// end of the blind5 work, as regression guards on data now tuned on. Issue
// 11's targets: recall >= 95% for every kind and precision >= 95% on
// triggers; complaint precision >= 95% and recall >= 80%.
//
// Measured once, 2026-12-01, with the rules before the blind5 work (commit
// aeb52bb) and after it (see README):
//
//	triggers-blind5-test (289): P 91.8% → 94.6%, R 90.2% → 90.8%;
//	  legal_media P 85.3% → 90.6% R 87.9% → 87.9%, security P 94.3% → 94.3%
//	  R 84.6% → 84.6%, supervisor P 85.7% → 90.9% R 93.8% → 93.8%, human
//	  P 93.3% → 96.6% R 87.5% → 87.5%, refund_over_limit P 100% → 100%
//	  R 97.3% → 100%; complaint P 82.9% → 85.1% R 80.8% → 80.8%.
//	complaints-blind5-test (177): complaint P 100% → 100% R 69.7% → 80.8%.
//
// Trigger recall was short of its target for every kind but refunds. After
// the blind6 work (tuned on these sets): triggers P 100% R 100%; complaint
// P 96.2% R 96.2% (trigger set), P 100% R 98.0% (complaint set).
func TestBlind5TestHalvesEval(t *testing.T) {
	t.Parallel() // independent and read-only: overlaps with the other heavy tests
	guardSet(t, "triggers-blind5-test.yaml", false, floors{precision: 0.94, recall: 0.9,
		kindRecall: recallOf(0.875, 0.84, 0.93, 0.87, 0.99), complaintP: 0.85, complaintR: 0.8})
	guardSet(t, "complaints-blind5-test.yaml", false, floors{complaintP: 0.99, complaintR: 0.8})
}
