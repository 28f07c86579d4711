package knowledge

import (
	"context"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
)

// point is one question's decision numbers, for calibration.
type point struct {
	set     string
	q, lang string // the question and its language
	ex      Explanation
	nterms  int
	exact   bool
	inScope bool
	right   bool // best candidate is the wanted entry
	offered bool // wanted entry among the candidates
	// candidates: the matcher returned any (without, nothing is answered)
	candidates bool
}

func collect(b *Base, set string, cases []EvalCase) []point {
	var ps []point
	for _, c := range cases {
		m, ex := b.Explain(context.Background(), c.Q, c.Lang)
		p := point{set: set, q: c.Q, lang: c.Lang, ex: ex, nterms: len(ex.Terms), exact: ex.Exact, inScope: c.Want != ""}
		p.candidates = len(m.Candidates) > 0
		p.right = p.inScope && bestID(m) == c.Want
		for _, k := range m.Candidates {
			if k.Entry.ID == c.Want {
				p.offered = true
			}
		}
		ps = append(ps, p)
	}
	return ps
}

// outcome counts a High rule's decisions on a group of points.
type outcome struct{ in, direct, wrong, oos, oosHigh int }

// calibrationGroups collects the points of every dev set and of CLINC's
// out-of-scope queries against every dev KB (the sparse demo KB, the full
// demo KB, each sparse shop KB): negatives from KBs of other kinds, so the
// model learns what a question no shop covers looks like, not what the
// demo KB lacks.
func calibrationGroups(t *testing.T, tu tuning) (map[string][]point, []string) {
	groups := map[string][]point{}
	var order []string
	for _, s := range devSets(t) {
		groups[s.name] = collect(s.base(tu), s.name, s.cases)
		order = append(order, s.name)
	}
	if oos := clincCases(t); oos != nil {
		groups["clinc-full"] = collect(demoBaseTuned(t, tu), "clinc-full", oos)
		groups["clinc-sparse"] = collect(sparseDemoBase(t, tu), "clinc-sparse", oos)
		order = append(order, "clinc-full", "clinc-sparse")
		for _, shop := range sparseShops() {
			g := "clinc-" + shop
			groups[g] = collect(shopKB(t, shop, tu), g, oos)
			order = append(order, g)
		}
	}
	return groups, order
}

// TestCLINCProbe (WARMLINE_CLINC=1) prints the CLINC queries with the
// highest coverage against the sparse demo KB.
func TestCLINCProbe(t *testing.T) {
	if os.Getenv("WARMLINE_CLINC") == "" {
		t.Skip("set WARMLINE_CLINC=1")
	}
	b := sparseDemoBase(t, defaultTuning)
	for _, c := range clincCases(t) {
		m, ex := b.Explain(context.Background(), c.Q, EN)
		if ex.Coverage >= 0.5 {
			t.Logf("%.2f %.2f %d %q %v -> %s", ex.Coverage, ex.Margin, ex.Matched, c.Q, ex.Terms, bestID(m))
		}
	}
}

// TestDevProbe (WARMLINE_DEVPROBE=dev.yaml) prints the decision numbers of
// the sparse demo KB's rank-1-right answers on a dev set.
func TestDevProbe(t *testing.T) {
	name := os.Getenv("WARMLINE_DEVPROBE")
	if name == "" || strings.Contains(name, "test") {
		t.Skip("set WARMLINE_DEVPROBE to a dev set")
	}
	b := sparseDemoBase(t, defaultTuning)
	for _, c := range evalFile(t, name) {
		m, ex := b.Explain(context.Background(), c.Q, c.Lang)
		t.Logf("%v %.2f %.2f %d/%d %s %q %v -> %s", bestID(m) == c.Want, ex.Coverage, ex.Margin, ex.Matched, len(ex.Terms), c.Lang, c.Q, ex.Terms, bestID(m))
	}
}

func features(p point) []float64 {
	f := p.ex.features(p.nterms)
	for i, off := range fitMask {
		if off {
			f[i] = 0
		}
	}
	return f[:]
}

// fitMask leaves features out of fitLogistic (their weights stay 0), for
// comparing feature sets (cvProbs).
var fitMask [numFeatures]bool

