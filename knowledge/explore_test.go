package knowledge

import (
	"context"
	"fmt"
	"math"
	"os"
	"sort"
	"strings"
	"testing"
)

// xpoint is one question with many candidate signals (exploration only).
type xpoint struct {
	set, kb       string
	lang, script  string
	inScope       bool
	right, exact  bool
	conf          float64 // today's fitted probability
	high          bool    // today's decision
	f             map[string]float64
	hasCandidates bool
}

func (b *Base) xsignals(text string) (map[string]float64, string) {
	f := map[string]float64{}
	text = strings.TrimSpace(text)
	sc := b.en
	script := EN
	if strings.ContainsFunc(text, isHan) {
		sc = b.zh
		script = "zh"
		text = normalizeZh(b.conv, text, "")
	}
	text = b.syn.rewrite(text, script)
	terms, weights := b.queryTerms(sc, b.lex.expand(text, script))
	if len(terms) == 0 {
		return f, script
	}
	buf := b.getScratch()
	defer b.putScratch(buf)
	scores := b.score(sc, terms, weights, buf)
	order := topScores(scores, maxCandidates)
	if len(order) == 0 {
		return f, script
	}
	top := order[0]
	cov1, m1, c1, unk := b.coverage(sc, top, terms, weights)
	f["cov"] = cov1
	f["unk"] = unk
	f["nterms"] = float64(len(terms))
	f["lognterms"] = math.Log(float64(len(terms)))
	f["matched"] = float64(m1)
	if m1 == len(terms) {
		f["all"] = 1
	}
	f["conc"] = float64(min(c1, 3)) / 3
	var qc int
	for _, t := range terms {
		if isConceptTerm(t) {
			qc++
		}
	}
	f["qconc"] = float64(min(qc, 3)) / 3
	f["concmiss"] = float64(min(qc-c1, 3)) / 3
	if unk < 1 {
		f["knowncov"] = (cov1 - 0) / (1 - unk) // share of the known weight covered
	}
	f["margin"] = 1
	f["margin13"] = 1
	f["cov2"] = 0
	if len(order) > 1 {
		s2 := scores[order[1]]
		f["margin"] = (scores[top] - s2) / scores[top]
		cov2, _, _, _ := b.coverage(sc, order[1], terms, weights)
		f["cov2"] = cov2
		e1, e2 := b.entries[top], b.entries[order[1]]
		if e1.File == e2.File {
			f["samefile"] = 1
		}
		p1, _, _ := strings.Cut(e1.ID, "-")
		p2, _, _ := strings.Cut(e2.ID, "-")
		if p1 == p2 {
			f["sameprefix"] = 1
		}
	}
	if len(order) > 2 {
		f["margin13"] = (scores[top] - scores[order[2]]) / scores[top]
	}
	f["covgap"] = f["cov"] - f["cov2"]
	// question-side vs answer-only coverage
	var qside, tot float64
	var maxIdf, maxIdfHit float64
	for k, t := range terms {
		w := sc.idf(t)
		if !sc.known(t) {
			w *= b.tune.unknownWeight
		}
		tot += w
		id, indexed := sc.ids[t]
		if indexed && sc.questionTerms[top].has(id) {
			qside += w * weights[k]
		}
		if sc.known(t) && w > maxIdf {
			maxIdf = w
			ok1 := indexed && sc.questionTerms[top].has(id)
			ok2 := indexed && sc.answerTerms[top].has(id)
			maxIdfHit = 0
			if ok1 || ok2 {
				maxIdfHit = 1
			}
		}
	}
	if tot > 0 {
		f["qcov"] = qside / tot
	}
	f["maxidfhit"] = maxIdfHit
	// best example of the top entry
	exHits := hits{cells: make([]cell, sc.ex.docs())}
	sc.ex.score(terms, weights, 1, &exHits)
	exAcc, exM := make([]float64, len(exHits.cells)), make([]int32, len(exHits.cells))
	for d, c := range exHits.cells {
		exAcc[d], exM[d] = c.acc, c.matched
	}
	bestD, bestV := -1, 0.0
	topEx, topExV := -1, 0.0
	for d, v := range exAcc {
		if v <= 0 {
			continue
		}
		v *= sc.exWeights[sc.exDocs[d].weight] * float64(exM[d]) / float64(len(terms))
		if int(sc.exDocs[d].entry) == top && v > bestV {
			bestD, bestV = d, v
		}
		if v > topExV {
			topEx, topExV = d, v
		}
	}
	if topEx >= 0 && int(sc.exDocs[topEx].entry) == top {
		f["exagree"] = 1
	}
	if bestD >= 0 {
		// distinct terms of the example: count postings
		f["exrev"] = float64(exM[bestD]) / math.Max(1, sc.ex.length[bestD])
		f["exshare"] = float64(exM[bestD]) / float64(len(terms))
	}
	if script == "zh" {
		f["zh"] = 1
	}
	f["one"] = 1
	return f, script
}

