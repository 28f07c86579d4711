package knowledge

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
)

// sparseDemoBase is the demo KB cut by Sparse to two examples per
// language per entry (no synonyms file), loaded with tune (the shared
// evaluation KB for the default tuning).
func sparseDemoBase(t testing.TB, tune tuning) *Base {
	t.Helper()
	if tune == defaultTuning {
		return testKB(t, SparseName("demo", 2))
	}
	fsys, err := Sparse(Demo(), 2)
	if err != nil {
		t.Fatal(err)
	}
	b, err := loadTuned(context.Background(), fsys, LoadOptions{}, tune)
	if err != nil {
		t.Fatalf("load the sparse demo KB: %v", err)
	}
	return b
}

// sparseBitextBase is the Bitext KB cut to two examples per intent (the
// shared evaluation KB for the default tuning).
func sparseBitextBase(t testing.TB, tune tuning) *Base {
	t.Helper()
	if tune == defaultTuning {
		return testKB(t, SparseName("bitext-kb", 2))
	}
	fsys, err := Sparse(os.DirFS("testdata/bitext-kb"), 2)
	if err != nil {
		t.Fatal(err)
	}
	b, err := loadTuned(context.Background(), fsys, LoadOptions{Languages: []string{EN}}, tune)
	if err != nil {
		t.Fatalf("load the sparse Bitext KB: %v", err)
	}
	return b
}

// shopKBs holds the shop KBs loaded with the default tuning, once per test
// binary (a Base is immutable): shop -> func() (*Base, error).
var shopKBs sync.Map

