package bot

import (
	"context"
	"testing"

	"github.com/warmline/warmline/handoff"
)

// Issue 9 item 6: a satisfaction postback is tied to the case's own
// customer. Postback data comes from the device and can name any case: a
// forged one for another customer's case leaves its rating, follow-up and
// transcript as they were, the forger gets the same neutral answer as any
// rating not recorded, and their next message is not a comment on it.
func TestForgedCSATPostback(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"zh-TW", "zh-CN", "en"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			lead := handoff.Agent{ID: "a1", Name: "Lead", Role: "lead"}
			h := newHarness(t)
			h.profiles.byID["Uowner"] = Profile{Language: "en"}
			h.profiles.byID["Uforger"] = Profile{Language: lang}
			h.text("Uowner", "I want to talk to a person")
			c := h.activeCase("Uowner")
			if c == nil {
				t.Fatal("no case")
			}
			if _, err := h.cases.Resolve(ctx, lead, c.ID, ""); err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			before, err := h.cases.Get(ctx, lead, c.ID)
			if err != nil {
				t.Fatal(err)
			}

			msgs := h.postback("Uforger", handoff.CSATData(c.ID, 1))
			if got, want := all(msgs), h.T(lang, "bot_csat_not_recorded", nil)+"\n"; got != want {
				t.Errorf("forged rating answered %q, want the neutral %q", got, want)
			}
			mustNotContain(t, all(msgs), c.ID)
			if rc := h.conv("Uforger")["rated_case"]; rc != "" {
				t.Errorf("forger's rated_case = %q, want none", rc)
			}
			// The next message is not a comment on the stranger's case.
			msgs = h.text("Uforger", "the agent was rude and nothing was solved")
			mustNotContain(t, all(msgs), h.T(lang, "bot_comment_thanks", map[string]any{"CaseID": c.ID}))
			// Nor can the forger ask a lead to follow it up.
			msgs = h.postback("Uforger", dataFollowUp+c.ID)
			mustNotContain(t, all(msgs), h.T(lang, "bot_follow_up_requested", map[string]any{"CaseID": c.ID}))

			after, err := h.cases.Get(ctx, lead, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if after.Satisfaction != 0 || after.FollowUp != nil || len(after.Transcript) != len(before.Transcript) {
				t.Errorf("after the forgery: satisfaction %d, follow-up %+v, %d turns (was %d); want the case unchanged",
					after.Satisfaction, after.FollowUp, len(after.Transcript), len(before.Transcript))
			}

			// The owner's own rating still counts.
			msgs = h.postback("Uowner", handoff.CSATData(c.ID, 2))
			mustContain(t, all(msgs), h.T("en", "bot_csat_low", map[string]any{"CaseID": c.ID}))
			if got, err := h.cases.Get(ctx, lead, c.ID); err != nil || got.Satisfaction != 2 || !got.FollowUp.Open() {
				t.Errorf("owner's rating: %+v, %v; want 2 with a follow-up", got, err)
			}
		})
	}
}
