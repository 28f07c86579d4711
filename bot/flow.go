package bot

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"go.uber.org/zap"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/knowledge"
	"github.com/warmline/warmline/knowledge/gaps"
	"github.com/warmline/warmline/locales"
)

// Postback data the engine sends and understands.
const (
	dataLang           = "lang:"           // lang:<zh-TW|zh-CN|en>: choose the language
	dataFAQ            = "faq:"            // faq:<entry id>: answer this entry
	dataFeedbackYes    = "fb:yes:"         // fb:yes:<entry id or order_status>: it solved the issue
	dataFeedbackNo     = "fb:no:"          // fb:no:<entry id or order_status>: it did not
	dataHandoffRequest = "handoff:request" // bring in a person
	dataHandoffCancel  = "handoff:cancel"  // cancel the handoff, back to the bot
	dataLastDone       = "last:done"       // the complaint story is complete
	dataOrderRetry     = "order:retry"     // retry the pending order lookup
	dataFollowUp       = "followup:"       // followup:<case id>: a lead follows up a low rating
)

// Topics that are flows rather than KB entries.
const (
	topicOrder     = "order_status"
	topicComplaint = "complaint"
	topicRefund    = "refund"
)

// intent is what a customer text asks for.
type intent struct {
	order     string // order number found in the text
	complaint bool
	refund    bool // a refund request with an amount, outside a complaint
	// defectRefund is the photo remedy's entry of a refund asked for a
	// damaged or defective item without an amount ("杯子破了我要退款").
	defectRefund *knowledge.Entry
	entry        *knowledge.Entry // high-confidence entry
	match        knowledge.Match
}

func (in intent) topic() string {
	switch {
	case in.refund, in.defectRefund != nil:
		return topicRefund
	case in.complaint && in.entry != nil:
		return in.entry.ID
	case in.complaint:
		return topicComplaint
	case in.order != "" || (in.entry != nil && in.entry.Action == knowledge.ActionOrderStatus):
		return topicOrder
	case in.entry != nil:
		return in.entry.ID
	}
	return ""
}

func isComplaintEntry(en *knowledge.Entry) bool {
	return en != nil && (en.Category == knowledge.Complaint || en.Category == knowledge.Fault) &&
		en.Action != knowledge.ActionOrderStatus && en.Action != knowledge.ActionHandoff
}

