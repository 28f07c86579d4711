package bot

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/warmline/warmline/handoff"
)

// lowRating is the highest satisfaction score that gets an apology and a
// lead's follow-up.
const lowRating = 2

// rated records a satisfaction answer. A low one gets an apology and the
// offer of a lead's follow-up; the next message is taken as a comment on
// the case (ratingComment). The postback names a case; handoff records it
// only for the case's own customer. When nothing was recorded (another
// customer's case, a case not resolved, Redis down) the customer gets the
// same neutral answer whatever the reason, nothing goes to the case and
// the next message is not a comment on it.
func (e *Engine) rated(ctx context.Context, t *turn, caseID string, score int, log *zap.Logger) error {
	lang := t.lang()
	if err := e.cases.RecordSatisfaction(ctx, t.ev.UserID, caseID, score); err != nil {
		log.Warn("csat not recorded", zap.String("case_id", caseID), zap.Error(err))
		t.say(e.text(t, e.tr.T(lang, "bot_csat_not_recorded", nil)))
		return nil
	}
	t.st.RatedCase, t.st.RatedAt, t.st.RatedLow = caseID, t.now, score <= lowRating
	if score > lowRating {
		e.sayToCase(ctx, t, caseID, e.tr.T(lang, "bot_csat_thanks", nil), handoff.NoticeCSAT, log)
		return nil
	}
	msg := e.tr.T(lang, "bot_csat_low", map[string]any{"CaseID": caseID})
	t.say(e.text(t, msg, e.followUpReply(t, caseID)))
	if err := e.cases.AppendBotTurn(ctx, caseID, handoff.Turn{Kind: handoff.TurnText, Text: msg, Notice: handoff.NoticeCSAT}); err != nil {
		log.Warn("bot turn not added to the case", zap.String("case_id", caseID), zap.Error(err))
	}
	return nil
}

func (e *Engine) followUpReply(t *turn, caseID string) QuickReply {
	l := e.tr.T(t.lang(), "bot_qr_follow_up", nil)
	return QuickReply{Label: l, Data: dataFollowUp + caseID, DisplayText: l}
}

// followUp asks a lead to follow up a low-rated case: a follow-up task on
// the case, which leads see in the inbox.
func (e *Engine) followUp(ctx context.Context, t *turn, caseID string, log *zap.Logger) error {
	lang := t.lang()
	e.record(t, "customer", e.tr.T(lang, "bot_qr_follow_up", nil))
	if err := e.cases.RequestFollowUp(ctx, t.ev.UserID, caseID, handoff.FollowUpRequested); err != nil {
		log.Warn("follow-up not requested", zap.String("case_id", caseID), zap.Error(err))
		t.say(e.text(t, e.tr.T(lang, "bot_handoff_failed", nil), e.followUpReply(t, caseID)))
		return nil
	}
	t.st.RatedLow = false // asked for: a comment next is not offered it again
	msg := e.tr.T(lang, "bot_follow_up_requested", map[string]any{"CaseID": caseID})
	t.say(e.text(t, msg))
	if err := e.cases.AppendBotTurn(ctx, caseID, handoff.Turn{Kind: handoff.TurnText, Text: msg, Notice: handoff.NoticeFollowUp}); err != nil {
		log.Warn("bot turn not added to the case", zap.String("case_id", caseID), zap.Error(err))
	}
	log.Info("follow-up requested after a low rating", zap.String("case_id", caseID))
	return nil
}

func (e *Engine) onFollowUpDuringCase(ctx context.Context, t *turn, log *zap.Logger) error {
	_, err := e.duringHandoff(ctx, t, e.tr.T(t.lang(), "bot_qr_follow_up", nil), log)
	return err
}

// takeRating returns the case rated within window before now (the next
// message comments on it) and forgets it: only one message is a comment.
func (st *state) takeRating(now time.Time, window time.Duration) string {
	id := st.RatedCase
	fresh := id != "" && now.Sub(st.RatedAt) <= window
	st.RatedCase, st.RatedAt, st.RatedLow = "", time.Time{}, false
	if !fresh {
		return ""
	}
	return id
}

// ratingComment attaches a comment after a rating to the rated case.
func (e *Engine) ratingComment(ctx context.Context, t *turn, caseID string, low bool, text string, log *zap.Logger) error {
	lang := t.lang()
	if err := e.cases.AttachComment(ctx, t.ev.UserID, caseID, text); err != nil {
		log.Warn("rating comment not attached", zap.String("case_id", caseID), zap.Error(err))
		t.say(e.text(t, e.tr.T(lang, "bot_comment_thanks_plain", nil)))
		return nil
	}
	msg := e.tr.T(lang, "bot_comment_thanks", map[string]any{"CaseID": caseID})
	var qr []QuickReply
	if low {
		// The offer made with the low rating stands: its button went
		// away when the customer typed, so it comes again with the thanks.
		msg += "\n" + e.tr.T(lang, "bot_comment_follow_up", map[string]any{"CaseID": caseID})
		qr = append(qr, e.followUpReply(t, caseID))
	}
	t.say(e.text(t, msg, qr...))
	if err := e.cases.AppendBotTurn(ctx, caseID, handoff.Turn{Kind: handoff.TurnText, Text: msg, Notice: handoff.NoticeCSAT}); err != nil {
		log.Warn("bot turn not added to the case", zap.String("case_id", caseID), zap.Error(err))
	}
	return nil
}
