package main

import (
	"context"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/warmline/warmline/internal/redistest"
	"github.com/warmline/warmline/internal/testfs"
	"github.com/warmline/warmline/knowledge"
	"github.com/warmline/warmline/knowledge/gaps"
)

// TestE2ELearnedExampleAnswersTheFirstQuestion approves an example in Redis
// before warmline starts: the very first question after the start is
// matched with it (the KB is loaded once, with the learned items, before
// serving; not later in the background).
func TestE2ELearnedExampleAnswersTheFirstQuestion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const q = "what does the zorbflux levy come to"
	kb, err := sharedKB()
	if err != nil {
		t.Fatal(err)
	}
	if m := kb.Match(ctx, q, knowledge.EN); m.Confidence == knowledge.High {
		t.Fatalf("the demo KB already answers %q (%s): the test needs a question only the learned example answers", q, m.Candidates[0].Entry.ID)
	}
	rdb, prefix := redistest.New(t)
	g, err := gaps.New(gaps.Config{Redis: rdb, Prefix: prefix,
		Store: knowledge.NewStoreFS(zap.NewNop(), knowledge.Demo(), kb, knowledge.LoadOptions{})})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.ApproveExamples(ctx, gaps.Approver{ID: "lead-1"}, gaps.Examples{
		Entry: "shipping-fee", Questions: []gaps.Question{{Text: q, Lang: knowledge.EN, Count: 1}},
	}); err != nil {
		t.Fatal(err)
	}

	// A copy of the KB: the service writes learned.yaml into its directory.
	kbDir := testfs.Copy(t, repoPath(t, "knowledge/demo"))
	h := startE2E(t, e2eOpts{redisPrefix: prefix, env: map[string]string{"WARMLINE_KB_DIR": kbDir}})
	got := h.say(bob, q, 1)
	if txt := allText(got); !strings.Contains(txt, "NT$100") {
		t.Errorf("first answer %s is not the shipping fee the learned example points to", dump(got))
	}
}
