package escalation

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"
)

var (
	defaultOnce  sync.Once
	defaultRules *Rules
	defaultErr   error
	// testPatterns holds the default file's compiled patterns for the
	// tests that load edited copies of it (some twenty loads; compiling
	// its ~1,000 patterns took 0.4 s each under -race). Every load in the
	// tests uses the shared converter, which the cache requires.
	testPatterns = &patternCache{kindModel: sync.OnceValues(loadKindModel)}
)

// testRules returns the default rules, built once per test binary.
func testRules(tb testing.TB) *Rules {
	tb.Helper()
	defaultOnce.Do(func() { defaultRules, defaultErr = Default(withPatternCache(testPatterns)) })
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

// labeledSets holds each labeled set as parsed, once per test binary: the
// eval tests, the digest, the prefilter test and the model's training read
// the same files (under -race, parsing them again per test cost seconds).
var labeledSets sync.Map // set name -> func() ([]labeled, error)

// loadLabeled returns the messages of testdata/name (a copy: callers may
// change it).
func loadLabeled(tb testing.TB, name string) []labeled {
	tb.Helper()
	f, _ := labeledSets.LoadOrStore(name, sync.OnceValues(func() ([]labeled, error) {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			return nil, err
		}
		var f struct {
			Messages []labeled `yaml:"messages"`
		}
		if err := yaml.Unmarshal(data, &f); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return f.Messages, nil
	}))
	msgs, err := f.(func() ([]labeled, error))()
	if err != nil {
		tb.Fatal(err)
	}
	return slices.Clone(msgs)
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
	perKind       map[string]*counts
	overall       counts
	complaint     counts
	perLang       map[string]*counts // triggers, micro-averaged over kinds
	complaintLang map[string]*counts
	errors        []string // name the messages: never print them for a held-out set
}

