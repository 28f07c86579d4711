package escalation

import "testing"

// The sixth blind sets (triggers-blind6-*, complaints-blind6-*) were written
// on 2026-12-01 by a helper who saw only the SOP, never the rules, the
// complaint model or the detector, and split once into -dev (read and tuned
// on: its scores before it was read are in README) and -test (held out until
// the blind7 work: scored once at the end of the blind6 work, then made dev
// data: read, tuned on and trained on since, so they measure nothing held out
// any more; blind7-test does).

func TestBlind6DevEval(t *testing.T) {
	t.Parallel() // independent and read-only: overlaps with the other heavy tests
	for _, name := range []string{"triggers-blind6-dev.yaml", "complaints-blind6-dev.yaml", "triggers-probe8.yaml", "triggers-probe9.yaml", "triggers-probe10.yaml", "triggers-probe11.yaml", "triggers-probe12.yaml", "triggers-probe13.yaml", "triggers-probe14.yaml", "complaints-probe4.yaml", "triggers-probe15.yaml", "triggers-probe16.yaml", "triggers-probe17.yaml", "triggers-probe18.yaml", "triggers-probe19.yaml", "triggers-probe20.yaml", "complaints-probe5.yaml", "triggers-probe21.yaml", "triggers-probe22.yaml", "triggers-probe23.yaml", "triggers-probe24.yaml"} {
		set := loadLabeled(t, name)
		evaluate(set, analyzedSet(t, name)).report(t, name, len(set))
	}
}

// TestBlind6TestHalvesEval scores the former held-out halves (dev data since
// the blind7 work: their misses are logged) and keeps the floors set at the
// end of the blind6 work, as regression guards on data now tuned on. Issue
// 11's targets: recall >= 95% for every kind and precision >= 95% on
// triggers; complaint precision >= 95% and recall >= 80%.
//
// Measured once, 2026-12-01 18:50 UTC, after the last rule change, with the
// rules before the blind6 work (commit a4a2787) and after it (see README):
//
//	triggers-blind6-test (398): P 91.5% → 93.2%, R 88.8% → 91.8%;
//	  legal_media P 87.0% → 91.1% R 87.0% → 89.1%, security P 93.1% →
//	  96.6% R 85.7% → 90.5%, supervisor P 95.8% → 95.8% R 90.2% → 90.2%,
//	  human P 82.1% → 83.1% R 90.2% → 96.1%, refund_over_limit P 100% →
//	  100% R 91.2% → 93.0%; complaint P 87.7% → 90.9% R 81.5% → 82.8%.
//	complaints-blind6-test (162): complaint P 98.4% → 100% R 76.5% → 85.2%.
//
// Trigger recall was short of 95% for every kind but human, and precision
// of 95% (human precision was 83.1%: 10 false fires); complaint precision on
// the trigger set was short of 95%. Complaint precision and recall on the
// complaint set met the targets. After the blind7 work (tuned on these
// sets, the complaint model trained on them): see TestBlind7HeldOutEval and
// README.
func TestBlind6TestHalvesEval(t *testing.T) {
	t.Parallel() // independent and read-only: overlaps with the other heavy tests
	guardSet(t, "triggers-blind6-test.yaml", false, floors{precision: 0.93, recall: 0.915,
		kindRecall: recallOf(0.885, 0.9, 0.9, 0.955, 0.925), complaintP: 0.905, complaintR: 0.825})
	guardSet(t, "complaints-blind6-test.yaml", false, floors{complaintP: 0.995, complaintR: 0.845})
}
