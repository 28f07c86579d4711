package escalation

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"
)

var (
	defaultOnce  sync.Once
	defaultRules *Rules
	defaultErr   error
)

// testRules returns the default rules, built once per test binary.
func testRules(tb testing.TB) *Rules {
	tb.Helper()
	defaultOnce.Do(func() { defaultRules, defaultErr = Default() })
	if defaultErr != nil {
		tb.Fatalf("Default: %v", defaultErr)
	}
	return defaultRules
}

type labeled struct {
	Text      string   `yaml:"text"`
	Lang      string   `yaml:"lang"`
	Want      []string `yaml:"want"`
	Complaint bool     `yaml:"complaint"`
}

func loadLabeled(tb testing.TB, name string) []labeled {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	var f struct {
		Messages []labeled `yaml:"messages"`
	}
	if err := yaml.Unmarshal(data, &f); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return f.Messages
}

type counts struct{ tp, fp, fn int }

func (c counts) precision() float64 {
	if c.tp+c.fp == 0 {
		return 1
	}
	return float64(c.tp) / float64(c.tp+c.fp)
}

func (c counts) recall() float64 {
	if c.tp+c.fn == 0 {
		return 1
	}
	return float64(c.tp) / float64(c.tp+c.fn)
}

type evalResult struct {
	perKind   map[string]*counts
	overall   counts
	complaint counts
	errors    []string
}

// evaluate scores the content triggers of Analyze against the labels, per
// kind and micro-averaged, plus the complaint flag.
func evaluate(r *Rules, set []labeled) evalResult {
	res := evalResult{perKind: map[string]*counts{}}
	for _, k := range contentKinds() {
		res.perKind[k] = &counts{}
	}
	for _, m := range set {
		a := r.Analyze(m.Text, m.Lang)
		var got []string
		for _, t := range a.Triggers {
			got = append(got, t.Kind)
		}
		for _, k := range contentKinds() {
			g, w := slices.Contains(got, k), slices.Contains(m.Want, k)
			c := res.perKind[k]
			switch {
			case g && w:
				c.tp++
				res.overall.tp++
			case g && !w:
				c.fp++
				res.overall.fp++
			case !g && w:
				c.fn++
				res.overall.fn++
			}
		}
		if !slices.Equal(sorted(got), sorted(m.Want)) {
			res.errors = append(res.errors, fmt.Sprintf("[%s] %q got %v want %v", m.Lang, m.Text, got, m.Want))
		}
		switch {
		case a.Complaint && m.Complaint:
			res.complaint.tp++
		case a.Complaint && !m.Complaint:
			res.complaint.fp++
			res.errors = append(res.errors, fmt.Sprintf("[%s] %q complaint false positive (%q)", m.Lang, m.Text, a.ComplaintEvidence))
		case !a.Complaint && m.Complaint:
			res.complaint.fn++
			res.errors = append(res.errors, fmt.Sprintf("[%s] %q complaint missed", m.Lang, m.Text))
		}
	}
	return res
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func (res evalResult) report(tb testing.TB, name string, n int) {
	tb.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%d messages)\n%-18s %5s %5s %5s %9s %7s\n", name, n, "kind", "tp", "fp", "fn", "precision", "recall")
	line := func(k string, c counts) {
		fmt.Fprintf(&b, "%-18s %5d %5d %5d %8.1f%% %6.1f%%\n", k, c.tp, c.fp, c.fn, 100*c.precision(), 100*c.recall())
	}
	for _, k := range contentKinds() {
		line(k, *res.perKind[k])
	}
	line("overall (micro)", res.overall)
	line("complaint", res.complaint)
	for _, e := range res.errors {
		fmt.Fprintf(&b, "  miss: %s\n", e)
	}
	tb.Log(b.String())
}

func TestTriggerEval(t *testing.T) {
	r := testRules(t)
	for _, name := range []string{"triggers-dev.yaml", "triggers-test.yaml", "triggers-fresh.yaml"} {
		set := loadLabeled(t, name)
		neg := 0
		for _, m := range set {
			if len(m.Want) == 0 {
				neg++
			}
			for _, k := range m.Want {
				if !slices.Contains(contentKinds(), k) {
					t.Fatalf("%s: %q: unknown kind %q", name, m.Text, k)
				}
			}
		}
		t.Logf("%s: %d messages, %d negatives (%.0f%%)", name, len(set), neg, 100*float64(neg)/float64(len(set)))
		res := evaluate(r, set)
		res.report(t, name, len(set))
		if name != "triggers-test.yaml" {
			continue
		}
		// Targets on the held-out set.
		for _, k := range []string{KindLegalMedia, KindSupervisor} {
			if got := res.perKind[k].recall(); got < 0.95 {
				t.Errorf("held-out recall of %s = %.1f%%, want >= 95%%", k, 100*got)
			}
		}
		if got := res.overall.precision(); got < 0.90 {
			t.Errorf("held-out overall precision = %.1f%%, want >= 90%%", 100*got)
		}
	}
}
