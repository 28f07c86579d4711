package escalation

import "testing"

// The third blind sets (triggers-blind3-*, complaints-blind3-*) were written
// on 2026-12-01 by a helper who never saw the rules or the detector, after
// the issue-11 trigger changes had started, and split once into -dev (read
// and tuned on) and -test (held out: only its aggregate scores are logged,
// never its messages, and nobody tuning has read it).

func TestBlind3DevEval(t *testing.T) {
	r := testRules(t)
	for _, name := range []string{"triggers-blind3-dev.yaml", "complaints-blind3-dev.yaml"} {
		set := loadLabeled(t, name)
		evaluate(r, set).report(t, name, len(set))
	}
}

func TestBlind3HeldOutEval(t *testing.T) {
	r := testRules(t)
	for _, name := range []string{"triggers-blind3-test.yaml", "complaints-blind3-test.yaml"} {
		set := loadLabeled(t, name)
		evaluate(r, set).reportAggregate(t, name, len(set))
	}
}
