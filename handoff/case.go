package handoff

import (
	"time"

	"github.com/warmline/warmline/handoff/escalation"
)

// Case statuses.
const (
	StatusQueued    = "queued"
	StatusClaimed   = "claimed"
	StatusResolved  = "resolved"
	StatusReturned  = "returned"
	StatusCancelled = "cancelled"
)

// Turn sources.
const (
	FromCustomer = "customer"
	FromBot      = "bot"
	FromAgent    = "agent"
	FromSystem   = "system"
	FromNote     = "note" // internal note, never sent to the customer
)

// Delivery statuses of an agent reply.
const (
	DeliverySending = "sending"
	DeliverySent    = "sent"
	DeliveryFailed  = "failed"
)

// Opening is what the bot knows when it hands a customer over.
type Opening struct {
	UserID      string
	DisplayName string
	Lang        string // customer's language
	Category    string // consultation | complaint | fault | suggestion
	Topic       string // last topic (KB entry id or flow name)
	// Request is the customer's issue in their words: the message that
	// opened the issue or fired the trigger (optional; when empty, Open
	// takes it from the triggers and the transcript). The brief quotes it.
	Request string
	// TopicTitle names the topic per language (zh-TW, zh-CN, en) for the
	// brief; optional (the brief falls back to Topic).
	TopicTitle  map[string]string
	Triggers    []escalation.Trigger
	Tried       []Attempt
	RepeatCount int
	Transcript  []Turn
}

// Case is a handoff case.
type Case struct {
	ID          string            `json:"id"` // CS-20261123-0042
	UserID      string            `json:"user_id"`
	DisplayName string            `json:"display_name"`
	Lang        string            `json:"lang"`
	Category    string            `json:"category"`
	Topic       string            `json:"topic"`
	TopicTitle  map[string]string `json:"topic_title,omitempty"`
	// Request is the customer's issue, fixed when the case opens (later
	// messages such as "ok thanks, here's the photo" do not replace it).
	Request          string               `json:"request,omitempty"`
	Tier             string               `json:"tier"`     // L2 | L3
	Priority         string               `json:"priority"` // P1..P4
	Status           string               `json:"status"`   // queued | claimed | resolved | returned | cancelled
	Owner            string               `json:"owner,omitempty"`
	OwnerName        string               `json:"owner_name,omitempty"`
	Triggers         []escalation.Trigger `json:"triggers"`
	Tried            []Attempt            `json:"tried"`
	RepeatCount      int                  `json:"repeat_count"`
	EarlierCases     []string             `json:"earlier_cases"`
	Transcript       []Turn               `json:"transcript"`
	CreatedAt        time.Time            `json:"created_at"`
	FirstResponseDue time.Time            `json:"first_response_due"`
	ResolutionDue    time.Time            `json:"resolution_due"`
	FirstResponseAt  time.Time            `json:"first_response_at,omitzero"`
	ResolvedAt       time.Time            `json:"resolved_at,omitzero"`
	// TeamOpen is false when the case was opened outside business hours;
	// TeamBackAt is then when the team is back.
	TeamOpen   bool      `json:"team_open"`
	TeamBackAt time.Time `json:"team_back_at,omitzero"`
	// TeamClosesAt is when the team's hours end the day the case opened
	// in them (zero: opened after hours, or its priority is worked round
	// the clock): a deadline past it is on a later day for that reason.
	TeamClosesAt time.Time `json:"team_closes_at,omitzero"`

	// ClosedAt is when the case left the queue (resolved, returned, cancelled).
	ClosedAt time.Time `json:"closed_at,omitzero"`
	// EscalatedAt is when an agent escalated L2→L3 (the first-response clock
	// restarts for L3 then).
	EscalatedAt time.Time `json:"escalated_at,omitzero"`
	// ReminderSentAt: the SLA reminder went out (once per first-response
	// clock); PromisedBy is the time the customer was last given when it
	// differs from FirstResponseDue (see Promise).
	ReminderSentAt time.Time `json:"reminder_sent_at,omitzero"`
	PromisedBy     time.Time `json:"promised_by,omitzero"`
	// LateSentAt: the apology after the promised first-reply time passed
	// without an agent reply went out (once per first-response clock).
	LateSentAt time.Time `json:"late_sent_at,omitzero"`
	// LateNotices counts the apologies of this first-response clock, each
	// with a new time (at most maxLateNotices; then the daily progress
	// update speaks).
	LateNotices int `json:"late_notices,omitempty"`
	// Notify lists the extra parties the triggers' routes name (lead, legal,
	// pr); Investigate is set when a route asks for an investigation (repeat
	// contact). The inbox shows both; nobody is paged from here.
	Notify      []string `json:"notify,omitempty"`
	Investigate bool     `json:"investigate,omitempty"`
	// ProgressSentAt is the last daily progress notice (cases open > 24h).
	ProgressSentAt time.Time `json:"progress_sent_at,omitzero"`
	// Summary is the optional LLM summary (empty when off or failed).
	Summary      string `json:"summary,omitempty"`
	Satisfaction int    `json:"satisfaction,omitempty"` // CSAT 1–5, 0 = not answered
	// Disposition is the code the agent closed the case with (one of the
	// operator's list, checked by the inbox); empty when none was given.
	Disposition string `json:"disposition,omitempty"`
	// FollowUp is the task for a lead (a low rating, a return to the bot
	// before any reply); nil when there is none.
	FollowUp *FollowUp `json:"follow_up,omitempty"`
}

// Open reports whether the case is still being worked (queued or claimed).
func (c *Case) Open() bool { return c.Status == StatusQueued || c.Status == StatusClaimed }

// NextDue is the SLA time the queue orders by: the first-response due until
// an agent replied, then the resolution due.
func (c *Case) NextDue() time.Time {
	if c.FirstResponseAt.IsZero() {
		return c.FirstResponseDue
	}
	return c.ResolutionDue
}

// Promise is the first-reply time the customer was last given: the
// first-response due, unless the customer was given another time since
// (PromisedBy: a pre-breach notice's new time, or the time they were told
// before an agent lowered the priority). The bot tells the customer this
// time and the inbox shows agents the same.
func (c *Case) Promise() time.Time {
	if !c.PromisedBy.IsZero() {
		return c.PromisedBy
	}
	return c.FirstResponseDue
}