func (e *Engine) onText(ctx context.Context, t *turn, log *zap.Logger) error {
	text := t.ev.Text
	if handled, err := e.duringHandoff(ctx, t, text, log); handled || err != nil {
		return err
	}
	e.record(t, "customer", text)
	// An offered handoff's trigger holds only until the customer moves on.
	t.st.Offer, t.st.OfferEvidence = "", ""
	if l, ok := explicitLang(text); ok {
		if isBareChinese(text) && (t.lang() == locales.ZhCN || t.lang() == locales.ZhTW) {
			l = t.lang() // "Chinese" keeps the script they already have
		}
		e.chooseLang(t, l)
		return nil
	}
	e.detect(t, text)
	e.offerLangSwitch(t, text)
	low := t.st.RatedLow
	rated := t.st.takeRating(t.now, e.cfg.CommentWindow)
	if t.st.Mode != modeListening && e.smallTalk(t, text) {
		// A goodbye: the customer is leaving, the conversation ends as it
		// stands (settled, a menu or open). Thanks after a settlement: it
		// ends settled. The issue ends with it, so no new conversation
		// opens on the same issue.
		if e.isKeyword(text, "bot_kw_bye") || (t.st.Conv.End == convL1 && e.isKeyword(text, "bot_kw_thanks")) {
			t.st.closeIssue()
			return e.endConversation(ctx, t, t.now, log)
		}
		return nil
	}
	// The unsolved timer hands off only when L1 is stuck (e.stuck): a
	// question the KB answers is answered however long the issue is open.
	timer := e.issueClock(t, text)
	t.st.Question = "" // set again below if this message is a question the bot answers or offers for

	an := e.analyze(t, text)
	triggers := append([]escalation.Trigger(nil), an.Triggers...)
	in := intent{}
	if n, ok := e.numbers.Find(text); ok {
		in.order = n
	}
	in.match = e.match(ctx, t, text)
	if in.order != "" && in.match.Confidence != knowledge.High {
		// The order number means nothing to the KB and can cost it its
		// confidence ("Where is the invoice for order WL…?" was a menu in
		// English, 的發票在哪裡看 an answer in Chinese): without it, a
		// how-to about the order that the KB answers confidently is that
		// answer, in every language.
		if m := t.tkb.Match(ctx, withoutOrder(text, in.order), matchLang(text, t.lang())); m.Confidence == knowledge.High && e.asksAboutOrder(intent{entry: m.Best()}) {
			in.match = m
		}
	}
	if in.order != "" && in.match.Confidence == knowledge.High && in.match.Best().Action == knowledge.ActionOrderStatus {
		// "WL… 的發票在哪裡看？我的訂單到哪了？": two questions, one where
		// the order is, and the whole reads as order status. The how-to
		// asked in a clause of its own is answered first; asksStatusApart
		// then shows the order on the verified path (bot15 item 7).
		if m, ok := e.howToClause(ctx, t, withoutOrder(text, in.order)); ok {
			in.match = m
		}
	}
	if in.match.Confidence == knowledge.High {
		in.entry = in.match.Best()
	}
	// A refund request with an amount has its own path (which order, the
	// policy, settled at L1 or approved by a person), not the complaint
	// apology; inside a complaint it is part of the complaint.
	in.refund = an.RefundRequested && an.RefundAmount > 0 && !an.Complaint && !isComplaintEntry(in.entry)
	// A question the KB answers with confidence as a how-to ("my coupon
	// code doesn't work" -> coupon-not-working) gets that answer at once,
	// not the complaint dialogue, even if it uses a complaint word.
	howTo := in.entry != nil && in.entry.Category == knowledge.Consultation
	// A question the analysis finds neutral ("瑕疵品怎麼換", "what happens
	// if my order arrives broken?") is answered even when the entry it
	// matches is a complaint's or a fault's: it asks how, it reports nothing.
	neutral := an.Question && !an.Complaint
	in.complaint = !in.refund && ((an.Complaint && !howTo) || (isComplaintEntry(in.entry) && !neutral) || (an.RefundAmount > 0 && in.entry == nil))
	if in.complaint && in.entry == nil && in.match.Confidence == knowledge.Medium && isComplaintEntry(in.match.Best()) {
		// The analysis says complaint and the KB agrees on which one.
		in.entry = in.match.Best()
	}
	// A bare question where the parcel is ("我的包裹怎么还没到？", "Why
	// hasn't my parcel arrived yet?"): one clause asking, no order number,
	// nothing more told. It gets the order-status path (which order? then
	// its status, a late one apologised for), not LAST's "tell me
	// everything": there is no story to listen to yet (tryout 7, m6).
	// Told with more ("都一个星期了，气死我了") it stays a complaint.
	lateAsk := in.complaint && t.st.Mode != modeListening && in.order == "" && len(triggers) == 0 && !an.RefundRequested &&
		in.entry != nil && e.carrierTopic(in.entry.ID) && bareQuestion(text)
	if lateAsk {
		in.complaint, in.entry = false, nil
	}

	// A refund asked for an item that arrived damaged or defective
	// ("杯子破了我要退款", "the mug is broken, I want a refund") takes the
	// refund path with the defect noted (one apology), not LAST: the
	// refund is what they ask for, and LAST is for complaints.
	// So does a refund with an amount said together with a complaint
	// ("我要退款 WL20261106，一共1280块，东西质量太差了"): the order check,
	// the limit and the unverified-order warning apply to it as to the
	// bare request, with one apology for the complaint (tryout 5, M1).
	// Within the limit a complaint about the service ("服務太差了，我要退款
	// 300 元") is heard first (LAST), and the refund path follows it.
	overLimit := len(triggers) > 0 && an.RefundAmount > 0 // only refund triggers, by the test below
	wrongTold := false
	if t.st.Mode != modeListening && an.RefundRequested && (len(triggers) == 0 || onlyKind(triggers, escalation.KindRefund)) && (e.mentions(text, "bot_kw_defect") || (an.Complaint && overLimit)) {
		if an.RefundAmount > 0 {
			in.refund, in.complaint = true, false
		} else if en := e.defectEntry(t, in); en != nil && !(en.ID == wrongItem && in.entry != nil && in.entry.ID == wrongItem) {
			in.defectRefund, in.complaint = en, false
		} else if en != nil {
			// A wrong item sent ("顏色寄錯了，我要退貨"): its remedy is the
			// right item sent and the wrong one collected, not "a refund,
			// no problem" beside it; the complaint takes the wrong-item
			// path, told in full (tryout 7, m5).
			in.complaint, in.entry, wrongTold = true, en, true
		}
	}

	// A message soon after a rating is a comment on the rated case, not a
	// new complaint, unless it asks something the bot can answer. After a
	// low rating it is what went wrong even when it names a topic the KB
	// knows ("the shipping was slow and nobody told me the fee"): only a
	// question is answered (tryout 7, M2).
	if rated != "" && len(triggers) == 0 && in.order == "" && (in.entry == nil || in.complaint || (low && !neutral)) {
		return e.ratingComment(ctx, t, rated, low, text, log)
	}

	// The customer is telling the story of a complaint: collect it, but
	// answer a question asked on the way.
	if t.st.Mode == modeListening {
		// An order number told as part of the story ("對，WL20261101 裡面
		// 那個杯子") is the complaint's order, not a status question; only
		// "WL… 到哪了" shows the order.
		if in.order != "" && !e.asksOrderStatus(text, in) {
			if t.st.ComplaintOrder == "" {
				t.st.ComplaintOrder = in.order
			}
			if in.entry == nil || in.complaint || in.refund || e.namesOrderOnly(text, in) {
				return e.listenOrHandOver(ctx, t, text, an, in, append(triggers, timer...), log)
			}
			in.order = "" // a question asked with it is answered below
		}
		question := !in.complaint && !in.refund && (in.order != "" || in.entry != nil)
		if !question && neutral && !in.complaint && !in.refund && in.match.Confidence == knowledge.Medium && len(in.match.Candidates) > 0 && len(triggers) == 0 {
			// A question asked on the way ("我只是想先問一下流程，運費怎麼
			// 算？") gets the "did you mean" menu, as anywhere else, not
			// "I'm listening" and not the likeliest guess (an upset customer
			// asking about fees was told how to cancel: tryout 3, N1). A tap
			// answers it and listening resumes (the tap's mid-story path).
			t.st.Question = text
			e.gap(ctx, t, gaps.KindMenu, text, "", candidateIDs(in.match))
			e.didYouMean(t, in.match)
			return nil
		}
		if len(triggers) > 0 || (len(timer) > 0 && !question) {
			// L1 cannot settle it (or has not in time): apologise for what
			// they told, hand over, thank.
			e.collect(t, text, an, in)
			return e.handOver(ctx, t, text, append(triggers, timer...), true, log)
		}
		if !question {
			return e.listen(ctx, t, text, an, in, log)
		}
		if t.st.hasStory() {
			return e.answerMidStory(ctx, t, text, in, log)
		}
		// One message that only sounded like a complaint, then a question:
		// answer the question.
		t.st.Mode = modeNone
		t.st.clearComplaint()
	}

	// An order number given for a remedy that asked for photos and it goes
	// to the case, not to an order look-up.
	if len(triggers) == 0 && !in.refund && !in.complaint {
		if handled, err := e.evidenceOrder(ctx, t, in.order, log); handled || err != nil {
			return err
		}
	}

	if tp := in.topic(); tp != "" {
		if tr, ok := e.contact(ctx, t, tp, text, log); ok {
			triggers = append(triggers, tr)
		}
	}
	if in.refund && onlyKind(triggers, escalation.KindRefund) {
		// Over the limit or not, the refund path asks for the order first.
		return e.refund(ctx, t, in, text, an.RefundAmount, log)
	}
	if len(triggers) > 0 {
		if in.complaint {
			t.st.ComplaintQuote, t.st.ComplaintOrder = e.quote(text), in.order
			if personRequestOnly(triggers) {
				// "叫你們店長出來" is who they want, not what went wrong:
				// not quoted back in an apology.
				t.st.ComplaintQuote = ""
			}
			t.st.LastCategory = knowledge.Complaint
			if isComplaintEntry(in.entry) {
				t.st.ComplaintEntry, t.st.LastCategory = in.entry.ID, in.entry.Category
			}
		}
		return e.handOver(ctx, t, text, append(triggers, timer...), in.complaint, log)
	}

	switch t.st.Mode {
	case modeAwaitingVerify:
		if in.order == "" && !in.complaint && !in.refund && in.entry == nil {
			if d, ok := last4(text); ok {
				return e.verify(ctx, t, d, log)
			}
			if !movedOn(text) {
				t.say(e.text(t, e.tr.T(t.lang(), "bot_order_verify_digits", nil), e.personReply(t)))
				return nil
			}
			// A sentence, not digits: the customer moved on; answer it.
		}
	case modeAwaitingOrder:
		if in.order == "" && !in.complaint && !in.refund && (in.entry == nil || in.entry.Action == knowledge.ActionOrderStatus) {
			if t.st.PendingOrder != "" && in.match.Confidence == knowledge.Low {
				// The backend was down: any message retries the kept question.
				return e.lookupOrder(ctx, t, t.st.PendingOrder, log)
			}
			return e.stuck(ctx, t, timer, "bot_order_ask_again", log)
		}
	case modeAwaitingRefund:
		if in.order != "" && !in.complaint {
			return e.refund(ctx, t, in, text, an.RefundAmount, log)
		}
		if !in.complaint && in.entry == nil && !movedOn(text) {
			t.say(e.text(t, e.tr.T(t.lang(), "bot_refund_ask_order_again", nil), e.personReply(t)))
			return nil
		}
	}
	t.st.Mode = modeNone

	var two *twoAsked // two questions in one message, each answered or offered
	if !in.refund && in.defectRefund == nil && !in.complaint && in.order == "" {
		two = e.twoQuestions(ctx, t, text)
	}
	switch {
	case two != nil:
		t.st.Question = text
		e.answerAsked(ctx, t, two)
		return nil
	case in.refund:
		return e.refund(ctx, t, in, text, an.RefundAmount, log)
	case in.defectRefund != nil:
		return e.refundForDefect(ctx, t, in, text, log)
	case in.complaint:
		if wrongTold || e.toldInFull(text, in) {
			e.beginComplaint(t, text, an, in)
			return e.finishComplaint(ctx, t, log)
		}
		e.startListening(t, text, an, in)
		return nil
	case in.order != "" && e.asksAboutOrder(in):
		// A question about something of the order ("WL20261101 的發票在哪
		// 裡看", "Where is the invoice for order WL…?"): the KB answers it;
		// the number is context, not a status look-up (tryout 7, m7).
		// The number is not an order shown to its owner (LastOrder): a
		// refund asked next still goes through the phone check.
		t.st.Question = text
		if err := e.entryChosen(ctx, t, in.entry, text, candidateIDs(in.match), log); err != nil || !e.asksStatusApart(ctx, t, text, in) {
			return err
		}
		// "…invoice for WL…? And where is my order?": the order's status
		// too, on the verified path (the phone's last 4 digits for an
		// order that is not the customer's), never dropped.
		return e.lookupOrder(ctx, t, in.order, log, withDigits(text, in.order)...)
	case in.order != "":
		return e.lookupOrder(ctx, t, in.order, log, withDigits(text, in.order)...)
	case lateAsk:
		t.st.Question = text
		t.startIssue()
		t.st.LastTopic, t.st.LastCategory = topicOrder, knowledge.Consultation
		t.st.Mode = modeAwaitingOrder
		t.st.Unanswered = 0
		t.say(e.text(t, e.tr.T(t.lang(), "bot_order_ask_late", nil), e.personReply(t)))
		return nil
	case in.entry != nil:
		t.st.Question = text
		return e.entryChosen(ctx, t, in.entry, text, candidateIDs(in.match), log)
	case in.match.Confidence == knowledge.Medium && len(in.match.Candidates) > 0:
		t.st.Question = text
		e.gap(ctx, t, gaps.KindMenu, text, "", candidateIDs(in.match))
		e.didYouMean(t, in.match)
		return nil
	}
	t.st.Question = text
	e.gap(ctx, t, gaps.KindUnanswered, text, "", nil)
	return e.stuck(ctx, t, timer, "bot_not_sure", log)
}

