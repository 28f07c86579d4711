package handoff

import (
	"cmp"
	"strconv"
	"strings"
	"time"
)

// AttemptKind is what the bot tried before the handoff.
type AttemptKind string

// Attempt kinds.
const (
	AttemptFAQ    AttemptKind = "faq"    // a knowledge-base answer (Ref: entry id, Summary: its title)
	AttemptOrder  AttemptKind = "order"  // an order lookup (OrderNumber, OrderStatus)
	AttemptRefund AttemptKind = "refund" // a refund at L1 (Amount)
	AttemptLAST   AttemptKind = "last"   // the complaint dialogue (Count: messages listened to)
	// AttemptSafety: safety steps the bot gave before the wait (Ref: which,
	// one of the Safety* steps below).
	AttemptSafety AttemptKind = "safety"
)

// Safety steps an AttemptSafety names (its Ref).
const (
	SafetyBurn    = "burn"    // cool the burn under running water, see a doctor
	SafetyHazard  = "hazard"  // unplug it, keep it away from anything that burns
	SafetyGeneral = "general" // stop using it, keep it aside, see a doctor if hurt
	SafetyAccount = "account" // change the password, call the card issuer, never share codes
)

// Outcome is how an attempt ended; the brief and the inbox render it from
// locale messages (handoff_outcome_<outcome>).
type Outcome string

// Outcomes.
const (
	OutcomeAnswered           Outcome = "answered"            // an answer was given
	OutcomeNotHelpful         Outcome = "not_helpful"         // the customer said it did not help
	OutcomeStatusShown        Outcome = "status_shown"        // the order's status was shown (OrderStatus)
	OutcomeBackendUnavailable Outcome = "backend_unavailable" // the order system did not answer
	OutcomeVerificationLocked Outcome = "verification_locked" // too many failed ownership checks
	OutcomeRefundApproved     Outcome = "refund_approved"     // settled at L1, under the limit
	OutcomeRefundOverLimit    Outcome = "refund_over_limit"   // over the bot's limit: awaits a person's approval
	OutcomeRefundRecorded     Outcome = "refund_recorded"     // request recorded on the order, for approval
	// OutcomeRefundDuplicate: asked again for a refund already recorded on
	// the order; told so, not recorded twice.
	OutcomeRefundDuplicate Outcome = "refund_duplicate"
	// OutcomeRefundNotEligible: the order's own status says no refund is
	// due (returned or cancelled, its payment refunded already); told so
	// (with the refund's date when the backend gives it), nothing recorded.
	OutcomeRefundNotEligible Outcome = "refund_not_eligible"
	OutcomeListened          Outcome = "listened"       // listened (Count messages) and apologised
	OutcomeLookupsPaused     Outcome = "lookups_paused" // account steps given, order look-ups from the chat paused
)

// Attempt is something the bot already tried. The bot fills Kind, Outcome
// and the fields the kind names; Summary is optional human text in the
// customer's language (a FAQ title), never an internal status.
type Attempt struct {
	Kind    AttemptKind `json:"kind"`
	Ref     string      `json:"ref"` // entry id, masked order number, …
	Summary string      `json:"summary"`
	Outcome Outcome     `json:"outcome,omitempty"`
	// OrderNumber is the full order number (agents are authorised to see
	// it; never log it); Ref keeps the masked one.
	OrderNumber string `json:"order_number,omitempty"`
	OrderStatus string `json:"order_status,omitempty"` // orders.Status* ("in_transit", …), rendered from order_status_*
	// OrderUnverified: the customer has not shown OrderNumber is theirs
	// (not their LINE account, no phone check): the brief warns the agent.
	OrderUnverified bool      `json:"order_unverified,omitempty"`
	Amount          int       `json:"amount,omitempty"` // NT$ (refunds)
	Count           int       `json:"count,omitempty"`  // messages listened to (last)
	At              time.Time `json:"at"`
}

// legacyOutcomes are the English summaries attempts were stored with before
// outcomes were typed.
var legacyOutcomes = map[string]Outcome{
	"not helpful":         OutcomeNotHelpful,
	"backend unavailable": OutcomeBackendUnavailable,
	"verification locked": OutcomeVerificationLocked,
	"approved at L1":      OutcomeRefundApproved,
}

// orderStatuses are the order statuses an order attempt may show.
var orderStatuses = map[string]bool{
	"pending": true, "paid": true, "processing": true, "shipped": true, "in_transit": true,
	"ready_for_pickup": true, "delivered": true, "cancelled": true, "returned": true,
}

