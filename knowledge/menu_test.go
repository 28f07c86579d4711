package knowledge

import (
	"context"
	"testing"
)

// TestEnglishMenuNeedsTwoSharedWords: an English question whose best
// entry shares one of its words gets no "did you mean" menu (it was a
// menu with menuMatchedEN 0); one that shares two, or all its words,
// still does. Sparse demo KB; the first two are CLINC out-of-scope
// queries.
func TestEnglishMenuNeedsTwoSharedWords(t *testing.T) {
	without := defaultTuning
	without.menuMatchedEN = 0
	before, after := sparseDemoBase(t, without), sparseDemoBase(t, defaultTuning)
	ctx := context.Background()
	for _, q := range []string{"which piano is best for classical", "is it worth investing in target"} {
		m0, ex := before.Explain(ctx, q, EN)
		if m0.Confidence != Medium || ex.Matched != 1 {
			t.Fatalf("%q without the rule: %s, %d terms shared; want a menu on one shared term (the case proves nothing)", q, m0.Confidence, ex.Matched)
		}
		if m := after.Match(ctx, q, EN); m.Confidence != Low {
			t.Errorf("%q: got %s (best %s), want low: one shared word is no evidence", q, m.Confidence, m.Best().ID)
		}
	}
	// Every English menu on CLINC's out-of-scope queries now shares two
	// terms or all of them, and there are fewer.
	var menus0, menus int
	for _, c := range clincCases(t) {
		if before.Match(ctx, c.Q, EN).Confidence == Medium {
			menus0++
		}
		m, ex := after.Explain(ctx, c.Q, EN)
		if m.Confidence != Medium {
			continue
		}
		menus++
		if ex.Matched < 2 && ex.Matched != len(ex.Terms) {
			t.Errorf("%q: a menu on %d of %d terms shared", c.Q, ex.Matched, len(ex.Terms))
		}
	}
	if menus0 > 0 && menus >= menus0 {
		t.Errorf("CLINC menus against the sparse demo KB: %d with the rule, %d without; want fewer", menus, menus0)
	}
	t.Logf("CLINC menus against the sparse demo KB: %d -> %d of 200", menus0, menus)
}
