package escalation

import "testing"

// floors are the regression floors of one labeled set, as fractions; a zero
// floor is not checked. They sit a little under what was measured and catch
// regressions; they are not a target to tune to.
type floors struct {
	precision, recall      float64            // content triggers, micro-averaged
	kindRecall             map[string]float64 // per trigger kind
	complaintP, complaintR float64            // the complaint flag
}

// guardSet scores set name with the default rules (analyzedSet) and fails
// below its floors. heldOut logs the
// aggregate scores only (never the messages of a held-out set); otherwise
// the misses are logged too.
func guardSet(t *testing.T, name string, heldOut bool, f floors) {
	t.Helper()
	set := loadLabeled(t, name)
	res := evaluate(set, analyzedSet(t, name))
	if heldOut {
		res.reportAggregate(t, name, len(set))
	} else {
		res.report(t, name, len(set))
	}
	check := func(what string, got, min float64) {
		t.Helper()
		if min > 0 && got < min {
			t.Errorf("%s: %s = %.1f%%, want >= %.1f%%", name, what, 100*got, 100*min)
		}
	}
	check("triggers precision", res.overall.precision(), f.precision)
	check("triggers recall", res.overall.recall(), f.recall)
	for _, k := range []string{KindLegalMedia, KindSecurity, KindSupervisor, KindHuman, KindRefund} {
		if c := res.perKind[k]; c != nil {
			check(k+" recall", c.recall(), f.kindRecall[k])
		} else if f.kindRecall[k] > 0 {
			t.Errorf("%s: no %s messages, want recall >= %.1f%%", name, k, 100*f.kindRecall[k])
		}
	}
	check("complaint precision", res.complaint.precision(), f.complaintP)
	check("complaint recall", res.complaint.recall(), f.complaintR)
}

// recallOf lists per-kind recall floors: legal/media, security, supervisor,
// human, refund over the limit.
func recallOf(legal, security, supervisor, human, refund float64) map[string]float64 {
	return map[string]float64{KindLegalMedia: legal, KindSecurity: security, KindSupervisor: supervisor, KindHuman: human, KindRefund: refund}
}
