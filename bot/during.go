package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"unicode"

	"go.uber.org/zap"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/knowledge"
	"github.com/warmline/warmline/knowledge/orders"
	"github.com/warmline/warmline/locales"
)

// duringHandoff handles a message while a person has the customer: the
// message goes to the case, a short acknowledgement (case number, who
// answers by when) answers it at most once per HandoffAckEvery, so a
// message is never just marked read; a notice of another kind (the raise
// notice) does not count as that acknowledgement. A question about the
// wait gets the case number and the reply-by time even within
// HandoffAckEvery, at most once per HandoffWaitEvery. Cancel brings the
// bot back. text is empty for postbacks.
func (e *Engine) duringHandoff(ctx context.Context, t *turn, text string, log *zap.Logger) (bool, error) {
	c, err := e.cases.ActiveCase(ctx, t.ev.UserID)
	if errors.Is(err, handoff.ErrNoCase) || (err == nil && c == nil) {
		return false, nil
	}
	if err != nil {
		// Answering is better than leaving the customer alone.
		log.Warn("active case lookup failed, bot answers", zap.Error(err))
		return false, nil
	}
	if t.ev.Data == dataHandoffCancel || (text != "" && e.isKeyword(text, "bot_kw_cancel")) {
		err := e.cases.CancelByCustomer(ctx, c.ID)
		if errors.Is(err, handoff.ErrMustStayOpen) {
			// Legal, media and security cases go to the people who must
			// see them even if the customer changes their mind.
			log.Info("customer asked to cancel a case that stays open", zap.String("case_id", c.ID))
			if text != "" {
				if err := e.cases.AppendCustomerMessage(ctx, c.ID, text); err != nil {
					return true, fmt.Errorf("add message to case %s: %w", c.ID, err)
				}
			}
			e.sayToCase(ctx, t, c.ID, e.tr.T(t.lang(), "bot_handoff_cancel_kept", map[string]any{"CaseID": c.ID}), handoff.NoticeAck, log)
			t.st.HandoffAckAt = t.now
			return true, nil
		}
		if err != nil {
			return true, fmt.Errorf("cancel case %s: %w", c.ID, err)
		}
		log.Info("handoff cancelled by customer", zap.String("case_id", c.ID))
		t.st.resetIssue()
		t.say(e.text(t, e.tr.T(t.lang(), "bot_handoff_cancelled", nil), e.topicReplies(t, false)...))
		return true, nil
	}
	// Once a person has replied the conversation is theirs: the message
	// goes to the case (they see it), and the bot neither answers it from
	// the knowledge base nor sends wait notices over them (tryout 5, M3).
	// Raises, safety steps and files that were not kept are still said.
	live := !c.FirstResponseAt.IsZero()
	if l, ok := explicitLang(text); ok && text != "" {
		return true, e.langDuringHandoff(ctx, t, c, text, l, live, log)
	}
	prev := lastCustomerText(c) // before this message joins the case
	askedPerson := false        // "我要找真人" again: answered as a question about the wait
	faq := ""                   // the knowledge base's answer to a question asked while waiting
	if text != "" {
		// Triggers still count while a person has the case: a legal threat
		// made to an L2 case moves it to L3 at P1.
		// A request for a person ("有人嗎", "我要找真人") is what the case
		// already is: it changes neither who has it nor how soon (the SOP
		// routes by the issue, not by asking twice); the wait answer below
		// tells them where it stands.
		a := e.analyze(t, text)
		n := len(a.Triggers)
		a.Triggers = slices.DeleteFunc(a.Triggers, func(tr escalation.Trigger) bool { return tr.Kind == escalation.KindHuman })
		askedPerson = n > 0 && len(a.Triggers) == 0
		// A question about the wait is answered by the bot: the brief's
		// "added after the handoff" leaves it out.
		wait := !live && (askedPerson || e.asksAboutWait(text))
		if len(a.Triggers) == 0 && !wait && !live {
			faq = e.waitingAnswer(ctx, t, text)
		}
		// The phone's last digits for the order the brief flags are a
		// verification step, matched or not: marked so before the check,
		// so wrong digits are not shown to the agent as something the
		// customer added (OrderVerified marks a match too).
		_, _, check := e.ownerCheckOf(c, text)
		check = check && len(a.Triggers) == 0 && !wait
		tu := handoff.Turn{Kind: handoff.TurnText, Text: text, BotAnswered: wait || faq != "", OwnerCheck: check}
		if err := e.cases.AppendCustomerTurn(ctx, c.ID, tu); err != nil {
			return true, fmt.Errorf("add message to case %s: %w", c.ID, err)
		}
		if len(a.Triggers) == 0 && !wait {
			if handled, err := e.verifyDuringHandoff(ctx, t, c, text, live, log); handled || err != nil {
				return true, err
			}
		}
		if len(a.Triggers) > 0 {
			if hasKind(a.Triggers, escalation.KindSecurity) && e.productSafety(text) {
				// A hazard or an injury told during the handoff: the
				// apology and the safety steps come first, as outside one.
				e.sayToCase(ctx, t, c.ID, e.safetyText(t.lang(), text), handoff.NoticeAck, log)
			}
			raised, err := e.cases.Raise(ctx, c.ID, a.Triggers)
			if err != nil {
				return true, fmt.Errorf("raise case %s: %w", c.ID, err)
			}
			log.Info("new triggers added to the open case", zap.String("case_id", c.ID), zap.Int("triggers", len(a.Triggers)))
			if raised != nil && gained(c, raised, escalation.KindSecurity) && !e.productSafety(text) {
				// An account takeover or a fraud reported while waiting:
				// the account steps at once, before anything about the wait.
				msg, _ := e.accountSteps(ctx, t, log)
				e.sayToCase(ctx, t, c.ID, msg, handoff.NoticeAck, log)
			}
			if raised != nil && (raised.Tier != c.Tier || raised.Priority != c.Priority || gained(c, raised, escalation.KindSupervisor)) {
				// A new target: say it now, whatever the last acknowledgement.
				e.acknowledgeRaise(ctx, t, c, raised, log)
				return true, nil
			}
			if raised != nil {
				c = raised
			}
		}
	}
	if tu := t.caseTurn; text == "" && tu != nil {
		if err := e.cases.AppendCustomerTurn(ctx, c.ID, *tu); err != nil {
			return true, fmt.Errorf("add file to case %s: %w", c.ID, err)
		}
		if tu.Media != nil && tu.Media.Problem != "" {
			// A file that was not kept is always said, so the customer can
			// send it another way.
			e.sayToCase(ctx, t, c.ID, e.mediaProblemText(t, tu.Media.Problem), handoff.NoticeAck, log)
			return true, nil
		}
	}
	if live {
		return true, nil
	}
	if text != "" && (askedPerson || e.asksAboutWait(text)) {
		// "How long?" right after a ping ("有人嗎" then "還要等多久") is
		// answered: only the same kind of question again waits. So is a
		// request for a person: the case already is one.
		// A ping that also reads as a request ("有人在吗") is a ping.
		person := askedPerson && !e.asksAboutWait(text)
		howLong := (person || e.mentions(text, "bot_kw_wait_howlong")) && !e.mentions(prev, "bot_kw_wait_howlong") && prev != text
		// A request for a person right after a "how long?" (還要等多久？
		// then 我要找真人) is a new ask, not the same one again: it is
		// answered, or the customer sees 已讀 and nothing (tryout 8 M1).
		// Only a request for a person again waits.
		howLong = howLong || person && prev != text && !e.asksForPerson(t, prev)
		if e.answerWait(ctx, t, c, howLong, log) {
			return true, nil
		}
		if e.isKeyword(text, "bot_kw_presence") && e.presenceAnswerable(t, c) {
			// "有人在嗎" asks whether anyone is there: it always gets a
			// short answer, not silence because the wait was told a
			// moment ago; a flood is capped (presenceAnswers).
			e.sayToCase(ctx, t, c.ID, e.tr.T(t.lang(), "bot_handoff_here", map[string]any{"CaseID": c.ID}), handoff.NoticeAck, log)
			t.st.HandoffAckAt = t.now
			return true, nil
		}
		// Asked again within HandoffWaitEvery: the usual acknowledgement
		// rules (a flood of "???" gets one answer, not one each).
		e.acknowledge(ctx, t, c, log)
		return true, nil
	}
	if faq != "" {
		e.answerWhileWaiting(ctx, t, c, faq, log)
		return true, nil
	}
	e.acknowledge(ctx, t, c, log)
	return true, nil
}

