package knowledge

import (
	"context"
	"testing"
)

// TestEveryExampleAnswersItsEntry: a customer who asks exactly an example
// question of the KB gets that entry, with High confidence.
func TestEveryExampleAnswersItsEntry(t *testing.T) {
	ctx := context.Background()
	b := demoBase(t)
	n := 0
	for _, e := range b.Entries() {
		for _, qs := range e.Examples {
			n += len(qs)
		}
	}
	issues := b.CheckExamples(ctx)
	for _, is := range issues {
		t.Logf("%s example %q of %s: got %q (%s)", is.Lang, is.Question, is.EntryID, is.Got, is.Confidence)
	}
	t.Logf("%d of %d examples answer their own entry with High confidence", n-len(issues), n)
	// Examples whose words another entry's example also uses exactly are
	// ambiguous by construction; keep them rare.
	if len(issues) > n/50 {
		t.Errorf("%d of %d examples do not answer their own entry confidently, want at most 2%%", len(issues), n)
	}
}

func TestExactExampleIsHighDespiteCloseRunnerUp(t *testing.T) {
	ctx := context.Background()
	b := demoBase(t)
	// Both entries talk about shipping; the question is shipping-fee's own
	// example, so it is answered, not offered as a choice.
	for _, q := range []string{"How much is shipping?", "運費怎麼算？"} {
		m := b.Match(ctx, q, "")
		if m.Best() == nil || m.Best().ID != "shipping-fee" || m.Confidence != High {
			t.Errorf("Match(%q) = %v %s, want shipping-fee high", q, m.Best(), m.Confidence)
		}
	}
}
