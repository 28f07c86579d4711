package handoff

import (
	"context"
	"testing"
)

// TestSupervisorStillByIsNeverLate (handoff14): the supervisor's "still by
// T" is only sent while T is ahead. A sweep that first runs after T (a
// replica down for the window) sends only the late apology, never "still by
// 15:05" at 15:06; and a case answered before 80% gets neither.
func TestSupervisorStillByIsNeverLate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, "2026-11-23 15:00")
	late := f.open(t, "U-late", supervisor)    // due 15:05
	answered := f.open(t, "U-ans", supervisor) // answered at 15:02
	f.clock.Set(at(t, "2026-11-23 15:02"))
	if _, err := f.svc.Claim(ctx, l2, answered.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Reply(ctx, l2, answered.ID, "您好，我是主管，馬上為您處理。"); err != nil {
		t.Fatal(err)
	}
	mark := len(f.msg.all()) // the agent's reply is pushed too
	f.clock.Set(at(t, "2026-11-23 15:06"))
	if n, err := f.svc.Sweep(ctx); err != nil || n != 1 {
		t.Fatalf("sweep at 15:06 = %d, %v; want 1 (the apology alone)", n, err)
	}
	var got []string
	for _, c := range f.msg.all()[mark:] {
		for _, n := range c.Notices {
			if c.UserID == "U-late" {
				got = append(got, n.Text)
			} else if c.UserID == "U-ans" {
				t.Errorf("answered case got %q, want nothing", n.Text)
			}
		}
	}
	// The apology names the missed 15:05 and a new time: the supervisor's
	// 5 minutes again from 15:06.
	want := f.svc.tr.T(late.Lang, "handoff_sla_late_lead", map[string]any{"CaseID": late.ID, "ETA": "15:05", "NewETA": "15:11"})
	if len(got) != 1 || got[0] != want {
		t.Errorf("late sweep sent %q, want only [%q]", got, want)
	}
	c, err := f.svc.Get(ctx, lead, late.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tu := range c.Transcript {
		if tu.Notice == NoticeReminder {
			t.Errorf("transcript has a pre-breach notice %q, want none (the apology stands for it)", tu.Text)
		}
	}
	if !c.Promise().Equal(at(t, "2026-11-23 15:11")) {
		t.Errorf("promise after the apology = %s, want the new 15:11 (the brief and the inbox show what the customer was told)", c.Promise().In(taipei(t)))
	}
	// A sweep later on sends no "still by 15:11" after the apology.
	f.clock.Set(at(t, "2026-11-23 15:10"))
	if n, err := f.svc.Sweep(ctx); err != nil || n != 0 {
		t.Errorf("sweep at 15:10 = %d, %v; want nothing (the apology gave 15:11)", n, err)
	}
}