// evaluate scores the content triggers of the analyses (analyzedSet: one
// per message of set) against the labels, per kind and micro-averaged, plus
// the complaint flag.
func evaluate(set []labeled, analyses []Analysis) evalResult {
	res := evalResult{perKind: map[string]*counts{}, perLang: map[string]*counts{}, complaintLang: map[string]*counts{}}
	for _, k := range contentKinds() {
		res.perKind[k] = &counts{}
	}
	for i, m := range set {
		if res.perLang[m.Lang] == nil {
			res.perLang[m.Lang], res.complaintLang[m.Lang] = &counts{}, &counts{}
		}
		lc, cc := res.perLang[m.Lang], res.complaintLang[m.Lang]
		a := analyses[i]
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
				lc.tp++
			case g && !w:
				c.fp++
				res.overall.fp++
				lc.fp++
			case !g && w:
				c.fn++
				res.overall.fn++
				lc.fn++
			}
		}
		if !slices.Equal(sorted(got), sorted(m.Want)) {
			res.errors = append(res.errors, fmt.Sprintf("[%s] %q got %v want %v", m.Lang, m.Text, got, m.Want))
		}
		switch {
		case a.Complaint && m.Complaint:
			res.complaint.tp++
			cc.tp++
		case a.Complaint && !m.Complaint:
			res.complaint.fp++
			cc.fp++
			res.errors = append(res.errors, fmt.Sprintf("[%s] %q complaint false positive (%q)", m.Lang, m.Text, a.ComplaintEvidence))
		case !a.Complaint && m.Complaint:
			res.complaint.fn++
			cc.fn++
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

// report logs the scores and every error (the messages themselves).
func (res evalResult) report(tb testing.TB, name string, n int) {
	tb.Helper()
	tb.Log(res.table(name, n, true))
}

// reportAggregate logs the scores only, per kind and per language: for a
// held-out set, whose messages must not be read while tuning.
func (res evalResult) reportAggregate(tb testing.TB, name string, n int) {
	tb.Helper()
	tb.Log(res.table(name, n, false))
}

func (res evalResult) table(name string, n int, withErrors bool) string {
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
	for _, l := range slices.Sorted(maps.Keys(res.perLang)) {
		line("  triggers "+l, *res.perLang[l])
		line("  complaint "+l, *res.complaintLang[l])
	}
	if withErrors {
		for _, e := range res.errors {
			fmt.Fprintf(&b, "  miss: %s\n", e)
		}
	}
	return b.String()
}

func TestTriggerEval(t *testing.T) {
	t.Parallel() // independent and read-only: overlaps with the other heavy tests
	for _, name := range []string{"triggers-dev.yaml", "triggers-test.yaml", "triggers-fresh.yaml", "triggers-blind.yaml"} {
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
		res := evaluate(set, analyzedSet(t, name))
		if name == "triggers-test.yaml" || name == "triggers-blind.yaml" {
			res.reportAggregate(t, name, len(set)) // held out: scores only, never the messages
		} else {
			res.report(t, name, len(set))
		}
		if name == "triggers-blind.yaml" {
			checkBlind(t, res)
		}
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

// checkBlind guards the blind set's measured scores. The targets are
// recall >= 95% on legal_media and supervisor and overall precision >= 90%.
// Measured once before the triggers-2 changes (P 87.7%, R 80.2%; legal_media
// R 95.8%, supervisor R 85.7%) and once after (P 95.3%, R 87.9%; legal_media
// P 100% R 95.8%, security P 95.0% R 79.2%, supervisor P 85.7% R 85.7%,
// human P 100% R 83.3%, refund_over_limit P 95.7% R 95.7%; complaint P 98.0%
// R 60.5%). Supervisor recall is still short of its target. After the
// issue-11 changes (typos, wider families, soft complaint words; tuned on the
// blind2 and complaint -dev sets): P 95.6%, R 93.1%; legal_media R 95.8%,
// security P 95.7% R 91.7%, supervisor P 87.0% R 95.2%, human P 100%
// R 83.3%, refund_over_limit P 95.8% R 100%; complaint P 98.3% R 72.8%. The
// floors sit just under the latest numbers: they catch regressions, not
// tuning (never tune on this set; write a new blind set to measure a change).
// After the issue-11 trigger work (families, complaint model): P 95.6%,
// R 94.0%; security R 95.8%; complaint P 98.5% R 80.2%. After the blind5
// work (complaint weights chosen on blind5-dev): complaint P 97.0% R 80.2%.
// In the blind7 work a charge taken twice stopped being security (a payment
// error, the SOP's P2, as the blind3 and blind6/blind7 guides label it; this
// set's writer labelled it security): security R 95.8% -> 83.3% (3 of 24),
// overall R 94.0% -> 93.1%; the complaint model retrained with blind6's test
// halves and blind7-dev: complaint P 97.2% -> 95.9%. The floors were lowered
// to match (0.935 -> 0.93, 0.91 -> 0.83, 0.965 -> 0.955).
func checkBlind(t *testing.T, res evalResult) {
	t.Helper()
	floors := []struct {
		name string
		got  float64
		min  float64
	}{
		{"overall precision", res.overall.precision(), 0.95},
		{"overall recall", res.overall.recall(), 0.93},
		{"legal_media recall", res.perKind[KindLegalMedia].recall(), 0.95},
		{"supervisor recall", res.perKind[KindSupervisor].recall(), 0.95},
		{"security recall", res.perKind[KindSecurity].recall(), 0.83},
		{"human recall", res.perKind[KindHuman].recall(), 0.83},
		{"complaint precision", res.complaint.precision(), 0.955},
		{"complaint recall", res.complaint.recall(), 0.80},
	}
	for _, f := range floors {
		if f.got < f.min {
			t.Errorf("blind %s = %.1f%%, want >= %.0f%%", f.name, 100*f.got, 100*f.min)
		}
	}
}

// analyzedSets holds, per labeled set, the default rules' analysis of each
// of its messages: computed once per test binary and shared by every test
// that scores the set (the eval tests, the digest), so a message is not
// analysed again per test; under -race that repetition took most of the
// package's test time. The analyses are read only.
var analyzedSets sync.Map // set name -> func() []Analysis

// analyzedSet returns the default rules' analysis of each message of the
// labeled set name, in order.
func analyzedSet(tb testing.TB, name string) []Analysis {
	tb.Helper()
	r, set := testRules(tb), loadLabeled(tb, name)
	f, _ := analyzedSets.LoadOrStore(name, sync.OnceValue(func() []Analysis {
		out := make([]Analysis, len(set))
		for i, m := range set {
			out[i] = r.Analyze(m.Text, m.Lang)
		}
		return out
	}))
	return f.(func() []Analysis)()
}
