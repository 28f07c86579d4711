package handoff

import (
	"strings"

	"github.com/warmline/warmline/handoff/escalation"
)

// normalize migrates a case stored in an older shape as it is read: turns
// get a kind, system turns stored as text ("assigned", "priority P1",
// "cancelled") become events, the "[sticker]"/"[image]" placeholders
// become sticker and media turns, attempts get typed outcomes. Cases
// written now are already in the new shape; normalize leaves them as they
// are.
func (c *Case) normalize() {
	for i := range c.Tried {
		c.Tried[i].normalize()
	}
	c.refundTruth()
	for i := range c.Transcript {
		c.Transcript[i].normalize()
	}
	c.Category = categoryOf(c.Category, c.Triggers)
	for i, tr := range c.Triggers {
		// Bots before escalation.KindComplaint fired "unhelpful" with this
		// bookkeeping for a complaint L1 had no remedy for.
		if tr.Kind == escalation.KindUnhelpful && tr.Evidence == legacyComplaintEvidence {
			c.Triggers[i].Kind, c.Triggers[i].Evidence = escalation.KindComplaint, ""
		}
	}
}

// legacyComplaintEvidence is what older bots stored as the evidence of a
// complaint with no L1 remedy.
const legacyComplaintEvidence = "no L1 remedy for complaint"

func (t *Turn) normalize() {
	if t.Kind != "" {
		return
	}
	t.Kind = TurnText
	text := strings.TrimSpace(t.Text)
	if t.From == FromSystem {
		ev, ok := legacyEvent(text)
		if ok {
			t.Kind, t.Event, t.Text = TurnEvent, &ev, ""
		}
		return
	}
	if t.From != FromCustomer {
		return
	}
	switch text {
	case "[sticker]":
		t.Kind, t.Sticker, t.Text = TurnSticker, &Sticker{}, ""
	case "[image]", "[video]", "[audio]", "[file]":
		t.Kind, t.Media, t.Text = TurnMedia, &Media{Type: MediaType(strings.Trim(text, "[]"))}, ""
	}
}

func legacyEvent(text string) (SystemEvent, bool) {
	switch text {
	case "assigned":
		return SystemEvent{Type: SysAssigned}, true
	case "cancelled":
		return SystemEvent{Type: SysCancelled}, true
	}
	if p, ok := strings.CutPrefix(text, "priority "); ok && priorityRank(p) < len(Priorities) {
		return SystemEvent{Type: SysPriority, Priority: p}, true
	}
	return SystemEvent{}, false
}

// refundTruth: a case opened by a refund over the bot's limit did not have
// that refund approved by the bot, whatever its attempt says: the refund
// awaits a person's approval (the trigger's amount fills a missing one).
func (c *Case) refundTruth() {
	for _, tr := range c.Triggers {
		if tr.Kind != escalation.KindRefund {
			continue
		}
		for i := range c.Tried {
			a := &c.Tried[i]
			if a.Kind != AttemptRefund || (tr.Amount > 0 && a.Amount > 0 && a.Amount != tr.Amount) {
				continue
			}
			a.Outcome = OutcomeRefundOverLimit
			if a.Amount == 0 {
				a.Amount = tr.Amount
			}
		}
	}
}
