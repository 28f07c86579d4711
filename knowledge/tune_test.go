package knowledge

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
)

// devSets are the question sets tuning may look at.
type devSet struct {
	name  string
	base  func(tuning) *Base
	cases []EvalCase
}

func devSets(t *testing.T) []devSet {
	t.Helper()
	dev, b3, b4, b5 := evalFile(t, "dev.yaml"), evalFile(t, "blind3-dev.yaml"), evalFile(t, "blind4-dev.yaml"), evalFile(t, "blind5-dev.yaml")
	sets := []devSet{
		{"sparse-dev", func(tu tuning) *Base { return sparseDemoBase(t, tu) }, dev},
		{"sparse-b3", func(tu tuning) *Base { return sparseDemoBase(t, tu) }, b3},
		{"sparse-b4", func(tu tuning) *Base { return sparseDemoBase(t, tu) }, b4},
		{"sparse-b5", func(tu tuning) *Base { return sparseDemoBase(t, tu) }, b5},
		{"full-dev", func(tu tuning) *Base { return demoBaseTuned(t, tu) }, dev},
		{"full-b3", func(tu tuning) *Base { return demoBaseTuned(t, tu) }, b3},
		{"full-b4", func(tu tuning) *Base { return demoBaseTuned(t, tu) }, b4},
		{"full-b5", func(tu tuning) *Base { return demoBaseTuned(t, tu) }, b5},
	}
	for _, shop := range sparseShops() {
		if cs := shopQuestions(t, shop, "-dev.yaml"); len(cs) > 0 {
			sets = append(sets, devSet{shop + "-dev", func(tu tuning) *Base { return shopKB(t, shop, tu) }, cs})
		}
	}
	return sets
}

func demoBaseTuned(t testing.TB, tu tuning) *Base {
	t.Helper()
	b, err := loadTuned(context.Background(), Demo(), LoadOptions{}, tu)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rank1 is the share of in-scope cases whose best candidate is right,
// whatever the confidence.
func rank1(b *Base, cases []EvalCase) float64 {
	var n, ok int
	for _, c := range cases {
		if c.Want == "" {
			continue
		}
		n++
		if bestID(b.Match(context.Background(), c.Q, c.Lang)) == c.Want {
			ok++
		}
	}
	return rate(ok, n)
}

// TestTuneRank (WARMLINE_TUNE=1) prints rank-1 on the dev sets for
// variants of the tuning.
func TestTuneRank(t *testing.T) {
	if os.Getenv("WARMLINE_TUNE") == "" {
		t.Skip("set WARMLINE_TUNE=1")
	}
	sets := devSets(t)
	bx := bitextCases(t)
	if l := os.Getenv("WARMLINE_TUNE_LIMITS"); l != "" { // wrong pooled, wrong per script
		fmt.Sscanf(l, "%g,%g", &limitWrong, &limitWrongScript)
	}
	type variant struct {
		name string
		f    func(*tuning)
	}
	vs := []variant{{"default", func(*tuning) {}}}
	for _, spec := range strings.Split(os.Getenv("WARMLINE_TUNE"), ";") {
		if strings.Contains(spec, "+") { // k=v+k2=v2: one variant setting both
			parts := strings.Split(spec, "+")
			vs = append(vs, variant{spec, func(tu *tuning) {
				for _, p := range parts {
					k, v, _ := strings.Cut(p, "=")
					var f float64
					fmt.Sscan(v, &f)
					setTuning(tu, k, f)
				}
			}})
			continue
		}
		k, v, ok := strings.Cut(spec, "=")
		if !ok {
			continue
		}
		for _, x := range strings.Split(v, ",") {
			var f float64
			fmt.Sscan(x, &f)
			vs = append(vs, variant{k + "=" + x, func(tu *tuning) { setTuning(tu, k, f) }})
		}
	}
	for _, v := range vs {
		tu := defaultTuning
		v.f(&tu)
		var sb strings.Builder
		var sum float64
		for _, s := range sets {
			r := rank1(s.base(tu), s.cases)
			sum += r
			fmt.Fprintf(&sb, " %s %.1f", s.name, 100*r)
		}
		if bx != nil {
			b2 := sparseBitextBase(t, tu)
			fmt.Fprintf(&sb, " bitext2 %.1f", 100*rank1(b2, every(bx, 7)))
		}
		t.Logf("%-22s mean %.1f |%s", v.name, 100*sum/float64(len(sets)), sb.String())
		if os.Getenv("WARMLINE_TUNE_LR") != "" {
			groups, order := calibrationGroups(t, tu)
			w, zh, en, obj := fitScripts(groups, order)
			t.Logf("    LR sparse direct %.1f at zh %.3f en %.3f w=%.2f", 100*obj, zh, en, w)
			fitted := tu
			copy(fitted.confidence[:], w)
			copy(fitted.confidenceEN[:], w)
			_, _, line := evalRule(groups, order, scriptRule(fitted, zh, en))
			t.Logf("    %v\n    %s", order, line)
			fitted.highConfidence, fitted.highConfidenceEN = zh, en
			t.Logf("    refitted, on the dev pool:\n%s", devPool(t, fitted))
			if sw := os.Getenv("WARMLINE_TUNE_EN"); sw != "" {
				for _, x := range strings.Split(sw, ",") { // EN or ZH/EN
					if z, e, ok := strings.Cut(x, "/"); ok {
						fmt.Sscan(z, &fitted.highConfidence)
						x = e
					}
					fmt.Sscan(x, &fitted.highConfidenceEN)
					t.Logf("    Chinese at %.3f, English at %.3f:\n%s", fitted.highConfidence, fitted.highConfidenceEN, devPool(t, fitted))
				}
			}
		}
	}
}

func setTuning(tu *tuning, k string, f float64) {
	switch k {
	case "answerBoost":
		tu.answerBoost = f
	case "conceptWeight":
		tu.conceptWeight = f
	case "conceptCover":
		tu.conceptCover = f
	case "exampleWeight":
		tu.exampleWeight = f
	case "fuzzyWeight":
		tu.fuzzyWeight = f
	case "unknownWeight":
		tu.unknownWeight = f
	case "menuRatio":
		tu.menuRatio = f
	case "unigrams":
		tu.unigrams = f != 0
	case "k1":
		tu.bm25.k1 = f
	case "b":
		tu.bm25.b = f
	case "answerSentences":
		tu.answerSentences = f
	case "lexicon":
		tu.lexicon = f != 0
	case "longestConcepts":
		tu.longestConcepts = f != 0
	case "fuzzyFirst":
		tu.fuzzyFirst = f != 0
	case "mediumCoverage":
		tu.mediumCoverage = f
	case "answerCover":
		tu.answerCover = f
	}
}

// every returns every k-th case (a quicker sample of a big set).
func every(cases []EvalCase, k int) []EvalCase {
	var out []EvalCase
	for i := 0; i < len(cases); i += k {
		out = append(out, cases[i])
	}
	return out
}
