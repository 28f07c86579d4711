package knowledge

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// evalKB loads the KB of kb (cut by Sparse when sparse > 0) and scores it
// on the question file set (any format LoadEvalSet reads), logging the
// per-language table. Misses are logged only with -v.
func evalKB(t *testing.T, kb fs.FS, sparse int, opts LoadOptions, set string) (*Base, EvalReport) {
	t.Helper()
	if sparse > 0 {
		var err error
		if kb, err = Sparse(kb, sparse); err != nil {
			t.Fatal(err)
		}
	}
	b, err := LoadWith(context.Background(), kb, opts)
	if err != nil {
		t.Fatalf("load KB: %v", err)
	}
	cases, err := LoadEvalSet(os.DirFS(filepath.Dir(set)), filepath.Base(set))
	if err != nil {
		t.Fatal(err)
	}
	r := Evaluate(context.Background(), b, cases)
	logReport(t, set, len(cases), r)
	return b, r
}

// logScored is scoredSet, logged like evalKB.
func logScored(t *testing.T, kb, set string) EvalReport {
	t.Helper()
	r, n := scoredSet(t, kb, set)
	logReport(t, set, n, r)
	return r
}

func logReport(t *testing.T, set string, n int, r EvalReport) {
	t.Helper()
	if len(r.UnknownWant) > 0 {
		t.Errorf("%s names entries the KB lacks: %v", set, r.UnknownWant)
	}
	out := r.String()
	if !testing.Verbose() {
		out, _, _ = strings.Cut(out, "miss ")
	}
	t.Logf("%s (%d cases):\n%s", filepath.Base(set), n, out)
}

// sparseFloor is what a sparse-KB evaluation must keep: floors a couple of
// points under the numbers measured when the sparse evaluation was added
// (the matcher then tuned on the full demo KB only), and ceilings on
// confident wrong answers.
type sparseFloor struct {
	set                   string
	direct, top1, offered float64 // at least
	confWrong, oosHigh    float64 // at most
}

// TestSparseDemoEval scores the demo KB cut to a shop's day-one shape
// (title, answer, first 2 examples per language) on the demo sets. Measured
// first (all languages): dev answered right 13.6%, menu 46.4%, top-1
// 48.8%, confident wrong 2.4%; test 25.9%, 40.2%, 56.6%, 4.2%; test2
// 66.0%, 23.6%, 84.4%, 3.6%; out of scope answered 0.0%, 2.1%, 2.6%.
// Far under the targets (answered right >= 85%, confident wrong
// <= 2%): the baseline for tuning, which must raise these floors.
func TestSparseDemoEval(t *testing.T) {
	for _, f := range []sparseFloor{
		{set: "dev.yaml", direct: 0.12, top1: 0.46, offered: 0.60, confWrong: 0.05, oosHigh: 0.03},
		{set: "test.yaml", direct: 0.24, top1: 0.54, offered: 0.66, confWrong: 0.06, oosHigh: 0.05},
		{set: "test2.yaml", direct: 0.64, top1: 0.82, offered: 0.90, confWrong: 0.05, oosHigh: 0.05},
	} {
		t.Run(f.set, func(t *testing.T) {
			r := logScored(t, SparseName("demo", 2), filepath.Join("testdata/eval", f.set))
			checkFloor(t, f, r.Total)
		})
	}
}

// TestBitextSparse scores the Bitext KB cut to 2 examples per intent on the
// 4,514 Bitext utterances. Measured first: answered right 14.8%, menu
// 43.0%, top-1 45.9%, confident wrong 1.2% (the full Bitext KB: 26.7%,
// 46.5%, 57.2%, 5.0%).
func TestBitextSparse(t *testing.T) {
	path := sharedData(t, "bitext/bitext-customer-support-4514.csv")
	r := logScored(t, SparseName("bitext-kb", 2), path)
	if r.Total.InScope != 4514 {
		t.Errorf("read %d utterances, want 4514", r.Total.InScope)
	}
	checkFloor(t, sparseFloor{direct: 0.11, top1: 0.44, offered: 0.56, confWrong: 0.02}, r.Total)
}

func checkFloor(t *testing.T, f sparseFloor, c EvalCounts) {
	t.Helper()
	for _, m := range []struct {
		name      string
		got, want float64
		atMost    bool
	}{
		{"answered right", c.ConfidentRate(), f.direct, false},
		{"top-1", c.Top1Rate(), f.top1, false},
		{"answered or offered", c.OfferedRate(), f.offered, false},
		{"confident wrong", c.ConfidentWrongRate(), f.confWrong, true},
		{"out of scope answered", c.OutOfScopeHighRate(), f.oosHigh, true},
	} {
		if m.atMost && m.got > m.want || !m.atMost && m.got < m.want {
			op := ">="
			if m.atMost {
				op = "<="
			}
			t.Errorf("%s: got %.1f%%, want %s %.0f%%", m.name, 100*m.got, op, 100*m.want)
		}
	}
}

// TestEvalAny scores any KB directory on any question file:
//
//	WARMLINE_EVAL_KB=dir WARMLINE_EVAL_SET=file [WARMLINE_EVAL_SPARSE=2] [WARMLINE_EVAL_LANGS=en] \
//	  go test -run TestEvalAny -v ./knowledge/
//
// (`warmline eval -kb dir -sparse 2 file` prints the same.)
func TestEvalAny(t *testing.T) {
	kb, set := os.Getenv("WARMLINE_EVAL_KB"), os.Getenv("WARMLINE_EVAL_SET")
	if kb == "" || set == "" {
		t.Skip("set WARMLINE_EVAL_KB and WARMLINE_EVAL_SET")
	}
	sparse := 0
	if s := os.Getenv("WARMLINE_EVAL_SPARSE"); s != "" {
		var err error
		if sparse, err = strconv.Atoi(s); err != nil {
			t.Fatalf("WARMLINE_EVAL_SPARSE: %v", err)
		}
	}
	var opts LoadOptions
	if l := os.Getenv("WARMLINE_EVAL_LANGS"); l != "" {
		opts.Languages = strings.Split(l, ",")
	}
	evalKB(t, os.DirFS(kb), sparse, opts, set)
}