// listenOrHandOver goes on with the story after a message that told
// more of it: a person takes it when a trigger fired, else LAST listens.
func (e *Engine) listenOrHandOver(ctx context.Context, t *turn, text string, an escalation.Analysis, in intent, triggers []escalation.Trigger, log *zap.Logger) error {
	if len(triggers) > 0 {
		e.collect(t, text, an, in)
		return e.handOver(ctx, t, text, triggers, true, log)
	}
	return e.listen(ctx, t, text, an, in, log)
}

// asksOrderStatus reports whether text asks where an order is (the
// order-status entry, or words like 到哪了 / where is).
func (e *Engine) asksOrderStatus(text string, in intent) bool {
	if e.namesOrderOnly(text, in) {
		return false
	}
	return (in.entry != nil && in.entry.Action == knowledge.ActionOrderStatus) || e.mentions(text, "bot_kw_order_status")
}

// namesOrderOnly reports whether text only names its order: the number
// and a label around it ("order WL20261103", "訂單是 WL…",
// bot_kw_order_label), no question where the order is.
func (e *Engine) namesOrderOnly(text string, in intent) bool {
	return in.order != "" && e.isKeyword(strings.Replace(strings.ToUpper(text), strings.ToUpper(in.order), "", 1), "bot_kw_order_label")
}

