package knowledge

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMatchDigest (WARMLINE_DIGEST=file) writes, for every question of
// every evaluation set against its KB (the full and sparse demo KB, the
// shops, Bitext, CLINC), what Explain returned: the confidence, the
// candidates with their scores and every number of the explanation, to 17
// digits. Two builds that write the same file match identically: run it
// before and after a change meant to be only faster, and diff. It prints no
// score (held-out sets included); only the diff is read.
func TestMatchDigest(t *testing.T) {
	out := os.Getenv("WARMLINE_DIGEST")
	if out == "" {
		t.Skip("set WARMLINE_DIGEST to the file to write")
	}
	var b strings.Builder
	dump := func(kb string, base *Base, cases []EvalCase) {
		for _, c := range cases {
			m, ex := base.Explain(context.Background(), c.Q, c.Lang)
			fmt.Fprintf(&b, "%s\t%s\t%q\t%s", kb, c.Lang, c.Q, m.Confidence)
			for _, k := range m.Candidates {
				fmt.Fprintf(&b, "\t%s=%.17g", k.Entry.ID, k.Score)
			}
			fmt.Fprintf(&b, "\t%s %q %.17g %.17g %d %t %d %.17g %.17g %.17g %.17g %.17g\n", ex.Script, ex.Terms, ex.Coverage, ex.Margin,
				ex.Matched, ex.Exact, ex.Concepts, ex.Unknown, ex.CoverageGap, ex.Margin3, ex.Overlap, ex.Confidence)
		}
	}
	sets, _ := filepath.Glob("testdata/eval/*.yaml")
	for _, s := range sets {
		cases := evalFile(t, filepath.Base(s))
		dump("demo", demoBase(t), cases)
		dump("sparse", sparseDemoBase(t, defaultTuning), cases)
	}
	for _, shop := range sparseShops() {
		for _, split := range []string{"-dev.yaml", "-test.yaml"} {
			dump(shop, shopKB(t, shop, defaultTuning), shopQuestions(t, shop, split))
		}
	}
	if bx := bitextCases(t); bx != nil {
		dump("bitext", bitextBase(t), bx)
		dump("bitext2", sparseBitextBase(t, defaultTuning), bx)
	}
	if oos := clincCases(t); oos != nil {
		dump("clinc-demo", demoBase(t), oos)
		dump("clinc-sparse", sparseDemoBase(t, defaultTuning), oos)
		dump("clinc-bitext", bitextBase(t), oos)
	}
	big, err := LoadWith(context.Background(), kb5000(t), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dev := evalFile(t, "dev.yaml")
	for _, q := range benchQuestions {
		dev = append(dev, EvalCase{Q: q.q, Lang: q.lang})
	}
	dump("kb5000", big, dev)
	if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
