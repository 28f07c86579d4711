package bot

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/knowledge"
	"github.com/warmline/warmline/knowledge/orders"
)

// refund is the refund path: it asks which order (unless the message or
// the conversation names it), states the policy, and then either records
// the request at L1 (within the rules' limit, on an order the customer has
// shown is theirs: through the Refunds recorder, where a colleague carries
// it out, and only then is the customer told so) or hands it to a person
// with approval authority, order and amount captured.
func (e *Engine) refund(ctx context.Context, t *turn, in intent, text string, amount int, log *zap.Logger) error {
	st := t.st
	lang := t.lang()
	if amount > 0 {
		st.RefundAmount, st.RefundText = amount, text
	}
	if st.RefundText == "" {
		st.RefundText = text
	}
	amount = st.RefundAmount
	// The order: named now, or earlier in this refund, or (within the
	// limit) the one the customer just looked up. A refund over the limit
	// is never tied to an order the customer did not name for it: the
	// specialist sees the order looked up in the transcript.
	order := cmp.Or(in.order, st.RefundOrder)
	over := e.rules.RefundOverLimit(amount)
	guessed := order == "" && st.LastOrder != ""
	if guessed && !over {
		order = st.LastOrder
	}
	// The entry the refund question itself matched may state the policy
	// ("can it go back to my card?" -> refund-method); a later message's
	// match (an order number -> order-status) does not.
	var matched *knowledge.Entry
	if in.refund && in.entry != nil && in.entry.Category == knowledge.Consultation && in.entry.Action == "" {
		matched = in.entry
	}
	st.LastTopic, st.LastCategory = topicRefund, handoff.CategoryRefund
	st.Unanswered = 0
	t.startIssue()
	// A reported defect (a stained tablecloth) is apologised for first.
	sorry := ""
	if e.mentions(st.RefundText, "bot_kw_defect") {
		sorry = e.tr.T(lang, "bot_refund_sorry_defect", nil) + "\n"
	} else if e.rules.Analyze(st.RefundText, lang).Complaint {
		// A complaint said with the refund ("你們客服太爛了，我要退 1280")
		// is apologised for once, without naming a defect.
		sorry = e.tr.T(lang, "bot_refund_sorry_complaint", nil) + "\n"
	}
	if order == "" && !(over && guessed) {
		st.Mode = modeAwaitingRefund
		msg := e.tr.T(lang, "bot_refund_ask_order", map[string]any{"Amount": money(amount)})
		// Their own question ("兩千塊可以退回信用卡嗎") is answered now,
		// not only once the order is known.
		if policy := e.askedRefundPolicy(t, matched); policy != "" {
			msg = policy + "\n\n" + msg
		}
		t.say(e.text(t, sorry+msg, e.personReply(t)))
		return nil
	}
	st.Mode, st.RefundOrder = modeNone, order
	if over {
		tr := e.rules.Fire(escalation.KindRefund, st.RefundText, money(amount))
		tr.Amount = amount
		// It awaits a person's review: never "approved by the bot", nor a
		// promise of approval.
		// The specialist approves it: they must see whether the order is
		// the customer's (an order number anyone could type).
		unverified := order != "" && !e.ownsOrder(ctx, t, order)
		st.addTried(handoff.Attempt{Kind: handoff.AttemptRefund, Ref: order, OrderNumber: order, Summary: money(amount) + " over the L1 limit " + money(e.rules.RefundLimit), Outcome: handoff.OutcomeRefundOverLimit, Amount: amount, OrderUnverified: unverified, At: t.now})
		log.Info("refund over the L1 limit handed to a person", zap.Int("amount", amount))
		id := "bot_refund_over_limit"
		if order == "" {
			id = "bot_refund_over_limit_no_order"
		}
		// The limit is the policy every customer is told, in every language
		// (it was only said where the KB's refund entry happened to match).
		msg := e.tr.T(lang, "bot_refund_limit_policy", map[string]any{"Limit": money(e.rules.RefundLimit)}) + "\n" +
			e.tr.T(lang, id, map[string]any{"Order": order, "Amount": money(amount)})
		// The policy only when the customer's own question asked for it
		// ("可以退回信用卡嗎" -> refund-method), never the shop's default
		// refund entry pasted in front of a handoff.
		if policy := e.askedRefundPolicy(t, matched); policy != "" {
			msg = policy + "\n\n" + msg
		}
		if sorry == "" {
			// Nothing apologised for yet: sorry that it cannot be settled
			// here, before the policy (tryout 7, m2).
			sorry = e.tr.T(lang, "bot_refund_over_limit_sorry", nil)
		}
		t.say(e.text(t, sorry+msg))
		st.RefundAmount, st.RefundOrder, st.RefundPolicy, st.RefundText = 0, "", "", ""
		return e.escalate(ctx, t, []escalation.Trigger{tr}, log)
	}
	// Within the limit: only on an order the customer has shown is theirs,
	// and recorded where a person carries it out before they are told so.
	if !e.ownsOrder(ctx, t, order) {
		return e.askRefundVerification(ctx, t, order, amount, sorry)
	}
	// The order's own record first: a refund already registered, or an
	// order returned or cancelled (its payment refunded), is told as it
	// is, never "registered" a second time.
	if e.refundTruth(ctx, t, order, amount, sorry, log) {
		return nil
	}
	req := orders.RefundRequest{
		ID: cmp.Or(st.Conv.ID, t.ev.ID) + ":" + order + ":" + itoa(amount), Number: order, Amount: amount,
		LineUserID: t.ev.UserID, Lang: lang, RequestedAt: t.now, DueBy: addWorkingDays(t.now.In(e.loc), e.cfg.RefundDays),
	}
	if err := e.refunds.RecordRefund(ctx, req); err != nil {
		log.Warn("refund request not recorded", zap.String("order", orders.Mask(order)), zap.Int("amount", amount), zap.Error(err))
		st.addTried(handoff.Attempt{Kind: handoff.AttemptRefund, Ref: order, OrderNumber: order, Summary: money(amount) + " not recorded", Outcome: handoff.OutcomeBackendUnavailable, Amount: amount, At: t.now})
		st.Mode, st.PendingOrder = modeNone, ""
		st.RefundAmount, st.RefundOrder, st.RefundPolicy, st.RefundText = 0, "", "", ""
		t.say(e.text(t, sorry+e.tr.T(lang, "bot_refund_not_recorded", map[string]any{"Order": order, "Amount": money(amount)}), e.personReply(t)))
		return nil
	}
	st.addRefund(refundRequest{Order: order, Amount: amount, At: t.now})
	t.settle(convL1, topicRefund)
	st.addTried(handoff.Attempt{Kind: handoff.AttemptRefund, Ref: order, OrderNumber: order, Summary: money(amount) + " recorded at L1", Outcome: handoff.OutcomeRefundRecorded, Amount: amount, At: t.now})
	log.Info("refund request recorded at L1", zap.Int("amount", amount))
	msg := e.tr.N(lang, "bot_refund_recorded", e.cfg.RefundDays, map[string]any{"Order": order, "Amount": money(amount)})
	if policy := e.refundPolicy(t, matched); policy != "" {
		msg = policy + "\n\n" + msg
	}
	msg = sorry + msg
	st.RefundAmount, st.RefundOrder, st.RefundPolicy, st.RefundText = 0, "", "", ""
	st.Shown = append(st.Shown, topicRefund)
	st.refundSettled()
	t.say(e.text(t, msg+"\n\n"+e.tr.T(lang, "bot_anything_else", nil), e.feedbackReplies(t, topicRefund)...))
	return nil
}