// stuck is where L1 has no answer: the unsolved timer, when it fired,
// hands off now; otherwise msgID is said and counted as unanswered.
func (e *Engine) stuck(ctx context.Context, t *turn, timer []escalation.Trigger, msgID string, log *zap.Logger) error {
	if len(timer) > 0 {
		return e.escalate(ctx, t, timer, log)
	}
	return e.unanswered(ctx, t, msgID, log)
}

// onlyKind reports whether every trigger is of kind (and there is one).
func onlyKind(trs []escalation.Trigger, kind string) bool {
	for _, tr := range trs {
		if tr.Kind != kind {
			return false
		}
	}
	return len(trs) > 0
}

func hasKind(trs []escalation.Trigger, kind string) bool {
	return slices.ContainsFunc(trs, func(tr escalation.Trigger) bool { return tr.Kind == kind })
}

// entryChosen acts on an entry the customer asked for (matched or tapped).
func (e *Engine) entryChosen(ctx context.Context, t *turn, en *knowledge.Entry, text string, cands []string, log *zap.Logger) error {
	switch {
	case en.Action == knowledge.ActionOrderStatus:
		t.st.LastTopic, t.st.LastCategory = topicOrder, en.Category
		t.st.Mode = modeAwaitingOrder
		t.st.Unanswered = 0
		t.say(e.text(t, e.tr.T(t.lang(), "bot_order_ask", nil), e.personReply(t)))
		return nil
	case en.Action == knowledge.ActionHandoff:
		t.st.LastTopic, t.st.LastCategory = en.ID, en.Category
		return e.escalate(ctx, t, []escalation.Trigger{e.rules.Fire(escalation.KindHuman, text, en.ID)}, log)
	}
	e.answer(t, en, cands)
	return nil
}

