package bot

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/knowledge"
	"github.com/warmline/warmline/knowledge/orders"
	"github.com/warmline/warmline/locales"
)

// lookupOrder runs the order-status flow for number: show it to its owner,
// ask anyone else (and any unknown number: the answer must not tell
// whether the order exists) for the phone's last 4 digits.
//
// digits are the phone's last 4 digits when the customer typed them with
// the number ("WL20261110 电话尾号 6666"): they are checked at once.
func (e *Engine) lookupOrder(ctx context.Context, t *turn, number string, log *zap.Logger, digits ...string) error {
	st := t.st
	st.LastTopic = topicOrder
	st.Unanswered = 0
	o, err := e.fetchOrder(ctx, t, number)
	switch {
	case err != nil && !errors.Is(err, orders.ErrNotFound):
		log.Warn("order backend unavailable", zap.String("order", orders.Mask(number)), zap.Error(err))
		e.orderUnavailable(t, number, modeAwaitingOrder)
		return nil
	case err == nil && orders.OwnedBy(o, t.ev.UserID):
		e.showOrder(t, o)
		return e.carrierCase(ctx, t, o, log)
	case len(digits) > 0:
		if locked, lerr := e.sayIfLocked(ctx, t, number); lerr != nil || locked {
			return lerr
		}
		st.PendingOrder = number
		return e.checkDigits(ctx, t, o, err == nil, digits[0], log)
	}
	return e.askVerification(ctx, t, number)
}

