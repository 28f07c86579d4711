package bot

import (
	"strings"
	"testing"
	"time"
)

// Tryout #2: a message that raised an open after-hours case to P1 said
// "the team is back at 12/02 09:00 and will reply by 23:09": two
// deadlines that contradict each other. A P1 runs round the clock: the
// notice uses the P1 wording (within N minutes, by HH:MM, with the date
// when it is not today) and the brief does not say the team is offline.
func TestRaiseToP1AfterHoursPromisesTheP1Time(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lang, person, legal string
		after               time.Duration // from Monday 10:00
	}{
		{"zh-TW", "我要找真人客服", "我要找消保官", 12*time.Hour + 50*time.Minute},
		{"zh-CN", "我要找人工客服", "再不处理我就找律师起诉你们", 12*time.Hour + 50*time.Minute},
		{"en", "I want to talk to a person", "I'll post it on PTT and talk to my lawyer", 12*time.Hour + 50*time.Minute},
		// 23:50: the P1 time is past midnight, so it carries its date.
		{"zh-TW", "我要找真人客服", "我要找消保官", 13*time.Hour + 50*time.Minute},
		{"en", "I want to talk to a person", "I'll post it on PTT and talk to my lawyer", 13*time.Hour + 50*time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.lang+" "+tt.after.String(), func(t *testing.T) {
			h := newHarness(t)
			h.clock.Advance(tt.after)
			h.profiles.byID["U1"] = Profile{Language: tt.lang}
			h.text("U1", tt.person)
			before := h.activeCase("U1")
			if before == nil || before.TeamOpen || before.TeamBackAt.IsZero() {
				t.Fatalf("case %+v, want an after-hours case", before)
			}
			back := before.TeamBackAt.In(taipei()).Format("01/02 15:04")
			h.clock.Advance(time.Minute)
			msgs := h.text("U1", tt.legal)
			c := h.activeCase("U1")
			if c.Priority != "P1" {
				t.Fatalf("priority %s after %q, want P1", c.Priority, tt.legal)
			}
			got := all(msgs)
			now := h.clock.Now().In(taipei())
			due := c.Promise().In(taipei())
			when := due.Format("15:04")
			if !sameDay(now, due) {
				when = due.Format("01/02 15:04")
			}
			mins := int(due.Sub(now).Round(time.Minute).Minutes())
			mustContain(t, got, h.tr.N(tt.lang, "bot_handoff_due_within", mins, map[string]any{"Time": when}))
			mustNotContain(t, got, back)
			mustNotContain(t, got, strings.SplitN(h.T(tt.lang, "bot_handoff_team_closed", nil), "<no value>", 2)[0])
			if !c.TeamOpen || !c.TeamBackAt.IsZero() {
				t.Errorf("P1 case team_open=%v team_back_at=%v, want worked now", c.TeamOpen, c.TeamBackAt)
			}
			for _, lang := range []string{"zh-TW", "zh-CN", "en"} {
				offline := h.T(lang, "handoff_brief_team_back", map[string]any{"Back": before.TeamBackAt.In(taipei()).Format("2006-01-02 15:04")})
				for _, line := range h.cases.Brief(c, lang) {
					if line == offline {
						t.Errorf("%s brief of a P1 case says %q", lang, line)
					}
				}
			}
			// The next message is acknowledged with the same P1 time.
			h.clock.Advance(time.Minute)
			msgs = h.text("U1", "？？？")
			mustContain(t, all(msgs), c.ID)
			mustContain(t, all(msgs), when)
			mustNotContain(t, all(msgs), back)
		})
	}
}
