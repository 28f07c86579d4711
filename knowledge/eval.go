package knowledge

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// EvalCase is one question of an evaluation set. Want is the id of the
// entry that should answer it; "" means out of scope: it must not get a
// confident answer.
type EvalCase struct {
	Q    string `yaml:"q"`
	Lang string `yaml:"lang"`
	Want string `yaml:"want"`
}

// LoadEvalSet reads an evaluation set. By the file's extension:
//
//   - .yaml / .yml: a "cases" list of {q, lang, want} (want "" or absent:
//     out of scope); the format of testdata/eval;
//   - .csv: a table with an "instruction" (the question) and an "intent"
//     column (the entry id it wants), all English: the Bitext public set;
//   - .txt: one English out-of-scope question per line: the CLINC150
//     out-of-scope queries.
func LoadEvalSet(fsys fs.FS, name string) ([]EvalCase, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("load eval set: %w", err)
	}
	var cases []EvalCase
	switch path.Ext(name) {
	case ".csv":
		cases, err = evalCSV(data)
	case ".txt":
		for line := range strings.Lines(string(data)) {
			if q := strings.TrimSpace(line); q != "" {
				cases = append(cases, EvalCase{Q: q, Lang: EN})
			}
		}
	default:
		cases, err = evalYAML(data)
	}
	if err != nil {
		return nil, fmt.Errorf("load eval set %s: %w", name, err)
	}
	for i, c := range cases {
		if strings.TrimSpace(c.Q) == "" {
			return nil, fmt.Errorf("load eval set %s: case %d: empty q", name, i+1)
		}
		if !slices.Contains(allLangs, c.Lang) {
			return nil, fmt.Errorf("load eval set %s: case %d: unknown lang %q", name, i+1, c.Lang)
		}
	}
	return cases, nil
}