// withDigits returns the phone's last 4 digits typed in text next to the
// order number (a run of exactly four digits that is not part of it).
func withDigits(text, order string) []string {
	var orderDigits strings.Builder
	for _, r := range order {
		if r >= '0' && r <= '9' {
			orderDigits.WriteRune(r)
		}
	}
	od := orderDigits.String()
	runs := digitRuns(text)
	whole := slices.Contains(runs, od) // the number typed in one piece
	var found []string
	for _, r := range runs {
		if len(r) == 4 && (whole || !strings.Contains(od, r)) {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		return nil
	}
	return found
}

func (e *Engine) fetchOrder(ctx context.Context, t *turn, number string) (orders.Order, error) {
	if e.loading != nil {
		e.loading.ShowLoading(ctx, t.ev.UserID)
	}
	lctx, cancel := context.WithTimeout(ctx, e.cfg.OrderTimeout)
	defer cancel()
	o, err := e.orders.Lookup(lctx, number)
	if err != nil && !errors.Is(err, orders.ErrNotFound) && !errors.Is(err, orders.ErrUnavailable) {
		// Timeouts and transport errors mean the same to the customer.
		err = errors.Join(orders.ErrUnavailable, err)
	}
	return o, err
}

// orderUnavailable apologises, keeps the question and offers a retry or a
// person.
func (e *Engine) orderUnavailable(t *turn, number, mode string) {
	t.st.Mode, t.st.PendingOrder = mode, number
	t.st.addTried(handoff.Attempt{Kind: handoff.AttemptOrder, Ref: orders.Mask(number), Summary: "backend unavailable", Outcome: handoff.OutcomeBackendUnavailable, OrderNumber: number, At: t.now})
	retry := e.tr.T(t.lang(), "bot_qr_retry", nil)
	t.say(e.text(t, e.tr.T(t.lang(), "bot_order_unavailable", nil),
		QuickReply{Label: retry, Data: dataOrderRetry, DisplayText: retry}, e.personReply(t)))
}

func (e *Engine) askVerification(ctx context.Context, t *turn, number string) error {
	if locked, err := e.sayIfLocked(ctx, t, number); err != nil || locked {
		return err
	}
	t.st.Mode, t.st.PendingOrder = modeAwaitingVerify, number
	// The customer just typed the number: show it as typed, not masked.
	t.say(e.text(t, e.tr.T(t.lang(), "bot_order_verify", map[string]any{"Order": number}), e.personReply(t)))
	return nil
}

// sayIfLocked says so and reports true when phone checks on order are
// paused for this customer (checkBlocked), before a check is asked for.
func (e *Engine) sayIfLocked(ctx context.Context, t *turn, order string) (bool, error) {
	wait, err := e.checkBlocked(ctx, t.ev.UserID, order, t.now)
	if err != nil || wait <= 0 {
		return false, err
	}
	e.sayLocked(t, wait)
	return true, nil
}

// sayLocked says that phone checks are paused for wait (in minutes up to
// 90, else in hours), the same words whatever the order and whether it
// exists.
func (e *Engine) sayLocked(t *turn, wait time.Duration) {
	t.st.Mode, t.st.PendingOrder = modeNone, ""
	var msg string
	if wait <= 90*time.Minute {
		msg = e.tr.N(t.lang(), "bot_order_locked", max(int(math.Ceil(wait.Minutes())), 1), nil)
	} else {
		msg = e.tr.N(t.lang(), "bot_order_locked_hours", int(math.Ceil(wait.Hours())), nil)
	}
	t.say(e.text(t, msg, e.personReply(t)))
}

// verify checks the phone digits for the pending order. A wrong check and
// an unknown order get the same answer; too many tries lock the checks.
func (e *Engine) verify(ctx context.Context, t *turn, digits string, log *zap.Logger) error {
	st := t.st
	if locked, err := e.sayIfLocked(ctx, t, st.PendingOrder); err != nil || locked {
		return err
	}
	o, err := e.fetchOrder(ctx, t, st.PendingOrder)
	if err != nil && !errors.Is(err, orders.ErrNotFound) {
		log.Warn("order backend unavailable", zap.String("order", orders.Mask(st.PendingOrder)), zap.Error(err))
		e.orderUnavailable(t, st.PendingOrder, modeAwaitingVerify)
		return nil
	}
	return e.checkDigits(ctx, t, o, err == nil, digits, log)
}

// checkDigits compares the phone digits with order o (found: the backend
// knows it) and shows it, or answers that nothing matched; every check is
// counted (rate limit), a failure per order and per user (locks). A
// success resets nothing.
func (e *Engine) checkDigits(ctx context.Context, t *turn, o orders.Order, found bool, digits string, log *zap.Logger) error {
	st := t.st
	ok := found && orders.PhoneLast4Matches(o, digits)
	res, err := e.recordCheck(ctx, t.ev.UserID, st.PendingOrder, !ok, t.now)
	if err != nil {
		return err
	}
	if ok {
		if st.refundAwaits(o.Number) {
			// The refund asked for this check: record it now.
			st.Mode, st.PendingOrder, st.LastOrder = modeNone, "", o.Number
			return e.refund(ctx, t, intent{order: o.Number}, st.RefundText, 0, log)
		}
		e.showOrder(t, o)
		return e.carrierCase(ctx, t, o, log)
	}
	log.Info("order verification failed", zap.String("order", orders.Mask(st.PendingOrder)),
		zap.Bool("order_locked", res.orderLocked), zap.Bool("user_locked", res.userLocked))
	if res.orderLocked || res.userLocked {
		st.addTried(handoff.Attempt{Kind: handoff.AttemptOrder, Ref: orders.Mask(st.PendingOrder), Summary: "verification locked", Outcome: handoff.OutcomeVerificationLocked, At: t.now})
		wait, err := e.checkBlocked(ctx, t.ev.UserID, st.PendingOrder, t.now)
		if err != nil {
			return err
		}
		e.sayLocked(t, wait)
		return nil
	}
	t.say(e.text(t, e.tr.T(t.lang(), "bot_order_no_match", nil), e.personReply(t)))
	return nil
}

// showOrder answers with a card and a short text, in the customer's
// language where the backend gave localised names; a late order gets an
// apology and an offer of help.
func (e *Engine) showOrder(t *turn, o orders.Order) {
	lang := t.lang()
	st := t.st
	st.Mode, st.PendingOrder, st.LastOrder = modeNone, "", o.Number
	status := e.statusText(lang, o.Status)
	data := map[string]any{"Order": o.Number, "Status": status}
	// Carrier, store and item names come from the shop in its own script:
	// a localised name when the backend has one, else the name converted
	// to the customer's script.
	script := func(s string) string { return s }
	if conv := t.tkb.Converter(); conv != nil && (lang == locales.ZhCN || lang == locales.ZhTW) {
		script = func(s string) string { return conv.Convert(s, lang) }
	}
	local := func(n orders.Names, plain string) string {
		if v := n.In(lang); v != "" {
			return v
		}
		return script(plain)
	}
	date := func(at time.Time) string { return at.In(e.loc).Format("2006/01/02") }
	rows := []Row{{Label: e.tr.T(lang, "bot_order_row_status", nil), Value: capitalised(status)}}
	if o.Carrier != "" {
		rows = append(rows, Row{Label: e.tr.T(lang, "bot_order_row_carrier", nil), Value: local(o.CarrierNames, o.Carrier)})
	}
	if o.TrackingNumber != "" {
		rows = append(rows, Row{Label: e.tr.T(lang, "bot_order_row_tracking", nil), Value: o.TrackingNumber})
	}
	summaryID := "bot_order_summary"
	// An ETA only means something while the parcel is on its way.
	if !o.ETA.IsZero() && etaApplies(o.Status) {
		eta := date(o.ETA)
		rows = append(rows, Row{Label: e.tr.T(lang, "bot_order_row_eta", nil), Value: eta})
		data["ETA"] = eta
		summaryID = "bot_order_summary_eta"
	}
	if p := o.Pickup; p != nil {
		if e.tr.Has(lang, "bot_pickup_"+p.Type) {
			rows = append(rows, Row{Label: e.tr.T(lang, "bot_order_row_pickup", nil), Value: e.tr.T(lang, "bot_pickup_"+p.Type, nil)})
		}
		store := local(p.StoreNames, p.Store)
		if store != "" {
			rows = append(rows, Row{Label: e.tr.T(lang, "bot_order_row_store", nil), Value: store})
		}
		if !p.Deadline.IsZero() && pickupPending(o.Status) {
			rows = append(rows, Row{Label: e.tr.T(lang, "bot_order_row_pickup_by", nil), Value: date(p.Deadline)})
			if o.Status == orders.StatusReadyForPickup && store != "" {
				data["Store"], data["Deadline"] = store, date(p.Deadline)
				summaryID = "bot_order_summary_pickup"
			}
		}
	}
	if len(o.Items) > 0 {
		items := make([]string, 0, len(o.Items))
		for _, it := range o.Items {
			items = append(items, e.tr.T(lang, "bot_order_item", map[string]any{"Name": local(it.Names, it.Name), "Quantity": it.Quantity}))
		}
		rows = append(rows, Row{Label: e.tr.T(lang, "bot_order_row_items", nil), Value: strings.Join(items, "\n")})
	}
	summary := e.tr.T(lang, summaryID, data)
	card := &Card{
		AltText: summary,
		Title:   e.tr.T(lang, "bot_order_card_title", map[string]any{"Order": o.Number}),
		Rows:    rows,
		Footer:  e.tr.T(lang, "bot_order_card_footer", nil),
	}
	text := summary
	qs := e.feedbackReplies(t, topicOrder)
	if late := e.lateness(t, o); late != "" {
		// Late: say sorry and offer help (a person, the right FAQ) rather
		// than a bare status.
		text += "\n\n" + e.tr.T(lang, late, map[string]any{"Order": o.Number, "ETA": date(o.ETA), "Placed": date(o.PlacedAt)})
		qs = []QuickReply{e.personReply(t)}
		for _, id := range e.cfg.LateOrderTopics {
			if en, ok := t.tkb.Entry(id); ok {
				qs = append(qs, e.entryReply(t, en))
			}
		}
		qs = append(qs, e.feedbackReplies(t, topicOrder)...)
		st.LastCategory = knowledge.Complaint
	}
	if st.CarrierCheck != "" {
		// A person checks with the courier next (carrierCase): no "Did
		// that help?" before it.
		qs = nil
	} else {
		text += "\n\n" + e.tr.T(lang, "bot_anything_else", nil)
	}
	e.record(t, "bot", text)
	t.say(Message{Card: card})
	t.say(Message{Text: text, QuickReplies: qs})
	t.settle(convL1, topicOrder)
	st.addTried(handoff.Attempt{Kind: handoff.AttemptOrder, Ref: orders.Mask(o.Number), Summary: o.Status, Outcome: handoff.OutcomeStatusShown, OrderNumber: o.Number, OrderStatus: o.Status, At: t.now})
	e.resumeStory(t)
}

// lateness is the apology a late order needs (a message id), or "": past
// its ETA while still on the way, or still being prepared PreparingLate
// after it was placed.
func (e *Engine) lateness(t *turn, o orders.Order) string {
	switch {
	case !o.ETA.IsZero() && etaApplies(o.Status) && t.now.After(o.ETA):
		return "bot_order_late_eta"
	case preparing(o.Status) && !o.PlacedAt.IsZero() && t.now.Sub(o.PlacedAt) >= e.cfg.PreparingLate:
		return "bot_order_late_preparing"
	}
	return ""
}

func preparing(status string) bool {
	return status == orders.StatusPending || status == orders.StatusPaid || status == orders.StatusProcessing
}

// pickupPending reports whether a pickup deadline still matters.
func pickupPending(status string) bool {
	switch status {
	case orders.StatusDelivered, orders.StatusCancelled, orders.StatusReturned:
		return false
	}
	return true
}

func (e *Engine) statusText(lang, status string) string {
	id := "order_status_" + status
	if !e.tr.Has(lang, id) {
		id = "order_status_unknown"
	}
	return e.tr.T(lang, id, nil)
}

// capitalised starts a card value with a capital letter ("On its way"):
// the status label is lower case for use inside sentences. Chinese is
// unchanged.
func capitalised(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError || !unicode.IsLower(r) {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// last4 finds the one run of exactly four digits (full-width too) in text.
func last4(text string) (string, bool) {
	var found []string
	for _, r := range digitRuns(text) {
		if len(r) == 4 {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		return "", false
	}
	return found[0], true
}

// digitRuns returns the runs of digits in text, full-width digits as ASCII.
func digitRuns(text string) []string {
	var runs []string
	var run []rune
	flush := func() {
		if len(run) > 0 {
			runs = append(runs, string(run))
		}
		run = run[:0]
	}
	for _, r := range text {
		switch {
		case r >= '0' && r <= '9':
			run = append(run, r)
		case r >= '０' && r <= '９':
			run = append(run, '0'+(r-'０'))
		default:
			flush()
		}
	}
	flush()
	return runs
}

// etaApplies reports whether an order in status still has a delivery to
// expect (not delivered, cancelled, returned or waiting at the store).
func etaApplies(status string) bool {
	switch status {
	case orders.StatusDelivered, orders.StatusCancelled, orders.StatusReturned, orders.StatusReadyForPickup:
		return false
	}
	return true
}

// carrierCase keeps a late-parcel remedy's promise once order o is shown:
// a case opens for a person to check with the courier where it is and
// why it is late, with the order (shown, so verified) and the story.
func (e *Engine) carrierCase(ctx context.Context, t *turn, o orders.Order, log *zap.Logger) error {
	st := t.st
	if st.CarrierCheck == "" {
		return nil
	}
	entryID := st.CarrierCheck
	st.CarrierCheck = ""
	st.LastTopic, st.LastCategory = entryID, knowledge.Complaint
	request := st.IssueText
	if en, ok := t.tkb.Entry(entryID); ok {
		st.LastCategory = en.Category
		if request == "" {
			// No words of the customer's kept: the topic's title in their
			// language, never the entry's id, on the agent's brief.
			request = textIn(en.Title, t.lang())
		}
	}
	t.say(e.text(t, e.tr.T(t.lang(), "bot_carrier_check_forwarded", map[string]any{"Order": o.Number})))
	return e.escalate(ctx, t, []escalation.Trigger{e.botFired(escalation.KindComplaint, request)}, log)
}
