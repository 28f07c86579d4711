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

// TestExactExampleAskedPolitely: the example asked with courtesy words
// around it ("請問一下…呢？謝謝", "hi, … thanks!") is still that example,
// answered with High confidence; courtesy words inside a question, or a
// message of courtesy words alone, change nothing.
func TestExactExampleAskedPolitely(t *testing.T) {
	ctx := context.Background()
	b := demoBase(t)
	for _, q := range []string{
		"請問運費怎麼算",
		"請問一下，運費怎麼算呢？謝謝！",
		"不好意思 想請問 運費怎麼算🙏",
		"请问运费怎么算呢",
		"Hi, how much is shipping? Thanks!",
		"hello please how much is shipping thx",
	} {
		m, ex := b.Explain(ctx, q, "")
		if m.Best() == nil || m.Best().ID != "shipping-fee" || m.Confidence != High || !ex.Exact {
			t.Errorf("Match(%q) = %v %s exact=%v, want shipping-fee, high, exact", q, m.Best(), m.Confidence, ex.Exact)
		}
	}
}

func TestCourtesyStrip(t *testing.T) {
	c := courtesyWords()
	for _, tc := range []struct{ in, want string }{
		{"請問一下運費怎麼算呢謝謝", "運費怎麼算"},
		{"hi how much is shipping thanks", "how much is shipping"},
		{"history of my order", "history of my order"}, // "hi" only as a word
		{"hello", "hello"}, // nothing but courtesy: kept
		{"請問", "請問"},
		{"thank you", "thank you"},
		{"運費請問怎麼算", "運費請問怎麼算"}, // inside: kept
		{"typo", "typo"},       // "ty" only as a word
	} {
		if got := c.strip(tc.in); got != tc.want {
			t.Errorf("strip(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