// issueClock forgets an abandoned issue and fires unsolved_timeout when
// the open issue began UnsolvedAfter ago or more. An issue starts when
// something to solve comes up (startIssue), not on small talk.
func (e *Engine) issueClock(t *turn, text string) []escalation.Trigger {
	st := t.st
	if !st.LastActivity.IsZero() && t.now.Sub(st.LastActivity) > e.cfg.ConversationIdle {
		st.resetIssue()
	}
	if st.Conv.End == convL1 && !(t.ev.Kind == KindPostback && strings.HasPrefix(t.ev.Data, dataFeedbackNo)) {
		// The bot settled what came before (an FAQ answered, an order
		// shown): this message is not L1 stuck on it. The clock of what it
		// brings up starts when that comes up (startIssue), not at the
		// answered FAQs: a broken mug reported after two answered
		// questions is not "unsolved for 15 minutes" (only "Not yet" on
		// the answer keeps the question's clock).
		st.IssueStartedAt = time.Time{}
		return nil
	}
	if st.IssueStartedAt.IsZero() {
		return nil
	}
	if open := t.now.Sub(st.IssueStartedAt); open >= e.rules.UnsolvedAfter {
		return []escalation.Trigger{e.rules.Fire(escalation.KindUnsolved, text, open.Round(time.Second).String())}
	}
	return nil
}

