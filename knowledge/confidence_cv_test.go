package knowledge

import (
	"fmt"
	"hash/fnv"
	"os"
	"strings"
	"testing"
)

// cvGroups are the points the confidence is fitted on (as the removed
// TestRefitNB did, at main 103ec28:
// calibrationGroups plus the wider dev sets on the sparse and the full
// demo KB), collected under tu. Dev data only.
func cvGroups(t *testing.T, tu tuning) (map[string][]point, []string) {
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

// cvFold is a question's fold: by its text, so a question asked of
// several KBs (CLINC's, a demo set's on the sparse and the full KB) is
// in one fold only.
func cvFold(p point, k int) int {
	h := fnv.New32a()
	h.Write([]byte(p.q))
	return int(h.Sum32() % uint32(k))
}

// cvTally counts a rule's decisions per language on the sparse KBs'
// questions, on the full demo KB's, and CLINC's against every KB.
type cvTally struct {
	sparse, full map[string]*outcome
	clinc        outcome
}

func newCVTally() *cvTally {
	return &cvTally{sparse: map[string]*outcome{}, full: map[string]*outcome{}}
}

func (c *cvTally) add(g string, p point, high bool) {
	h := p.candidates && (p.exact || high)
	if strings.HasPrefix(g, "clinc") {
		c.clinc.oos++
		if h {
			c.clinc.oosHigh++
		}
		return
	}
	m := c.full
	if sparseGroup(g) {
		m = c.sparse
	}
	for _, l := range []string{p.lang, "all"} {
		o := m[l]
		if o == nil {
			o = &outcome{}
			m[l] = o
		}
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
}

// cvProbs fits the two models (Chinese, English; fitLogistic with
// fitMask's features left out) on four folds of the points and returns,
// per group and point, the probability the fifth fold's model gives it:
// no point's probability comes from a model fitted on it.
func cvProbs(groups map[string][]point, order []string, k int) map[string][]float64 {
	out := map[string][]float64{}
	for _, g := range order {
		out[g] = make([]float64, len(groups[g]))
	}
	for f := range k {
		var zh, en []point
		for _, g := range order {
			for _, p := range groups[g] {
				if cvFold(p, k) == f {
					continue
				}
				if p.ex.Script == EN {
					en = append(en, p)
				} else {
					zh = append(zh, p)
				}
			}
		}
		var tu tuning
		zh, en = withOOSWeight(zh), withOOSWeight(en)
		copy(tu.confidence[:], fitLogistic(zh))
		copy(tu.confidenceEN[:], fitLogistic(en))
		for _, g := range order {
			for i, p := range groups[g] {
				if cvFold(p, k) == f {
					out[g][i] = tu.probability(p.ex.features(p.nterms))
				}
			}
		}
	}
	return out
}

// withOOSWeight repeats each out-of-scope point oosFitWeight times.
func withOOSWeight(ps []point) []point {
	var out []point
	for _, p := range ps {
		for range map[bool]int{true: oosFitWeight, false: 1}[!p.inScope] {
			out = append(out, p)
		}
	}
	return out
}

// cvCurve prints, for one script's questions and each threshold, the
// sparse KBs' direct and wrong rates per language, the full demo KB's,
// the dev sets' out-of-scope questions answered (sparse, full) and the
// worst KB's CLINC count, deciding each question by prob.
func cvCurve(t *testing.T, groups map[string][]point, order []string, prob map[string][]float64, script string, ths []float64) {
	for _, th := range ths {
		c := newCVTally()
		worst := 0
		for _, g := range order {
			n := 0
			for i, p := range groups[g] {
				if (p.ex.Script == EN) != (script == EN) {
					continue
				}
				h := prob[g][i] >= th
				c.add(g, p, h)
				if strings.HasPrefix(g, "clinc") && p.candidates && (p.exact || h) {
					n++
				}
			}
			worst = max(worst, n)
		}
		line := fmt.Sprintf("%s %.3f", script, th)
		for _, k := range []struct {
			name string
			m    map[string]*outcome
		}{{"sparse", c.sparse}, {"full", c.full}} {
			line += " | " + k.name
			for _, l := range []string{EN, ZhCN, ZhTW} {
				if o := k.m[l]; o != nil && o.in > 0 {
					line += fmt.Sprintf(" %s %.1f/%.1f", l, 100*rate(o.direct, o.in), 100*rate(o.wrong, o.in))
				}
			}
			if o := k.m["all"]; o != nil {
				line += fmt.Sprintf(" oos %d/%d", o.oosHigh, o.oos)
			}
		}
		t.Logf("%s | clinc %d (worst KB %d)", line, c.clinc.oosHigh, worst)
	}
}

// TestConfidenceCurveCV (WARMLINE_CV=curve) prints the threshold curves,
// per script, of the model in use (not refitted: its weights were fitted
// on most of these points) and of its features refitted by 5-fold
// cross-validation (cvProbs, cvCurve: no question decided by a model
// fitted on it), the honest baseline a new confidence feature must beat
// (WARMLINE_OOSW counts out-of-scope points more). Dev data only.
func TestConfidenceCurveCV(t *testing.T) {
	if os.Getenv("WARMLINE_CV") != "curve" {
		t.Skip("set WARMLINE_CV=curve")
	}
	groups, order := cvGroups(t, defaultTuning)
	ths := []float64{0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.825, 0.85, 0.875, 0.9, 0.925, 0.95}
	inUse := map[string][]float64{}
	for _, g := range order {
		for _, p := range groups[g] {
			inUse[g] = append(inUse[g], defaultTuning.probability(p.ex.features(p.nterms)))
		}
	}
	t.Log("model in use, not refitted")
	cvCurve(t, groups, order, inUse, EN, ths)
	cvCurve(t, groups, order, inUse, "zh", ths)
	if w := os.Getenv("WARMLINE_OOSW"); w != "" {
		fmt.Sscanf(w, "%d", &oosFitWeight)
	}
	prob := cvProbs(groups, order, 5)
	t.Log("the features in use, refitted per fold")
	cvCurve(t, groups, order, prob, EN, ths)
	cvCurve(t, groups, order, prob, "zh", ths)
}