// verifyDuringHandoff checks the phone's last 4 digits sent while a case
// waits against the order its brief flags as unverified: a match clears
// the flag (the brief updates) and is said; a mismatch is said too (the
// person confirms). Checks count towards the same limits and locks as
// outside a handoff. handled is false when the message holds no digits to
// check or the case has no unverified order. quiet (a person has replied)
// checks without saying so: the brief updates for the person.
func (e *Engine) verifyDuringHandoff(ctx context.Context, t *turn, c *handoff.Case, text string, quiet bool, log *zap.Logger) (bool, error) {
	order, digits, ok := e.ownerCheckOf(c, text)
	if !ok {
		return false, nil
	}
	checked, matched, o, err := e.phoneCheck(ctx, t, order, digits, log)
	if err != nil {
		return checked, fmt.Errorf("phone check during case %s: %w", c.ID, err)
	}
	if !checked {
		return false, nil // blocked or the backend is down: the message stays for the person
	}
	id := "bot_handoff_order_no_match"
	if matched {
		if _, err := e.cases.OrderVerified(ctx, c.ID, order); err != nil {
			return true, fmt.Errorf("order verified on case %s: %w", c.ID, err)
		}
		t.st.LastOrder = o.Number
		id = "bot_handoff_order_verified"
		log.Info("order verified during the handoff", zap.String("case_id", c.ID))
	}
	if quiet {
		return true, nil
	}
	e.sayToCase(ctx, t, c.ID, e.tr.T(t.lang(), id, map[string]any{"Order": order, "CaseID": c.ID}), handoff.NoticeAck, log)
	t.st.HandoffAckAt = t.now
	return true, nil
}