// startIssue starts the issue clock unless an issue is open, and keeps the
// customer's first message about it that says something (not just an
// order number or "ok"): the request of a case opened for it.
func (t *turn) startIssue() {
	if t.st.IssueStartedAt.IsZero() {
		t.st.IssueStartedAt = t.now
	}
	if t.st.IssueText != "" {
		return
	}
	text := t.ev.Text
	if t.ev.Kind != KindText {
		text = t.asked // a tap: the question it answers
	}
	if text = strings.TrimSpace(text); says(text) {
		t.st.IssueText = text
	}
}

// says reports whether a customer message says something about an issue:
// at least four letters (not only digits or "ok").
func says(s string) bool {
	letters := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters >= 4
}

// contact counts a new issue on topic (once per issue) and fires
// repeat_contact at the threshold.
func (e *Engine) contact(ctx context.Context, t *turn, topic, text string, log *zap.Logger) (escalation.Trigger, bool) {
	t.startIssue()
	if slices.Contains(t.st.IssueTopics, topic) {
		return escalation.Trigger{}, false
	}
	t.st.IssueTopics = append(t.st.IssueTopics, topic)
	n, err := e.countContact(ctx, t.ev.UserID, topic, t.now)
	if err != nil {
		log.Warn("repeat contact not counted", zap.String("topic", topic), zap.Error(err))
		return escalation.Trigger{}, false
	}
	if n >= e.rules.RepeatThreshold {
		log.Info("repeat contact", zap.String("topic", topic), zap.Int("count", n))
		t.st.LastTopic = topic
		return e.rules.Fire(escalation.KindRepeat, text, topic+" x"+itoa(n)), true
	}
	return escalation.Trigger{}, false
}

