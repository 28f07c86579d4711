package bot

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/warmline/warmline/knowledge"
	"github.com/warmline/warmline/knowledge/gaps"
)

// TestKnowledgeGapsRecorded follows one customer through a menu, a tap, a
// "Not yet" and a handoff, and another through a question nothing matches:
// each step is recorded for the Knowledge gaps page, masked.
func TestKnowledgeGapsRecorded(t *testing.T) {
	var svc *gaps.Service
	h := newHarnessWith(t, func(cfg *EngineConfig) {
		store := knowledge.NewStoreFS(zap.NewNop(), os.DirFS("testdata/kb"), testKB(t), knowledge.LoadOptions{})
		var err error
		if svc, err = gaps.New(gaps.Config{Redis: cfg.Redis, Prefix: cfg.Prefix, Store: store, Clock: cfg.Clock}); err != nil {
			t.Fatal(err)
		}
		cfg.Gaps = svc
	})
	h.profiles.byID["U1"] = Profile{Language: "en"}
	msgs := h.text("U1", "return")
	mustContain(t, all(msgs), h.T("en", "bot_did_you_mean", nil))
	h.postback("U1", "faq:return-policy")
	h.postback("U1", "fb:no:return-policy")
	h.postback("U1", "handoff:request")
	if h.activeCase("U1") == nil {
		t.Fatal("no case opened")
	}
	h.profiles.byID["U2"] = Profile{Language: "zh-TW"}
	h.text("U2", "今天天氣好嗎 我的手機0912345678")
	// Small talk and a question answered directly record nothing.
	h.profiles.byID["U3"] = Profile{Language: "en"}
	h.text("U3", "return shipping")
	h.postback("U3", "fb:yes:return-shipping")

	groups, err := svc.Groups(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range groups {
		var kinds []string
		for k, n := range g.Kinds {
			kinds = append(kinds, string(k)+"="+itoa(n))
		}
		slices.Sort(kinds)
		got = append(got, g.Questions[0].Text+" ["+g.Questions[0].Lang+"] "+strings.Join(kinds, ","))
		if g.Questions[0].Text == "return" {
			if g.Suggested != "return-policy" {
				t.Errorf("suggested %q, want return-policy (tapped)", g.Suggested)
			}
			if len(g.Rejected) != 1 || g.Rejected[0].Entry != "return-policy" || g.Rejected[0].Count != 2 {
				t.Errorf("rejected %v, want return-policy twice (Not yet, handoff)", g.Rejected)
			}
		}
	}
	slices.Sort(got)
	want := []string{
		"return [en] handoff=1,menu=1,not_yet=1,tap=1",
		"今天天氣好嗎 我的手機[phone] [zh-TW] unanswered=1",
	}
	if !slices.Equal(got, want) {
		t.Errorf("recorded groups:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
