package knowledge

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestNBSweep (WARMLINE_NB="alpha,answer,temp,rank,rankEN;...") prints the dev
// pool (TestDevPool) for each classifier setting. Dev data only.
func TestNBSweep(t *testing.T) {
	spec := os.Getenv("WARMLINE_NB")
	if spec == "" {
		t.Skip("set WARMLINE_NB")
	}
	for _, s := range strings.Split(spec, ";") {
		tu := defaultTuning
		if _, err := fmt.Sscanf(s, "%g,%g,%g,%g,%g", &tu.nbAlpha, &tu.nbAnswer, &tu.nbTemp, &tu.nbRank, &tu.nbRankEN); err != nil {
			t.Fatal(err)
		}
		t.Logf("nb %s\n%s", s, devPool(t, tu))
	}
}

// TestRefitNB (WARMLINE_REFIT_NB="alpha,answer,temp,rank,rankEN,featTemp") fits
// the two confidence models (Chinese, English) with the classifier set so
// on the calibration groups plus the wider dev sets (blind5-test,
// blind6-10 dev, blind9-test; sparse and full demo KB), prints them and
// the dev pool under them. Dev data only.
func TestRefitNB(t *testing.T) {
	spec := os.Getenv("WARMLINE_REFIT_NB")
	if spec == "" {
		t.Skip("set WARMLINE_REFIT_NB")
	}
	tu := defaultTuning
	if _, err := fmt.Sscanf(spec, "%g,%g,%g,%g,%g,%g", &tu.nbAlpha, &tu.nbAnswer, &tu.nbTemp, &tu.nbRank, &tu.nbRankEN, &tu.nbFeatTemp); err != nil {
		t.Fatal(err)
	}
	groups, order := calibrationGroups(t, tu)
	sparse, full := sparseDemoBase(t, tu), demoBaseTuned(t, tu)
	for _, s := range wideDevSets {
		cs := evalFile(t, s)
		groups["sparse-"+s] = collect(sparse, "sparse-"+s, cs)
		groups["full-"+s] = collect(full, "full-"+s, cs)
		order = append(order, "sparse-"+s, "full-"+s)
	}
	fit, obj := fitPerScript(tu, groups, order)
	t.Logf("zh weights %.2f\nen weights %.2f\nzh %.3f en %.3f obj %.1f%%", fit.confidence, fit.confidenceEN, fit.highConfidence, fit.highConfidenceEN, 100*obj)
	for _, d := range [][2]float64{{0, 0}, {-0.05, 0}, {0, -0.05}, {-0.1, -0.1}} {
		_, ok, line := evalRule(groups, order, scriptRule(fit, fit.highConfidence+d[0], fit.highConfidenceEN+d[1]))
		t.Logf("%+.2f %+.2f ok %v %s", d[0], d[1], ok, line)
	}
	if os.Getenv("WARMLINE_OOSPROBE") != "" {
		for _, g := range order {
			if strings.HasPrefix(g, "clinc") {
				continue
			}
			for _, p := range groups[g] {
				pr := fit.probability(p.ex.features(p.nterms))
				if !p.inScope && p.candidates && (p.exact || pr >= 0.75) {
					t.Logf("OOS %s %.3f cov %.2f unk %.2f post %.2f lead %.2f %v", g, pr, p.ex.Coverage, p.ex.Unknown, p.ex.Posterior, p.ex.NBLead, p.ex.Terms)
				}
			}
		}
	}
	if os.Getenv("WARMLINE_LIMITS") != "" {
		for _, lim := range []*float64{&limitWrong, &limitWrongScript, &limitOOS, &limitCLINC} {
			old := *lim
			*lim = 1
			z, e, o := gridScripts(fit, groups, order)
			t.Logf("limit relaxed %.3f: zh %.3f en %.3f obj %.1f%%", old, z, e, 100*o)
			*lim = old
		}
	}
	t.Logf("dev pool\n%s", devPool(t, fit))
}

// wideDevSets are the demo-KB sets the confidence is fitted on beyond
// calibrationGroups' (all dev: blind9-test was declared dev on
// 2026-12-03, having been scored twice).
var wideDevSets = []string{"blind5-test.yaml", "blind6-dev.yaml", "blind7-dev.yaml", "blind8-dev.yaml", "blind9-dev.yaml", "blind9-test.yaml", "blind10-dev.yaml"}

// curve prints, for one script's questions (EN or "zh") and each High
// threshold, the sparse KBs' pooled direct and wrong rates, the full demo
// KB's wrong rate, the out-of-scope answered rates (sparse, full) and the
// worst CLINC rate against one KB, under tu's model for that script.
func curve(t *testing.T, tu tuning, groups map[string][]point, order []string, script string, ths []float64) {
	for _, th := range ths {
		var sp, fu outcome
		worst := 0.0
		for _, g := range order {
			var o outcome
			for _, p := range groups[g] {
				if (p.ex.Script == EN) != (script == EN) {
					continue
				}
				h := p.candidates && (p.exact || tu.probability(p.ex.features(p.nterms)) >= th)
				if !p.inScope {
					o.oos++
					if h {
						o.oosHigh++
					}
					continue
				}
				o.in++
				if h && p.right {
					o.direct++
				} else if h {
					o.wrong++
				}
			}
			switch {
			case strings.HasPrefix(g, "clinc"):
				worst = max(worst, rate(o.oosHigh, o.oos))
				continue
			case sparseGroup(g):
				sp.in, sp.direct, sp.wrong, sp.oos, sp.oosHigh = sp.in+o.in, sp.direct+o.direct, sp.wrong+o.wrong, sp.oos+o.oos, sp.oosHigh+o.oosHigh
			default:
				fu.in, fu.direct, fu.wrong, fu.oos, fu.oosHigh = fu.in+o.in, fu.direct+o.direct, fu.wrong+o.wrong, fu.oos+o.oos, fu.oosHigh+o.oosHigh
			}
		}
		t.Logf("%s %.3f sparse direct %.1f wrong %.1f | full direct %.1f wrong %.1f | oos sparse %d/%d full %d/%d | clinc worst %.1f",
			script, th, 100*rate(sp.direct, sp.in), 100*rate(sp.wrong, sp.in), 100*rate(fu.direct, fu.in), 100*rate(fu.wrong, fu.in),
			sp.oosHigh, sp.oos, fu.oosHigh, fu.oos, 100*worst)
	}
}

