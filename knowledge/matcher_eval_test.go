package knowledge

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
)

// sparseDemoBase is the demo KB cut by Sparse to two examples per
// language per entry (no synonyms file), loaded with tune.
func sparseDemoBase(t testing.TB, tune tuning) *Base {
	t.Helper()
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

// sparseBitextBase is the Bitext KB cut to two examples per intent.
func sparseBitextBase(t testing.TB, tune tuning) *Base {
	t.Helper()
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

// shopKB is a sparse shop KB under testdata/sparse: its *.yaml files except
// the question files (*-dev.yaml, *-test.yaml).
func shopKB(t testing.TB, shop string, tune tuning) *Base {
	t.Helper()
	dir := path.Join("testdata/sparse", shop)
	fsys := fstest.MapFS{}
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, de := range des {
		name := de.Name()
		if de.IsDir() || !strings.HasSuffix(name, ".yaml") || isQuestionFile(name) {
			continue
		}
		data, err := os.ReadFile(path.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		fsys[name] = &fstest.MapFile{Data: data}
	}
	b, err := loadTuned(context.Background(), fsys, LoadOptions{}, tune)
	if err != nil {
		t.Fatalf("load sparse KB %s: %v", shop, err)
	}
	return b
}

func isQuestionFile(name string) bool {
	return strings.HasSuffix(name, "-dev.yaml") || strings.HasSuffix(name, "-test.yaml")
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
