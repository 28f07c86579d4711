package bot

import (
	"fmt"
	"testing"
	"time"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
)

// Issue 9 item 6: 500 messages in 10 s from one user were all answered.
// Past RateLimit in RateWindow the user gets one polite notice and no
// more answers in the window; other users are answered as usual.
func TestRateLimitPerUser(t *testing.T) {
	t.Parallel()
	for lang, q := range map[string]string{"zh-TW": "運送要多久", "zh-CN": "运送要多久", "en": "how long does delivery take"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t) // defaults: 20 messages per 10 s
			h.profiles.byID["Uflood"] = Profile{Language: lang}
			h.profiles.byID["Ucalm"] = Profile{Language: lang}
			h.clock.Set(start.Truncate(10 * time.Second))
			answer := h.answerOf("shipping-time", lang)
			for i := 1; i <= 30; i++ {
				msgs := h.text("Uflood", q)
				switch {
				case i <= 20:
					mustContain(t, all(msgs), answer)
				case i == 21:
					if len(msgs) != 1 || msgs[0].Text != h.tr.N(lang, "bot_rate_limited", 10, nil) {
						t.Fatalf("message 21: got %q, want the one notice", all(msgs))
					}
				default:
					if len(msgs) != 0 {
						t.Fatalf("message %d past the limit answered: %s", i, all(msgs))
					}
				}
				if i == 25 {
					// Someone else is not slowed down by it.
					mustContain(t, all(h.text("Ucalm", q)), answer)
				}
			}
			h.clock.Advance(10 * time.Second) // the next window
			mustContain(t, all(h.text("Uflood", q)), answer)
		})
	}
}

// The window counts when the customer sent a message, not when the bot got
// to it: 30 questions sent one a second and handled in a burst after a
// backlog (a replica taken over, an outage) are all answered.
func TestRateLimitCountsBySendTime(t *testing.T) {
	t.Parallel()
	h := newHarness(t) // 20 messages per 10 s
	h.profiles.byID["Upaced"] = Profile{Language: "en"}
	h.clock.Set(start.Truncate(10 * time.Second).Add(time.Minute))
	sent := h.clock.Now().Add(-time.Minute)
	answer := h.answerOf("shipping-time", "en")
	for i := range 30 {
		ev := Event{ID: fmt.Sprintf("ev%d", i), Kind: KindText, UserID: "Upaced", Text: "how long does delivery take",
			Timestamp: sent.Add(time.Duration(i) * time.Second)}
		mustContain(t, all(h.handle(ev)), answer)
	}
	// A flood stamped within one window is still limited, however late it is handled.
	h.profiles.byID["Uflood"] = Profile{Language: "en"}
	limited := 0
	for i := range 25 {
		ev := Event{ID: fmt.Sprintf("fl%d", i), Kind: KindText, UserID: "Uflood", Text: "how long does delivery take",
			Timestamp: sent.Add(time.Duration(i) * 10 * time.Millisecond)}
		if msgs := h.handle(ev); len(msgs) == 0 || msgs[0].Text == h.tr.N("en", "bot_rate_limited", 1, nil) {
			limited++
		}
	}
	if limited != 5 {
		t.Fatalf("%d of 25 flooded messages limited, want 5", limited)
	}
}

