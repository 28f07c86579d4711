package knowledge

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestHeld11Report (WARMLINE_REPORT=held11) prints the aggregate numbers of
// the held-out sets written on 2026-12-03 afternoon (kbdata11):
// blind11-test against the sparse and the full demo KB, the furniture KB's
// questions-test2.yaml, and CLINC's 200 out-of-scope queries against the
// sparse demo, the full demo and the furniture KB. Scored twice only: on
// main before issue 12's confidence change (103ec28) and after it.
// Aggregate only: never print or read their misses.
func TestHeld11Report(t *testing.T) {
	if os.Getenv("WARMLINE_REPORT") != "held11" {
		t.Skip("set WARMLINE_REPORT=held11")
	}
	ctx := context.Background()
	var out strings.Builder
	cases := evalFile(t, "blind11-test.yaml")
	sparse, full := sparseDemoBase(t, defaultTuning), demoBaseTuned(t, defaultTuning)
	furn := shopKB(t, "furniture", defaultTuning)
	out.WriteString("sparse demo blind11-test.yaml\n" + summary(Evaluate(ctx, sparse, cases)))
	out.WriteString("full demo blind11-test.yaml\n" + summary(Evaluate(ctx, full, cases)))
	out.WriteString("shop furniture questions-test2.yaml\n" + summary(Evaluate(ctx, furn, shopQuestions(t, "furniture", "-test2.yaml"))))
	if oos := clincCases(t); oos != nil {
		for _, kb := range []struct {
			name string
			b    *Base
		}{{"sparse demo", sparse}, {"full demo", full}, {"furniture", furn}} {
			r := Evaluate(ctx, kb.b, oos)
			menus := 0
			for _, c := range oos {
				if kb.b.Match(ctx, c.Q, EN).Confidence == Medium {
					menus++
				}
			}
			out.WriteString("clinc oos vs " + kb.name + "\n" + summary(r))
			out.WriteString("  menus " + strconv.Itoa(menus) + " of " + strconv.Itoa(len(oos)) + "\n")
		}
	}
	t.Log("\n" + out.String())
}
