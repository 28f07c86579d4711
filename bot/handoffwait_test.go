package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
)

// waitLines are one language's messages of the tryout's 已讀不回 runs.
type waitLines struct {
	lang, person, supervisor, wait, ping, info string
}

var waitCases = []waitLines{
	{"zh-TW", "我要找真人客服", "我要找你們主管", "請問還要等多久？", "哈囉？有人在嗎", "杯子是藍色的那一款"},
	{"zh-CN", "我要找人工客服", "我要找你们领导", "还在吗？", "有人在吗", "杯子是蓝色的那一款"},
	{"en", "I want to talk to a person", "let me speak to your manager", "how long do I have to wait?", "hello?", "the mug is the blue one"},
}

// openAndRaise opens a case with a request for a person and raises it
// with a supervisor request; it returns the raised case.
func openAndRaise(t *testing.T, h *harness, tt waitLines) *handoff.Case {
	t.Helper()
	h.profiles.byID["U1"] = Profile{Language: tt.lang}
	h.text("U1", tt.person)
	if h.activeCase("U1") == nil {
		t.Fatalf("%q opened no case", tt.person)
	}
	h.clock.Advance(10 * time.Second)
	msgs := h.text("U1", tt.supervisor)
	c := h.activeCase("U1")
	if !hasKind(c.Triggers, escalation.KindSupervisor) || len(msgs) != 1 {
		t.Fatalf("%q: triggers %+v replies %s, want the supervisor notice", tt.supervisor, c.Triggers, all(msgs))
	}
	return c
}

// Tryout #1: after a raise notice ("supervisor taking over", "marked more
// urgent") the customer's next messages were only marked read. The raise
// notice answers the message that raised the case; the next message gets
// its own acknowledgement, and a question about the wait gets the case
// number and the reply-by time.
func TestNoticeAfterRaiseIsNotTheAcknowledgement(t *testing.T) {
	t.Parallel()
	for _, tt := range waitCases {
		t.Run(tt.lang+" wait question", func(t *testing.T) {
			h := newHarness(t)
			c := openAndRaise(t, h, tt)
			due := c.Promise().In(taipei()).Format("15:04")
			h.clock.Advance(5 * time.Second)
			msgs := h.text("U1", tt.wait)
			if len(msgs) != 1 {
				t.Fatalf("%q after the raise notice got %d replies, want the wait answer", tt.wait, len(msgs))
			}
			mustContain(t, msgs[0].Text, h.T(tt.lang, "bot_handoff_wait_queued", map[string]any{"CaseID": c.ID, "Tier": h.T(tt.lang, "bot_tier_lead", nil)}))
			mustContain(t, msgs[0].Text, due)
			// Straight after, more pings get nothing more (one answer, not
			// one each), except a direct question whether anyone is there
			// ("有人在嗎"): it gets its short answer (issue 11, defect 4).
			presence := h.e.isKeyword(tt.ping, "bot_kw_presence")
			for _, s := range []string{tt.ping, "？？？", tt.info} {
				h.clock.Advance(5 * time.Second)
				msgs := h.text("U1", s)
				if s == tt.ping && presence {
					if len(msgs) != 1 || !strings.Contains(msgs[0].Text, c.ID) {
						t.Errorf("%q seconds after the wait answer got %s, want the short answer with %s", s, all(msgs), c.ID)
					}
					continue
				}
				if len(msgs) != 0 {
					t.Errorf("%q seconds after the wait answer got %s, want no reply", s, all(msgs))
				}
			}
			// Every message is in the case; the answers are acknowledgement turns.
			c = h.activeCase("U1")
			want := 1
			if presence {
				want = 2
			}
			if got := len(botTurns(c, handoff.NoticeAck)); got != want {
				t.Errorf("case has %d acknowledgement turns, want %d", got, want)
			}
			// After HandoffAckEvery the next message is acknowledged again.
			h.clock.Advance(5 * time.Minute)
			msgs = h.text("U1", tt.info)
			if len(msgs) != 1 {
				t.Fatalf("%q five minutes on got %d replies, want an acknowledgement", tt.info, len(msgs))
			}
			mustContain(t, msgs[0].Text, h.T(tt.lang, "bot_handoff_ack", map[string]any{"CaseID": c.ID}))
		})
		t.Run(tt.lang+" any message", func(t *testing.T) {
			h := newHarness(t)
			c := openAndRaise(t, h, tt)
			h.clock.Advance(5 * time.Second)
			msgs := h.text("U1", tt.info)
			if len(msgs) != 1 {
				t.Fatalf("%q after the raise notice got %d replies, want the acknowledgement", tt.info, len(msgs))
			}
			mustContain(t, msgs[0].Text, h.T(tt.lang, "bot_handoff_ack", map[string]any{"CaseID": c.ID}))
			mustContain(t, msgs[0].Text, c.Promise().In(taipei()).Format("15:04"))
		})
		t.Run(tt.lang+" photo", func(t *testing.T) {
			h := newMediaHarness(t)
			c := openAndRaise(t, h.harness, tt)
			h.clock.Advance(5 * time.Second)
			msgs := h.photo("U1", "p1", testPNG(t))
			if len(msgs) != 1 {
				t.Fatalf("a photo after the raise notice got %d replies, want the acknowledgement", len(msgs))
			}
			mustContain(t, msgs[0].Text, h.T(tt.lang, "bot_handoff_ack_media", map[string]any{"CaseID": c.ID}))
		})
	}
}

