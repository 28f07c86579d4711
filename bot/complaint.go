package bot

import (
	"context"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/knowledge"
)

// maxFollowUps is how many messages after the first the bot listens to
// before it goes on by itself.
const maxFollowUps = 2

// startListening is LAST's Listen: invite the whole story, answer nothing yet.
func (e *Engine) startListening(t *turn, text string, an escalation.Analysis, in intent) {
	e.beginComplaint(t, text, an, in)
	t.say(e.text(t, e.tr.T(t.lang(), "bot_listen", nil), e.doneReply(t)...))
}

// toldInFull reports whether the first message of a complaint already
// tells the whole story: what went wrong (a defect word or a complaint or
// fault entry) and which order with some detail (two clauses that say
// something), or without an order a longer account (three such clauses,
// or a detailed one), or the order with the goods the damage names
// (namedGoods). Asking for the story again would make them repeat
// it: LAST goes straight to Apologize and Solve (tryout 6, item 3).
func (e *Engine) toldInFull(text string, in intent) bool {
	if !e.mentions(text, "bot_kw_defect") && !isComplaintEntry(in.entry) {
		return false
	}
	n := 0
	for _, c := range clauses(text) {
		if says(strings.TrimSpace(strings.Replace(c, in.order, "", 1))) {
			n++
		}
	}
	if in.order != "" && n < 2 && e.namedGoods(withoutOrder(text, in.order)) != "" {
		// The order, the goods and what went wrong ("杯子到货就碎了，订单号
		// WL20261106"): the whole story, though the order's clause says
		// nothing else (tryout 11 #8).
		return true
	}
	return (in.order != "" && n >= 2) || n >= 3 || utf8.RuneCountInString(text) >= detailedRunes
}

// beginComplaint keeps the first message of a complaint for LAST.
func (e *Engine) beginComplaint(t *turn, text string, an escalation.Analysis, in intent) {
	st := t.st
	st.clearComplaint()
	st.Mode = modeListening
	st.Complaint = text
	st.ComplaintQuote = e.quote(text)
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
		if in.order != "" {
			// The order and the phone's digits told on the way ("訂單是
			// WL20261107，手機末四碼3295"): checked now, so the case
			// opened later does not flag the order (tryout 11 #3).
			if err := e.evidenceOwnerCheck(ctx, t, in.order, log); err != nil {
				return err
			}
		}
	}
	if done || t.st.ComplaintMsgs >= maxFollowUps {
		return e.finishComplaint(ctx, t, log)
	}
	msg := e.tr.T(t.lang(), "bot_listen_more", nil)
	if in.order != "" {
		// The order the story is about: noted, and the story goes on.
		msg = e.tr.T(t.lang(), "bot_listen_order", map[string]any{"Order": in.order})
	}
	t.say(e.text(t, msg, e.doneReply(t)...))
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
	if en, ok := t.tkb.Entry(st.ComplaintEntry); ok {
		// A stain told as the KB's "damaged on arrival" (or a crushed
		// box as "defective") gets the remedy its words tell.
		if f := e.faultEntry(t, st.Complaint, en); f != en {
			st.ComplaintEntry, st.LastTopic, st.LastCategory = f.ID, f.ID, f.Category
		}
	}
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
		// After the apology, the refund path: which order, the ownership
		// check, and recorded where a person carries it out before the
		// customer is told so (it was promised and recorded nowhere).
		amount, order := st.RefundAmount, st.ComplaintOrder
		st.Mode = modeNone
		st.clearComplaint()
		return e.refund(ctx, t, intent{order: order}, "", amount, log)
	case entry != nil && e.photoTopic(entry.ID) && st.ComplaintOrder != "" && len(st.Media) > 0:
		// The photos and the order number are already in: the remedy's
		// request for them is moot, a person takes it with both.
		t.awaitEvidence(entry.ID)
		st.Mode = modeNone
		st.clearComplaint()
		return e.openWithEvidence(ctx, t, true, log)
	case entry != nil && textIn(entry.Answer, lang) != "":
		if e.photoTopic(entry.ID) {
			t.awaitEvidence(entry.ID)
			if st.ComplaintOrder != "" {
				// The story told in full with the order and the phone's
				// digits in one message ("馬克杯破掉了 訂單是 WL…，手機末四碼…"):
				// checked now, as when they come later, so the case the
				// photo opens does not flag the order.
				if err := e.evidenceOwnerCheck(ctx, t, st.ComplaintOrder, log); err != nil {
					return err
				}
			}
		}
		if e.carrierTopic(entry.ID) {
			// The remedy promises the courier is asked once the order is
			// known: kept by the case that opens when the order is shown
			// (tryout 7, M3).
			st.CarrierCheck = entry.ID
		}
		st.addTried(handoff.Attempt{Kind: handoff.AttemptLAST, Ref: entry.ID, Summary: textIn(entry.Title, lang), Outcome: handoff.OutcomeListened, Count: st.ComplaintMsgs + 1, At: t.now})
		// The photos or the order already sent are not asked for again.
		remedy, ask, lookup := e.remedyFor(t, entry, st.ComplaintOrder)
		msg := ask
		if remedy != "" {
			msg = strings.TrimSpace(e.tr.T(lang, "bot_solve_remedy", map[string]any{"Remedy": remedy}) + "\n" + ask)
		}
		if msg != "" {
			t.say(e.text(t, msg))
		}
		if lookup {
			// The remedy asked for the order to look it up ("where is my
			// parcel"): the bot has it, so it shows the order (after the
			// phone check when it is not theirs), thanking first.
			order := st.ComplaintOrder
			st.Mode = modeNone
			st.clearComplaint()
			t.say(e.text(t, e.tr.T(lang, "bot_thanks", nil)))
			return e.lookupOrder(ctx, t, order, log)
		}
	default:
		// L1 has no remedy: a person takes it, with the whole story.
		tr := e.botFired(escalation.KindComplaint, st.Complaint) // a complaint, not "answers did not help"
		if en, ok := t.tkb.Entry(st.ComplaintEntry); ok && en.Category == knowledge.Fault {
			tr = e.defect(st.Complaint) // a damaged or defective item, not "answers did not help"
		}
		return e.escalateComplaint(ctx, t, tr, log)
	}
	st.Mode = modeNone
	st.clearComplaint()
	st.Shown = append(st.Shown, ref)
	t.settle(convL1, ref) // a refund within the limit or the entry's remedy (photos still asked for: open)
	if st.EvidenceEntry != "" {
		// The remedy asked for photos or the order: nothing is solved
		// yet, so "Did that help?" would ring false (tryout 7, m8). The
		// customer hears what happens when they send them.
		t.say(e.text(t, e.tr.T(lang, "bot_thanks", nil)+"\n"+e.tr.T(lang, "bot_evidence_next", nil), e.personReply(t)))
		return nil
	}
	if st.CarrierCheck != "" {
		// The courier is asked once the order is in: nothing is solved yet.
		t.say(e.text(t, e.tr.T(lang, "bot_thanks", nil)+"\n"+e.tr.T(lang, "bot_carrier_next", nil), e.personReply(t)))
		return nil
	}
	t.say(e.text(t, e.tr.T(lang, "bot_thanks", nil)+"\n"+e.tr.T(lang, "bot_anything_else", nil), e.feedbackReplies(t, ref)...))
	return nil
}

