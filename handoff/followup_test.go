package handoff

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestLowRatingCreatesAFollowUpForLeads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, "2026-11-23 10:00")
	low := f.open(t, "U1", human)
	fine := f.open(t, "U2", human)
	for _, c := range []*Case{low, fine} {
		if _, err := f.svc.Resolve(ctx, lead, c.ID, ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.svc.RecordSatisfaction(ctx, low.UserID, low.ID, 2); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RecordSatisfaction(ctx, fine.UserID, fine.ID, 3); err != nil {
		t.Fatal(err)
	}
	queue, err := f.svc.List(ctx, lead, Filter{FollowUps: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(queue); len(got) != 1 || got[0] != low.ID {
		t.Fatalf("follow-ups = %v, want [%s] (a 3 is not low)", got, low.ID)
	}
	fu := queue[0].FollowUp
	if fu == nil || fu.Reason != FollowUpLowRating || fu.Score != 2 || !fu.Open() {
		t.Errorf("follow-up = %+v, want an open low_rating with score 2", fu)
	}
	last := queue[0].Transcript[len(queue[0].Transcript)-1]
	if last.Kind != TurnEvent || last.Event == nil || last.Event.Type != SysFollowUp || last.Event.Score != 2 {
		t.Errorf("last turn = %+v, want the follow_up event", last)
	}
	if _, err := f.svc.List(ctx, l2, Filter{FollowUps: true}); !errors.Is(err, ErrForbidden) {
		t.Errorf("L2 listing follow-ups: %v, want ErrForbidden", err)
	}
	// A second rating of 1 keeps one task, with the lower score.
	if err := f.svc.RecordSatisfaction(ctx, low.UserID, low.ID, 1); err != nil {
		t.Fatal(err)
	}
	// The comment after the rating goes to the case, not a new complaint.
	if err := f.svc.AttachComment(ctx, low.UserID, low.ID, "專員態度很差，等了一整天"); err != nil {
		t.Fatal(err)
	}
	got, _ := f.svc.Get(ctx, lead, low.ID)
	if got.FollowUp.Score != 1 || got.FollowUp.Comment != "專員態度很差，等了一整天" {
		t.Errorf("follow-up = %+v, want score 1 and the comment", got.FollowUp)
	}
	if c := got.Transcript[len(got.Transcript)-1]; c.From != FromCustomer || !c.Comment || c.Text != "專員態度很差，等了一整天" {
		t.Errorf("last turn = %+v, want the customer's comment", c)
	}
	if n := strings.Count(transcriptKinds(got), "event:follow_up"); n != 1 {
		t.Errorf("%d follow_up events, want 1", n)
	}

	if _, err := f.svc.CompleteFollowUp(ctx, l2, low.ID, ""); !errors.Is(err, ErrForbidden) {
		t.Errorf("L2 completing: %v, want ErrForbidden", err)
	}
	done, err := f.svc.CompleteFollowUp(ctx, lead, low.ID, "打電話致歉，補發折價券")
	if err != nil {
		t.Fatal(err)
	}
	if done.FollowUp.Open() || done.FollowUp.DoneBy != lead.ID || done.FollowUp.Note == "" {
		t.Errorf("done = %+v, want closed by the lead with the note", done.FollowUp)
	}
	if queue, _ := f.svc.List(ctx, lead, Filter{FollowUps: true}); len(queue) != 0 {
		t.Errorf("follow-ups after done = %v, want none", ids(queue))
	}
	if _, err := f.svc.CompleteFollowUp(ctx, lead, low.ID, ""); !errors.Is(err, ErrInvalid) {
		t.Errorf("completing twice: %v, want ErrInvalid", err)
	}
}

func transcriptKinds(c *Case) string {
	var b strings.Builder
	for _, t := range c.Transcript {
		b.WriteString(string(t.Kind))
		if t.Event != nil {
			b.WriteString(":" + string(t.Event.Type))
		}
		b.WriteString(" ")
	}
	return b.String()
}

func TestReturnToBotWithoutAReplyTellsTheTruth(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, "2026-11-23 10:00")
	c := f.open(t, "U1", human)
	if _, err := f.svc.Claim(ctx, l2, c.ID); err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.ReturnToBot(ctx, l2, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	calls := f.msg.all()
	txt := calls[len(calls)-1].Notices[0].Text
	if !strings.Contains(txt, c.ID) || !strings.Contains(txt, "沒能") {
		t.Errorf("notice = %q, want the truth (nobody replied) and the case number", txt)
	}
	// The customer was promised never to repeat the story (tryout 8 M6):
	// the notice says they need not, in every language.
	for lang, not := range map[string][2]string{
		"zh-TW": {"不用再重新說明", "再跟我說一次"}, "zh-CN": {"不用再重复说明", "再跟我说一遍"}, "en": {"don't need to tell us again", "tell me again"},
	} {
		if txt := f.svc.tr.T(lang, "handoff_returned_no_reply_notice", map[string]any{"CaseID": c.ID}); !strings.Contains(txt, not[0]) || strings.Contains(txt, not[1]) {
			t.Errorf("%s notice = %q, want %q and never %q", lang, txt, not[0], not[1])
		}
	}
	stored, _ := f.svc.Get(ctx, lead, got.ID)
	if !strings.Contains(transcriptKinds(stored), "event:returned_no_reply") || !stored.FollowUp.Open() ||
		stored.FollowUp.Reason != FollowUpReturnedNoReply {
		t.Errorf("case = %s / %+v, want the returned_no_reply event and a follow-up for a lead", transcriptKinds(stored), stored.FollowUp)
	}
	if last := stored.Transcript[len(stored.Transcript)-1]; last.From != FromBot || last.Notice != NoticeReturned || last.Text != txt {
		t.Errorf("last turn = %+v, want the notice as a bot turn", last)
	}

	// After a reply, the usual notice and no task.
	c2 := f.open(t, "U2", human)
	if _, err := f.svc.Claim(ctx, l2, c2.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Reply(ctx, l2, c2.ID, "已為您處理好了"); err != nil {
		t.Fatal(err)
	}
	back, err := f.svc.ReturnToBot(ctx, l2, c2.ID)
	if err != nil {
		t.Fatal(err)
	}
	if back.FollowUp != nil {
		t.Errorf("follow-up after a reply = %+v, want none", back.FollowUp)
	}
	calls = f.msg.all()
	if txt := calls[len(calls)-1].Notices[0].Text; strings.Contains(txt, "沒能") {
		t.Errorf("notice after a reply = %q, want the usual one", txt)
	}
}

// Issue 9 item 6: the customer's own case only. Another user id (or none)
// is ErrForbidden and writes nothing.
func TestAfterCaseCallsCheckTheCustomer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, "2026-11-23 10:00")
	c := f.open(t, "U1", human)
	if _, err := f.svc.Resolve(ctx, lead, c.ID, ""); err != nil {
		t.Fatal(err)
	}
	before, err := f.svc.Get(ctx, lead, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, user := range []string{"U2", ""} {
		for name, call := range map[string]func() error{
			"RecordSatisfaction": func() error { return f.svc.RecordSatisfaction(ctx, user, c.ID, 1) },
			"RequestFollowUp":    func() error { return f.svc.RequestFollowUp(ctx, user, c.ID, FollowUpRequested) },
			"AttachComment":      func() error { return f.svc.AttachComment(ctx, user, c.ID, "forged") },
		} {
			if err := call(); !errors.Is(err, ErrForbidden) {
				t.Errorf("%s by %q: %v, want ErrForbidden", name, user, err)
			}
		}
	}
	after, err := f.svc.Get(ctx, lead, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Satisfaction != 0 || after.FollowUp != nil || len(after.Transcript) != len(before.Transcript) {
		t.Errorf("case changed: satisfaction %d, follow-up %+v, %d turns (was %d)",
			after.Satisfaction, after.FollowUp, len(after.Transcript), len(before.Transcript))
	}
}