// Tryout #1: a question about the wait gets the case number and the
// reply-by time even within HandoffAckEvery, throttled on its own so a
// flood does not get one each; once a colleague has the case, the answer
// says so.
func TestWaitQuestionAnsweredWithinTheAckWindow(t *testing.T) {
	t.Parallel()
	for _, tt := range waitCases {
		t.Run(tt.lang, func(t *testing.T) {
			h := newHarness(t)
			h.profiles.byID["U1"] = Profile{Language: tt.lang}
			h.text("U1", tt.person)
			c := h.activeCase("U1")
			due := c.Promise().In(taipei()).Format("15:04")
			h.clock.Advance(time.Minute)
			if msgs := h.text("U1", tt.info); len(msgs) != 1 {
				t.Fatalf("first message got %d replies, want the acknowledgement", len(msgs))
			}
			h.clock.Advance(20 * time.Second)
			msgs := h.text("U1", tt.wait)
			if len(msgs) != 1 {
				t.Fatalf("%q inside the acknowledgement window got %d replies, want the wait answer", tt.wait, len(msgs))
			}
			mustContain(t, msgs[0].Text, h.T(tt.lang, "bot_handoff_wait_queued", map[string]any{"CaseID": c.ID, "Tier": h.T(tt.lang, "bot_tier_L2", nil)}))
			mustContain(t, msgs[0].Text, due)
			// A flood within HandoffWaitEvery: no answer each. A direct
			// "有人在嗎" gets a short answer until the case has
			// presenceAnswers acknowledgements in HandoffAckEvery (here
			// the first ping: the acknowledgement and the wait answer
			// came before it), then waits like the rest.
			presence := h.e.isKeyword(tt.ping, "bot_kw_presence")
			for i := 0; i < 10; i++ {
				h.clock.Advance(5 * time.Second)
				msgs := h.text("U1", tt.ping)
				if presence && i == 0 {
					if len(msgs) != 1 {
						t.Fatalf("ping %d got %s, want the short answer", i, all(msgs))
					}
					continue
				}
				if len(msgs) != 0 {
					t.Fatalf("ping %d got %s, want no reply within the wait throttle", i, all(msgs))
				}
			}
			// Past HandoffWaitEvery (still inside HandoffAckEvery) it is answered again.
			h.clock.Advance(15 * time.Second)
			if msgs := h.text("U1", tt.ping); len(msgs) != 1 {
				t.Fatalf("%q a minute after the last wait answer got %d replies, want one", tt.ping, len(msgs))
			}
			// Claimed, not yet answered: who has it, and the same reply-by time.
			agent := handoff.Agent{ID: "a1", Name: "Mei", Role: handoff.RoleL2}
			if _, err := h.cases.Claim(context.Background(), agent, c.ID); err != nil {
				t.Fatalf("Claim: %v", err)
			}
			h.clock.Advance(time.Minute)
			msgs = h.text("U1", tt.wait)
			if len(msgs) != 1 {
				t.Fatalf("%q on a claimed case got %d replies, want one", tt.wait, len(msgs))
			}
			mustContain(t, msgs[0].Text, h.T(tt.lang, "bot_handoff_wait_claimed", map[string]any{"CaseID": c.ID, "Who": "Mei"}))
			mustContain(t, msgs[0].Text, due)
			mustNotContain(t, msgs[0].Text, h.T(tt.lang, "bot_handoff_wait_queued", map[string]any{"CaseID": c.ID, "Tier": h.T(tt.lang, "bot_tier_L2", nil)}))
			want := 4 // one ack, three wait answers
			if presence {
				want = 5 // and the short answer to the first ping
			}
			if got := len(botTurns(h.activeCase("U1"), handoff.NoticeAck)); got != want {
				t.Errorf("case has %d acknowledgement turns, want %d", got, want)
			}
		})
	}
}
