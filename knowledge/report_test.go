package knowledge

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestMatchReport (WARMLINE_REPORT=dev or test) prints the aggregate numbers
// of every evaluation: the full and the sparse demo KB, the sparse shop
// KBs, Bitext and CLINC. "test" reads the held-out sets: run it only to
// report, never to tune.
func TestMatchReport(t *testing.T) {
	split := os.Getenv("WARMLINE_REPORT")
	if split != "dev" && split != "test" {
		t.Skip("set WARMLINE_REPORT=dev or test")
	}
	ctx := context.Background()
	tune := defaultTuning
	full := demoBase(t)
	sparse := sparseDemoBase(t, tune)
	sets := []string{"dev.yaml", "blind3-dev.yaml", "blind4-dev.yaml", "blind5-dev.yaml", "blind6-dev.yaml", "blind7-dev.yaml", "blind8-dev.yaml"}
	if split == "test" {
		sets = []string{"test.yaml", "test2.yaml", "blind3-test.yaml", "blind4-test.yaml", "blind5-test.yaml", "blind6-test.yaml", "blind7-test.yaml", "blind8-test.yaml"}
	}
	var out strings.Builder
	for _, s := range sets {
		cases := evalFile(t, s)
		out.WriteString("sparse demo " + s + "\n" + summary(Evaluate(ctx, sparse, cases)))
		out.WriteString("full demo " + s + "\n" + summary(Evaluate(ctx, full, cases)))
	}
	for _, shop := range sparseShops() {
		cases := shopQuestions(t, shop, "-"+split+".yaml")
		if len(cases) == 0 {
			continue
		}
		out.WriteString("shop " + shop + " " + split + "\n" + summary(Evaluate(ctx, shopKB(t, shop, tune), cases)))
	}
	if bx := bitextCases(t); bx != nil {
		bb := bitextBase(t)
		out.WriteString("bitext full KB\n" + summary(Evaluate(ctx, bb, bx)))
		b2 := sparseBitextBase(t, tune)
		out.WriteString("bitext 2 examples per intent\n" + summary(Evaluate(ctx, b2, bx)))
	}
	if oos := clincCases(t); oos != nil {
		for _, kb := range []struct {
			name string
			b    *Base
		}{{"full demo", full}, {"sparse demo", sparse}, {"bitext", bitextBase(t)}} {
			r := Evaluate(ctx, kb.b, oos)
			out.WriteString("clinc oos vs " + kb.name + "\n" + summary(r))
		}
	}
	t.Log("\n" + out.String())
}

func bitextCases(t *testing.T) []EvalCase {
	p, ok := findSharedData(t, "bitext/bitext-customer-support-4514.csv")
	if !ok {
		return nil
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var q, in int
	for i, h := range recs[0] {
		switch h {
		case "instruction":
			q = i
		case "intent":
			in = i
		}
	}
	var cases []EvalCase
	for _, r := range recs[1:] {
		cases = append(cases, EvalCase{Q: r[q], Lang: EN, Want: r[in]})
	}
	return cases
}

func clincCases(t *testing.T) []EvalCase {
	p, ok := findSharedData(t, "clinc150-oos/out-of-scope-200.txt")
	if !ok {
		return nil
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var cases []EvalCase
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			cases = append(cases, EvalCase{Q: l, Lang: EN})
		}
	}
	return cases
}

// TestSparseMisses (WARMLINE_MISSES=dev.yaml) prints the misses of the
// sparse demo KB on a dev set.
func TestSparseMisses(t *testing.T) {
	name := os.Getenv("WARMLINE_MISSES")
	if name == "" || strings.Contains(name, "test") {
		t.Skip("set WARMLINE_MISSES to a dev set")
	}
	b := sparseDemoBase(t, defaultTuning)
	r := Evaluate(context.Background(), b, evalFile(t, name))
	for _, m := range r.Misses {
		t.Logf("[%s] %q want %s got %s (%s)", m.Case.Lang, m.Case.Q, m.Case.Want, m.Got, m.Confidence)
	}
}

