package bot

import (
	"context"
	"testing"
	"time"

	"github.com/warmline/warmline/handoff"
)

// Tryout #6 and #12: "a supervisor has taken over" when nobody had, and
// the P1 80% reminder "a specialist is getting to it now" on a case nobody
// had claimed. The supervisor request flags the case for a team lead; the
// reminder says what is true whether or not the case is claimed.
func TestPromisesMatchWhatHappened(t *testing.T) {
	t.Parallel()
	takeover := map[string][]string{
		"zh-TW": {"接手", "正在"}, "zh-CN": {"接手", "正在"}, "en": {"take over", "taking over", "getting to it now"},
	}
	for _, tt := range waitCases {
		t.Run(tt.lang, func(t *testing.T) {
			h := newHarness(t)
			c := openAndRaise(t, h, tt)
			sup := botTurns(c, handoff.NoticeSupervisor)
			if len(sup) != 1 {
				t.Fatalf("supervisor notices %+v, want one", sup)
			}
			for _, w := range takeover[tt.lang] {
				mustNotContain(t, sup[0].Text, w)
			}
			mustContain(t, sup[0].Text, h.T(tt.lang, "bot_handoff_ack_supervisor", map[string]any{"CaseID": c.ID, "Tier": h.T(tt.lang, "bot_tier_lead", nil)}))

			// A P1 case nobody claimed, at 80% of its first-response time.
			h2 := newHarness(t)
			h2.profiles.byID["U2"] = Profile{Language: tt.lang}
			h2.text("U2", map[string]string{"zh-TW": "充電器插著插著就冒煙了", "zh-CN": "充电器插着插着就冒烟了", "en": "the charger started smoking"}[tt.lang])
			p1 := h2.activeCase("U2")
			if p1 == nil || p1.Priority != "P1" || p1.Status != handoff.StatusQueued {
				t.Fatalf("case %+v, want an unclaimed P1", p1)
			}
			h2.clock.Set(h2.cases.NoticeAt(p1).Add(time.Second))
			if n, err := h2.cases.Sweep(context.Background()); err != nil || n != 1 {
				t.Fatalf("Sweep = %d, %v; want the reminder", n, err)
			}
			rem := botTurns(h2.activeCase("U2"), handoff.NoticeReminder)
			if len(rem) != 1 {
				t.Fatalf("reminders %+v, want one", rem)
			}
			for _, w := range takeover[tt.lang] {
				mustNotContain(t, rem[0].Text, w)
			}
			mustContain(t, rem[0].Text, p1.ID)
		})
	}
}