type xgroup struct {
	name, kb string
	base     *Base
	cases    []EvalCase
}

func xgroups(t *testing.T) []xgroup {
	tu := defaultTuning
	sp := sparseDemoBase(t, tu)
	full := demoBaseTuned(t, tu)
	gs := []xgroup{
		{"sparse-dev", "sparse-demo", sp, evalFile(t, "dev.yaml")},
		{"sparse-b3", "sparse-demo", sp, evalFile(t, "blind3-dev.yaml")},
		{"sparse-b4", "sparse-demo", sp, evalFile(t, "blind4-dev.yaml")},
		{"full-dev", "full", full, evalFile(t, "dev.yaml")},
		{"full-b3", "full", full, evalFile(t, "blind3-dev.yaml")},
		{"full-b4", "full", full, evalFile(t, "blind4-dev.yaml")},
	}
	oos := clincCases(t)
	for _, shop := range sparseShops() {
		gs = append(gs, xgroup{shop + "-dev", shop, shopKB(t, shop, tu), shopQuestions(t, shop, "-dev.yaml")})
	}
	if oos != nil {
		gs = append(gs, xgroup{"clinc-sparse", "sparse-demo", sp, oos}, xgroup{"clinc-full", "full", full, oos})
		for _, shop := range sparseShops() {
			gs = append(gs, xgroup{"clinc-" + shop, shop, shopKB(t, shop, tu), oos})
		}
	}
	return gs
}

func xcollect(t *testing.T) []xpoint {
	var ps []xpoint
	for _, g := range xgroups(t) {
		for _, c := range g.cases {
			m, ex := g.base.Explain(context.Background(), c.Q, c.Lang)
			f, script := g.base.xsignals(c.Q)
			p := xpoint{set: g.name, kb: g.kb, lang: c.Lang, script: script, inScope: c.Want != "",
				exact: ex.Exact, conf: ex.Confidence, high: m.Confidence == High, f: f, hasCandidates: len(m.Candidates) > 0}
			p.right = p.inScope && bestID(m) == c.Want
			if ex.Exact {
				p.conf = 1
			}
			ps = append(ps, p)
		}
	}
	return ps
}

// auc of score s separating right from not-right (in-scope wrong and out of scope with candidates).
func auc(ps []xpoint, s func(xpoint) float64) float64 {
	var pos, neg []float64
	for _, p := range ps {
		if !p.hasCandidates {
			continue
		}
		if p.right {
			pos = append(pos, s(p))
		} else {
			neg = append(neg, s(p))
		}
	}
	if len(pos) == 0 || len(neg) == 0 {
		return math.NaN()
	}
	sort.Float64s(neg)
	var sum float64
	for _, x := range pos {
		lo := sort.SearchFloat64s(neg, x)
		hi := sort.Search(len(neg), func(i int) bool { return neg[i] > x })
		sum += float64(lo) + 0.5*float64(hi-lo)
	}
	return sum / float64(len(pos)*len(neg))
}

func isSparse(p xpoint) bool { return p.kb != "full" }
func isClinc(p xpoint) bool  { return strings.HasPrefix(p.set, "clinc") }

// xresult of a decision on points.
type xresult struct{ in, right, top1, wrong, oos, oosHigh, clincN, clincHigh int }