// TestMenuSize (WARMLINE_MENU=1) prints, per menu floor (mediumConfidence
// for Chinese, mediumConfidenceEN for English), the offered rate, the mean
// menu size and the out-of-scope questions given a menu on the dev sets,
// and CLINC's queries given a menu against the dev KBs.
func TestMenuSize(t *testing.T) {
	if os.Getenv("WARMLINE_MENU") == "" {
		t.Skip("set WARMLINE_MENU=1")
	}
	oos := clincCases(t)
	floors := [][2]float64{{0.05, 0.01}, {0.07, 0.01}, {0.1, 0.01}, {0.07, 0.02}, {0.1, 0.02}, {0.1, 0.03}, {0.15, 0.03}, {0.2, 0.05}}
	if spec := os.Getenv("WARMLINE_MENU"); spec != "1" { // "zh,en;zh,en..."
		floors = nil
		for _, f := range strings.Split(spec, ";") {
			var r [2]float64
			if _, err := fmt.Sscanf(f, "%g,%g", &r[0], &r[1]); err != nil {
				t.Fatal(err)
			}
			floors = append(floors, r)
		}
	}
	for _, r := range floors {
		tu := defaultTuning
		tu.mediumConfidence, tu.mediumConfidenceEN = r[0], r[1]
		if m := os.Getenv("WARMLINE_MENU_MATCHED"); m != "" {
			tu.menuMatchedEN, _ = strconv.Atoi(m)
		}
		if c := os.Getenv("WARMLINE_MENU_COV"); c != "" { // Chinese[,English]
			zh, en, ok := strings.Cut(c, ",")
			if !ok {
				en = zh
			}
			tu.mediumCoverage, _ = strconv.ParseFloat(zh, 64)
			tu.mediumCoverageEN, _ = strconv.ParseFloat(en, 64)
		}
		var line strings.Builder
		var in, offered, oosN, oosMenu, clincMenu int
		var inEN, offeredEN, oosEN, oosMenuEN int
		for _, s := range devSets(t) {
			b := s.base(tu)
			for _, c := range s.cases {
				m := b.Match(context.Background(), c.Q, c.Lang)
				en := c.Lang == EN
				if c.Want == "" {
					oosN++
					if m.Confidence == Medium {
						oosMenu++
						if en {
							oosMenuEN++
						}
					}
					if en {
						oosEN++
					}
					continue
				}
				in++
				if en {
					inEN++
				}
				for _, k := range m.Candidates {
					if k.Entry.ID == c.Want && m.Confidence >= Medium {
						offered++
						if en {
							offeredEN++
						}
					}
				}
			}
		}
		var kbs []*Base
		kbs = append(kbs, sparseDemoBase(t, tu), demoBaseTuned(t, tu))
		for _, shop := range sparseShops() {
			kbs = append(kbs, shopKB(t, shop, tu))
		}
		for _, b := range kbs {
			for _, c := range oos {
				if b.Match(context.Background(), c.Q, EN).Confidence == Medium {
					clincMenu++
				}
			}
		}
		line.WriteString(" offered " + strconv.FormatFloat(100*rate(offered, in), 'f', 1, 64) + "% oos-menu " + strconv.Itoa(oosMenu) + "/" + strconv.Itoa(oosN) +
			" clinc-menu " + strconv.Itoa(clincMenu) + "/" + strconv.Itoa(len(oos)*len(kbs)) +
			fmt.Sprintf(" | en offered %.1f%% oos-menu %d/%d", 100*rate(offeredEN, inEN), oosMenuEN, oosEN))
		t.Logf("menu floor zh %.3f en %.3f:%s", r[0], r[1], line.String())
	}
}

// TestHeld9Report (WARMLINE_REPORT=held9) prints the aggregate numbers of
// the two held-out sets scored once before and once after the 2026-12-02
// afternoon round: blind9-test against the sparse and the full demo KB, and
// the petshop KB's questions-test.yaml (with CLINC's 200 against petshop).
// Aggregate only: never print or read their misses.
func TestHeld9Report(t *testing.T) {
	if os.Getenv("WARMLINE_REPORT") != "held9" {
		t.Skip("set WARMLINE_REPORT=held9")
	}
	ctx := context.Background()
	var out strings.Builder
	cases := evalFile(t, "blind9-test.yaml")
	out.WriteString("sparse demo blind9-test.yaml\n" + summary(Evaluate(ctx, sparseDemoBase(t, defaultTuning), cases)))
	out.WriteString("full demo blind9-test.yaml\n" + summary(Evaluate(ctx, demoBase(t), cases)))
	pet := shopKB(t, "petshop", defaultTuning)
	out.WriteString("shop petshop test\n" + summary(Evaluate(ctx, pet, shopQuestions(t, "petshop", "-test.yaml"))))
	if oos := clincCases(t); oos != nil {
		out.WriteString("clinc oos vs petshop\n" + summary(Evaluate(ctx, pet, oos)))
	}
	t.Log("\n" + out.String())
}

// TestHeld10Report (WARMLINE_REPORT=held10) prints the aggregate numbers of
// the held-out sets written on 2026-12-03: blind10-test against the sparse
// and the full demo KB, and the furniture KB's questions-test.yaml (with
// CLINC's 200 against it), for the matcher in use. Aggregate only: never
// print or read their misses.
func TestHeld10Report(t *testing.T) {
	if os.Getenv("WARMLINE_REPORT") != "held10" {
		t.Skip("set WARMLINE_REPORT=held10")
	}
	ctx := context.Background()
	var out strings.Builder
	cases := evalFile(t, "blind10-test.yaml")
	furn := shopQuestions(t, "furniture", "-test.yaml")
	oos := clincCases(t)
	for _, v := range []struct {
		name string
		tu   tuning
	}{{"in use", defaultTuning}} {
		out.WriteString("== " + v.name + "\n")
		out.WriteString("sparse demo blind10-test.yaml\n" + summary(Evaluate(ctx, sparseDemoBase(t, v.tu), cases)))
		out.WriteString("full demo blind10-test.yaml\n" + summary(Evaluate(ctx, demoBaseTuned(t, v.tu), cases)))
		if len(furn) > 0 {
			fb := shopKB(t, "furniture", v.tu)
			out.WriteString("shop furniture test\n" + summary(Evaluate(ctx, fb, furn)))
			if oos != nil {
				out.WriteString("clinc oos vs furniture\n" + summary(Evaluate(ctx, fb, oos)))
			}
		}
	}
	t.Log("\n" + out.String())
}