// phoneCheck checks digits against the phone of order without saying
// anything, for the checks the bot has not asked for (during a handoff,
// with a damaged item's order): checked is false when it made none (the
// customer is locked out, or the order backend cannot answer: the person
// checks); a made check counts towards the same limits and locks as the
// order look-up's. o is the order when found.
func (e *Engine) phoneCheck(ctx context.Context, t *turn, order, digits string, log *zap.Logger) (checked, matched bool, o orders.Order, err error) {
	if wait, err := e.checkBlocked(ctx, t.ev.UserID, order, t.now); err != nil || wait > 0 {
		return false, false, o, err
	}
	o, err = e.fetchOrder(ctx, t, order)
	if err != nil && !errors.Is(err, orders.ErrNotFound) {
		log.Warn("order backend unavailable, phone digits not checked", zap.String("order", orders.Mask(order)), zap.Error(err))
		return false, false, o, nil
	}
	matched = err == nil && orders.PhoneLast4Matches(o, digits)
	if _, err := e.recordCheck(ctx, t.ev.UserID, order, !matched, t.now); err != nil {
		return true, matched, o, err
	}
	return true, matched, o, nil
}

// ownerCheckOf is the order-owner check a message sent during the handoff
// makes: the order case c flags as not shown to be the customer's and the
// phone's last 4 digits the message holds for it (no order number in it,
// meant as the digits: phoneDigits); ok is false when it makes none.
func (e *Engine) ownerCheckOf(c *handoff.Case, text string) (order, digits string, ok bool) {
	order = handoff.UnverifiedOrder(c)
	digits, found := last4(text)
	if _, isOrder := e.numbers.Find(text); order == "" || !found || isOrder || !e.phoneDigits(text) {
		return "", "", false
	}
	return order, digits, true
}

// asksForPerson reports whether text (an earlier message of the case)
// asked for a person.
func (e *Engine) asksForPerson(t *turn, text string) bool {
	if text == "" {
		return false
	}
	return hasKind(e.rules.Analyze(text, t.lang()).Triggers, escalation.KindHuman)
}