// refundTruth tells the customer, on an order they have shown is theirs,
// what its record says when no new refund request is due: one already
// registered here for it (when, and by when it is processed), or an order
// returned or cancelled (its payment went back with it: on the date the
// backend gives, when it gives one). Nothing is recorded; the attempt goes
// to the brief. It reports whether it answered; false leaves the request
// to be recorded (also when the backend cannot answer: the recorder has
// the last word then).
func (e *Engine) refundTruth(ctx context.Context, t *turn, order string, amount int, sorry string, log *zap.Logger) bool {
	st := t.st
	lang := t.lang()
	var msg, status string
	outcome := handoff.OutcomeRefundDuplicate
	if prev, ok := st.refundOn(order); ok {
		msg = e.tr.T(lang, "bot_refund_already_requested", map[string]any{
			"Order": order, "Amount": money(prev.Amount), "Date": prev.At.In(e.loc).Format("01/02"),
			"Due": addWorkingDays(prev.At.In(e.loc), e.cfg.RefundDays).Format("01/02"),
		})
	} else {
		o, err := e.fetchOrder(ctx, t, order)
		if err != nil || (o.Status != orders.StatusReturned && o.Status != orders.StatusCancelled) {
			return false
		}
		id := "bot_refund_" + o.Status // bot_refund_returned, bot_refund_cancelled
		data := map[string]any{"Order": order}
		if !o.RefundedAt.IsZero() {
			id += "_refunded"
			data["Date"] = o.RefundedAt.In(e.loc).Format("01/02")
		}
		msg, status, outcome = e.tr.T(lang, id, data), o.Status, handoff.OutcomeRefundNotEligible
	}
	log.Info("refund not recorded: the order's record answers it", zap.String("outcome", string(outcome)), zap.Int("amount", amount))
	st.addTried(handoff.Attempt{Kind: handoff.AttemptRefund, Ref: order, OrderNumber: order, OrderStatus: status, Outcome: outcome, Amount: amount, At: t.now})
	st.Mode, st.PendingOrder = modeNone, ""
	st.RefundAmount, st.RefundOrder, st.RefundPolicy, st.RefundText = 0, "", "", ""
	t.settle(convL1, topicRefund)
	st.refundSettled()
	t.say(e.text(t, sorry+msg+"\n\n"+e.tr.T(lang, "bot_anything_else", nil), e.personReply(t)))
	return true
}