// Past the limit during a handoff nothing is lost from the case: every
// message goes to its transcript, the notice too (as an automatic turn).
func TestRateLimitKeepsEveryMessageInTheCase(t *testing.T) {
	t.Parallel()
	h := newHarnessWith(t, func(c *EngineConfig) { c.RateLimit = 5 })
	h.profiles.byID["U1"] = Profile{Language: "en"}
	h.clock.Set(start.Truncate(10 * time.Second))
	h.text("U1", "I want to talk to a person")
	c := h.activeCase("U1")
	if c == nil {
		t.Fatal("no case")
	}
	// The request was message 1 of the window: details 1..4 are within
	// the limit (5), detail 5 gets the notice, the rest nothing.
	for i := 1; i <= 20; i++ {
		msgs := h.text("U1", fmt.Sprintf("more detail, part %d", i))
		switch {
		case i == 5:
			if len(msgs) != 1 || msgs[0].Text != h.T("en", "bot_rate_limited_case", map[string]any{"CaseID": c.ID}) {
				t.Fatalf("detail 5: got %q, want the notice", all(msgs))
			}
		case i > 5 && len(msgs) > 0:
			t.Fatalf("detail %d past the limit answered: %s", i, all(msgs))
		}
	}
	h.handle(Event{Kind: KindMedia, UserID: "U1", MediaType: "sticker", Sticker: &Sticker{PackageID: "1", StickerID: "2"}})
	c = h.activeCase("U1")
	got := map[string]bool{}
	stickers := 0
	for _, tn := range c.Transcript {
		if tn.From == handoff.FromCustomer {
			got[tn.Text] = true
			if tn.Sticker != nil {
				stickers++
			}
		}
	}
	for i := 1; i <= 20; i++ {
		if !got[fmt.Sprintf("more detail, part %d", i)] {
			t.Errorf("message %d missing from the case transcript", i)
		}
	}
	if stickers != 1 {
		t.Errorf("case has %d stickers, want the one sent past the limit", stickers)
	}
	notices := botTurns(c, handoff.NoticeRateLimited)
	if len(notices) != 1 || notices[0].Text != h.T("en", "bot_rate_limited_case", map[string]any{"CaseID": c.ID}) {
		t.Errorf("rate-limit notices in the case %+v, want one", notices)
	}
}

// A legal threat or a safety report inside a flood is not silenced by the
// rate limit: outside a handoff it opens the case with its words first
// (the sober acknowledgement, the safety steps); during one it raises the
// case. Ordinary messages past the limit stay unanswered.
func TestRateLimitNeverSilencesAnEscalation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lang, flood, serious string
		kind, wantFirst      string
	}{
		{"en", "how long does delivery take", "if this isn't sorted my lawyer will be in touch", escalation.KindLegalMedia, "bot_legal_ack"},
		{"zh-TW", "運送要多久", "我的帳號被盜了，有人改了我的密碼", escalation.KindSecurity, "bot_security_account"},
		{"zh-CN", "运送要多久", "你们再不处理我就找记者曝光", escalation.KindLegalMedia, "bot_legal_ack"},
	}
	for _, tt := range tests {
		t.Run("outside a handoff "+tt.lang, func(t *testing.T) {
			t.Parallel()
			h := newHarnessWith(t, func(c *EngineConfig) { c.RateLimit = 5 })
			h.profiles.byID["U1"] = Profile{Language: tt.lang}
			h.clock.Set(start.Truncate(10 * time.Second))
			for i := 1; i <= 8; i++ {
				h.text("U1", tt.flood)
			}
			msgs := h.text("U1", tt.serious)
			c := h.activeCase("U1")
			if c == nil || !hasKind(c.Triggers, tt.kind) {
				t.Fatalf("case %+v after %q past the limit, want a %s case; replies:\n%s", c, tt.serious, tt.kind, all(msgs))
			}
			if len(msgs) < 2 {
				t.Fatalf("replies %s, want the first words and the case", all(msgs))
			}
			mustContain(t, msgs[0].Text, h.T(tt.lang, tt.wantFirst, nil))
			mustContain(t, all(msgs), c.ID)
			if c.Request != tt.serious {
				t.Errorf("case request %q, want %q", c.Request, tt.serious)
			}
			// The flood after it goes to the case, unanswered.
			if msgs := h.text("U1", tt.flood); len(msgs) != 0 {
				t.Errorf("an ordinary message past the limit answered: %s", all(msgs))
			}
		})
	}
	t.Run("during a handoff the case is raised", func(t *testing.T) {
		t.Parallel()
		h := newHarnessWith(t, func(c *EngineConfig) { c.RateLimit = 5 })
		h.profiles.byID["U1"] = Profile{Language: "en"}
		h.clock.Set(start.Truncate(10 * time.Second))
		h.text("U1", "I want to talk to a person")
		for i := 1; i <= 8; i++ {
			h.text("U1", fmt.Sprintf("hello? %d", i))
		}
		h.text("U1", "I will take you to court over this")
		c := h.activeCase("U1")
		if c == nil || c.Tier != "L3" || c.Priority != "P1" || !hasKind(c.Triggers, escalation.KindLegalMedia) {
			t.Fatalf("case %+v, want it raised to L3/P1 by the legal threat past the limit", c)
		}
	})
}
