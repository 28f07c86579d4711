package knowledge

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// testKBs are the KBs the evaluation tests score, by the name the
// evaluation page gives them; each is loaded once per test binary (a Base
// is immutable).
var testKBs = map[string]func() (*Base, error){
	"demo":                     sync.OnceValues(func() (*Base, error) { return loadEvalKB(Demo(), 0, nil) }),
	SparseName("demo", 2):      sync.OnceValues(func() (*Base, error) { return loadEvalKB(Demo(), 2, nil) }),
	"bitext-kb":                sync.OnceValues(func() (*Base, error) { return loadEvalKB(os.DirFS("testdata/bitext-kb"), 0, []string{EN}) }),
	SparseName("bitext-kb", 2): sync.OnceValues(func() (*Base, error) { return loadEvalKB(os.DirFS("testdata/bitext-kb"), 2, []string{EN}) }),
}

func loadEvalKB(fsys fs.FS, sparse int, langs []string) (*Base, error) {
	if sparse > 0 {
		var err error
		if fsys, err = Sparse(fsys, sparse); err != nil {
			return nil, err
		}
	}
	return LoadWith(context.Background(), fsys, LoadOptions{Languages: langs})
}

// testKB returns the named evaluation KB.
func testKB(t testing.TB, name string) *Base {
	t.Helper()
	load, ok := testKBs[name]
	if !ok {
		t.Fatalf("no evaluation KB %q", name)
	}
	b, err := load()
	if err != nil {
		t.Fatalf("load KB %s: %v", name, err)
	}
	return b
}

// scores caches Evaluate per KB and set, so the floor tests and the
// evaluation page's test score each pair once.
var scores sync.Map // kb + "\x00" + set path -> func() (EvalReport, error)

// scoredSet is the report of the named KB on the question file set and the
// number of cases.
func scoredSet(t testing.TB, kb, set string) (EvalReport, int) {
	t.Helper()
	base := testKB(t, kb)
	f, _ := scores.LoadOrStore(kb+"\x00"+set, sync.OnceValues(func() (EvalReport, error) {
		cases, err := LoadEvalSet(os.DirFS(filepath.Dir(set)), filepath.Base(set))
		if err != nil {
			return EvalReport{}, err
		}
		return Evaluate(context.Background(), base, cases), nil
	}))
	r, err := f.(func() (EvalReport, error))()
	if err != nil {
		t.Fatal(err)
	}
	return r, r.Total.InScope + r.Total.OutOfScope
}