// escalateComplaint hands over a complaint already apologised for, and thanks.
func (e *Engine) escalateComplaint(ctx context.Context, t *turn, tr escalation.Trigger, log *zap.Logger) error {
	if err := e.escalate(ctx, t, []escalation.Trigger{tr}, log); err != nil {
		return err
	}
	t.say(e.text(t, e.tr.T(t.lang(), "bot_thanks", nil)))
	return nil
}

// handOver opens the case for triggers with the words the situation needs
// first: safety steps at once for a security report, a sober
// acknowledgement (no thanks) after a legal threat or a press mention, and
// for a complaint LAST's apology before and thanks after.
func (e *Engine) handOver(ctx context.Context, t *turn, text string, triggers []escalation.Trigger, complaint bool, log *zap.Logger) error {
	lang := t.lang()
	legal := hasKind(triggers, escalation.KindLegalMedia)
	// A one-line demand for a person or a lead ("叫你們店長出來") is not a
	// story to thank them for.
	demand := personRequestOnly(triggers) && t.st.Complaint == "" && t.st.ComplaintMsgs == 0
	product := false // a product hazard or an injury: apologised for with the safety steps
	if hasKind(triggers, escalation.KindSecurity) {
		var err error
		if product, err = e.safetyFirst(ctx, t, text, log); err != nil {
			return err
		}
	}
	switch {
	case legal:
		msg := e.tr.T(lang, "bot_legal_ack", nil)
		if !product && e.reportsProblem(t, text) {
			// A product problem told with the threat: a sober apology for
			// the inconvenience beside it, admitting nothing (tryout 6,
			// item 2); no thanks.
			msg = e.tr.T(lang, "bot_legal_sorry", nil) + msg
		}
		t.say(e.text(t, msg))
	case complaint && !product:
		t.say(e.apology(t))
	}
	if err := e.escalate(ctx, t, triggers, log); err != nil {
		return err
	}
	if complaint && !legal && !product && !demand {
		t.say(e.text(t, e.tr.T(lang, "bot_thanks", nil)))
	}
	return nil
}

