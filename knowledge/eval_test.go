package knowledge

import (
	"context"
	"os"
	"testing"
)

// Targets from the issue: top-1 on in-scope questions >= 90%, confident
// answers on out-of-scope questions <= 5%.
//
// The lexical matcher does NOT reach the top-1 target on these sets (dev
// measured 68.0% when the thresholds were frozen; see doc.go). The tests
// assert floors a few points under the measured numbers so a regression
// fails, and log the full report; the out-of-scope target is asserted as is.
const (
	targetTop1    = 0.90
	targetOOSHigh = 0.05
	floorDevTop1  = 0.65
	// Held-out measured 67.7% top-1 (en 54.0%, zh-CN 78.3%, zh-TW 71.2%)
	// on its one run after tuning; not tuned on.
	floorHeldOutTop1 = 0.62
)

func demoBase(t testing.TB) *Base {
	t.Helper()
	b, err := Load(context.Background(), Demo())
	if err != nil {
		t.Fatalf("load demo KB: %v", err)
	}
	return b
}

func runEval(t *testing.T, name string, minTop1 float64) EvalReport {
	t.Helper()
	cases, err := LoadEvalSet(os.DirFS("testdata/eval"), name)
	if err != nil {
		t.Fatal(err)
	}
	r := Evaluate(context.Background(), demoBase(t), cases)
	t.Logf("%s (%d cases):\n%s", name, len(cases), r)
	if len(r.UnknownWant) > 0 {
		t.Errorf("%s names entries the demo KB lacks: %v", name, r.UnknownWant)
	}
	if got := r.Total.Top1Rate(); got < minTop1 {
		t.Errorf("top-1 on in-scope: got %.1f%%, want >= %.0f%%", 100*got, 100*minTop1)
	}
	if got := r.Total.OutOfScopeHighRate(); got > targetOOSHigh {
		t.Errorf("confident answers on out-of-scope: got %.1f%%, want <= %.0f%%", 100*got, 100*targetOOSHigh)
	}
	if r.Total.InScope == 0 || r.Total.OutOfScope == 0 {
		t.Errorf("%s: %d in-scope and %d out-of-scope cases; want both", name, r.Total.InScope, r.Total.OutOfScope)
	}
	return r
}

// TestDemoEvalDev is the set the thresholds were tuned on.
func TestDemoEvalDev(t *testing.T) {
	r := runEval(t, "dev.yaml", floorDevTop1)
	if got := r.Total.Top1Rate(); got < targetTop1 {
		t.Logf("top-1 %.1f%% is under the %.0f%% target", 100*got, 100*targetTop1)
	}
}

// TestDemoEvalHeldOut runs the held-out set, never used for tuning.
func TestDemoEvalHeldOut(t *testing.T) {
	runEval(t, "test.yaml", floorHeldOutTop1)
}
