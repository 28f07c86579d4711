package bot

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/warmline/warmline/knowledge"
)

// The demo shop's KB (what warmline serves by default): whether a clause
// is known at all depends on the KB's vocabulary, and the small test KB
// knows too little for these cases to prove anything.
var demoOnce = sync.OnceValues(func() (*knowledge.Base, error) { return knowledge.Load(context.Background(), knowledge.Demo()) })

func demoKB(t *testing.T) *knowledge.Base {
	t.Helper()
	b, err := demoOnce()
	if err != nil {
		t.Fatalf("demo KB: %v", err)
	}
	return b
}

// newDemoHarness is newHarness on the demo KB.
func newDemoHarness(t *testing.T) *harness {
	t.Helper()
	b := demoKB(t)
	h := newHarnessWith(t, func(c *EngineConfig) { c.KB = staticKB{b} })
	h.kb = b
	return h
}

// TestLeadInIsNotMatched: a clause that only announces the question
// ("我只是想先問一下流程，…") is left out of the match when the message
// whole is not matched with confidence: the question after it is
// answered, with no menu, in three languages.
func TestLeadInIsNotMatched(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ lang, text, question string }{
		{"zh-TW", "我只是想先問一下流程和規定這些，運費怎麼算？", "運費怎麼算"},
		{"zh-CN", "我只是想先问一下流程和规定这些，运费怎么算？", "运费怎么算"},
		{"en", "I just want to ask about the process first, how much is shipping?", "how much is shipping"},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			kb := demoKB(t)
			if m := kb.Match(context.Background(), tt.text, tt.lang); m.Confidence == knowledge.High {
				t.Fatalf("%q is already %s whole: the case proves nothing", tt.text, m.Confidence)
			}
			if m := kb.Match(context.Background(), tt.question, tt.lang); m.Confidence != knowledge.High || m.Best().ID != "shipping-fee" {
				t.Fatalf("%q alone is %s, want shipping-fee with confidence", tt.question, m.Confidence)
			}
			h := newDemoHarness(t)
			h.profiles.byID["U1"] = Profile{Language: tt.lang}
			msgs := h.text("U1", tt.text)
			mustContain(t, all(msgs), nonEmpty(t, h.answerOf("shipping-fee", tt.lang)))
			if menuOffered(msgs) {
				t.Errorf("%q got a menu: %s", tt.text, all(msgs))
			}
		})
	}
}

// TestOtherClauseTheKBDoesNotKnow: two questions in one message, the KB
// answering one with confidence and knowing nothing of the other. The
// answered one is answered; the other is never dropped and gets no menu
// of unrelated entries: a question about the shop is said to be unclear
// and a person offered; any other question is said plainly to be outside
// what the shop's assistant answers, no person offered. A clause that
// asks nothing ("我下週要搬家") is no second question.
func TestOtherClauseTheKBDoesNotKnow(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		lang, text, other, want string
		person                  bool
	}{
		{"zh-TW", "運費怎麼算？還有可以講個笑話給我聽嗎？", "可以講個笑話給我聽嗎", "bot_second_outside", false},
		{"zh-CN", "运费怎么算？还有可以讲个笑话给我听吗？", "可以讲个笑话给我听吗", "bot_second_outside", false},
		{"en", "How much is shipping? And can you tell me a joke?", "can you tell me a joke", "bot_second_outside", false},
		{"zh-TW", "運費怎麼算？還有你們有實體店面嗎？", "你們有實體店面嗎", "bot_second_unsure", true},
		{"zh-CN", "运费怎么算？还有你们有实体店面吗？", "你们有实体店面吗", "bot_second_unsure", true},
		{"en", "How much is shipping? And where is your warehouse?", "where is your warehouse", "bot_second_unsure", true},
	} {
		t.Run(tt.lang+" "+tt.want, func(t *testing.T) {
			if m := demoKB(t).Match(context.Background(), tt.other, tt.lang); m.Confidence != knowledge.Low {
				t.Fatalf("%q is %s: the case proves nothing", tt.other, m.Confidence)
			}
			h := newDemoHarness(t)
			h.profiles.byID["U1"] = Profile{Language: tt.lang}
			msgs := h.text("U1", tt.text)
			got := all(msgs)
			mustContain(t, got, nonEmpty(t, h.answerOf("shipping-fee", tt.lang)))
			mustContain(t, got, nonEmpty(t, h.T(tt.lang, tt.want, nil)))
			if menuOffered(msgs) {
				t.Errorf("%q got a menu: %s", tt.text, got)
			}
			if hasReply(msgs, dataHandoffRequest) != tt.person {
				t.Errorf("%q: person offered %v, want %v: %s", tt.text, !tt.person, tt.person, got)
			}
			if !hasReply(msgs, dataFeedbackYes+"shipping-fee") {
				t.Errorf("%q: no Solved / Not yet for the answer: %v", tt.text, replies(msgs))
			}
		})
	}
	h := newHarness(t)
	for _, tt := range []struct {
		text, clause string
		asks, shop   bool
	}{
		{"運送要多久？可以講個笑話給我聽嗎", "可以講個笑話給我聽嗎", true, false},
		{"運送要多久？我下週要搬家", "我下週要搬家", false, false},
		{"运送要多久？我下周要搬家了", "我下周要搬家了", false, false},
		{"how long does delivery take? I'm moving next week", "I'm moving next week", false, false},
		{"運費怎麼算？還有今天天氣", "今天天氣", false, false},
		{"運送要多久？今天天氣？", "今天天氣", true, false},
		{"運送要多久？你們有實體店面嗎", "你們有實體店面嗎", true, true},
		{"运送要多久？马克杯是哪里生产的", "马克杯是哪里生产的", true, true},
		{"how long does delivery take? where is your warehouse", "where is your warehouse", true, true},
	} {
		if got := h.e.asks(tt.text, tt.clause); got != tt.asks {
			t.Errorf("asks(%q, %q) = %v, want %v", tt.text, tt.clause, got, tt.asks)
		}
		if got := h.e.shopQuestion(tt.clause); got != tt.shop {
			t.Errorf("shopQuestion(%q) = %v, want %v", tt.clause, got, tt.shop)
		}
	}
}

// menuOffered reports whether msgs offer KB entries to tap (a "did you
// mean" menu).
func menuOffered(msgs []Message) bool {
	for _, m := range msgs {
		for _, q := range m.QuickReplies {
			if strings.HasPrefix(q.Data, dataFAQ) {
				return true
			}
		}
	}
	return false
}

func nonEmpty(t *testing.T, s string) string {
	t.Helper()
	if strings.TrimSpace(s) == "" {
		t.Fatal("want a text to look for, got none")
	}
	return s
}