func xscore(ps []xpoint, high func(xpoint) bool) xresult {
	var r xresult
	for _, p := range ps {
		h := p.hasCandidates && (p.exact || high(p))
		switch {
		case isClinc(p):
			r.clincN++
			if h {
				r.clincHigh++
			}
		case !p.inScope:
			r.oos++
			if h {
				r.oosHigh++
			}
		default:
			r.in++
			if p.right {
				r.top1++
			}
			if h && p.right {
				r.right++
			} else if h {
				r.wrong++
			}
		}
	}
	return r
}

func (r xresult) String() string {
	return fmt.Sprintf("direct %5.1f top1 %5.1f wrong %4.1f (%d) oos %d/%d clinc %d/%d",
		100*rate(r.right, r.in), 100*rate(r.top1, r.in), 100*rate(r.wrong, r.in), r.wrong, r.oosHigh, r.oos, r.clincHigh, r.clincN)
}

func filter(ps []xpoint, keep func(xpoint) bool) []xpoint {
	var out []xpoint
	for _, p := range ps {
		if keep(p) {
			out = append(out, p)
		}
	}
	return out
}

// TestExploreOracle (WARMLINE_EXPLORE=1).
func TestExploreOracle(t *testing.T) {
	if os.Getenv("WARMLINE_EXPLORE") == "" {
		t.Skip("set WARMLINE_EXPLORE=1")
	}
	ps := xcollect(t)
	sets := []string{}
	seen := map[string]bool{}
	for _, p := range ps {
		if !seen[p.set] {
			seen[p.set] = true
			sets = append(sets, p.set)
		}
	}
	var sb strings.Builder
	for _, s := range sets {
		g := filter(ps, func(p xpoint) bool { return p.set == s })
		today := xscore(g, func(p xpoint) bool { return p.high })
		fmt.Fprintf(&sb, "%-14s today %s | AUC today %.3f cov %.3f margin %.3f\n", s, today, auc(g, func(p xpoint) float64 { return p.conf }),
			auc(g, func(p xpoint) float64 { return p.f["cov"] }), auc(g, func(p xpoint) float64 { return p.f["margin"] }))
	}
	sparse := filter(ps, isSparse)
	fmt.Fprintf(&sb, "pooled sparse today %s AUC %.3f\n", xscore(sparse, func(p xpoint) bool { return p.high }), auc(sparse, func(p xpoint) float64 { return p.conf }))
	for _, sc := range []string{EN, "zh"} {
		g := filter(sparse, func(p xpoint) bool { return p.script == sc })
		fmt.Fprintf(&sb, "  script %s today %s AUC %.3f\n", sc, xscore(g, func(p xpoint) bool { return p.high }), auc(g, func(p xpoint) float64 { return p.conf }))
	}
	// single-feature AUCs on pooled sparse
	names := []string{"cov", "margin", "all", "conc", "unk", "cov2", "covgap", "margin13", "nterms", "samefile", "sameprefix", "qconc", "concmiss", "knowncov", "qcov", "maxidfhit", "exagree", "exrev", "exshare", "matched"}
	for _, n := range names {
		fmt.Fprintf(&sb, "  AUC %-10s %.3f  (in-scope only %.3f)\n", n, auc(sparse, func(p xpoint) float64 { return p.f[n] }),
			auc(filter(sparse, func(p xpoint) bool { return p.inScope }), func(p xpoint) float64 { return p.f[n] }))
	}
	// best achievable with today's confidence, one threshold per script
	bestZ, bestE, bestD := 0.0, 0.0, -1
	for z := 0.3; z <= 1.0; z += 0.01 {
		for e := 0.3; e <= 1.0; e += 0.01 {
			r := xscore(sparse, func(p xpoint) bool {
				th := z
				if p.script == EN {
					th = e
				}
				return p.conf >= th
			})
			if rate(r.wrong, r.in) <= 0.02 && rate(r.oosHigh, r.oos) <= 0.03 && rate(r.clincHigh, r.clincN) <= 0.025 && r.right > bestD {
				bestZ, bestE, bestD = z, e, r.right
			}
		}
	}
	fmt.Fprintf(&sb, "today's conf, thresholds re-chosen on pooled sparse: zh %.2f en %.2f -> %s\n", bestZ, bestE,
		xscore(sparse, func(p xpoint) bool {
			th := bestZ
			if p.script == EN {
				th = bestE
			}
			return p.conf >= th
		}))
	t.Log("\n" + sb.String())
}