// reportsProblem reports whether a message (or the complaint it belongs
// to) tells of a problem with a product or an order: a defect word
// (bot_kw_defect) or a complaint or fault entry of the KB.
func (e *Engine) reportsProblem(t *turn, text string) bool {
	return e.mentions(text, "bot_kw_defect") || t.st.ComplaintEntry != ""
}

// personRequestOnly reports whether every trigger is a request for a
// person or a supervisor.
func personRequestOnly(triggers []escalation.Trigger) bool {
	for _, tr := range triggers {
		if tr.Kind != escalation.KindHuman && tr.Kind != escalation.KindSupervisor {
			return false
		}
	}
	return len(triggers) > 0
}

// safetyFirst gives the safety steps before the wait. A product hazard or
// an injury (product reports true) gets an apology and concern first (for
// the child, when a child was hurt), then the steps that fit: a burn is
// cooled with running water and seen by a doctor, a product that smokes,
// sparks or overheats is unplugged and kept from anything that burns,
// anything else is put aside and a doctor seen if anyone is hurt. An
// account takeover or a fraud: change the password and call the card
// issuer, and order look-ups from this chat are paused (said only because
// it is done).
func (e *Engine) safetyFirst(ctx context.Context, t *turn, text string, log *zap.Logger) (product bool, err error) {
	lang := t.lang()
	if e.productSafety(text) {
		t.say(e.text(t, e.safetyText(lang, text)))
		// The brief lists the steps given, not "tried: nothing".
		for _, step := range e.safetySteps(text) {
			t.st.addTried(handoff.Attempt{Kind: handoff.AttemptSafety, Ref: step, At: t.now})
		}
		return true, nil
	}
	msg, paused := e.accountSteps(ctx, t, log)
	t.say(e.text(t, msg))
	a := handoff.Attempt{Kind: handoff.AttemptSafety, Ref: handoff.SafetyAccount, At: t.now}
	if paused {
		a.Outcome = handoff.OutcomeLookupsPaused
	}
	t.st.addTried(a)
	return false, nil
}

// accountSteps are the steps after an account takeover or a fraud: change
// the password, call the card issuer, and order look-ups from this chat
// are paused (said only because it is done).
// paused reports whether the look-ups were paused.
func (e *Engine) accountSteps(ctx context.Context, t *turn, log *zap.Logger) (msg string, paused bool) {
	lang := t.lang()
	if err := e.lockVerificationFor(ctx, t.ev.UserID, e.cfg.SecurityLock); err != nil {
		log.Warn("order look-ups not paused after a security report", zap.Error(err))
		return e.tr.T(lang, "bot_security_account", nil), false
	}
	return e.tr.T(lang, "bot_security_account", nil) + "\n" + e.tr.T(lang, "bot_security_locked", nil), true
}

// hasStory reports whether the complaint being told is more than one
// message that merely sounded like a complaint: a follow-up was told or
// the KB knows which complaint it is.
func (st *state) hasStory() bool {
	return st.Mode == modeListening && (st.ComplaintMsgs > 0 || st.ComplaintEntry != "")
}

// answerMidStory answers a question asked while the customer tells a
// complaint (an order number, a FAQ), then listens on.
func (e *Engine) answerMidStory(ctx context.Context, t *turn, text string, in intent, log *zap.Logger) error {
	st := t.st
	if in.order != "" && st.ComplaintOrder == "" {
		st.ComplaintOrder = in.order
	}
	st.Mode = modeNone
	lastTopic, lastCat := st.LastTopic, st.LastCategory
	var err error
	if in.order != "" {
		err = e.lookupOrder(ctx, t, in.order, log, withDigits(text, in.order)...)
	} else {
		err = e.entryChosen(ctx, t, in.entry, text, nil, log)
	}
	if err != nil {
		return err
	}
	if st.Mode == modeNone {
		st.LastTopic, st.LastCategory = lastTopic, lastCat
	}
	e.resumeStory(t)
	return nil
}

// resumeStory goes back to listening after a question answered mid-story.
func (e *Engine) resumeStory(t *turn) {
	st := t.st
	if st.Mode != modeNone || st.Complaint == "" {
		return
	}
	st.Mode = modeListening
	t.say(e.text(t, e.tr.T(t.lang(), "bot_listen_resume", nil), e.doneReply(t)...))
}

