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
