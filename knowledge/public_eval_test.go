package knowledge

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// sharedData finds the public evaluation data: a "shared/data" directory
// next to one of the directories above the package. It skips the test when
// there is none (the data is not part of the repository).
func sharedData(t *testing.T, rel string) string {
	t.Helper()
	p, ok := findSharedData(t, rel)
	if !ok {
		t.Skipf("public data %s not found next to the repository", rel)
	}
	return p
}

// findSharedData is sharedData without the skip.
func findSharedData(t testing.TB, rel string) (string, bool) {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		p := filepath.Join(dir, "..", "shared", "data", rel)
		if _, err := os.Stat(p); err == nil {
			return p, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

func bitextBase(t *testing.T) *Base {
	t.Helper()
	return testKB(t, "bitext-kb")
}

// TestBitext measures English routing on the 4,514 Bitext utterances
// against an English-only KB with one entry per Bitext intent (written
// from the intent names, not from the utterances).
func TestBitext(t *testing.T) {
	path := sharedData(t, "bitext/bitext-customer-support-4514.csv")
	// Scored once per test binary: the evaluation page's test and
	// TestEvalDocCurrent read the same report.
	r, _ := scoredSet(t, "bitext-kb", path)
	if len(r.UnknownWant) > 0 {
		t.Fatalf("the Bitext KB has no entry for intents %v", r.UnknownWant)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%-26s %5s %7s %7s %9s\n", "intent", "n", "top-1", "high", "high-bad")
	row := func(name string, c EvalCounts) {
		fmt.Fprintf(&sb, "%-26s %5d %6.1f%% %6.1f%% %8.1f%%\n", name, c.InScope,
			100*rate(c.Top1, c.InScope), 100*rate(c.ConfidentRight+c.ConfidentWrong, c.InScope), 100*rate(c.ConfidentWrong, c.InScope))
	}
	for _, k := range slices.Sorted(maps.Keys(r.PerEntry)) {
		row(k, r.PerEntry[k])
	}
	all := r.Total
	row("all", all)
	t.Logf("Bitext, %d utterances, %d intents:\n%s", all.InScope, len(r.PerEntry), sb.String())
	if n := all.InScope + all.OutOfScope; n != 4514 || all.OutOfScope != 0 {
		t.Errorf("read %d utterances (%d without an intent), want 4514 with intents", n, all.OutOfScope)
	}
	// Measured once after tuning on dev (never tuned on Bitext): 57.2%
	// top-1 (55.6% before), 5.0% confident wrong answers; the target is
	// 90% top-1. The floors sit just under the measured numbers so a
	// regression fails.
	if got := rate(all.Top1, all.InScope); got < 0.55 {
		t.Errorf("Bitext top-1: got %.1f%%, want >= 55%%", 100*got)
	}
	if got := rate(all.ConfidentWrong, all.InScope); got > 0.06 {
		t.Errorf("Bitext confident wrong answers: got %.1f%%, want <= 6%%", 100*got)
	}
}

// TestCLINCOutOfScope measures how often 200 out-of-scope questions get a
// confident answer from the demo KB and the Bitext KB.
func TestCLINCOutOfScope(t *testing.T) {
	path := sharedData(t, "clinc150-oos/out-of-scope-200.txt")
	for _, kb := range []struct{ name, kb string }{{"demo", "demo"}, {"bitext", "bitext-kb"}} {
		r, n := scoredSet(t, kb.kb, path)
		if n != 200 || r.Total.OutOfScope != 200 {
			t.Fatalf("read %d questions (%d out of scope), want 200", n, r.Total.OutOfScope)
		}
		high, medium := r.Total.OutOfScopeHigh, r.Total.OutOfScopeMedium
		var confident []string
		for _, m := range r.Misses { // an out-of-scope miss is a confident answer
			confident = append(confident, fmt.Sprintf("%q -> %s", m.Case.Q, m.Got))
		}
		if len(confident) != high {
			t.Errorf("%s KB: %d misses, %d confident answers; want them equal", kb.name, len(confident), high)
		}
		t.Logf("CLINC out-of-scope vs %s KB: %d/%d confident (%.1f%%), %d medium\n%s",
			kb.name, high, n, 100*rate(high, n), medium, strings.Join(confident, "\n"))
		// Measured 2.0% against both KBs (one run after tuning on dev).
		if got := rate(high, n); got > 0.05 {
			t.Errorf("%s KB: %.1f%% confident answers to out-of-scope questions, want <= 5%%", kb.name, 100*got)
		}
	}
}
