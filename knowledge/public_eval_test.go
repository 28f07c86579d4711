package knowledge

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
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
	b := bitextBase(t)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) int {
		i := slices.Index(header, name)
		if i < 0 {
			t.Fatalf("Bitext CSV has no %q column: %v", name, header)
		}
		return i
	}
	qCol, intentCol := col("instruction"), col("intent")
	type counts struct{ n, top1, high, highWrong int }
	per := map[string]*counts{}
	var all counts
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		intent := rec[intentCol]
		if _, ok := b.Entry(intent); !ok {
			t.Fatalf("the Bitext KB has no entry for intent %q", intent)
		}
		m := b.Match(context.Background(), rec[qCol], EN)
		c := per[intent]
		if c == nil {
			c = &counts{}
			per[intent] = c
		}
		right := bestID(m) == intent
		for _, c := range []*counts{c, &all} {
			c.n++
			if right && m.Confidence >= Medium {
				c.top1++
			}
			if m.Confidence == High {
				c.high++
				if !right {
					c.highWrong++
				}
			}
		}
	}
	var sb strings.Builder
	intents := make([]string, 0, len(per))
	for k := range per {
		intents = append(intents, k)
	}
	slices.Sort(intents)
	fmt.Fprintf(&sb, "%-26s %5s %7s %7s %9s\n", "intent", "n", "top-1", "high", "high-bad")
	row := func(name string, c counts) {
		fmt.Fprintf(&sb, "%-26s %5d %6.1f%% %6.1f%% %8.1f%%\n", name, c.n,
			100*rate(c.top1, c.n), 100*rate(c.high, c.n), 100*rate(c.highWrong, c.n))
	}
	for _, k := range intents {
		row(k, *per[k])
	}
	row("all", all)
	t.Logf("Bitext, %d utterances, %d intents:\n%s", all.n, len(per), sb.String())
	if all.n != 4514 {
		t.Errorf("read %d utterances, want 4514", all.n)
	}
	// Measured once after tuning on dev (never tuned on Bitext): 57.2%
	// top-1 (55.6% before), 5.0% confident wrong answers; the target is
	// 90% top-1. The floors sit just under the measured numbers so a
	// regression fails.
	if got := rate(all.top1, all.n); got < 0.55 {
		t.Errorf("Bitext top-1: got %.1f%%, want >= 55%%", 100*got)
	}
	if got := rate(all.highWrong, all.n); got > 0.06 {
		t.Errorf("Bitext confident wrong answers: got %.1f%%, want <= 6%%", 100*got)
	}
}

// TestCLINCOutOfScope measures how often 200 out-of-scope questions get a
// confident answer from the demo KB and the Bitext KB.
func TestCLINCOutOfScope(t *testing.T) {
	path := sharedData(t, "clinc150-oos/out-of-scope-200.txt")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var qs []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if q := strings.TrimSpace(sc.Text()); q != "" {
			qs = append(qs, q)
		}
	}
	f.Close()
	if len(qs) != 200 {
		t.Fatalf("read %d questions, want 200", len(qs))
	}
	for _, kb := range []struct {
		name string
		base *Base
	}{{"demo", demoBase(t)}, {"bitext", bitextBase(t)}} {
		var high, medium int
		var confident []string
		for _, q := range qs {
			switch m := kb.base.Match(context.Background(), q, EN); m.Confidence {
			case High:
				high++
				confident = append(confident, fmt.Sprintf("%q -> %s", q, bestID(m)))
			case Medium:
				medium++
			}
		}
		t.Logf("CLINC out-of-scope vs %s KB: %d/%d confident (%.1f%%), %d medium\n%s",
			kb.name, high, len(qs), 100*rate(high, len(qs)), medium, strings.Join(confident, "\n"))
		// Measured 2.0% against both KBs (one run after tuning on dev).
		if got := rate(high, len(qs)); got > 0.05 {
			t.Errorf("%s KB: %.1f%% confident answers to out-of-scope questions, want <= 5%%", kb.name, 100*got)
		}
	}
}
