package knowledge

import (
	"os"
	"testing"
)

// TestRefitWide (WARMLINE_REFIT=1) fits the confidence model on the
// calibration groups plus the wider dev pool's sets (blind5-test,
// blind6-8 dev halves, sparse and full demo KB) and prints the weights,
// the thresholds and the dev pool under them. Dev data only.
func TestRefitWide(t *testing.T) {
	if os.Getenv("WARMLINE_REFIT") == "" {
		t.Skip("set WARMLINE_REFIT=1")
	}
	groups, order := calibrationGroups(t, defaultTuning)
	if os.Getenv("WARMLINE_REFIT") == "wide" {
		for _, s := range []string{"blind5-test.yaml", "blind6-dev.yaml", "blind7-dev.yaml", "blind8-dev.yaml"} {
			cs := evalFile(t, s)
			groups["sparse-"+s] = collect(sparseDemoBase(t, defaultTuning), "sparse-"+s, cs)
			groups["full-"+s] = collect(demoBaseTuned(t, defaultTuning), "full-"+s, cs)
			order = append(order, "sparse-"+s, "full-"+s)
		}
	}
	w, zh, en, obj := fitScripts(groups, order)
	t.Logf("weights %.2f zh %.3f en %.3f obj %.1f%%", w, zh, en, 100*obj)
	tu := defaultTuning
	copy(tu.confidence[:], w)
	copy(tu.confidenceEN[:], w)
	if os.Getenv("WARMLINE_REFIT_EN") != "" {
		for _, e := range []float64{0.60, 0.65, 0.68, 0.70, 0.72} {
			tu.highConfidence, tu.highConfidenceEN = defaultTuning.highConfidence, e
			t.Logf("zh %.3f en %.3f\n%s", tu.highConfidence, e, devPool(t, tu))
		}
		return
	}
	for _, th := range [][2]float64{{zh, en}, {zh, 0.75}, {defaultTuning.highConfidence, en}} {
		tu.highConfidence, tu.highConfidenceEN = th[0], th[1]
		t.Logf("zh %.3f en %.3f\n%s", th[0], th[1], devPool(t, tu))
	}
}
