package escalation

import "testing"

// The sixth blind sets (triggers-blind6-*, complaints-blind6-*) were written
// on 2026-12-01 by a helper who saw only the SOP, never the rules, the
// complaint model or the detector, and split once into -dev (read and tuned
// on: its scores before it was read are in README) and -test (held out: only
// its aggregate scores are logged, never its messages).

func TestBlind6DevEval(t *testing.T) {
	r := testRules(t)
	for _, name := range []string{"triggers-blind6-dev.yaml", "complaints-blind6-dev.yaml", "triggers-probe8.yaml", "triggers-probe9.yaml", "triggers-probe10.yaml", "triggers-probe11.yaml", "triggers-probe12.yaml", "triggers-probe13.yaml", "triggers-probe14.yaml", "complaints-probe4.yaml", "triggers-probe15.yaml", "triggers-probe16.yaml", "triggers-probe17.yaml", "triggers-probe18.yaml", "triggers-probe19.yaml", "triggers-probe20.yaml", "complaints-probe5.yaml"} {
		set := loadLabeled(t, name)
		evaluate(r, set).report(t, name, len(set))
	}
}
