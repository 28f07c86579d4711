package knowledge

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
	"testing/synctest"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/warmline/warmline/knowledge/semantic"
	"github.com/warmline/warmline/knowledge/semantic/semantictest"
)

// semanticQuestions are paraphrases the lexical matcher alone does not
// settle (checked in TestSemanticRescuesParaphrase).
var semanticQuestions = []struct{ q, want string }{
	{"are animals ok?", "pet-policy"},
	{"毛孩能一起來嗎", "pet-policy"},
	{"do folks get shooed out late at night, closing?", "opening-hours"},
	{"車位好找嗎", "parking"},
}

func newSemanticTier(t testing.TB, url string, opts semantic.Options) *semantic.Tier {
	t.Helper()
	c, err := semantic.NewClient(semantic.ClientConfig{URL: url, Model: "fake"})
	if err != nil {
		t.Fatal(err)
	}
	if opts.BuildBackoff == 0 {
		opts.BuildBackoff = time.Millisecond
	}
	return semantic.NewTier(c, opts)
}

func loadSemanticKB(t testing.TB, tier *semantic.Tier, log *zap.Logger) *Base {
	t.Helper()
	b, err := LoadWith(context.Background(), fstest.MapFS{"faq.yaml": {Data: []byte(semantictest.ShopKB)}},
		LoadOptions{Semantic: tier, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSemanticRescuesParaphrase(t *testing.T) {
	ctx := context.Background()
	srv := semantictest.New(t, semantictest.ShopConcepts...)
	lexical := loadSemanticKB(t, nil, nil)
	b := loadSemanticKB(t, newSemanticTier(t, srv.URL, semantic.Options{}), nil)
	if n, err := b.SemanticStatus(); n == 0 || err != nil {
		t.Fatalf("SemanticStatus() = %d, %v; want vectors and no error", n, err)
	}
	for _, tt := range semanticQuestions {
		t.Run(tt.q, func(t *testing.T) {
			lm, lx := lexical.Explain(ctx, tt.q, "")
			if lm.Confidence == High || lm.Confidence == Medium && lm.Best().ID == tt.want {
				t.Fatalf("lexical alone already settles %q: %s %v (the case tests nothing)", tt.q, lm.Confidence, lm.Best())
			}
			if lx.Semantic.Searched {
				t.Errorf("lexical KB searched a semantic index")
			}
			m, ex := b.Explain(ctx, tt.q, "")
			if !ex.Semantic.Searched || !ex.Semantic.OK {
				t.Fatalf("semantic = %+v, want searched and ok", ex.Semantic)
			}
			if m.Confidence != Medium || m.Best() == nil || m.Best().ID != tt.want {
				t.Fatalf("Match(%q) = %s %v, want a menu led by %s (lexical: %s %v; semantic %+v)", tt.q, m.Confidence, m.Best(), tt.want, lm.Confidence, lm.Best(), ex.Semantic)
			}
		})
	}
}

func TestSemanticAnswersOnlyWhenBothTiersAgree(t *testing.T) {
	ctx := context.Background()
	srv := semantictest.New(t, semantictest.ShopConcepts...)
	lexical := loadSemanticKB(t, nil, nil)
	b := loadSemanticKB(t, newSemanticTier(t, srv.URL, semantic.Options{}), nil)

	// A lexical menu whose first entry the semantic tier confirms.
	const agree = "can my puppy come to the store"
	if lm := lexical.Match(ctx, agree, ""); lm.Confidence != Medium || lm.Best().ID != "pet-policy" {
		t.Fatalf("lexical Match(%q) = %s %v, want a menu led by pet-policy", agree, lm.Confidence, lm.Best())
	}
	m, ex := b.Explain(ctx, agree, "")
	if m.Confidence != High || m.Best().ID != "pet-policy" || ex.Semantic.Outcome != "answered" {
		t.Errorf("Match(%q) = %s %v (%+v), want pet-policy answered", agree, m.Confidence, m.Best(), ex.Semantic)
	}

	// The semantic tier alone never answers, however close.
	for _, tt := range semanticQuestions {
		if m := b.Match(ctx, tt.q, ""); m.Confidence == High {
			t.Errorf("Match(%q) = High from the semantic tier alone", tt.q)
		}
	}

	// A question no entry is about stays unanswered: the server knows the
	// concept, the KB does not.
	if m := b.Match(ctx, "do you sell kitten food", ""); m.Confidence != Low {
		t.Errorf("out-of-scope question: got %s %v, want low", m.Confidence, m.Best())
	}

	// Exact examples are answered lexically without asking the tier.
	before := srv.Requests()
	if m, ex := b.Explain(ctx, "When are you open?", ""); m.Confidence != High || ex.Semantic.Searched {
		t.Errorf("exact example: %s, searched %v; want high without a semantic search", m.Confidence, ex.Semantic.Searched)
	}
	if srv.Requests() != before {
		t.Errorf("a High lexical answer called the embeddings server")
	}
}

// TestSemanticSlowServerFallsBack: a server that does not answer in time
// costs a question the query timeout, and the lexical result stands.
func TestSemanticSlowServerFallsBack(t *testing.T) {
	ctx := context.Background()
	srv := semantictest.New(t, semantictest.ShopConcepts...)
	const timeout = 50 * time.Millisecond
	lexical := loadSemanticKB(t, nil, nil)
	b := loadSemanticKB(t, newSemanticTier(t, srv.URL, semantic.Options{QueryTimeout: timeout, BreakerFailures: 100}), nil)
	srv.SetMode(semantictest.Slow)
	for _, tt := range semanticQuestions {
		start := time.Now()
		m, ex := b.Explain(ctx, tt.q, "")
		took := time.Since(start)
		t.Logf("%q: lexical fallback after %v (query timeout %v)", tt.q, took, timeout)
		if !ex.Semantic.Searched || ex.Semantic.OK {
			t.Errorf("semantic = %+v, want searched, not ok", ex.Semantic)
		}
		if want := lexical.Match(ctx, tt.q, ""); !sameMatch(m, want) {
			t.Errorf("Match(%q) with a slow server = %s %v, want the lexical %s %v", tt.q, m.Confidence, m.Best(), want.Confidence, want.Best())
		}
		if took < timeout || took > timeout+2*time.Second {
			t.Errorf("Match(%q) took %v, want about the query timeout %v", tt.q, took, timeout)
		}
	}
}

// TestSemanticDownServerOpensBreaker: after BreakerFailures failed
// questions the server is not called until the cooldown has passed.
func TestSemanticDownServerOpensBreaker(t *testing.T) {
	// In a synctest bubble (the breaker keeps time with time.Now), the
	// server in process: the cooldown passes at once.
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		srv := semantictest.NewInProcess(t, semantictest.ShopConcepts...)
		c, err := semantic.NewClient(semantic.ClientConfig{URL: srv.URL, Model: "fake", HTTPClient: srv.Client()})
		if err != nil {
			t.Fatal(err)
		}
		lexical := loadSemanticKB(t, nil, nil)
		b := loadSemanticKB(t, semantic.NewTier(c, semantic.Options{BreakerFailures: 3, BreakerCooldown: time.Minute}), nil)
		srv.SetMode(semantictest.Down)
		q := semanticQuestions[0].q
		want := lexical.Match(ctx, q, "")
		before := srv.Requests()
		for i := range 10 {
			if m := b.Match(ctx, q, ""); !sameMatch(m, want) {
				t.Fatalf("question %d with the server down = %s %v, want the lexical %s %v", i+1, m.Confidence, m.Best(), want.Confidence, want.Best())
			}
		}
		if got := srv.Requests() - before; got != 3 {
			t.Errorf("10 questions with the server down made %d requests, want 3 (then the breaker is open)", got)
		}
		// After the cooldown one question probes; the server is back.
		srv.SetMode(semantictest.Up)
		time.Sleep(time.Minute + time.Millisecond)
		if m := b.Match(ctx, q, ""); m.Confidence != Medium || m.Best().ID != "pet-policy" {
			t.Errorf("after the cooldown: %s %v, want the semantic menu again", m.Confidence, m.Best())
		}
	})
}

// TestSemanticBuildFailureKeepsLexical: an index that cannot be built is
// logged once and the KB loads and matches lexically.
func TestSemanticBuildFailureKeepsLexical(t *testing.T) {
	ctx := context.Background()
	srv := semantictest.New(t, semantictest.ShopConcepts...)
	srv.SetMode(semantictest.Reject)
	core, logs := observer.New(zap.InfoLevel)
	lexical := loadSemanticKB(t, nil, nil)
	b := loadSemanticKB(t, newSemanticTier(t, srv.URL, semantic.Options{}), zap.New(core))
	if n, err := b.SemanticStatus(); n != 0 || err == nil {
		t.Errorf("SemanticStatus() = %d, %v; want 0 and the build error", n, err)
	}
	if got := logs.FilterMessage("semantic index not built, matching lexically").Len(); got != 1 {
		t.Errorf("%d build-failure log lines, want 1", got)
	}
	srv.SetMode(semantictest.Up)
	before := srv.Requests()
	for _, tt := range semanticQuestions {
		m, ex := b.Explain(ctx, tt.q, "")
		if want := lexical.Match(ctx, tt.q, ""); !sameMatch(m, want) || ex.Semantic.OK {
			t.Errorf("Match(%q) = %s %v, want the lexical %s %v", tt.q, m.Confidence, m.Best(), want.Confidence, want.Best())
		}
	}
	if srv.Requests() != before {
		t.Errorf("a KB without an index called the embeddings server")
	}
}

type staticOverlay map[string][]byte

func (o staticOverlay) Files(context.Context) (map[string][]byte, error) { return o, nil }

// TestSemanticReloadRebuilds: every reload rebuilds the index from the
// files and the overlay's learned examples, embedding only new texts;
// Check builds nothing.
func TestSemanticReloadRebuilds(t *testing.T) {
	ctx := context.Background()
	srv := semantictest.New(t, append(semantictest.ShopConcepts, []string{"refund", "money back", "退款", "退錢"})...)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "faq.yaml"), []byte(semantictest.ShopKB), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := OpenStore(ctx, zap.NewNop(), dir, LoadOptions{Semantic: newSemanticTier(t, srv.URL, semantic.Options{})})
	if err != nil {
		t.Fatal(err)
	}
	const q = "can I get my money back?"
	if m := s.Current().Match(ctx, q, ""); m.Confidence == High {
		t.Fatalf("before the refund entry: %s %s, want no answer", m.Confidence, m.Best().ID)
	}
	texts := srv.Texts()

	refund := `entries:
  - id: refunds
    category: consultation
    title: {en: Refunds, zh-TW: 退款}
    examples:
      en: ["How do I get a refund?"]
      zh-TW: ["怎麼退款"]
    answer: {en: Refunds take 5 working days., zh-TW: 退款約 5 個工作天。}
`
	if err := os.WriteFile(filepath.Join(dir, "refunds.yaml"), []byte(refund), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if srv.Texts() != texts {
		t.Errorf("Check embedded %d texts, want none", srv.Texts()-texts)
	}
	if err := s.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if m := s.Current().Match(ctx, q, ""); m.Confidence == Low || m.Best().ID != "refunds" {
		t.Errorf("after the reload: %s %s, want refunds answered or offered first", m.Confidence, m.Best().ID)
	}
	// The new entry's texts (title and example, zh-CN converted: 3 + 3,
	// "Refunds" and 退款 ... distinct) were embedded, the old ones reused.
	if got := srv.Texts() - texts; got == 0 || got > 6 {
		t.Errorf("the reload embedded %d texts, want only the new entry's (1 to 6)", got)
	}

	// A learned example from the overlay is in the next index.
	const learned = "will the cashier tie a ribbon on it"
	if m := s.Current().Match(ctx, learned, ""); m.Best() != nil && m.Best().ID == "gift-wrap" {
		t.Fatalf("before learning: %s gift-wrap already", m.Confidence)
	}
	s.SetOverlay(staticOverlay{"learned.yaml": []byte("add_examples:\n  - entry: gift-wrap\n    examples:\n      en: [\"Can the cashier tie a ribbon on my gift?\"]\n")})
	if err := s.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if !srv.Embedded("Can the cashier tie a ribbon on my gift?") {
		t.Errorf("the learned example was not embedded at reload")
	}
}

// TestSemanticOffIsLexical: with no tier (the default) and with a tier
// whose server is down, the demo KB's matches are exactly the lexical
// matcher's on the demo evaluation set.
func TestSemanticOffIsLexical(t *testing.T) {
	ctx := context.Background()
	cases, err := LoadEvalSet(os.DirFS("testdata/eval"), "dev.yaml")
	if err != nil {
		t.Fatal(err)
	}
	lexical := demoBase(t)
	want, _ := scoredSet(t, "demo", filepath.Join("testdata/eval", "dev.yaml")) // Evaluate(ctx, lexical, cases), scored once
	srv := semantictest.New(t, semantictest.ShopConcepts...)
	withTier, err := LoadWith(ctx, Demo(), LoadOptions{Semantic: newSemanticTier(t, srv.URL, semantic.Options{})})
	if err != nil {
		t.Fatal(err)
	}
	srv.SetMode(semantictest.Down)
	got := Evaluate(ctx, withTier, cases)
	if got.String() != want.String() {
		t.Errorf("demo KB with the semantic server down:\n%s\nwant the lexical\n%s", got, want)
	}
	for _, c := range cases[:min(len(cases), 200)] {
		if m, w := withTier.Match(ctx, c.Q, c.Lang), lexical.Match(ctx, c.Q, c.Lang); !sameMatch(m, w) {
			t.Fatalf("Match(%q) = %s %v, want the lexical %s %v", c.Q, m.Confidence, m.Best(), w.Confidence, w.Best())
		}
	}
}

// sameMatch compares confidence and candidates (entries and scores).
func sameMatch(a, b Match) bool {
	if a.Confidence != b.Confidence || len(a.Candidates) != len(b.Candidates) {
		return false
	}
	for i := range a.Candidates {
		if a.Candidates[i].Entry.ID != b.Candidates[i].Entry.ID || a.Candidates[i].Score != b.Candidates[i].Score {
			return false
		}
	}
	return true
}