// TestCurveNB (WARMLINE_CURVE="alpha,answer,temp,rank,rankEN,featTemp")
// prints the threshold curves of the default tuning's models and of
// models refitted with the classifier so set. Dev data only.
func TestCurveNB(t *testing.T) {
	spec := os.Getenv("WARMLINE_CURVE")
	if spec == "" {
		t.Skip("set WARMLINE_CURVE")
	}
	wide := func(tu tuning) (map[string][]point, []string) {
		groups, order := calibrationGroups(t, tu)
		sparse, full := sparseDemoBase(t, tu), demoBaseTuned(t, tu)
		for _, s := range wideDevSets {
			cs := evalFile(t, s)
			groups["sparse-"+s] = collect(sparse, "sparse-"+s, cs)
			groups["full-"+s] = collect(full, "full-"+s, cs)
			order = append(order, "sparse-"+s, "full-"+s)
		}
		return groups, order
	}
	ths := []float64{0.6, 0.65, 0.7, 0.72, 0.75, 0.765, 0.78, 0.8, 0.82, 0.85, 0.87, 0.9, 0.92, 0.95}
	if os.Getenv("WARMLINE_CURVE_BASE") != "" {
		for _, b := range []struct {
			name string
			tu   tuning
		}{{"in use (main 851705c)", defaultTuning}, {"classifier", classifierTuning()}} {
			g, o := wide(b.tu)
			t.Log(b.name)
			curve(t, b.tu, g, o, EN, ths)
			curve(t, b.tu, g, o, "zh", ths)
		}
	}
	tu := defaultTuning
	if _, err := fmt.Sscanf(spec, "%g,%g,%g,%g,%g,%g", &tu.nbAlpha, &tu.nbAnswer, &tu.nbTemp, &tu.nbRank, &tu.nbRankEN, &tu.nbFeatTemp); err != nil {
		t.Fatal(err)
	}
	if e := os.Getenv("WARMLINE_NBEN"); e != "" { // answerEN,rankEN
		if _, err := fmt.Sscanf(e, "%g,%g", &tu.nbAnswerEN, &tu.nbRankEN); err != nil {
			t.Fatal(err)
		}
	}
	g, o := wide(tu)
	if w := os.Getenv("WARMLINE_OOSW"); w != "" {
		fmt.Sscanf(w, "%d", &oosFitWeight)
	}
	fit := tu
	if os.Getenv("WARMLINE_CURVE_NOFIT") == "" {
		fit, _ = fitPerScript(tu, g, o)
	}
	if os.Getenv("WARMLINE_EN_SHARED") != "" {
		fit.confidenceEN = mainTuning().confidence // the shared model of the 2026-12-01 fourth round
	}
	t.Logf("refit %s\nzh %.2f\nen %.2f", spec, fit.confidence, fit.confidenceEN)
	curve(t, fit, g, o, EN, ths)
	curve(t, fit, g, o, "zh", ths)
}

// mainTuning is the matcher as it was on main at 851705c and as it runs
// now: the classifier off.
func mainTuning() tuning { return defaultTuning }

// classifierTuning is the classifier as measured on 2026-12-03 (README):
// half of a Chinese question's ranking score, the Chinese confidence model
// refitted on dev with its three features (TestCurveNB with
// WARMLINE_OOSW=2), High 0.80 for Chinese, menu floors 0.07 / 0.02.
// Not the default: it fails two e2e tests of cmd/warmline (README).
func classifierTuning() tuning {
	tu := defaultTuning
	tu.nbRank = 0.5
	tu.confidence = [numFeatures]float64{2.16, 2.79, 0.06, -0.67, 0.22, 0.43, -2.29, 2.52, 2.38, 0, 1.86, 1.46, -0.72, 0.75, -11.05}
	tu.highConfidence = 0.80
	tu.mediumConfidence, tu.mediumConfidenceEN = 0.07, 0.02
	return tu
}

// TestDevPoolBeforeAfter (WARMLINE_POOL=ba) prints the dev pool under
// main 851705c's matcher (the one in use) and with the classifier.
func TestDevPoolBeforeAfter(t *testing.T) {
	if os.Getenv("WARMLINE_POOL") != "ba" {
		t.Skip("set WARMLINE_POOL=ba")
	}
	t.Logf("main 851705c\n%s", devPool(t, mainTuning()))
	if r := os.Getenv("WARMLINE_MAINRANK"); r != "" {
		for _, x := range strings.Split(r, ",") {
			tu := mainTuning()
			fmt.Sscanf(x, "%g", &tu.nbRank)
			t.Logf("main with the classifier ranking at %s\n%s", x, devPool(t, tu))
		}
	}
	t.Logf("classifier\n%s", devPool(t, classifierTuning()))
}
