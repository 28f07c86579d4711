package bot

import (
	"context"
	"strings"

	"go.uber.org/zap"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/knowledge"
	"github.com/warmline/warmline/knowledge/orders"
)

// maxFollowUps is how many messages after the first the bot listens to
// before it goes on by itself.
const maxFollowUps = 2

// startListening is LAST's Listen: invite the whole story, answer nothing yet.
func (e *Engine) startListening(t *turn, text string, an escalation.Analysis, in intent) {
	st := t.st
	st.clearComplaint()
	st.Mode = modeListening
	st.Complaint = text
	st.ComplaintQuote = quote(text)
	st.ComplaintOrder = in.order
	if in.entry != nil && isComplaintEntry(in.entry) {
		st.ComplaintEntry = in.entry.ID
	}
	if an.RefundRequested {
		st.RefundAmount = an.RefundAmount
	}
	st.LastTopic = in.topic()
	st.LastCategory = knowledge.Complaint
	if in.entry != nil && in.entry.Category != "" && isComplaintEntry(in.entry) {
		st.LastCategory = in.entry.Category
	}
	st.Unanswered = 0
	t.say(e.text(t, e.tr.T(t.lang(), "bot_listen", nil), e.doneReply(t)...))
}

func (e *Engine) doneReply(t *turn) []QuickReply {
	l := e.tr.T(t.lang(), "bot_qr_done", nil)
	return []QuickReply{{Label: l, Data: dataLastDone, DisplayText: l}}
}

// listen collects a follow-up of the story; the customer says when it is
// complete, or the bot goes on after maxFollowUps messages.
func (e *Engine) listen(ctx context.Context, t *turn, text string, an escalation.Analysis, in intent, log *zap.Logger) error {
	done := e.isKeyword(text, "bot_kw_done")
	if !done {
		e.collect(t, text, an, in)
	}
	if done || t.st.ComplaintMsgs >= maxFollowUps {
		return e.finishComplaint(ctx, t, log)
	}
	t.say(e.text(t, e.tr.T(t.lang(), "bot_listen_more", nil), e.doneReply(t)...))
	return nil
}

// collect adds a follow-up message to the complaint.
func (e *Engine) collect(t *turn, text string, an escalation.Analysis, in intent) {
	st := t.st
	st.Complaint = strings.TrimSpace(st.Complaint + "\n" + text)
	st.ComplaintMsgs++
	if an.RefundAmount > 0 {
		st.RefundAmount = an.RefundAmount
	}
	if st.ComplaintEntry == "" {
		if en := in.entry; isComplaintEntry(en) {
			st.ComplaintEntry = en.ID
			st.LastTopic, st.LastCategory = en.ID, en.Category
		}
	}
	if st.ComplaintOrder == "" && in.order != "" {
		st.ComplaintOrder = in.order
	}
}

// finishComplaint is Apologize, Solve and Thank.
func (e *Engine) finishComplaint(ctx context.Context, t *turn, log *zap.Logger) error {
	st := t.st
	lang := t.lang()
	t.say(e.apology(t))

	entry, _ := t.tkb.Entry(st.ComplaintEntry)
	ref := st.ComplaintEntry
	if ref == "" {
		ref = topicComplaint
	}
	switch {
	case st.RefundAmount > 0:
		// An amount over the limit fired a refund trigger in the analysis of
		// the message that named it, and went to a person there: what is
		// kept here is within L1's limit.
		amount := st.RefundAmount
		st.addTried(handoff.Attempt{Kind: "refund", Ref: "NT$" + itoa(amount), Summary: "approved at L1", At: t.now})
		log.Info("refund approved at L1", zap.Int("amount", amount))
		t.say(e.text(t, e.tr.N(lang, "bot_solve_refund", e.cfg.RefundDays, map[string]any{"Amount": amount})))
	case entry != nil && textIn(entry.Answer, lang) != "":
		st.addTried(handoff.Attempt{Kind: "last", Ref: entry.ID, Summary: textIn(entry.Title, lang), At: t.now})
		t.say(e.text(t, e.tr.T(lang, "bot_solve_remedy", map[string]any{"Remedy": strings.TrimSpace(textIn(entry.Answer, lang))})))
	default:
		// L1 has no remedy: a person takes it, with the whole story.
		return e.escalateComplaint(ctx, t, e.rules.Fire(escalation.KindUnhelpful, st.Complaint, "no L1 remedy for complaint"), log)
	}
	st.Mode = modeNone
	st.clearComplaint()
	st.Shown = append(st.Shown, ref)
	t.say(e.text(t, e.tr.T(lang, "bot_thanks", nil)+"\n"+e.tr.T(lang, "bot_anything_else", nil), e.feedbackReplies(t, ref)...))
	return nil
}

func (e *Engine) escalateComplaint(ctx context.Context, t *turn, tr escalation.Trigger, log *zap.Logger) error {
	return e.escalateComplaintWith(ctx, t, []escalation.Trigger{tr}, log)
}

func (e *Engine) escalateComplaintWith(ctx context.Context, t *turn, trs []escalation.Trigger, log *zap.Logger) error {
	if err := e.escalate(ctx, t, trs, log); err != nil {
		return err
	}
	t.say(e.text(t, e.tr.T(t.lang(), "bot_thanks", nil)))
	return nil
}

// apology is specific: it names the entry, the order or the customer's own
// words.
func (e *Engine) apology(t *turn) Message {
	st := t.st
	lang := t.lang()
	if en, ok := t.tkb.Entry(st.ComplaintEntry); ok {
		return e.text(t, e.tr.T(lang, "bot_apology_topic", map[string]any{"Topic": textIn(en.Title, lang)}))
	}
	if st.ComplaintOrder != "" {
		return e.text(t, e.tr.T(lang, "bot_apology_order", map[string]any{"Order": orders.Mask(st.ComplaintOrder)}))
	}
	return e.text(t, e.tr.T(lang, "bot_apology_quote", map[string]any{"Quote": st.ComplaintQuote}))
}

// quote is the start of the customer's message, to refer back to it.
func quote(text string) string {
	s := strings.Join(strings.Fields(text), " ")
	return truncRunes(s, 40)
}
