package knowledge

import (
	"context"
	"fmt"
	"os"
	"testing"
)

// TestSweepDev (WARMLINE_SWEEP=1) prints dev numbers for tuning variants.
func TestSweepDev(t *testing.T) {
	if os.Getenv("WARMLINE_SWEEP") == "" {
		t.Skip("set WARMLINE_SWEEP=1")
	}
	cases, err := LoadEvalSet(os.DirFS("testdata/eval"), "dev.yaml")
	if err != nil {
		t.Fatal(err)
	}
	type v struct {
		name string
		f    func(*tuning)
	}
	var vs []v
	for _, w := range []float64{0, 0.3} {
		vs = append(vs, v{name: fmt.Sprint("w=", w), f: func(tu *tuning) { tu.exampleWeight = w }})
	}
	for _, vv := range vs {
		tu := defaultTuning
		vv.f(&tu)
		b, err := loadTuned(context.Background(), Demo(), LoadOptions{}, tu)
		if err != nil {
			t.Fatal(err)
		}
		r := Evaluate(context.Background(), b, cases)
		c := r.Total
		rank1 := 0
		for _, cs := range cases {
			if cs.Want != "" && bestID(b.Match(context.Background(), cs.Q, cs.Lang)) == cs.Want {
				rank1++
			}
		}
		t.Logf("%s rank1 %d top1 %.1f (en %.1f cn %.1f tw %.1f) offered %.1f conf %.1f confwrong %.1f oosHigh %.1f oosMed %d", vv.name, rank1,
			100*c.Top1Rate(), 100*r.PerLang[EN].Top1Rate(), 100*r.PerLang[ZhCN].Top1Rate(), 100*r.PerLang[ZhTW].Top1Rate(), 100*c.OfferedRate(), 100*c.ConfidentRate(), 100*c.ConfidentWrongRate(), 100*c.OutOfScopeHighRate(), c.OutOfScopeMedium)
	}
}

// TestProbe (WARMLINE_PROBE="question") prints how a question is matched.
func TestProbe(t *testing.T) {
	q := os.Getenv("WARMLINE_PROBE")
	if q == "" {
		t.Skip("set WARMLINE_PROBE")
	}
	b := demoBase(t)
	m, ex := b.Explain(context.Background(), q, "")
	t.Logf("%+v", ex)
	for _, c := range m.Candidates {
		t.Logf("%s %.3f", c.Entry.ID, c.Score)
	}
	t.Logf("%s", m.Confidence)
}