// refundOn is the last refund request recorded here on order.
func (st *state) refundOn(order string) (refundRequest, bool) {
	for i := len(st.Refunds) - 1; i >= 0; i-- {
		if strings.EqualFold(st.Refunds[i].Order, order) {
			return st.Refunds[i], true
		}
	}
	return refundRequest{}, false
}

// refundSettled ends the refund's part of the issue once the customer has
// their answer (recorded, or told why none is due): asking for it again is
// another contact on the same issue, counted towards repeat_contact (the
// SOP's 3rd contact), not the same one.
func (st *state) refundSettled() {
	st.IssueTopics = slices.DeleteFunc(st.IssueTopics, func(tp string) bool { return tp == topicRefund })
}

// defectEntry is the photo remedy a refund for a damaged or defective
// item goes through: the entry the message matched, else the likeliest
// candidate that is one, else the first configured photo topic the KB has.
//
// Damage in transit and a defect from manufacture are told apart by the
// story's words (faultEntry): a refund for a stained towel the KB matched
// to no photo topic gets the defective item's remedy, not the first
// configured topic (damaged on arrival).
func (e *Engine) defectEntry(t *turn, in intent) *knowledge.Entry {
	text := t.ev.Text
	if in.entry != nil && e.photoTopic(in.entry.ID) {
		return e.faultEntry(t, text, in.entry)
	}
	for _, c := range in.match.Candidates {
		if c.Entry != nil && e.photoTopic(c.Entry.ID) {
			return e.faultEntry(t, text, c.Entry)
		}
	}
	if en := e.faultEntry(t, text, nil); en != nil {
		return en
	}
	for _, id := range e.cfg.PhotoTopics {
		if en, ok := t.tkb.Entry(id); ok {
			return en
		}
	}
	return nil
}

