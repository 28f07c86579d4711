package knowledge

import (
	"context"
	"os"
	"strings"
	"testing"
)

// TestDevPool (WARMLINE_POOL=1) prints the pooled dev numbers per
// language that ranking changes are kept or dropped by: the sparse demo
// KB on dev, blind3-dev, blind4-dev, blind5-dev, blind5-test and
// blind6-dev, the sparse shops' questions-dev.yaml against their KBs, and
// CLINC's 200 out-of-scope questions against each of those KBs. Dev
// only: the held-out sets are never read here.
func TestDevPool(t *testing.T) {
	if os.Getenv("WARMLINE_POOL") == "" {
		t.Skip("set WARMLINE_POOL=1")
	}
	t.Log("\n" + devPool(t, defaultTuning))
}

// devPool scores tune on the dev pool (TestDevPool) and returns the
// numbers per language.
func devPool(t *testing.T, tune tuning) string {
	ctx := context.Background()
	var pool EvalReport
	pool.PerLang = map[string]EvalCounts{}
	add := func(r EvalReport) {
		for l, c := range r.PerLang {
			pc := pool.PerLang[l]
			pc.add(c)
			pool.PerLang[l] = pc
		}
		pool.Total.add(r.Total)
	}
	sparse := sparseDemoBase(t, tune)
	for _, s := range []string{"dev.yaml", "blind3-dev.yaml", "blind4-dev.yaml", "blind5-dev.yaml", "blind5-test.yaml", "blind6-dev.yaml", "blind7-dev.yaml", "blind8-dev.yaml", "blind9-dev.yaml", "blind9-test.yaml", "blind10-dev.yaml"} {
		add(Evaluate(ctx, sparse, evalFile(t, s)))
	}
	oos := clincCases(t)
	var clinc EvalReport
	clinc.PerLang = map[string]EvalCounts{}
	addOOS := func(b *Base) {
		r := Evaluate(ctx, b, oos)
		clinc.Total.add(r.Total)
	}
	if oos != nil {
		addOOS(sparse)
	}
	for _, shop := range sparseShops() {
		cases := shopQuestions(t, shop, "-dev.yaml")
		if len(cases) == 0 {
			continue
		}
		b := shopKB(t, shop, tune)
		add(Evaluate(ctx, b, cases))
		if oos != nil {
			addOOS(b)
		}
	}
	var out strings.Builder
	out.WriteString("dev pool\n" + summary(pool))
	out.WriteString("clinc oos vs sparse demo + shops\n" + summary(clinc))
	return out.String()
}