// xfeat computes a named derived feature.
func xfeat(p xpoint, name string) float64 {
	f := p.f
	switch name {
	case "margin2":
		return f["margin"] * f["margin"]
	case "sqrtmargin":
		return math.Sqrt(f["margin"])
	case "covxmargin":
		return f["cov"] * f["margin"]
	case "zhcov":
		return f["zh"] * f["cov"]
	case "zhmargin":
		return f["zh"] * f["margin"]
	case "cov2sq":
		return f["cov"] * f["cov"]
	case "short":
		if f["nterms"] <= 2 {
			return 1
		}
		return 0
	case "invn":
		if f["nterms"] == 0 {
			return 0
		}
		return 1 / f["nterms"]
	case "logmargin":
		return math.Log(f["margin"] + 0.02)
	case "logratio":
		// log(s1/s2) = -log(1-margin)
		return -math.Log(math.Max(1-f["margin"], 0.01))
	case "logratio13":
		return -math.Log(math.Max(1-f["margin13"], 0.01))
	case "samepxmargin":
		return f["sameprefix"] * f["margin"]
	case "logmatched":
		return math.Log(1 + f["matched"])
	case "zhlogn":
		return f["zh"] * f["lognterms"]
	case "zhlogm":
		return f["zh"] * math.Log(1+f["matched"])
	case "exrevxall":
		return f["exrev"] * f["all"]
	}
	return f[name]
}

func xvec(p xpoint, names []string) []float64 {
	x := make([]float64, len(names))
	for i, n := range names {
		x[i] = xfeat(p, n)
	}
	return x
}

