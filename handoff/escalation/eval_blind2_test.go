package escalation

import "testing"

// The second blind sets (triggers-blind2-*, complaints-blind-*) were written
// by someone who never saw the rules and split once into -dev (read and tuned
// on) and -test (held out: scored, never read; only aggregate numbers are
// logged for it, never its messages).

func TestBlind2DevEval(t *testing.T) {
	r := testRules(t)
	for _, name := range []string{"triggers-blind2-dev.yaml", "complaints-blind-dev.yaml", "triggers-probe.yaml"} {
		set := loadLabeled(t, name)
		evaluate(r, set).report(t, name, len(set))
	}
}

func TestBlind2HeldOutEval(t *testing.T) {
	r := testRules(t)
	for _, name := range []string{"triggers-blind2-test.yaml", "complaints-blind-test.yaml"} {
		set := loadLabeled(t, name)
		evaluate(r, set).reportAggregate(t, name, len(set))
	}
}
