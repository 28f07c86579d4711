package bot

import (
	"strings"
	"testing"
	"time"
)

// Tryout #2: a message that raised an open after-hours case to P1 said
// "the team is back at 12/02 09:00 and will reply by 23:09": two
// deadlines that contradict each other. The embedded policy has no
// on-call rota (bot15 item 9), so a P1 raised at night is not worked
// until the team is back: the notice gives one pair of times that agree
// (back at 09:00, a reply by the P1 time 09:15, with its date), the case
// says the same (TeamBackAt, Promise), the brief says the team is back
// then, and the next acknowledgement repeats the same time. With a rota,
// TestAfterHoursPromiseFollowsThePolicy (handoff) and
// TestE2EBot15AfterHoursP1PromiseFollowsThePolicy.
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
			if c.TeamOpen || !c.TeamBackAt.Equal(before.TeamBackAt) || !due.Equal(c.TeamBackAt.Add(15*time.Minute)) {
				t.Errorf("P1 case team_open=%v back %v promise %v, want not worked until %s, due 15 minutes after", c.TeamOpen, c.TeamBackAt, due, back)
			}
			mustContain(t, got, h.T(tt.lang, "bot_handoff_team_closed", map[string]any{"BackAt": back, "Due": when}))
			for _, lang := range []string{"zh-TW", "zh-CN", "en"} {
				offline := h.T(lang, "handoff_brief_team_back", map[string]any{"Back": before.TeamBackAt.In(taipei()).Format("2006-01-02 15:04")})
				brief := strings.Join(h.cases.Brief(c, lang), "\n")
				mustContain(t, brief, offline)
				mustContain(t, brief, due.Format("2006-01-02 15:04"))
			}
			// The next message is acknowledged with the same times.
			h.clock.Advance(time.Minute)
			msgs = h.text("U1", "？？？")
			mustContain(t, all(msgs), c.ID)
			mustContain(t, all(msgs), when)
			mustContain(t, all(msgs), back)
		})
	}
}