// shopKB is a sparse shop KB: the *.yaml files of testdata/sparse/SHOP/kb (its
// question files sit one folder up, so `warmline kb check` and `eval -kb` read
// the kb folder as a shop would hand it over).
func shopKB(t testing.TB, shop string, tune tuning) *Base {
	t.Helper()
	if tune != defaultTuning {
		b, err := loadShopKB(shop, tune)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	load, _ := shopKBs.LoadOrStore(shop, sync.OnceValues(func() (*Base, error) { return loadShopKB(shop, defaultTuning) }))
	b, err := load.(func() (*Base, error))()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func loadShopKB(shop string, tune tuning) (*Base, error) {
	dir := path.Join("testdata/sparse", shop, "kb")
	fsys := fstest.MapFS{}
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, de := range des {
		name := de.Name()
		if de.IsDir() || !strings.HasSuffix(name, ".yaml") {
			continue
		}
		data, err := os.ReadFile(path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		fsys[name] = &fstest.MapFile{Data: data}
	}
	b, err := loadTuned(context.Background(), fsys, LoadOptions{}, tune)
	if err != nil {
		return nil, fmt.Errorf("load sparse KB %s: %w", shop, err)
	}
	return b, nil
}

// shopQuestions returns the question files of a sparse shop ending in
// suffix ("-dev.yaml" or "-test.yaml").
func shopQuestions(t testing.TB, shop, suffix string) []EvalCase {
	t.Helper()
	dir := path.Join("testdata/sparse", shop)
	names, _ := fs.Glob(os.DirFS(dir), "*"+suffix)
	var cases []EvalCase
	for _, n := range names {
		c, err := LoadEvalSet(os.DirFS(dir), n)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, c...)
	}
	return cases
}

// heldOutShop reports whether a shop's questions-test.yaml is scored on
// its own (petshop, furniture), not pooled with the first four shops'.
func heldOutShop(shop string) bool { return shop == "petshop" || shop == "furniture" }

func sparseShops() []string {
	des, _ := os.ReadDir("testdata/sparse")
	var shops []string
	for _, de := range des {
		if de.IsDir() {
			shops = append(shops, de.Name())
		}
	}
	sort.Strings(shops)
	return shops
}

func evalFile(t testing.TB, name string) []EvalCase {
	t.Helper()
	cases, err := LoadEvalSet(os.DirFS("testdata/eval"), name)
	if err != nil {
		t.Fatal(err)
	}
	return cases
}

// summary prints per language: answered right directly, offered (answered
// or in the menu), confidently wrong, out of scope answered, and rank-1.
func summary(r EvalReport) string {
	var b strings.Builder
	row := func(name string, c EvalCounts) {
		fmt.Fprintf(&b, "  %-6s n=%3d direct %5.1f%% offered %5.1f%% top1 %5.1f%% wrong %4.1f%% oos %2d/%2d\n",
			name, c.InScope, 100*c.ConfidentRate(), 100*c.OfferedRate(), 100*c.Top1Rate(), 100*c.ConfidentWrongRate(),
			c.OutOfScopeHigh, c.OutOfScope)
	}
	for _, l := range []string{EN, ZhCN, ZhTW} {
		if c, ok := r.PerLang[l]; ok {
			row(l, c)
		}
	}
	row("all", r.Total)
	return b.String()
}

// TestMatcherFloors keeps what the lexicon, the answer evidence and the
// calibrated confidence reached (issue 12): floors a point or two under the
// numbers measured when they landed, ceilings on confident wrong answers
// and on out-of-scope questions answered. Measured with the thresholds per
// script fitted with blind4-dev among the dev sets (all languages, direct /
// offered / confident wrong / out of scope answered): sparse demo dev 28.8
// / 86.4 / 1.6 / 0%, blind3-dev 61.3 / 93.8 / 1.2 / 0%, blind4-dev 55.6 /
// 90.5 / 2.4 / 0%, test 29.1 / 78.3 / 3.7 / 0%, test2 69.6 / 97.2 / 0.8 /
// 0%, blind3-test 60.0 / 95.6 / 1.2 / 0%, blind4-test 58.2 / 90.8 / 3.3 /
// 0%; with the one threshold fitted before blind4 (answering more, and
// more wrongly): dev 34.4 / 1.6, test 32.8 / 3.7, test2 73.2 / 2.4,
// blind3-test 63.1 / 3.1, blind4-test 60.3 / 4.2. With the second lexicon
// round (lexicon/requests.yaml) and the refit (0.82 / 0.88): dev 30.4 /
// 86.4 / 2.4 / 0%, blind3-dev 61.3 / 92.5 / 1.2 / 0%, blind4-dev 57.9 /
// 88.1 / 2.4 / 0%, test 31.7 / 77.8 / 3.2 / 0%, test2 70.8 / 97.2 / 1.2 /
// 0%, blind3-test 61.9 / 96.2 / 1.9 / 0%, blind4-test 58.6 / 90.8 / 3.8 /
// 0%. With the confidence model of 12 features fitted on dev pooled
// across the KBs (0.93 / 0.66): dev 32.8 / 86.4 / 1.6 / 0%, blind3-dev
// 70.0 / 92.5 / 2.5 / 0%, blind4-dev 61.9 / 88.9 / 2.4 / 0%, shops dev
// 65.9 / 94.5 / 1.1 / 0%; held out: test 31.2 / 77.8 / 3.2 / 0%, test2
// 68.4 / 97.2 / 2.0 / 0%, blind3-test 70.0 / 96.2 / 3.1 / 0%,
// blind4-test 59.0 / 90.8 / 3.3 / 0%, shops test 60.9 / 87.2 / 0.6 / 0%
// (the blind3 ceilings went from 2% to 3% and 3.5%: 2 wrong of 80 and 5
// of 160, for 7 and 13 more answered right). With the concept weighing 2
// in the ranking, exampleWeight 0.15 and the refit under wrong <= 2% per
// script, with blind5-dev and the travel shop among the dev sets (0.85 /
// 0.865): dev 39.2 / 91.2 / 4.8 / 0%, blind3-dev 76.2 / 97.5 / 2.5 / 0%,
// blind4-dev 65.1 / 92.1 / 1.6 / 0%, blind5-dev 54.2 / 88.4 / 0.6 / 0%,
// shops dev (travel added) 71.1 / 93.4 / 0.6 / 5%; held out, read once
// after the choice: test 36.5 / 77.2 / 3.2 / 0%, test2 70.4 / 97.6 / 1.2
// / 0%, blind3-test 71.9 / 97.5 / 3.1 / 0%, blind4-test 65.3 / 92.9 /
// 3.8 / 0%, blind5-test 55.8 / 88.8 / 2.9 / 2.2%, shops test (travel
// added) 60.9 / 88.8 / 1.2 / 2.2% (the dev.yaml ceiling went from 3% to
// 5% and blind4-test's from 4% to 4.5%: the limits hold pooled, not per
// set). The shop KBs are pooled per split (their sets are small).
//
// Each KB and set is scored once per test binary (scoredSet): the sets this
// test shares with TestSparseDemoEval, TestBitextSparse and the evaluation
// page's test are matched once.
func TestMatcherFloors(t *testing.T) {
	for _, f := range []sparseFloor{
		{set: "dev.yaml", direct: 0.37, top1: 0.75, offered: 0.89, confWrong: 0.05, oosHigh: 0.03},
		{set: "blind3-dev.yaml", direct: 0.74, top1: 0.85, offered: 0.95, confWrong: 0.03, oosHigh: 0.03},
		{set: "blind4-dev.yaml", direct: 0.63, top1: 0.83, offered: 0.88, confWrong: 0.03, oosHigh: 0.03},
		{set: "blind5-dev.yaml", direct: 0.52, top1: 0.77, offered: 0.87, confWrong: 0.02, oosHigh: 0.03},
		{set: "test.yaml", direct: 0.35, top1: 0.66, offered: 0.75, confWrong: 0.04, oosHigh: 0.03},
		{set: "test2.yaml", direct: 0.68, top1: 0.87, offered: 0.95, confWrong: 0.02, oosHigh: 0.03},
		{set: "blind3-test.yaml", direct: 0.70, top1: 0.85, offered: 0.95, confWrong: 0.035, oosHigh: 0.03},
		{set: "blind4-test.yaml", direct: 0.63, top1: 0.81, offered: 0.90, confWrong: 0.045, oosHigh: 0.03},
		{set: "blind5-test.yaml", direct: 0.54, top1: 0.75, offered: 0.86, confWrong: 0.035, oosHigh: 0.03},
		// blind6, added after the matcher was last changed (2026-12-01):
		// dev 70.0 / 88.2 / 92.9 / 1.2 / 3 of 24; test, scored once, 54.4 /
		// 77.8 / 91.1 / 4.0 / 2 of 48. Floors at what was measured, not
		// tuned.
		{set: "blind6-dev.yaml", direct: 0.69, top1: 0.87, offered: 0.92, confWrong: 0.02, oosHigh: 0.13},
		// blind6-test after the 2026-12-02 round: 56.5 / 77.8 / 90.3 / 4.8 /
		// 2 of 48 (was 54.4 / 77.8 / 91.1 / 4.0): offered and wrong floors
		// moved to what was measured (blind4-dev offered and blind7-dev
		// top-1 too: 88.9%, 79.4%).
		{set: "blind6-test.yaml", direct: 0.54, top1: 0.77, offered: 0.89, confWrong: 0.05, oosHigh: 0.045},
		// blind7 (2026-12-01, 943dfb9), added with the matcher unchanged:
		// test scored once (main 943dfb9; the snowball-stemmer variant tried
		// this round scored the same and was dropped): 69.6 / 84.8 / 94.6 /
		// 2.0 / 1 of 30 (direct en 57.4 / zh-CN 73.5 / zh-TW 77.9); dev 68.6
		// / 82.4 / 94.1 / 3.9 / 0 of 18. Floors at what was measured.
		{set: "blind7-dev.yaml", direct: 0.67, top1: 0.79, offered: 0.93, confWrong: 0.045, oosHigh: 0.03},
		{set: "blind7-test.yaml", direct: 0.68, top1: 0.83, offered: 0.93, confWrong: 0.025, oosHigh: 0.04},
		// blind8 (2026-12-02, ed758a4), written while the 2026-12-02 round
		// ran: dev joined the dev pool when it landed. Test scored after the
		// round (four times: see README; nothing chosen on it): 52.0 / 77.2
		// / 87.4 / 4.1 / 0 of 36 (direct en 34.1 / zh-CN 62.2 / zh-TW 59.8),
		// was 49.6 / 76.0 / 88.6 / 3.7 / 0 on main d20e8c1; dev 57.7 / 79.7 /
		// 86.2 / 4.9 / 0 of 18, was 56.9 / 80.5 / 87.8 / 4.9. Floors at what
		// was measured.
		{set: "blind8-dev.yaml", direct: 0.57, top1: 0.79, offered: 0.86, confWrong: 0.05, oosHigh: 0.03},
		{set: "blind8-test.yaml", direct: 0.52, top1: 0.77, offered: 0.87, confWrong: 0.045, oosHigh: 0.03},
		// blind10 (2026-12-03, ff9fd8c/f267e61): test scored once, the same on
		// main 851705c and after this round (the classifier is off by
		// default): 64.6 / 83.7 / 91.9 / 3.3 / 2 of 48 (direct en 58.5 /
		// zh-CN 69.5 / zh-TW 65.9; zh-TW wrong 6.1%). Floors at what was
		// measured; dev is tuned on.
		// dev: 64.2 / 79.7 / 92.7 / 3.3 / 2 of 27.
		{set: "blind10-dev.yaml", direct: 0.63, top1: 0.78, offered: 0.91, confWrong: 0.035, oosHigh: 0.08},
		{set: "blind10-test.yaml", direct: 0.63, top1: 0.82, offered: 0.91, confWrong: 0.035, oosHigh: 0.045},
	} {
		t.Run("sparse demo "+f.set, func(t *testing.T) {
			r, _ := scoredSet(t, SparseName("demo", 2), filepath.Join("testdata/eval", f.set))
			t.Logf("\n%s", summary(r))
			checkFloor(t, f, r.Total)
		})
	}
	for _, f := range []sparseFloor{
		{set: "-dev.yaml", direct: 0.69, top1: 0.88, offered: 0.91, confWrong: 0.02, oosHigh: 0.10},
		{set: "-test.yaml", direct: 0.59, top1: 0.81, offered: 0.86, confWrong: 0.02, oosHigh: 0.03},
	} {
		t.Run("shops"+f.set, func(t *testing.T) {
			var total EvalCounts
			for _, shop := range sparseShops() {
				// petshop and furniture have their own floors (below).
				if heldOutShop(shop) {
					continue
				}
				cases := shopQuestions(t, shop, f.set)
				if len(cases) == 0 {
					continue
				}
				r := Evaluate(context.Background(), shopKB(t, shop, defaultTuning), cases)
				t.Logf("%s\n%s", shop, summary(r))
				total.add(r.Total)
			}
			if total.InScope == 0 {
				t.Skip("no shop question sets")
			}
			checkFloor(t, f, total)
		})
	}
	// petshop (2026-12-02), left out of the pooled shops floors above (it
	// would move their history): questions-test scored once before the
	// afternoon round (64.2 / 85.8 / 90.8 / 0.0 / 1 of 24) and once after
	// it (66.7 / 85.8 / 91.7 / 0.0 / 2 of 24). Floors just under after.
	t.Run("petshop test", func(t *testing.T) {
		cases := shopQuestions(t, "petshop", "-test.yaml")
		if len(cases) == 0 {
			t.Skip("no petshop questions")
		}
		r := Evaluate(context.Background(), shopKB(t, "petshop", defaultTuning), cases)
		checkFloor(t, sparseFloor{direct: 0.65, top1: 0.84, offered: 0.90, confWrong: 0.02, oosHigh: 0.09}, r.Total)
	})
	// furniture (2026-12-03, 5267566/3af6443/f267e61), 22 entries: test
	// scored once, the same on main 851705c and after this round: 55.3 /
	// 76.5 / 87.1 / 1.5 / 0 of 24 (direct en 45.5 / zh-CN 65.9 / zh-TW
	// 54.5), CLINC 1 of 200. Floors at what was measured.
	t.Run("furniture", func(t *testing.T) {
		for _, f := range []sparseFloor{
			// dev: 60.6 / 84.1 / 93.9 / 3.8 / 0 of 12.
			{set: "-dev.yaml", direct: 0.59, top1: 0.83, offered: 0.92, confWrong: 0.04, oosHigh: 0.03},
			{set: "-test.yaml", direct: 0.54, top1: 0.75, offered: 0.86, confWrong: 0.02, oosHigh: 0.03},
		} {
			cases := shopQuestions(t, "furniture", f.set)
			if len(cases) == 0 {
				t.Skip("no furniture questions")
			}
			r := Evaluate(context.Background(), shopKB(t, "furniture", defaultTuning), cases)
			t.Logf("furniture%s\n%s", f.set, summary(r))
			checkFloor(t, f, r.Total)
		}
	})
	// The public sets, when they are next to the repository. Measured:
	// Bitext with 2 examples per intent 18.5 / 81.8 / 0.8% (28.4 / 81.6 /
	// 1.9% with the one threshold; before the lexicon 14.8 / 58.5 / 1.2%; with
	// requests.yaml 21.5 / 81.8 / 1.3%; with the 12-feature confidence 21.3 /
	// 80.4 / 1.3%; with the concept weight and the English threshold at
	// 0.865, 12.3 / 83.2 / 0.1%: English answers fewer, and fewer wrongly);
	// CLINC out of scope answered 1.5% (sparse demo KB), 2.5% (full demo KB;
	// 1.0 / 1.5% before requests.yaml; 0.0 / 2.5% with the 12-feature
	// confidence; 0.0 / 1.0% now).
	t.Run("bitext sparse", func(t *testing.T) {
		p, ok := findSharedData(t, "bitext/bitext-customer-support-4514.csv")
		if !ok {
			t.Skip("public data not found")
		}
		r, _ := scoredSet(t, SparseName("bitext-kb", 2), p)
		// 2026-12-02 round: 16.2 / 83.1 / 0.4% (was 12.3 / 83.2 / 0.1%).
		checkFloor(t, sparseFloor{direct: 0.11, top1: 0.64, offered: 0.81, confWrong: 0.02}, r.Total)
	})
	t.Run("clinc", func(t *testing.T) {
		p, ok := findSharedData(t, "clinc150-oos/out-of-scope-200.txt")
		if !ok {
			t.Skip("public data not found")
		}
		for _, kb := range []string{SparseName("demo", 2), "demo"} {
			r, n := scoredSet(t, kb, p)
			if n != 200 || r.Total.OutOfScope != 200 {
				t.Errorf("%s: %d CLINC cases, %d out of scope; want 200", kb, n, r.Total.OutOfScope)
			}
			checkFloor(t, sparseFloor{oosHigh: 0.025}, r.Total)
		}
	})
}