// refundForDefect is the refund path of a damaged or defective item with
// no amount: one apology for the defect, the remedy (photos and the order
// number, then a refund if they prefer it), and the case opens with both
// once they are in (evidenceOrder, the photo handler, or here when the
// photos came first and the message names the order), the refund request
// in its words. The complaint's fields for the brief (the request, the
// entry's topic and category) are kept in the evidence fields on every
// branch; what was already sent is never asked for again.
func (e *Engine) refundForDefect(ctx context.Context, t *turn, in intent, text string, log *zap.Logger) error {
	st := t.st
	lang := t.lang()
	en := in.defectRefund
	st.clearComplaint()
	st.Complaint, st.ComplaintOrder = text, in.order
	t.awaitEvidence(en.ID)
	st.clearComplaint()
	st.LastTopic, st.LastCategory = en.ID, en.Category
	st.Unanswered = 0
	t.startIssue()
	st.addTried(handoff.Attempt{Kind: handoff.AttemptFAQ, Ref: en.ID, Summary: textIn(en.Title, lang), Outcome: handoff.OutcomeAnswered, At: t.now})
	sorry := e.tr.T(lang, "bot_refund_sorry_defect", nil)
	if st.evidenceReady() {
		// The photos came first and the order is named now: both are in.
		t.say(e.text(t, sorry))
		return e.openWithEvidence(ctx, t, false, log)
	}
	remedy, ask, _ := e.remedyFor(t, en, in.order)
	msg := sorry + "\n" + e.tr.T(lang, "bot_refund_defect", map[string]any{"Remedy": remedy})
	if ask != "" {
		msg = sorry + "\n" + strings.TrimSpace(e.tr.T(lang, "bot_refund_defect_start", map[string]any{"Remedy": remedy})+"\n"+ask)
	}
	t.say(e.text(t, msg, e.personReply(t)))
	return nil
}

// ownsOrder reports whether the customer has shown order is theirs: it is
// the order last shown to them (after the ownership check), or the order's
// LINE account is theirs.
func (e *Engine) ownsOrder(ctx context.Context, t *turn, order string) bool {
	if order == t.st.LastOrder {
		return true
	}
	o, err := e.fetchOrder(ctx, t, order)
	return err == nil && orders.OwnedBy(o, t.ev.UserID)
}

// askRefundVerification asks for the last 4 digits of the order's phone
// before a refund on it is recorded; the refund waits in the state and
// goes on once they match (checkDigits).
func (e *Engine) askRefundVerification(ctx context.Context, t *turn, order string, amount int, sorry string) error {
	if locked, err := e.sayIfLocked(ctx, t, order); err != nil || locked {
		return err
	}
	st := t.st
	st.RefundOrder, st.RefundAmount = order, amount
	st.Mode, st.PendingOrder = modeAwaitingVerify, order
	t.say(e.text(t, sorry+e.tr.T(t.lang(), "bot_refund_verify", map[string]any{"Order": order, "Amount": money(amount)}), e.personReply(t)))
	return nil
}

// refundAwaits reports whether a refund within the limit waits for the
// ownership check of order.
func (st *state) refundAwaits(order string) bool {
	return st.RefundAmount > 0 && st.RefundOrder != "" && strings.EqualFold(st.RefundOrder, order)
}

// addWorkingDays is from plus n working days (Monday to Friday; public
// holidays are not known here), at the same time of day.
func addWorkingDays(from time.Time, n int) time.Time {
	t := from
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return t
}

// refundPolicy is the refund policy in the customer's language: the
// consultation entry their question matched, else the configured refund
// entry; empty when the KB has neither.
func (e *Engine) refundPolicy(t *turn, matched *knowledge.Entry) string {
	return e.refundPolicyOf(t, matched, e.cfg.RefundPolicyEntry)
}

// askedRefundPolicy is the answer of the entry the customer's own refund
// question matched (now or when the refund began), without the configured
// default: what they asked, not what the shop would say anyway.
func (e *Engine) askedRefundPolicy(t *turn, matched *knowledge.Entry) string {
	return e.refundPolicyOf(t, matched, "")
}

// refundPolicyOf is the answer, in the customer's language, of the first
// of: the entry matched, the one the refund began with, fallback.
func (e *Engine) refundPolicyOf(t *turn, matched *knowledge.Entry, fallback string) string {
	ids := []string{t.st.RefundPolicy, fallback}
	if matched != nil {
		ids = append([]string{matched.ID}, ids...)
	}
	for _, id := range ids {
		if en, ok := t.tkb.Entry(id); ok && id != "" {
			if a := strings.TrimSpace(textIn(en.Answer, t.lang())); a != "" {
				return a
			}
		}
	}
	return ""
}

// money formats an NT$ amount with thousands separators (NT$2,000).
func money(n int) string {
	s := itoa(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return "NT$" + b.String()
}