// normalize fills Outcome (and the fields it names) for an attempt stored
// before outcomes were typed (or by a bot that still writes them so), so no
// internal string reaches an agent. Summary is left as stored; renderers
// read it only as a title (see title).
func (a *Attempt) normalize() {
	// A refund's Ref is the order it is on (bots store the order number
	// there; "NT$300" when no order was named): agents see the order.
	if a.Kind == AttemptRefund && a.OrderNumber == "" && a.Ref != "" && !strings.HasPrefix(a.Ref, "NT$") {
		a.OrderNumber = a.Ref
	}
	if a.Outcome != "" {
		return
	}
	if o, ok := legacyOutcomes[a.Summary]; ok {
		a.Outcome = o
	}
	switch {
	case a.Outcome != "":
	case a.Kind == AttemptOrder:
		if orderStatuses[a.Summary] {
			a.Outcome, a.OrderStatus = OutcomeStatusShown, a.Summary
		}
	case a.Kind == AttemptLAST:
		if n, err := strconv.Atoi(a.Summary); err == nil {
			a.Outcome, a.Count = OutcomeListened, n
		} else {
			a.Outcome = OutcomeListened
		}
	case a.Kind == AttemptFAQ:
		a.Outcome = OutcomeAnswered
	case a.Kind == AttemptRefund:
		a.Outcome = refundOutcome(a.Summary)
	}
	if a.Kind == AttemptRefund && a.Amount == 0 {
		a.Amount = amountIn(a.Ref)
		if a.Amount == 0 {
			a.Amount = amountIn(a.Summary)
		}
	}
}

// refundOutcome reads the outcome of a refund attempt a bot stored as text
// ("NT$1,280 over the L1 limit NT$1,000", "NT$300 recorded at L1"). A
// refund is called approved only when the text says so.
func refundOutcome(summary string) Outcome {
	switch {
	case strings.Contains(summary, "over the L1 limit"), strings.Contains(summary, "over the limit"):
		return OutcomeRefundOverLimit
	case strings.Contains(summary, "recorded"):
		return OutcomeRefundRecorded
	case strings.Contains(summary, "approved"):
		return OutcomeRefundApproved
	}
	return OutcomeRefundRecorded
}

// amountIn is the first NT$ amount in s ("NT$1,280 over …" → 1280), 0 when
// there is none.
func amountIn(s string) int {
	_, rest, ok := strings.Cut(s, "NT$")
	if !ok {
		return 0
	}
	if end := strings.IndexFunc(rest, func(r rune) bool { return (r < '0' || r > '9') && r != ',' }); end >= 0 {
		rest = rest[:end]
	}
	n, err := strconv.Atoi(strings.ReplaceAll(rest, ",", ""))
	if err != nil {
		return 0
	}
	return n
}

// DistinctAttempts is tried with each order and each FAQ entry listed once
// (normalized), in the order first tried: a later attempt on the same
// order or entry replaces the earlier one's details when it says more (a
// status, an outcome), and is dropped when it says less (a bare order
// number after the status was shown).
func DistinctAttempts(tried []Attempt) []Attempt {
	out := make([]Attempt, 0, len(tried))
	at := map[string]int{}
	for _, a := range tried {
		a.normalize()
		key := ""
		switch a.Kind {
		case AttemptOrder:
			if n := cmp.Or(a.OrderNumber, a.Ref); n != "" {
				key = "order:" + n
			}
		case AttemptFAQ:
			if a.Ref != "" {
				key = "faq:" + a.Ref
			}
		}
		i, seen := at[key]
		if key == "" || !seen {
			if key != "" {
				at[key] = len(out)
			}
			out = append(out, a)
			continue
		}
		if informative(a) >= informative(out[i]) {
			if a.OrderNumber == "" {
				a.OrderNumber = out[i].OrderNumber
			}
			out[i] = a
		}
	}
	return out
}

// informative ranks what an attempt says: 0 nothing past what it was, 1 an
// outcome, 2 an outcome that is news (a status shown, "did not help").
func informative(a Attempt) int {
	switch {
	case a.Outcome == OutcomeStatusShown && a.OrderStatus != "", a.Outcome == OutcomeNotHelpful:
		return 2
	case a.Outcome != "":
		return 1
	}
	return 0
}

// thousands writes n with a comma every three digits (2400 → "2,400"), the
// way amounts are written everywhere else in a brief.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// title is the attempt's human title (a FAQ title), or empty when Summary
// holds one of the internal strings older bots stored there.
func (a Attempt) title() string {
	if _, legacy := legacyOutcomes[a.Summary]; legacy || orderStatuses[a.Summary] || a.Kind == AttemptRefund {
		return ""
	}
	if _, err := strconv.Atoi(a.Summary); err == nil {
		return ""
	}
	return a.Summary
}
