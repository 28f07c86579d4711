package handoff

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/handoff/escalation"
)

// TestQueueOffersReadableCasesFirst (issue 11, 14.2): among cases not at
// risk of breaching, an agent gets the cases in their languages first, even
// when one they cannot read is due sooner; a case at risk (past the
// pre-breach share of its target, or within 15 minutes of its deadline) or
// breached goes on top for everyone, whatever its language, by due time.
func TestQueueOffersReadableCasesFirst(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, "2026-11-23 10:00")
	open := func(user, lang string, tr ...escalation.Trigger) *Case {
		c, err := f.svc.Open(ctx, Opening{UserID: user, Lang: lang, Triggers: tr,
			Transcript: []Turn{{From: FromCustomer, Text: "help me please", At: f.clock.Now()}}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	zhP2 := open("U1", "zh-TW", legal) // L3 P2, due 11:00: at risk from 10:45 (15 minutes before; 80% is 10:48)
	zhP3 := open("U2", "zh-TW", human) // P3, due 14:00: at risk from 13:12
	f.clock.Advance(2 * time.Minute)
	enP1 := open("U3", "en", security) // P1, due 10:17: at risk from the start
	enP3 := open("U4", "en", human)    // P3, due 14:02
	for _, tt := range []struct {
		c    *Case
		want string
	}{{zhP2, "10:45"}, {zhP3, "13:12"}, {enP1, "10:02"}, {enP3, "13:14"}} {
		if got := f.svc.RiskAt(tt.c).In(f.svc.Policy().Location).Format("15:04"); got != tt.want {
			t.Errorf("%s (%s, due %s) at risk from %s, want %s", tt.c.ID, tt.c.Priority,
				tt.c.NextDue().In(f.svc.Policy().Location).Format("15:04"), got, tt.want)
		}
	}

	mei := Agent{ID: "mei", Role: RoleLead, Languages: []string{"zh-TW", "zh-CN"}}
	ken := Agent{ID: "ken", Role: RoleLead, Languages: []string{"en"}}
	for _, tt := range []struct {
		name  string
		now   string
		agent Agent
		want  []*Case
	}{
		{"zh agent", "10:04", mei, []*Case{enP1, zhP2, zhP3, enP3}},
		{"en agent: his P3 before a Chinese P2 not yet at risk", "10:04", ken, []*Case{enP1, enP3, zhP2, zhP3}},
		{"no languages declared: by due time", "10:04", lead, []*Case{enP1, zhP2, zhP3, enP3}},
		{"en agent: the Chinese P2 a minute before its risk point", "10:44", ken, []*Case{enP1, enP3, zhP2, zhP3}},
		{"en agent: the Chinese P2 at risk surfaces", "10:45", ken, []*Case{enP1, zhP2, enP3, zhP3}},
		{"zh agent: the breached English P1 stays on top", "10:30", mei, []*Case{enP1, zhP2, zhP3, enP3}},
		{"en agent: the Chinese P3 at risk comes before his own P3", "13:12", ken, []*Case{enP1, zhP2, zhP3, enP3}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f.clock.Set(at(t, "2026-11-23 "+tt.now))
			got, err := f.svc.List(ctx, tt.agent, Filter{})
			if err != nil {
				t.Fatal(err)
			}
			if g, w := strings.Join(ids(got), ","), strings.Join(ids(tt.want), ","); g != w {
				t.Errorf("queue at %s = %s, want %s", tt.now, g, w)
			}
		})
	}
}