func (e *Engine) onPostback(ctx context.Context, t *turn, log *zap.Logger) error {
	data := t.ev.Data
	if caseID, score, ok := handoff.ParseCSATData(data); ok {
		return e.rated(ctx, t, caseID, score, log)
	}
	if caseID, ok := strings.CutPrefix(data, dataFollowUp); ok {
		return e.followUp(ctx, t, caseID, log)
	}
	if handled, err := e.duringHandoff(ctx, t, "", log); handled || err != nil {
		return err
	}
	switch {
	case strings.HasPrefix(data, dataLang):
		if l := strings.TrimPrefix(data, dataLang); isLang(l) {
			e.chooseLang(t, l)
			return nil
		}
	case data == dataHandoffCancel:
		t.say(e.text(t, e.tr.T(t.lang(), "bot_handoff_none", nil), e.topicReplies(t, false)...))
		return nil
	case data == dataHandoffRequest:
		kind, ev := t.st.Offer, t.st.OfferEvidence
		if kind == "" {
			kind, ev = escalation.KindHuman, dataHandoffRequest
		}
		e.record(t, "customer", e.tr.T(t.lang(), "bot_qr_person", nil))
		return e.escalate(ctx, t, []escalation.Trigger{e.rules.Fire(kind, e.tr.T(t.lang(), "bot_qr_person", nil), ev)}, log)
	case strings.HasPrefix(data, dataFeedbackYes):
		return e.resolved(ctx, t, strings.TrimPrefix(data, dataFeedbackYes), log)
	}
	// The rest belong to an open issue: the timer hands off when L1 is
	// stuck ("Not yet", a button the bot no longer understands).
	timer := e.issueClock(t, data)
	switch {
	case strings.HasPrefix(data, dataFAQ):
		en, ok := t.tkb.Entry(strings.TrimPrefix(data, dataFAQ))
		if !ok {
			break
		}
		text := textIn(en.Title, t.lang())
		e.record(t, "customer", text)
		// The entry the customer picked for the question they asked.
		e.gap(ctx, t, gaps.KindTap, t.st.Question, en.ID, t.st.Candidates)
		if t.st.Mode == modeListening {
			if isComplaintEntry(en) || t.st.hasStory() {
				if !isComplaintEntry(en) {
					// A question tapped mid-story: answer it, then listen on.
					return e.answerMidStory(ctx, t, text, intent{entry: en}, log)
				}
				return e.listen(ctx, t, text, escalation.Analysis{}, intent{entry: en}, log)
			}
			t.st.clearComplaint()
		}
		t.st.Mode = modeNone
		if isComplaintEntry(en) {
			e.startListening(t, text, escalation.Analysis{}, intent{complaint: true, entry: en})
			return nil
		}
		if tr, fired := e.contact(ctx, t, intent{entry: en}.topic(), text, log); fired {
			return e.escalate(ctx, t, []escalation.Trigger{tr}, log)
		}
		return e.entryChosen(ctx, t, en, text, t.st.Candidates, log)
	case strings.HasPrefix(data, dataFeedbackNo):
		if ref := strings.TrimPrefix(data, dataFeedbackNo); ref != topicOrder {
			e.gap(ctx, t, gaps.KindNotYet, t.st.Question, ref, t.st.Candidates)
		}
		if len(timer) > 0 {
			return e.escalate(ctx, t, timer, log)
		}
		return e.notHelpful(t, strings.TrimPrefix(data, dataFeedbackNo))
	case data == dataLastDone:
		if t.st.Mode == modeListening || t.st.Complaint != "" {
			// Also after a question answered mid-story left the bot
			// waiting for something else (a phone check): the button it
			// gave still finishes the story.
			t.st.Mode = modeListening
			return e.finishComplaint(ctx, t, log)
		}
	case data == dataOrderRetry:
		if t.st.PendingOrder != "" {
			return e.lookupOrder(ctx, t, t.st.PendingOrder, log)
		}
	}
	log.Debug("postback not understood", zap.String("data", data))
	return e.stuck(ctx, t, timer, "bot_not_sure", log)
}

func isLang(l string) bool {
	return l == knowledge.ZhTW || l == knowledge.ZhCN || l == knowledge.EN
}

// unanswered says msgID (with topics and a person) and counts it; at the
// limit it offers a person instead (unhelpful).
func (e *Engine) unanswered(ctx context.Context, t *turn, msgID string, log *zap.Logger) error {
	t.st.Unanswered++
	t.settle(convOpen, "")
	if t.st.Unanswered >= e.rules.UnhelpfulLimit {
		log.Info("unhelpful: unanswered in a row", zap.Int("count", t.st.Unanswered))
		e.offerPerson(t, escalation.KindUnhelpful, "unanswered x"+itoa(t.st.Unanswered))
		return nil
	}
	t.say(e.text(t, e.tr.T(t.lang(), msgID, nil), e.topicReplies(t, false)...))
	return nil
}

