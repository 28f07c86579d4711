package bot

import (
	"cmp"
	"context"
	"strings"

	"go.uber.org/zap"

	"github.com/warmline/warmline/handoff"
)

// asksAboutWait reports whether a message during a handoff asks about the
// wait: a phrase of bot_kw_wait anywhere ("還要等多久", "anyone there"), a
// whole message of bot_kw_wait_only ("多久？", "how long?"), a bare
// greeting ("hello?", "哈囉？有人在嗎": said to a person who has not
// answered, it asks whether anyone is there) or nothing but question
// marks ("？？？").
func (e *Engine) asksAboutWait(text string) bool {
	if e.mentions(text, "bot_kw_wait") || e.isKeyword(text, "bot_kw_wait_only") || e.isKeyword(text, "bot_kw_hello") {
		return true
	}
	return bare(text) == "" && strings.ContainsAny(text, "?？")
}

// answerWait tells a customer who asks about the wait where their case
// stands, honestly: its number, whether a colleague has taken it or it is
// still waiting for one, and the reply-by time the case holds (or the
// apology once it has passed). At most once per HandoffWaitEvery; false
// when it was said less than that ago, unless now is set (a question how
// long after a ping was answered). It counts as the acknowledgement of the
// message.
func (e *Engine) answerWait(ctx context.Context, t *turn, c *handoff.Case, now bool, log *zap.Logger) bool {
	if !now && !t.st.HandoffWaitAt.IsZero() && t.now.Sub(t.st.HandoffWaitAt) < e.cfg.HandoffWaitEvery {
		return false
	}
	lang := t.lang()
	var msg string
	switch {
	case !c.FirstResponseAt.IsZero():
		// A person already answered: they carry on, no new deadline.
		who := c.OwnerName
		if who == "" {
			who = e.tierName(lang, c)
		}
		msg = e.tr.T(lang, "bot_handoff_wait_answered", map[string]any{"CaseID": c.ID, "Who": who})
	case c.Status == handoff.StatusClaimed:
		msg = e.tr.T(lang, "bot_handoff_wait_claimed", map[string]any{"CaseID": c.ID, "Who": cmp.Or(c.OwnerName, e.tierName(lang, c))})
	default:
		msg = e.tr.T(lang, "bot_handoff_wait_queued", map[string]any{"CaseID": c.ID, "Tier": e.tierName(lang, c)})
	}
	if c.FirstResponseAt.IsZero() {
		if w := e.whoAnswers(t, c); w != "" {
			msg += "\n" + w
		}
		// The customer hears that what they send next is added without a
		// reply each, so the silence after it is not 已讀不回 (tryout 11 #4).
		msg += "\n" + e.tr.T(lang, "bot_handoff_no_each", nil)
	}
	t.st.HandoffWaitAt, t.st.HandoffAckAt = t.now, t.now
	e.sayToCase(ctx, t, c.ID, msg, handoff.NoticeAck, log)
	e.offerCancel(t, c)
	return true
}

// presenceAnswers is the most acknowledgements (wait answers, short
// "I'm here" answers and the usual acknowledgement) a case gets within
// HandoffAckEvery before a question whether anyone is there waits like
// any other message: each such question gets one answer, a flood of them
// at most this many.
const presenceAnswers = 3

// presenceAnswerable reports whether a question whether anyone is there
// ("有人在嗎", "anyone there?") still gets its short answer: the case's
// acknowledgements in the last HandoffAckEvery, counted from its own
// transcript (no key of its own), are fewer than presenceAnswers.
func (e *Engine) presenceAnswerable(t *turn, c *handoff.Case) bool {
	n := 0
	for _, tu := range c.Transcript {
		if tu.From == handoff.FromBot && tu.Notice == handoff.NoticeAck && t.now.Sub(tu.At) < e.cfg.HandoffAckEvery {
			n++
		}
	}
	return n < presenceAnswers
}

// lastCustomerText is the customer's last text message in the case's
// transcript ("" when there is none).
func lastCustomerText(c *handoff.Case) string {
	for i := len(c.Transcript) - 1; i >= 0; i-- {
		if tu := c.Transcript[i]; tu.From == handoff.FromCustomer && (tu.Kind == handoff.TurnText || tu.Kind == "") {
			return tu.Text
		}
	}
	return ""
}