// phoneDigits reports whether a message with one 4-digit run is meant as
// the phone's last digits: it says so (bot_kw_phone: 手機末四碼, last 4
// digits) or holds little besides the digits (at most 3 letters: "2036", "是2036喔", "it's 2036"). The bot
// has not asked for them during a handoff, so "the mug cost 1200" or
// "ordered in 2025" is no check: it neither answers about digits nor counts
// a failed check towards the lock.
func (e *Engine) phoneDigits(text string) bool {
	if e.mentions(text, "bot_kw_phone") {
		return true
	}
	letters := 0
	for _, r := range text {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters <= 3
}

// waitingAnswer is the answer, in the customer's language, of a question
// the knowledge base answers with high confidence (運費怎麼算？) while the
// customer waits for a person; "" for flows (order status, a person),
// complaints and anything less sure, which are left to the person.
func (e *Engine) waitingAnswer(ctx context.Context, t *turn, text string) string {
	m := e.match(ctx, t, text)
	if m.Confidence != knowledge.High {
		return ""
	}
	en := m.Best()
	if en == nil || en.Action != "" || en.Category != knowledge.Consultation {
		return ""
	}
	return textIn(en.Answer, t.lang())
}

// answerWhileWaiting gives a waitingAnswer after a short "while you wait"
// line and the case's own reply-by time; it goes to the case's transcript
// too.
func (e *Engine) answerWhileWaiting(ctx context.Context, t *turn, c *handoff.Case, answer string, log *zap.Logger) {
	msg := e.tr.T(t.lang(), "bot_handoff_meanwhile", map[string]any{"CaseID": c.ID}) + "\n\n" + answer
	// The answer may speak of times in general (service hours, "the next
	// working day"): the case's own reply-by time, the one the agent sees,
	// closes it, so no general time reads as this case's promise.
	if w := e.whoAnswers(t, c); w != "" {
		msg += "\n\n" + e.tr.T(t.lang(), "bot_handoff_meanwhile_case", map[string]any{"CaseID": c.ID}) + "\n" + w
	}
	e.sayToCase(ctx, t, c.ID, msg, handoff.NoticeAck, log)
	e.offerCancel(t, c)
}

// offerCancel puts the cancel button on the last message when the
// customer may still cancel the case.
func (e *Engine) offerCancel(t *turn, c *handoff.Case) {
	if n := len(t.out); n > 0 && handoff.CustomerMayCancel(c) {
		cancel := e.tr.T(t.lang(), "bot_qr_cancel_handoff", nil)
		t.out[n-1].QuickReplies = append(t.out[n-1].QuickReplies, QuickReply{Label: cancel, Data: dataHandoffCancel, DisplayText: cancel})
	}
}

// gained reports whether after has a trigger of kind that before had not.
func gained(before, after *handoff.Case, kind string) bool {
	has := func(c *handoff.Case) bool {
		return slices.ContainsFunc(c.Triggers, func(tr escalation.Trigger) bool { return tr.Kind == kind })
	}
	return has(after) && !has(before)
}

// acknowledge tells the customer their message reached the case and who
// answers by when, unless that was said less than HandoffAckEvery ago.
func (e *Engine) acknowledge(ctx context.Context, t *turn, c *handoff.Case, log *zap.Logger) {
	if !t.st.HandoffAckAt.IsZero() && t.now.Sub(t.st.HandoffAckAt) < e.cfg.HandoffAckEvery {
		return
	}
	lang := t.lang()
	id := "bot_handoff_ack"
	if tu := t.caseTurn; tu != nil && tu.Media != nil {
		id = "bot_handoff_ack_media" // "got your photo, it is in case …"
	}
	msg := e.tr.T(lang, id, map[string]any{"CaseID": c.ID})
	if w := e.whoAnswers(t, c); w != "" {
		msg += "\n" + w
	}
	t.st.HandoffAckAt = t.now
	e.sayToCase(ctx, t, c.ID, msg, handoff.NoticeAck, log)
	e.offerCancel(t, c)
}

// acknowledgeRaise tells the customer the case's new target after a
// request made during the handoff raised it (a supervisor, say).
func (e *Engine) acknowledgeRaise(ctx context.Context, t *turn, before, c *handoff.Case, log *zap.Logger) {
	lang := t.lang()
	id, notice := "bot_handoff_raised", handoff.NoticeAck
	sorry := false // a product problem told with a legal threat: a sober apology first
	switch {
	case gained(before, c, escalation.KindLegalMedia):
		// A legal threat or a press mention: sober and respectful, no thanks.
		id = "bot_handoff_raised_legal"
		sorry = e.mentions(t.ev.Text, "bot_kw_defect") && !e.productSafety(t.ev.Text)
	case gained(before, c, escalation.KindSupervisor):
		id, notice = "bot_handoff_ack_supervisor", handoff.NoticeSupervisor
		if e.waited(t, before) {
			// They have waited already: LAST's Apologize for the wait,
			// once per case, with the new target (tryout 6, item 1).
			id = "bot_handoff_ack_supervisor_waited"
			t.st.WaitSorryCase = c.ID
		}
	}
	msg := e.tr.T(lang, id, map[string]any{"CaseID": c.ID, "Tier": e.tierName(lang, c)})
	if sorry {
		msg = e.tr.T(lang, "bot_legal_sorry", nil) + msg
	}
	if due := e.dueText(t, c, c.Promise()); due != "" {
		msg += "\n" + due
	}
	// A raise notice answers the message that raised the case, not the
	// ones after it: the next message gets its own acknowledgement
	// (HandoffAckAt is left as it was).
	e.sayToCase(ctx, t, c.ID, msg, notice, log)
}

// waited reports whether the customer has waited for a person on case c
// (open WaitSorryAfter or longer with no reply from one, or its promised
// time passed) and has not yet been apologised for the wait on it.
func (e *Engine) waited(t *turn, c *handoff.Case) bool {
	if t.st.WaitSorryCase == c.ID || !c.FirstResponseAt.IsZero() {
		return false
	}
	due := c.Promise()
	return t.now.Sub(c.CreatedAt) >= e.cfg.WaitSorryAfter || (!due.IsZero() && !due.After(t.now))
}

// whoAnswers says who has the case and by when they answer, from the
// case's own due time (what the agent sees too).
func (e *Engine) whoAnswers(t *turn, c *handoff.Case) string {
	lang := t.lang()
	if !c.FirstResponseAt.IsZero() {
		// A person already answered: they carry on, no new deadline.
		who := c.OwnerName
		if who == "" {
			who = e.tierName(lang, c)
		}
		return e.tr.T(lang, "bot_handoff_ack_with_agent", map[string]any{"Who": who})
	}
	due := c.Promise()
	if !due.IsZero() && !due.After(t.now) {
		return e.tr.T(lang, "bot_handoff_ack_overdue", nil)
	}
	return e.dueText(t, c, due)
}

// sayToCase says text to the customer and records it in the case's
// transcript as an automatic bot turn.
func (e *Engine) sayToCase(ctx context.Context, t *turn, caseID, text string, notice handoff.NoticeKind, log *zap.Logger) {
	t.say(e.text(t, text))
	if err := e.cases.AppendBotTurn(ctx, caseID, handoff.Turn{Kind: handoff.TurnText, Text: text, Notice: notice}); err != nil {
		log.Warn("bot turn not added to the case", zap.String("case_id", caseID), zap.Error(err))
	}
}

// langDuringHandoff takes a language chosen while a case waits ("can you
// answer in English?", "請用中文"): the bot speaks it from now on and says
// so with the case number, as outside a handoff (tryout 11 #6: the request
// got the acknowledgement in the old language). The message goes to the
// case, marked answered by the bot, so the agent sees the wish; once a
// person has replied the switch is quiet (the bot does not talk over them).
func (e *Engine) langDuringHandoff(ctx context.Context, t *turn, c *handoff.Case, text, lang string, live bool, log *zap.Logger) error {
	if isBareChinese(text) && (t.lang() == locales.ZhCN || t.lang() == locales.ZhTW) {
		lang = t.lang() // "Chinese" keeps the script they already have
	}
	t.st.Lang, t.st.LangSource, t.st.LangOffered = lang, langChoice, ""
	if err := e.cases.AppendCustomerTurn(ctx, c.ID, handoff.Turn{Kind: handoff.TurnText, Text: text, BotAnswered: true}); err != nil {
		return fmt.Errorf("add message to case %s: %w", c.ID, err)
	}
	if live {
		return nil
	}
	e.sayToCase(ctx, t, c.ID, e.tr.T(lang, "bot_handoff_lang_set", map[string]any{"CaseID": c.ID}), handoff.NoticeAck, log)
	t.st.HandoffAckAt = t.now
	return nil
}