func evalYAML(data []byte) ([]EvalCase, error) {
	var f struct {
		Cases []EvalCase `yaml:"cases"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, err
	}
	return f.Cases, nil
}

func evalCSV(data []byte) ([]EvalCase, error) {
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, errors.New("no header")
	}
	q, want := slices.Index(recs[0], "instruction"), slices.Index(recs[0], "intent")
	if q < 0 || want < 0 {
		return nil, fmt.Errorf("want \"instruction\" and \"intent\" columns, have %v", recs[0])
	}
	cases := make([]EvalCase, 0, len(recs)-1)
	for _, r := range recs[1:] {
		cases = append(cases, EvalCase{Q: r[q], Lang: EN, Want: r[want]})
	}
	return cases, nil
}

// EvalCounts are the outcomes of a group of evaluation cases.
type EvalCounts struct {
	InScope          int // cases with a Want
	Top1             int // in scope, best candidate right (High or Medium)
	Offered          int // in scope, right entry among the candidates (High or Medium)
	Menu             int // in scope, Medium with the right entry in the "did you mean" menu
	ConfidentRight   int // in scope, High and right
	ConfidentWrong   int // in scope, High and wrong
	Medium           int // in scope, Medium
	Low              int // in scope, Low
	OutOfScope       int // cases without a Want
	OutOfScopeHigh   int // out of scope but High: a confident wrong answer
	OutOfScopeMedium int // out of scope, offered candidates
}

// Top1Rate is Top1 / InScope.
func (c EvalCounts) Top1Rate() float64 { return rate(c.Top1, c.InScope) }

// OfferedRate is Offered / InScope: the right entry was answered or among
// the (up to 3) candidates offered.
func (c EvalCounts) OfferedRate() float64 { return rate(c.Offered, c.InScope) }

// MenuRate is Menu / InScope: questions answered by a menu that holds the
// right entry.
func (c EvalCounts) MenuRate() float64 { return rate(c.Menu, c.InScope) }

// ConfidentRate is ConfidentRight / InScope: questions answered directly.
func (c EvalCounts) ConfidentRate() float64 { return rate(c.ConfidentRight, c.InScope) }

// ConfidentWrongRate is ConfidentWrong / InScope.
func (c EvalCounts) ConfidentWrongRate() float64 { return rate(c.ConfidentWrong, c.InScope) }

// OutOfScopeHighRate is OutOfScopeHigh / OutOfScope.
func (c EvalCounts) OutOfScopeHighRate() float64 { return rate(c.OutOfScopeHigh, c.OutOfScope) }

func rate(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

func (c *EvalCounts) add(o EvalCounts) {
	c.InScope += o.InScope
	c.Top1 += o.Top1
	c.Offered += o.Offered
	c.Menu += o.Menu
	c.ConfidentRight += o.ConfidentRight
	c.ConfidentWrong += o.ConfidentWrong
	c.Medium += o.Medium
	c.Low += o.Low
	c.OutOfScope += o.OutOfScope
	c.OutOfScopeHigh += o.OutOfScopeHigh
	c.OutOfScopeMedium += o.OutOfScopeMedium
}

// EvalMiss is a case the matcher did not get right: in scope and not top-1
// or Low, or out of scope with High.
type EvalMiss struct {
	Case       EvalCase
	Got        string // best candidate id, "" if none
	Confidence Confidence
}

// EvalReport is the result of Evaluate.
type EvalReport struct {
	Total   EvalCounts
	PerLang map[string]EvalCounts
	// PerEntry counts the in-scope cases by the entry they want.
	PerEntry map[string]EvalCounts
	// UnknownWant lists Want ids the KB does not have (a broken eval set).
	UnknownWant []string
	Misses      []EvalMiss
}

// Evaluate matches every case against base and counts the outcomes.
func Evaluate(ctx context.Context, base *Base, cases []EvalCase) EvalReport {
	r := EvalReport{PerLang: map[string]EvalCounts{}, PerEntry: map[string]EvalCounts{}}
	for _, c := range cases {
		var n EvalCounts
		m := base.Match(ctx, c.Q, c.Lang)
		got := ""
		if e := m.Best(); e != nil {
			got = e.ID
		}
		miss := false
		if c.Want == "" {
			n.OutOfScope = 1
			switch m.Confidence {
			case High:
				n.OutOfScopeHigh = 1
				miss = true
			case Medium:
				n.OutOfScopeMedium = 1
			}
		} else {
			if _, ok := base.Entry(c.Want); !ok && !slices.Contains(r.UnknownWant, c.Want) {
				r.UnknownWant = append(r.UnknownWant, c.Want)
			}
			n.InScope = 1
			right := got == c.Want
			if m.Confidence >= Medium && slices.ContainsFunc(m.Candidates, func(k Candidate) bool { return k.Entry.ID == c.Want }) {
				n.Offered = 1
			}
			switch m.Confidence {
			case High:
				if right {
					n.ConfidentRight, n.Top1 = 1, 1
				} else {
					n.ConfidentWrong = 1
				}
			case Medium:
				n.Medium, n.Menu = 1, n.Offered
				if right {
					n.Top1 = 1
				}
			default:
				n.Low = 1
			}
			miss = n.Top1 == 0
		}
		if miss {
			r.Misses = append(r.Misses, EvalMiss{Case: c, Got: got, Confidence: m.Confidence})
		}
		l := r.PerLang[c.Lang]
		l.add(n)
		r.PerLang[c.Lang] = l
		if c.Want != "" {
			e := r.PerEntry[c.Want]
			e.add(n)
			r.PerEntry[c.Want] = e
		}
		r.Total.add(n)
	}
	return r
}

// String prints the report as a table, then the misses.
func (r EvalReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-7s %5s %7s %7s %7s %7s %8s %5s %8s\n",
		"lang", "in", "direct", "menu", "offered", "top-1", "conf-bad", "oos", "oos-high")
	row := func(name string, c EvalCounts) {
		fmt.Fprintf(&b, "%-7s %5d %6.1f%% %6.1f%% %6.1f%% %6.1f%% %7.1f%% %5d %7.1f%%\n",
			name, c.InScope, 100*c.ConfidentRate(), 100*c.MenuRate(), 100*c.OfferedRate(), 100*c.Top1Rate(),
			100*c.ConfidentWrongRate(), c.OutOfScope, 100*c.OutOfScopeHighRate())
	}
	for _, l := range r.Langs() {
		row(l, r.PerLang[l])
	}
	row("all", r.Total)
	if len(r.UnknownWant) > 0 {
		fmt.Fprintf(&b, "unknown want ids: %s\n", strings.Join(r.UnknownWant, ", "))
	}
	for _, m := range r.Misses {
		want := m.Case.Want
		if want == "" {
			want = "(out of scope)"
		}
		fmt.Fprintf(&b, "miss [%s] %q want %s got %s (%s)\n", m.Case.Lang, m.Case.Q, want, m.Got, m.Confidence)
	}
	return b.String()
}

// Langs returns the languages of the report's cases, sorted.
func (r EvalReport) Langs() []string {
	return slices.Sorted(maps.Keys(r.PerLang))
}