// xfit fits a logistic model (Newton, L2 on all but the intercept "one").
func xfit(ps []xpoint, names []string, l2 float64, weight func(xpoint) float64) []float64 {
	n := len(names)
	w := make([]float64, n)
	xs := make([][]float64, 0, len(ps))
	ys := make([]float64, 0, len(ps))
	ws := make([]float64, 0, len(ps))
	for _, p := range ps {
		if p.exact || !p.hasCandidates {
			continue
		}
		xs = append(xs, xvec(p, names))
		y := 0.0
		if p.right {
			y = 1
		}
		ys = append(ys, y)
		ws = append(ws, weight(p))
	}
	for it := 0; it < 60; it++ {
		g := make([]float64, n)
		h := make([][]float64, n)
		for i := range h {
			h[i] = make([]float64, n)
			if names[i] != "one" {
				h[i][i] = l2
				g[i] = l2 * w[i]
			} else {
				h[i][i] = 1e-6
			}
		}
		for k, x := range xs {
			var z float64
			for i := range w {
				z += w[i] * x[i]
			}
			q := 1 / (1 + math.Exp(-z))
			for i := range w {
				g[i] += ws[k] * (q - ys[k]) * x[i]
				for j := range w {
					h[i][j] += ws[k] * q * (1 - q) * x[i] * x[j]
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

func xprob(p xpoint, names []string, w []float64) float64 {
	if p.exact {
		return 1
	}
	var z float64
	for i, x := range xvec(p, names) {
		z += w[i] * x
	}
	return 1 / (1 + math.Exp(-z))
}

type xlimits struct{ wrong, oos, clinc float64 }

var devLimits = xlimits{wrong: 0.02, oos: 0.03, clinc: 0.025}

// xok checks the constraints on the sparse points: pooled wrong, pooled
// dev oos, clinc per KB.
func xok(ps []xpoint, high func(xpoint) bool, lim xlimits) (xresult, bool) {
	r := xscore(ps, high)
	ok := rate(r.wrong, r.in) <= lim.wrong && rate(r.oosHigh, r.oos) <= lim.oos
	perKB := map[string][2]int{}
	for _, p := range ps {
		if isClinc(p) {
			c := perKB[p.kb]
			c[0]++
			if p.hasCandidates && high(p) {
				c[1]++
			}
			perKB[p.kb] = c
		}
	}
	for _, c := range perKB {
		if rate(c[1], c[0]) > lim.clinc {
			ok = false
		}
	}
	return r, ok
}

// xthresholds picks (zh, en) thresholds on ps maximising right answers.
func xthresholds(ps []xpoint, prob func(xpoint) float64, lim xlimits, perScript bool) (zh, en float64) {
	probs := make([]float64, len(ps))
	for i, p := range ps {
		probs[i] = prob(p)
	}
	kbs := map[string]int{}
	kbi := make([]int, len(ps))
	for i, p := range ps {
		if _, ok := kbs[p.kb]; !ok {
			kbs[p.kb] = len(kbs)
		}
		kbi[i] = kbs[p.kb]
	}
	best := -1
	zh, en = 1, 1
	clN := make([]int, len(kbs))
	clH := make([]int, len(kbs))
	try := func(z, e float64) {
		var in, right, wrong, oos, oosH int
		clear(clN)
		clear(clH)
		for i, p := range ps {
			th := z
			if p.script == EN {
				th = e
			}
			h := p.hasCandidates && (p.exact || probs[i] >= th)
			switch {
			case isClinc(p):
				clN[kbi[i]]++
				if h {
					clH[kbi[i]]++
				}
			case !p.inScope:
				oos++
				if h {
					oosH++
				}
			default:
				in++
				if h && p.right {
					right++
				} else if h {
					wrong++
				}
			}
		}
		if rate(wrong, in) > lim.wrong || rate(oosH, oos) > lim.oos {
			return
		}
		for k := range clN {
			if rate(clH[k], clN[k]) > lim.clinc {
				return
			}
		}
		if right > best {
			best, zh, en = right, z, e
		}
	}
	var cands []float64
	for th := 0.05; th <= 0.995; th += 0.005 {
		cands = append(cands, th)
	}
	for _, z := range cands {
		if !perScript {
			try(z, z)
			continue
		}
		for _, e := range cands {
			try(z, e)
		}
	}
	return zh, en
}

func scriptHigh(prob func(xpoint) float64, zh, en float64) func(xpoint) bool {
	return func(p xpoint) bool {
		th := zh
		if p.script == EN {
			th = en
		}
		return prob(p) >= th
	}
}

var featureSets = map[string][]string{
	"today":   {"cov", "margin", "all", "conc", "unk", "one"},
	"gap":     {"cov", "margin", "all", "conc", "unk", "covgap", "one"},
	"ratio":   {"cov", "logratio", "all", "conc", "unk", "one"},
	"ratio13": {"cov", "logratio", "logratio13", "all", "conc", "unk", "one"},
	"rich":    {"cov", "margin", "margin13", "covgap", "all", "conc", "unk", "exrev", "qcov", "knowncov", "sameprefix", "zh", "lognterms", "one"},
	"rich2":   {"cov", "logratio", "logratio13", "covgap", "all", "conc", "qconc", "unk", "exrev", "exshare", "qcov", "maxidfhit", "exagree", "sameprefix", "samefile", "zh", "lognterms", "one"},
}

// TestExploreModels (WARMLINE_EXPLORE=models): in-sample and
// leave-one-KB-out numbers per feature set.
func TestExploreModels(t *testing.T) {
	if os.Getenv("WARMLINE_EXPLORE") == "" {
		t.Skip("set WARMLINE_EXPLORE")
	}
	ps := xcollect(t)
	sets := strings.Split(os.Getenv("WARMLINE_FSETS"), ",")
	if sets[0] == "" {
		sets = []string{"today", "gap", "ratio", "ratio13", "rich", "rich2"}
	}
	extra := os.Getenv("WARMLINE_FEATS")
	if extra != "" {
		featureSets["custom"] = strings.Split(extra, ",")
		sets = append(sets, "custom")
	}
	fitOn := os.Getenv("WARMLINE_FITON") // "sparse" or all
	l2 := 0.1
	if v := os.Getenv("WARMLINE_L2"); v != "" {
		fmt.Sscan(v, &l2)
	}
	perScript := os.Getenv("WARMLINE_ONE") == ""
	weight := func(xpoint) float64 { return 1 }
	train := func(ps []xpoint) []xpoint {
		if fitOn == "sparse" {
			return filter(ps, isSparse)
		}
		return ps
	}
	var sb strings.Builder
	for _, fs := range sets {
		names := featureSets[fs]
		w := xfit(train(ps), names, l2, weight)
		prob := func(p xpoint) float64 { return xprob(p, names, w) }
		sparse := filter(ps, isSparse)
		zh, en := xthresholds(sparse, prob, devLimits, perScript)
		high := scriptHigh(prob, zh, en)
		in := xscore(sparse, high)
		full := xscore(filter(ps, func(p xpoint) bool { return !isSparse(p) }), high)
		fmt.Fprintf(&sb, "%-8s in-sample AUC %.3f (in-scope %.3f) zh %.3f en %.3f sparse %s | full %s\n", fs,
			auc(sparse, prob), auc(filter(sparse, func(p xpoint) bool { return p.inScope }), prob), zh, en, in, full)
		for _, sc := range []string{"zh", EN} {
			fmt.Fprintf(&sb, "           %s: %s\n", sc, xscore(filter(sparse, func(p xpoint) bool { return p.script == sc }), high))
		}
		fmt.Fprintf(&sb, "           w %.2f\n", w)
		// leave one sparse KB out
		var cv xresult
		var line strings.Builder
		for _, kb := range []string{"sparse-demo", "fashion", "grocery", "telecom"} {
			rest := filter(ps, func(p xpoint) bool { return p.kb != kb })
			held := filter(ps, func(p xpoint) bool { return p.kb == kb })
			w := xfit(train(rest), names, l2, weight)
			prob := func(p xpoint) float64 { return xprob(p, names, w) }
			zh, en := xthresholds(filter(rest, isSparse), prob, devLimits, perScript)
			r := xscore(held, scriptHigh(prob, zh, en))
			fmt.Fprintf(&line, " %s[%.2f/%.2f] %.1f/%.1f c%d", kb, zh, en, 100*rate(r.right, r.in), 100*rate(r.wrong, r.in), r.clincHigh)
			cv.in += r.in
			cv.right += r.right
			cv.wrong += r.wrong
			cv.top1 += r.top1
			cv.oos += r.oos
			cv.oosHigh += r.oosHigh
			cv.clincN += r.clincN
			cv.clincHigh += r.clincHigh
		}
		fmt.Fprintf(&sb, "           LOKO %s |%s\n", cv, line.String())
	}
	t.Log("\n" + sb.String())
}

// TestExploreWrong (WARMLINE_EXPLORE=1) lists the sparse dev in-scope
// wrong top-1 and the out-of-scope questions with the highest confidence.
func TestExploreWrong(t *testing.T) {
	if os.Getenv("WARMLINE_EXPLORE") == "" {
		t.Skip("set WARMLINE_EXPLORE")
	}
	type row struct {
		conf float64
		s    string
	}
	var rows []row
	for _, g := range xgroups(t) {
		if g.kb == "full" {
			continue
		}
		for _, c := range g.cases {
			m, ex := g.base.Explain(context.Background(), c.Q, c.Lang)
			if len(m.Candidates) == 0 || bestID(m) == c.Want {
				continue
			}
			f, _ := g.base.xsignals(c.Q)
			var cands []string
			for _, k := range m.Candidates {
				cands = append(cands, fmt.Sprintf("%s:%.2f", k.Entry.ID, k.Score))
			}
			rows = append(rows, row{ex.Confidence, fmt.Sprintf("%.3f %s %-12s cov %.2f mg %.2f n %v all %v conc %.2f unk %.2f exrev %.2f | %q want %q got %v", ex.Confidence, m.Confidence, g.name, ex.Coverage, ex.Margin, f["nterms"], f["all"], f["conc"], ex.Unknown, f["exrev"], c.Q, c.Want, cands)})
		}
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].conf > rows[j].conf })
	var sb strings.Builder
	for _, r := range rows[:min(len(rows), 60)] {
		sb.WriteString(r.s + "\n")
	}
	t.Log("\n" + sb.String())
}

// xfitY fits a logistic model with label y on ps.
func xfitY(ps []xpoint, names []string, l2 float64, y func(xpoint) bool) []float64 {
	q := make([]xpoint, 0, len(ps))
	for _, p := range ps {
		p.right = y(p)
		q = append(q, p)
	}
	return xfit(q, names, l2, func(xpoint) float64 { return 1 })
}

// TestExploreTwoStage (WARMLINE_EXPLORE=1 WARMLINE_A=... WARMLINE_B=...).
func TestExploreTwoStage(t *testing.T) {
	if os.Getenv("WARMLINE_EXPLORE") == "" {
		t.Skip("set WARMLINE_EXPLORE")
	}
	ps := xcollect(t)
	fa := strings.Split(os.Getenv("WARMLINE_A"), ",")
	fb := strings.Split(os.Getenv("WARMLINE_B"), ",")
	l2 := 0.1
	if v := os.Getenv("WARMLINE_L2"); v != "" {
		fmt.Sscan(v, &l2)
	}
	perScript := os.Getenv("WARMLINE_ONE") == ""
	trainFilter := isSparse
	if os.Getenv("WARMLINE_FITON") == "all" {
		trainFilter = func(xpoint) bool { return true }
	}
	fit := func(train []xpoint) func(xpoint) float64 {
		train = filter(train, trainFilter)
		wa := xfitY(train, fa, l2, func(p xpoint) bool { return p.inScope })
		wb := xfitY(filter(train, func(p xpoint) bool { return p.inScope }), fb, l2, func(p xpoint) bool { return p.right })
		return func(p xpoint) float64 {
			if p.exact {
				return 1
			}
			return xprob(p, fa, wa) * xprob(p, fb, wb)
		}
	}
	var sb strings.Builder
	prob := fit(ps)
	sparse := filter(ps, isSparse)
	zh, en := xthresholds(sparse, prob, devLimits, perScript)
	high := scriptHigh(prob, zh, en)
	fmt.Fprintf(&sb, "in-sample AUC %.3f (in-scope %.3f) zh %.3f en %.3f sparse %s | full %s\n",
		auc(sparse, prob), auc(filter(sparse, func(p xpoint) bool { return p.inScope }), prob), zh, en, xscore(sparse, high),
		xscore(filter(ps, func(p xpoint) bool { return !isSparse(p) }), high))
	for _, sc := range []string{"zh", EN} {
		fmt.Fprintf(&sb, "   %s: %s\n", sc, xscore(filter(sparse, func(p xpoint) bool { return p.script == sc }), high))
	}
	for _, s := range []string{"sparse-dev", "sparse-b3", "sparse-b4", "fashion-dev", "grocery-dev", "telecom-dev", "full-dev", "full-b3", "full-b4"} {
		fmt.Fprintf(&sb, "   %-12s %s\n", s, xscore(filter(ps, func(p xpoint) bool { return p.set == s }), high))
	}
	var cv xresult
	var line strings.Builder
	for _, kb := range []string{"sparse-demo", "fashion", "grocery", "telecom"} {
		rest := filter(ps, func(p xpoint) bool { return p.kb != kb })
		held := filter(ps, func(p xpoint) bool { return p.kb == kb })
		prob := fit(rest)
		zh, en := xthresholds(filter(rest, isSparse), prob, devLimits, perScript)
		r := xscore(held, scriptHigh(prob, zh, en))
		fmt.Fprintf(&line, " %s[%.2f/%.2f] %.1f/%.1f c%d", kb, zh, en, 100*rate(r.right, r.in), 100*rate(r.wrong, r.in), r.clincHigh)
		cv.in += r.in
		cv.right += r.right
		cv.wrong += r.wrong
		cv.top1 += r.top1
		cv.oos += r.oos
		cv.oosHigh += r.oosHigh
		cv.clincN += r.clincN
		cv.clincHigh += r.clincHigh
	}
	fmt.Fprintf(&sb, "LOKO %s |%s\n", cv, line.String())
	t.Log("\n" + sb.String())
}

type fitter func(train []xpoint) func(xpoint) float64

func (r *xresult) add(o xresult) {
	r.in += o.in
	r.right += o.right
	r.wrong += o.wrong
	r.top1 += o.top1
	r.oos += o.oos
	r.oosHigh += o.oosHigh
	r.clincN += o.clincN
	r.clincHigh += o.clincHigh
}

// xcv: in-sample, 5-fold (by question, fixed assignment), LOKO.
func xcv(ps []xpoint, fit fitter, perScript bool) string {
	var sb strings.Builder
	prob := fit(ps)
	sparse := filter(ps, isSparse)
	zh, en := xthresholds(sparse, prob, devLimits, perScript)
	high := scriptHigh(prob, zh, en)
	fmt.Fprintf(&sb, "in  [%.3f/%.3f] sparse %s | full %s | AUC %.3f/%.3f\n", zh, en, xscore(sparse, high),
		xscore(filter(ps, func(p xpoint) bool { return !isSparse(p) }), high), auc(sparse, prob), auc(filter(sparse, func(p xpoint) bool { return p.inScope }), prob))
	for _, sc := range []string{"zh", EN} {
		fmt.Fprintf(&sb, "      %s: %s\n", sc, xscore(filter(sparse, func(p xpoint) bool { return p.script == sc }), high))
	}
	var cv xresult
	var cvs [2]xresult
	for k := 0; k < 5; k++ {
		var train, held []xpoint
		for i, p := range ps {
			if i%5 == k {
				held = append(held, p)
			} else {
				train = append(train, p)
			}
		}
		prob := fit(train)
		zh, en := xthresholds(filter(train, isSparse), prob, devLimits, perScript)
		h := scriptHigh(prob, zh, en)
		held = filter(held, isSparse)
		cv.add(xscore(held, h))
		cvs[0].add(xscore(filter(held, func(p xpoint) bool { return p.script == "zh" }), h))
		cvs[1].add(xscore(filter(held, func(p xpoint) bool { return p.script == EN }), h))
	}
	fmt.Fprintf(&sb, "5cv sparse %s\n      zh %s\n      en %s\n", cv, cvs[0], cvs[1])
	return sb.String()
}

func singleFit(names []string, l2 float64, trainFilter func(xpoint) bool) fitter {
	return func(train []xpoint) func(xpoint) float64 {
		w := xfit(filter(train, trainFilter), names, l2, func(xpoint) float64 { return 1 })
		return func(p xpoint) float64 { return xprob(p, names, w) }
	}
}

func twoFit(fa, fb []string, l2 float64, trainFilter func(xpoint) bool) fitter {
	return func(train []xpoint) func(xpoint) float64 {
		train = filter(train, trainFilter)
		wa := xfitY(train, fa, l2, func(p xpoint) bool { return p.inScope })
		wb := xfitY(filter(train, func(p xpoint) bool { return p.inScope }), fb, l2, func(p xpoint) bool { return p.right })
		return func(p xpoint) float64 {
			if p.exact {
				return 1
			}
			return xprob(p, fa, wa) * xprob(p, fb, wb)
		}
	}
}

// TestExploreCV (WARMLINE_EXPLORE=1 WARMLINE_MODELS="name:feats[|featsB];...").
func TestExploreCV(t *testing.T) {
	if os.Getenv("WARMLINE_EXPLORE") == "" {
		t.Skip("set WARMLINE_EXPLORE")
	}
	ps := xcollect(t)
	l2 := 0.1
	if v := os.Getenv("WARMLINE_L2"); v != "" {
		fmt.Sscan(v, &l2)
	}
	trainFilter := func(xpoint) bool { return true }
	if os.Getenv("WARMLINE_FITON") == "sparse" {
		trainFilter = isSparse
	}
	perScript := os.Getenv("WARMLINE_ONE") == ""
	var sb strings.Builder
	for _, m := range strings.Split(os.Getenv("WARMLINE_MODELS"), ";") {
		name, spec, _ := strings.Cut(m, ":")
		a, b, two := strings.Cut(spec, "|")
		var fit fitter
		if two {
			fit = twoFit(strings.Split(a, ","), strings.Split(b, ","), l2, trainFilter)
		} else {
			fit = singleFit(strings.Split(a, ","), l2, trainFilter)
		}
		fmt.Fprintf(&sb, "== %s (%s)\n%s", name, spec, xcv(ps, fit, perScript))
	}
	t.Log("\n" + sb.String())
}