// fitLogistic fits P(best entry right) on the points (exact-example hits
// and questions without a candidate left out: they are decided without
// the model) by Newton's method with a small L2 penalty on every weight
// but the intercept.
func fitLogistic(ps []point) []float64 {
	const l2 = 0.1
	n := numFeatures
	w := make([]float64, n)
	var xs [][]float64
	var ys []float64
	for _, p := range ps {
		if p.exact || !p.candidates {
			continue
		}
		xs = append(xs, features(p))
		y := 0.0
		if p.right {
			y = 1
		}
		ys = append(ys, y)
	}
	for it := 0; it < 60; it++ {
		g := make([]float64, n)
		h := make([][]float64, n)
		for i := range h {
			h[i] = make([]float64, n)
			h[i][i] = l2
			g[i] = l2 * w[i]
		}
		h[n-1][n-1], g[n-1] = 1e-6, 0 // the intercept
		for k, x := range xs {
			var z float64
			for i := range w {
				z += w[i] * x[i]
			}
			q := 1 / (1 + math.Exp(-z))
			for i := range w {
				g[i] += (q - ys[k]) * x[i]
				for j := range w {
					h[i][j] += q * (1 - q) * x[i] * x[j]
				}
			}
		}
		step := solve(h, g)
		var norm float64
		for i := range w {
			w[i] -= step[i]
			norm += step[i] * step[i]
		}
		if norm < 1e-12 {
			break
		}
	}
	return w
}

// solve returns x with a x = b (Gaussian elimination, partial pivoting).
func solve(a [][]float64, b []float64) []float64 {
	n := len(b)
	m := make([][]float64, n)
	for i := range a {
		m[i] = append(append([]float64{}, a[i]...), b[i])
	}
	for c := 0; c < n; c++ {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[p][c]) {
				p = r
			}
		}
		m[c], m[p] = m[p], m[c]
		for r := c + 1; r < n; r++ {
			f := m[r][c] / m[c][c]
			for k := c; k <= n; k++ {
				m[r][k] -= f * m[c][k]
			}
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		x[r] = m[r][n]
		for k := r + 1; k < n; k++ {
			x[r] -= m[r][k] * x[k]
		}
		x[r] /= m[r][r]
	}
	return x
}

// Calibration limits, on the dev points: confidently wrong answers out of
// the pooled in-scope questions of the sparse KBs (and of the full demo
// KB), out-of-scope questions answered out of the dev sets' pooled
// out-of-scope ones, and out of CLINC's 200 against each KB (the ceiling
// TestMatcherFloors holds).
var (
	limitWrong = 0.02
	// limitWrongScript holds for each script's (Chinese, English) pooled
	// sparse questions alone.
	limitWrongScript = 0.02
	limitOOS         = 0.03
	limitCLINC       = 0.025
)

func sparseGroup(g string) bool { return !strings.HasPrefix(g, "full") && g != "clinc-full" }