// offerPerson offers a handoff; tapping it opens the case with kind.
func (e *Engine) offerPerson(t *turn, kind, evidence string) {
	t.st.Offer, t.st.OfferEvidence = kind, evidence
	t.settle(convOpen, "")
	t.st.Conv.Trigger = kind
	t.say(e.text(t, e.tr.T(t.lang(), "bot_unhelpful_offer", nil), e.personReply(t)))
}

func itoa(n int) string { return strconv.Itoa(n) }

// smallTalk answers a bare greeting, thanks or goodbye warmly; it is
// neither a question nor unanswered, and does not touch the issue.
func (e *Engine) smallTalk(t *turn, text string) bool {
	switch {
	case e.isKeyword(text, "bot_kw_bye"):
		t.say(e.text(t, e.tr.T(t.lang(), "bot_goodbye", nil)))
	case e.isKeyword(text, "bot_kw_thanks"):
		t.say(e.text(t, e.tr.T(t.lang(), "bot_welcome", nil)))
	case e.isKeyword(text, "bot_kw_hello"):
		t.say(e.text(t, e.tr.T(t.lang(), "bot_hello", nil), e.topicReplies(t, false)...))
	default:
		return false
	}
	return true
}

// movedOn reports whether a message asked for something else rather than
// answering a question for digits: several words, not a short reply.
func movedOn(text string) bool {
	letters := 0
	for _, r := range text {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters >= 8
}

// bareQuestion reports whether text is one clause that asks (ends with a
// question mark): nothing told beside the question.
func bareQuestion(text string) bool {
	s := strings.TrimSpace(text)
	return len(clauses(s)) == 1 && (strings.HasSuffix(s, "?") || strings.HasSuffix(s, "？"))
}

// asksAboutOrder reports whether a message with an order number asks a
// how-to the KB answers with confidence (an invoice, a payment, a
// return), not where the order is: a consultation entry with no action,
// not one of the delivery-time topics a status look-up answers better.
func (e *Engine) asksAboutOrder(in intent) bool {
	en := in.entry
	return en != nil && en.Action == knowledge.ActionNone && en.Category == knowledge.Consultation &&
		!slices.Contains(e.cfg.LateOrderTopics, en.ID) && !e.carrierTopic(en.ID)
}

// wrongItem is the KB entry of a wrong item received.
const wrongItem = "wrong-item"

// withoutOrder is text with the order number taken out.
func withoutOrder(text, order string) string {
	i := strings.Index(strings.ToUpper(text), strings.ToUpper(order))
	if i < 0 {
		return text
	}
	return strings.TrimSpace(text[:i] + " " + text[i+len(order):])
}

// howToClause is the match of the first of text's two or more question
// clauses that the KB answers with confidence as a how-to about an order
// (asksAboutOrder); false when there is none or text asks one thing.
func (e *Engine) howToClause(ctx context.Context, t *turn, text string) (knowledge.Match, bool) {
	parts := questionClauses(text)
	if len(parts) < 2 {
		return knowledge.Match{}, false
	}
	for _, p := range parts {
		if m := t.tkb.Match(ctx, p, matchLang(p, t.lang())); m.Confidence == knowledge.High && e.asksAboutOrder(intent{entry: m.Best()}) {
			return m, true
		}
	}
	return knowledge.Match{}, false
}

// asksStatusApart reports whether a message that asks a how-to about an
// order (in.entry) also asks, in a clause of its own, where the order is:
// a clause with words like 到哪 / where is / when will it arrive that the
// KB does not match to a how-to about an order (the order-status entry, a
// delivery-time topic, nothing): "Where is the invoice…" is the invoice
// question itself.
func (e *Engine) asksStatusApart(ctx context.Context, t *turn, text string, in intent) bool {
	for _, c := range clauses(text) {
		if !e.mentions(c, "bot_kw_order_status") {
			continue
		}
		m := t.tkb.Match(ctx, withoutOrder(c, in.order), matchLang(c, t.lang()))
		if best := m.Best(); best == nil || (best.ID != in.entry.ID && !e.asksAboutOrder(intent{entry: best})) {
			return true
		}
	}
	return false
}