// apology is specific without parroting: it names the order, or the
// customer's own words when they can be quoted whole, or the kind of
// trouble (never a KB title pasted into a sentence). It thanks for the
// detail only when the customer told more than one line.
func (e *Engine) apology(t *turn) Message {
	st := t.st
	lang := t.lang()
	var msg string
	en, isEntry := t.tkb.Entry(st.ComplaintEntry)
	switch {
	case st.ComplaintOrder != "":
		msg = e.tr.T(lang, "bot_apology_order", map[string]any{"Order": st.ComplaintOrder})
	case isEntry && en.Category == knowledge.Fault:
		msg = e.tr.T(lang, "bot_apology_fault", nil)
	case isEntry:
		msg = e.tr.T(lang, "bot_apology_complaint", nil)
	case st.ComplaintQuote != "":
		msg = e.tr.T(lang, "bot_apology_quote", map[string]any{"Quote": st.ComplaintQuote})
	default:
		msg = e.tr.T(lang, "bot_apology_complaint", nil)
	}
	if e.detailed(st.Complaint) {
		msg = e.tr.T(lang, "bot_apology_detail", nil) + msg
	}
	return e.text(t, msg)
}

// detailed reports whether a story is a detailed account to thank for
// ("I've read every point"): several points, not one long line. A point
// is a clause that says something (not a bare order number, a lead-in
// such as "我要投訴" or an insult); the story needs two lines with a
// point each, or detailPoints distinct points in all. A photo, a sticker
// or a bare order number sent with a one-line complaint is not a second
// point, and neither is length: one run-on sentence of 100 characters is
// one point.
func (e *Engine) detailed(story string) bool {
	lines, seen := 0, map[string]bool{}
	for _, l := range strings.Split(story, "\n") {
		has := false
		for _, c := range clauses(l) {
			if !e.point(c) {
				continue
			}
			has = true
			seen[bare(c)] = true
		}
		if has {
			lines++
		}
	}
	return lines >= 2 || len(seen) >= detailPoints
}

// detailedRunes is how long one message must be to tell a complaint in
// full without an order (toldInFull).
const detailedRunes = 80

// point reports whether a clause of a story is a point of it: it says
// something besides an order number and the phone's digits ("訂單是
// WL20261107", "手機末四碼3295" are not: tryout 11), a lead-in ("我要投訴")
// or an insult.
func (e *Engine) point(c string) bool {
	rest := strings.TrimSpace(numberRun.ReplaceAllString(c, " "))
	numbered := rest != strings.TrimSpace(c)
	switch {
	case !says(rest), bareOrderNumber(c), e.isKeyword(c, "bot_kw_complain_lead"), e.mentions(c, "bot_kw_insult"):
		return false
	case e.isKeyword(rest, "bot_kw_order_label"):
		return false // "the order is WL20261107": the number and its label
	case numbered && e.mentions(rest, "bot_kw_phone") && utf8.RuneCountInString(rest) <= phoneClauseRunes:
		return false // "my phone ends in 3295" ("打電話也沒有人接" is a point)
	}
	return true
}

// numberRun is an order number or digits in a clause.
var numberRun = regexp.MustCompile(`[A-Za-z]*[0-9][0-9A-Za-z-]*`)

// phoneClauseRunes is the longest clause that only says which digits are
// the phone's ("手機末四碼", "my phone ends in").
const phoneClauseRunes = 24

// detailPoints is how many distinct points one message needs to be a
// detailed account.
const detailPoints = 3

// bareOrderNumber reports whether a line is only an order number (letters
// and digits with no space, digits most of it).
func bareOrderNumber(l string) bool {
	l = strings.TrimSpace(l)
	digits := 0
	for _, r := range l {
		if r >= '0' && r <= '9' {
			digits++
		} else if unicode.IsSpace(r) {
			return false
		}
	}
	return digits*2 > utf8.RuneCountInString(l)
}

// quote is the customer's message to refer back to: its first clause
// that says something (a lead-in such as "我要投訴" or "I want to
// complain", bot_kw_complain_lead, is skipped), whole, when it is short;
// "" when it cannot be quoted without cutting a word.
func (e *Engine) quote(text string) string {
	for _, c := range clauses(text) {
		if e.isKeyword(c, "bot_kw_complain_lead") {
			continue
		}
		if e.mentions(c, "bot_kw_insult") {
			// Profanity or an insult is never said back to the
			// customer: the next clause may tell the issue, else the
			// apology names none.
			continue
		}
		return quote(c)
	}
	return ""
}

// quoteRunes is the longest clause quoted back.
const quoteRunes = 30

// quote is the first clause of text, whole and at most quoteRunes long;
// "" when it is longer (never cut mid-word).
func quote(text string) string {
	cs := clauses(text)
	if len(cs) == 0 || utf8.RuneCountInString(cs[0]) > quoteRunes {
		return ""
	}
	return cs[0]
}

// clauses splits text at clause punctuation, spaces normalised.
func clauses(text string) []string {
	s := strings.Join(strings.Fields(text), " ")
	var out []string
	for _, c := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("，。！？,.!?;；~～、", r) }) {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}
