package knowledge

import (
	"os"
	"strings"
	"testing"
)

// TestRefitEN (WARMLINE_REFIT=en) fits the English confidence model on the
// English points of the calibration groups plus the dev pool's other sets
// (TestDevPool: blind5-test, blind6-10 dev, blind9-test on the sparse and
// the full demo KB) and prints, per English threshold, the sparse KBs'
// English direct, wrong and out-of-scope rates and CLINC's worst KB under
// the fitted model and the model in use. Dev data only.
func TestRefitEN(t *testing.T) {
	if os.Getenv("WARMLINE_REFIT") != "en" {
		t.Skip("set WARMLINE_REFIT=en")
	}
	tu := defaultTuning
	groups, order := calibrationGroups(t, tu)
	for _, s := range []string{"blind5-test.yaml", "blind6-dev.yaml", "blind7-dev.yaml", "blind8-dev.yaml", "blind9-dev.yaml", "blind9-test.yaml", "blind10-dev.yaml"} {
		cs := evalFile(t, s)
		groups["sparse-"+s] = collect(sparseDemoBase(t, tu), "sparse-"+s, cs)
		groups["full-"+s] = collect(demoBaseTuned(t, tu), "full-"+s, cs)
		order = append(order, "sparse-"+s, "full-"+s)
	}
	var en []point
	for _, g := range order {
		for _, p := range groups[g] {
			if p.ex.Script == EN {
				for range oosFitWeight {
					en = append(en, p)
					if p.inScope {
						break
					}
				}
			}
		}
	}
	fitted := tu
	copy(fitted.confidenceEN[:], fitLogistic(en))
	t.Logf("fitted %.2f", fitted.confidenceEN)
	for _, m := range []struct {
		name string
		tu   tuning
	}{{"in use", tu}, {"fitted", fitted}} {
		for th := 0.60; th <= 0.905; th += 0.01 {
			var sparse, full outcome
			worstCLINC := 0.0
			for _, g := range order {
				var o outcome
				for _, p := range groups[g] {
					if p.ex.Script != EN {
						continue
					}
					h := p.candidates && (p.exact || m.tu.probability(p.ex.features(p.nterms)) >= th)
					switch {
					case !p.inScope:
						o.oos++
						if h {
							o.oosHigh++
						}
					case h && p.right:
						o.in++
						o.direct++
					case h:
						o.in++
						o.wrong++
					default:
						o.in++
					}
				}
				switch {
				case strings.HasPrefix(g, "clinc"):
					worstCLINC = max(worstCLINC, rate(o.oosHigh, o.oos))
				case sparseGroup(g):
					sparse.in, sparse.direct, sparse.wrong, sparse.oos, sparse.oosHigh = sparse.in+o.in, sparse.direct+o.direct, sparse.wrong+o.wrong, sparse.oos+o.oos, sparse.oosHigh+o.oosHigh
				default:
					full.in, full.direct, full.wrong, full.oos, full.oosHigh = full.in+o.in, full.direct+o.direct, full.wrong+o.wrong, full.oos+o.oos, full.oosHigh+o.oosHigh
				}
			}
			t.Logf("%s %.2f: sparse en direct %.1f%% wrong %.1f%% oos %d/%d | full wrong %.1f%% oos %d/%d | clinc worst %.1f%%", m.name, th,
				100*rate(sparse.direct, sparse.in), 100*rate(sparse.wrong, sparse.in), sparse.oosHigh, sparse.oos,
				100*rate(full.wrong, full.in), full.oosHigh, full.oos, 100*worstCLINC)
		}
	}
}