// evalRule scores a High rule on the groups: the share of the sparse KBs'
// pooled in-scope dev questions answered directly and right (the
// objective), whether the limits hold, and a line of per-group numbers
// (direct / wrong, or out of scope answered), then the sparse KBs'
// pooled wrong and out-of-scope rates.
func evalRule(groups map[string][]point, order []string, high func(point) bool) (obj float64, ok bool, line string) {
	var sparse, full outcome
	ok = true
	var sb strings.Builder
	for _, g := range order {
		var o outcome
		for _, p := range groups[g] {
			h := p.candidates && (p.exact || high(p))
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
		if strings.HasPrefix(g, "clinc") {
			if rate(o.oosHigh, o.oos) > limitCLINC {
				ok = false
			}
			fmt.Fprintf(&sb, " %.1f |", 100*rate(o.oosHigh, o.oos))
			continue
		}
		pool := &full
		if sparseGroup(g) {
			pool = &sparse
		}
		pool.in += o.in
		pool.direct += o.direct
		pool.wrong += o.wrong
		pool.oos += o.oos
		pool.oosHigh += o.oosHigh
		fmt.Fprintf(&sb, " %.1f / %.1f |", 100*rate(o.direct, o.in), 100*rate(o.wrong, o.in))
	}
	for _, o := range []outcome{sparse, full} {
		if rate(o.wrong, o.in) > limitWrong || rate(o.oosHigh, o.oos) > limitOOS {
			ok = false
		}
	}
	fmt.Fprintf(&sb, " %.1f | %.1f / %.1f | %.1f |", 100*rate(sparse.direct, sparse.in), 100*rate(sparse.wrong, sparse.in),
		100*rate(sparse.oosHigh, sparse.oos), 100*rate(full.wrong, full.in))
	return rate(sparse.direct, sparse.in), ok, sb.String()
}

// scriptRule is the High rule of a fitted model with a threshold per
// script.
func scriptRule(tu tuning, zh, en float64) func(point) bool {
	return func(p point) bool {
		th := zh
		if p.ex.Script == EN {
			th = en
		}
		return tu.probability(p.ex.features(p.nterms)) >= th
	}
}

// fitScripts fits the logistic confidence on the groups and searches the
// pair of thresholds (Chinese, English), in steps of 0.005, that answers
// the most sparse dev questions directly and right within the limits.
func fitScripts(groups map[string][]point, order []string) (w []float64, zh, en, obj float64) {
	var all []point
	for _, g := range order {
		all = append(all, groups[g]...)
	}
	w = fitLogistic(all)
	tu := defaultTuning
	copy(tu.confidence[:], w)
	copy(tu.confidenceEN[:], w)
	zh, en, obj = gridScripts(tu, groups, order)
	return w, zh, en, obj
}

// fitPerScript fits one confidence model on the Chinese points and one on
// the English ones (tu's other parameters kept) and searches the
// thresholds as fitScripts does.
func fitPerScript(tu tuning, groups map[string][]point, order []string) (out tuning, obj float64) {
	var zhPts, enPts []point
	for _, g := range order {
		for _, p := range groups[g] {
			k := 1
			if !p.inScope {
				k = oosFitWeight
			}
			for range k {
				if p.ex.Script == EN {
					enPts = append(enPts, p)
				} else {
					zhPts = append(zhPts, p)
				}
			}
		}
	}
	copy(tu.confidence[:], fitLogistic(zhPts))
	copy(tu.confidenceEN[:], fitLogistic(enPts))
	tu.highConfidence, tu.highConfidenceEN, obj = gridScripts(tu, groups, order)
	return tu, obj
}

// oosFitWeight is how many times fitPerScript counts an out-of-scope
// point: they are few against the in-scope ones, and a confident answer
// to a question the shop does not cover costs more than a menu.
var oosFitWeight = 1

// gridScripts searches the pair of thresholds (Chinese, English) of tu's
// models, in steps of 0.005, that answers the most sparse dev questions
// directly and right within the limits.
func gridScripts(tu tuning, groups map[string][]point, order []string) (zh, en, obj float64) {
	obj = -1
	// The probabilities once, per point.
	type pp struct {
		g       int
		p       point
		prob    float64
		english bool
	}
	var pts []pp
	for gi, g := range order {
		for _, p := range groups[g] {
			pts = append(pts, pp{gi, p, tu.probability(p.ex.features(p.nterms)), p.ex.Script == EN})
		}
	}
	grid := func(z, e float64) (float64, bool) {
		var sparse, full outcome
		var perScript [2]outcome // the sparse KBs' questions, Chinese and English
		clinc := make([]outcome, len(order))
		for _, x := range pts {
			th := z
			if x.english {
				th = e
			}
			h := x.p.candidates && (x.p.exact || x.prob >= th)
			g := order[x.g]
			o := &full
			switch {
			case strings.HasPrefix(g, "clinc"):
				o = &clinc[x.g]
			case sparseGroup(g):
				o = &sparse
			}
			switch {
			case !x.p.inScope:
				o.oos++
				if h {
					o.oosHigh++
				}
			default:
				o.in++
				if h && x.p.right {
					o.direct++
				} else if h {
					o.wrong++
				}
				if o == &sparse {
					k := 0
					if x.english {
						k = 1
					}
					perScript[k].in++
					if h && !x.p.right {
						perScript[k].wrong++
					}
				}
			}
		}
		for _, o := range perScript {
			if rate(o.wrong, o.in) > limitWrongScript {
				return 0, false
			}
		}
		for _, o := range clinc {
			if o.oos > 0 && rate(o.oosHigh, o.oos) > limitCLINC {
				return 0, false
			}
		}
		for _, o := range []outcome{sparse, full} {
			if rate(o.wrong, o.in) > limitWrong || rate(o.oosHigh, o.oos) > limitOOS {
				return 0, false
			}
		}
		return rate(sparse.direct, sparse.in), true
	}
	for z := 0.05; z <= 0.996; z += 0.005 {
		for e := 0.05; e <= 0.996; e += 0.005 {
			if o, ok := grid(z, e); ok && o > obj {
				zh, en, obj = z, e, o
			}
		}
	}
	return zh, en, obj
}

// TestCalibrationDoc (WARMLINE_CALIBRATION_DOC=1) fits the confidence model
// on the dev sets and CLINC's out-of-scope queries, searches the High
// threshold of each script (Chinese, English) and writes the curves to
// docs/matching-calibration.md. Copy the weights and thresholds it prints
// into defaultTuning.
func TestCalibrationDoc(t *testing.T) {
	if os.Getenv("WARMLINE_CALIBRATION_DOC") == "" {
		t.Skip("set WARMLINE_CALIBRATION_DOC=1")
	}
	groups, order := calibrationGroups(t, defaultTuning)
	w, bestZH, bestEN, bestObj := fitScripts(groups, order)
	tu := defaultTuning
	copy(tu.confidence[:], w)
	copy(tu.confidenceEN[:], w)
	t.Logf("fitted weights %.2f; per script zh %.3f en %.3f (sparse dev direct %.1f%%)", w, bestZH, bestEN, 100*bestObj)
	inUse, inUseOK, inUseLine := evalRule(groups, order, scriptRule(defaultTuning, defaultTuning.highConfidence, defaultTuning.highConfidenceEN))
	var sb strings.Builder
	sb.WriteString(calibrationDocHead)
	fmt.Fprintf(&sb, "Fitted weights (coverage, margin, margin over the third, coverage gap, all terms matched, shared concepts, "+
		"unknown share, example overlap, known coverage, Chinese, log terms, intercept): `%.2f`. "+
		"Thresholds chosen: **%.3f** for Chinese questions, **%.3f** for English ones "+
		"(sparse dev direct %.1f%%; in use: %.3f / %.3f, sparse dev direct %.1f%%).\n\n",
		w, bestZH, bestEN, 100*bestObj, defaultTuning.highConfidence, defaultTuning.highConfidenceEN, 100*inUse)
	sb.WriteString("Each cell: answered directly and right / confidently wrong, % of in-scope questions; for CLINC, % of its 200 queries answered. " +
		"The last columns: the sparse KBs' pooled direct rate (the objective), their pooled wrong / out-of-scope-answered rates, the full demo KB's pooled wrong rate. " +
		"A row that breaks a limit is marked ✗.\n\n")
	header := func(title, vary string) {
		fmt.Fprintf(&sb, "%s\n\n| %s |", title, vary)
		for _, g := range order {
			sb.WriteString(" " + g + " |")
		}
		sb.WriteString(" sparse direct | sparse wrong / oos | full wrong | within limits |\n|---|")
		for range order {
			sb.WriteString("---|")
		}
		sb.WriteString("---|---|---|---|\n")
	}
	header("In use:", "thresholds")
	mark := map[bool]string{true: "✓", false: "✗"}
	fmt.Fprintf(&sb, "| %.3f / %.3f |%s %s |\n\n", defaultTuning.highConfidence, defaultTuning.highConfidenceEN, inUseLine, mark[inUseOK])
	table := func(title, vary string, rows []float64, rule func(x float64) func(point) bool) {
		header(title, vary)
		for _, x := range rows {
			_, ok, line := evalRule(groups, order, rule(x))
			fmt.Fprintf(&sb, "| %.3f |%s %s |\n", x, line, mark[ok])
		}
		sb.WriteString("\n")
	}
	rows := func(best float64) []float64 {
		var r []float64
		for _, d := range []float64{-0.3, -0.2, -0.1, -0.05, -0.02, 0, 0.02, 0.05, 0.1} {
			if x := best + d; x > 0 && x < 1 {
				r = append(r, x)
			}
		}
		return r
	}
	table(fmt.Sprintf("English threshold varied, Chinese at %.3f:", bestZH), "English threshold", rows(bestEN),
		func(x float64) func(point) bool { return scriptRule(tu, bestZH, x) })
	table(fmt.Sprintf("Chinese threshold varied, English at %.3f:", bestEN), "Chinese threshold", rows(bestZH),
		func(x float64) func(point) bool { return scriptRule(tu, x, bestEN) })
	if err := os.WriteFile("../docs/matching-calibration.md", []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

const calibrationDocHead = `# Matching calibration

The matcher answers a question directly (High confidence) when a logistic
model over the match's numbers says the best entry is right with probability
at or above a threshold, one for Chinese questions and one for English ones.
The numbers (knowledge/match.go, Explanation): coverage (share of the
question's IDF weight the best entry uses), margin over the runner-up and
over the third, the coverage gap to the runner-up, whether every question
term matched, lexicon concepts shared (up to 3), the share of the
question's weight unknown to the KB, the overlap with the best entry's best
example (the share of that example's terms the question has), the coverage
of the question's known weight, whether the question is Chinese and the log
of its number of terms. A question that is exactly an entry's example is
always answered.

The model and thresholds are fitted on dev data only, pooled across KBs of
different shops so they carry to a new shop: the sparse demo KB (title,
answer and first two examples per language per entry, no synonyms file)
and the full demo KB against knowledge/testdata/eval/dev.yaml,
blind3-dev.yaml, blind4-dev.yaml and blind5-dev.yaml, the sparse shop KBs
(fashion, grocery, telecom, travel) against their questions-dev.yaml, and
the 200 CLINC150 out-of-scope queries (its train and validation splits)
against each of those six KBs. The thresholds maximise the share of the
sparse KBs' pooled in-scope dev questions answered directly and right,
under: confidently wrong <= 2% of those questions, of each script's
(Chinese, English) alone and of the full demo KB's, out of scope answered
<= 3% of the dev sets' pooled out-of-scope questions and <= 2.5% of
CLINC's against each KB. The test sets were never used.

Regenerate (prints the fitted weights to copy into defaultTuning):

    cd knowledge && WARMLINE_CALIBRATION_DOC=1 go test -count=1 -run TestCalibrationDoc -v .

The weights in use are the fit rounded to two decimals. Until 2026-12-01's
fourth round English was held to 3% wrong on its own and ran at 0.66
(wrong 2.8% on dev, 3.8–7.9% on the held-out sparse demo sets); at 2% its
threshold rose to 0.865 (docs/knowledge-eval.md).

2026-12-02: the weights and the Chinese threshold in use are those of the
fourth round, not refitted (refitted after this round's English ranking
changes, the shared model moved Chinese: its dev-pool wrong rate or its
answered rate got worse, docs/knowledge-eval.md). The English threshold
was lowered to 0.75 on the wider dev pool (TestDevPool: these sets plus
blind5-test, blind6-dev, blind7-dev, blind8-dev; 430 English questions):
0.865 answers 36.7% at 0.7% wrong, 0.75 44.2% at 1.4%, 0.70 46.7% at 1.9%,
0.65 50.0% at 1.9%, 0.60 52.6% at 2.6% (before the round: 39.5% at 1.9%).
0.65 and 0.70 answered cmd/warmline's e2e question "I just want to ask
about the process first, how much is shipping?" with order cancel
(probability 0.72), so 0.75. The rows below are the fit's, for reference;
the "In use" row is what runs.

Below the threshold, the matcher offers a "did you mean" menu when the
question shares enough with the KB: coverage >= mediumCoverage (0.20 for
Chinese, 0.15 for English since 2026-12-02) and fitted probability >=
mediumConfidence (0.05 for Chinese, 0.01 for English; English
probabilities run lower under this model). Chosen on the dev sets with
TestMenuSize (WARMLINE_MENU_COV=zh,en sets the coverage): English coverage
0.15 offers 95.2% of the dev questions, 0.20 94.3%, with dev out-of-scope
menus 74 and 73 of 188 and CLINC menus against the six dev KBs 378 and
341 of 1,200 (before the round 94.9%, 76, 364). The menu lists the candidates close to the best one.

`

// wideDevSets are the demo-KB sets the confidence is fitted on beyond
// calibrationGroups' (all dev: blind9-test was declared dev on
// 2026-12-03, having been scored twice).
var wideDevSets = []string{"blind5-test.yaml", "blind6-dev.yaml", "blind7-dev.yaml", "blind8-dev.yaml", "blind9-dev.yaml", "blind9-test.yaml", "blind10-dev.yaml"}
