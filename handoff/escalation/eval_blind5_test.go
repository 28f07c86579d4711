package escalation

import "testing"

// The fifth blind sets (triggers-blind5-*, complaints-blind5-*) were written
// on 2026-12-01 by a helper who saw only the SOP, never the rules, the
// complaint model or the detector, and split once into -dev (read and tuned
// on) and -test (held out: only its aggregate scores are logged, never its
// messages; read once, at the end of the work it measures).

func TestBlind5DevEval(t *testing.T) {
	r := testRules(t)
	for _, name := range []string{"triggers-blind5-dev.yaml", "complaints-blind5-dev.yaml"} {
		set := loadLabeled(t, name)
		evaluate(r, set).report(t, name, len(set))
	}
}

// TestBlind5HeldOutEval scores the held-out halves, logging aggregate scores
// only, and guards them with floors a little under the values measured once
// at the end of the blind5 work (they catch regressions; never tune on these
// sets: write a new blind set to measure the next change). Issue 11's
// targets: recall >= 95% for every kind and precision >= 95% on triggers;
// complaint precision >= 95% and recall >= 80%.
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
// Trigger recall is short of its target for every kind but refunds.
func TestBlind5HeldOutEval(t *testing.T) {
	r := testRules(t)
	type floor struct {
		name     string
		got, min float64
	}
	var floors []floor
	for _, name := range []string{"triggers-blind5-test.yaml", "complaints-blind5-test.yaml"} {
		set := loadLabeled(t, name)
		res := evaluate(r, set)
		res.reportAggregate(t, name, len(set))
		switch name {
		case "triggers-blind5-test.yaml":
			floors = append(floors,
				floor{"triggers precision", res.overall.precision(), 0.94},
				floor{"triggers recall", res.overall.recall(), 0.9},
				floor{"legal_media recall", res.perKind[KindLegalMedia].recall(), 0.875},
				floor{"security recall", res.perKind[KindSecurity].recall(), 0.84},
				floor{"supervisor recall", res.perKind[KindSupervisor].recall(), 0.93},
				floor{"human recall", res.perKind[KindHuman].recall(), 0.87},
				floor{"refund_over_limit recall", res.perKind[KindRefund].recall(), 0.99},
				floor{"complaint precision (trigger set)", res.complaint.precision(), 0.85},
				floor{"complaint recall (trigger set)", res.complaint.recall(), 0.8},
			)
		case "complaints-blind5-test.yaml":
			floors = append(floors,
				floor{"complaint precision", res.complaint.precision(), 0.99},
				floor{"complaint recall", res.complaint.recall(), 0.8},
			)
		}
	}
	for _, f := range floors {
		if f.got < f.min {
			t.Errorf("held-out %s = %.1f%%, want >= %.1f%%", f.name, 100*f.got, 100*f.min)
		}
	}
}
