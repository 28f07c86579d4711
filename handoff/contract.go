package handoff

// CONTRACT (written before the implementation so packages can be built in
// parallel). The owner replaces bodies marked "contract:" and may add API,
// but keeps these exported names and signatures.

import (
	"context"
	"errors"
	"time"

	"github.com/warmline/warmline/handoff/escalation"
)

// Errors.
var (
	ErrNoCase         = errors.New("no such case")
	ErrAlreadyClaimed = errors.New("case already claimed")
	ErrNotOwner       = errors.New("case is owned by another agent")
	ErrClosed         = errors.New("case is closed")
	ErrForbidden      = errors.New("not allowed")
)

// Turn is one line of a transcript.
type Turn struct {
	From    string    `json:"from"` // customer | bot | agent | system
	Text    string    `json:"text"`
	At      time.Time `json:"at"`
	AgentID string    `json:"agent_id,omitempty"`
}

// Attempt is something the bot already tried.
type Attempt struct {
	Kind    string    `json:"kind"` // faq | order | refund | last
	Ref     string    `json:"ref"`  // entry id, masked order number, …
	Summary string    `json:"summary"`
	At      time.Time `json:"at"`
}

// Opening is what the bot knows when it hands a customer over.
type Opening struct {
	UserID      string
	DisplayName string
	Lang        string // customer's language
	Category    string // consultation | complaint | fault | suggestion
	Topic       string // last topic (KB entry id or flow name)
	Triggers    []escalation.Trigger
	Tried       []Attempt
	RepeatCount int
	Transcript  []Turn
}

// Case is a handoff case.
type Case struct {
	ID               string               `json:"id"` // CS-20261123-0042
	UserID           string               `json:"user_id"`
	DisplayName      string               `json:"display_name"`
	Lang             string               `json:"lang"`
	Category         string               `json:"category"`
	Topic            string               `json:"topic"`
	Tier             string               `json:"tier"`     // L2 | L3
	Priority         string               `json:"priority"` // P1..P4
	Status           string               `json:"status"`   // queued | claimed | resolved | returned | cancelled
	Owner            string               `json:"owner,omitempty"`
	Triggers         []escalation.Trigger `json:"triggers"`
	Tried            []Attempt            `json:"tried"`
	RepeatCount      int                  `json:"repeat_count"`
	EarlierCases     []string             `json:"earlier_cases"`
	Transcript       []Turn               `json:"transcript"`
	CreatedAt        time.Time            `json:"created_at"`
	FirstResponseDue time.Time            `json:"first_response_due"`
	ResolutionDue    time.Time            `json:"resolution_due"`
	FirstResponseAt  time.Time            `json:"first_response_at,omitempty"`
	ResolvedAt       time.Time            `json:"resolved_at,omitempty"`
	// TeamOpen is false when the case was opened outside business hours;
	// TeamBackAt is then when the team is back.
	TeamOpen   bool      `json:"team_open"`
	TeamBackAt time.Time `json:"team_back_at,omitempty"`
}

// Notice is a message to a customer (handoff's own type: it never imports bot).
type Notice struct {
	Text    string
	Choices []Choice // quick replies (postbacks)
	// Key identifies this notice for idempotent delivery: pushing the same
	// key twice reaches the customer once (it becomes LINE's X-Line-Retry-Key,
	// a UUID derived from it). Required.
	Key string
}

// Choice is a quick reply that sends a postback.
type Choice struct {
	Label       string
	Data        string
	DisplayText string
}

// Messenger delivers notices to a customer on LINE (push). Implemented by the
// LINE adapter and wired in cmd.
type Messenger interface {
	Push(ctx context.Context, userID string, notices []Notice) error
}

// Service is the handoff domain service.
type Service struct {
	// contract: implementation fields (redis, prefix, policy, clock, translator, messenger, log)
}

// Open creates a case from an opening, computes tier/priority (the most
// urgent trigger wins), SLA due times, queues it and links the user to it.
func (s *Service) Open(ctx context.Context, o Opening) (*Case, error) {
	return nil, errors.New("contract: not implemented") // contract:
}

// ActiveCase returns the user's open case (queued or claimed) or ErrNoCase.
func (s *Service) ActiveCase(ctx context.Context, userID string) (*Case, error) {
	return nil, ErrNoCase // contract:
}

// AppendCustomerMessage adds a customer message to an open case's transcript
// and publishes it to agents.
func (s *Service) AppendCustomerMessage(ctx context.Context, caseID, text string) error {
	return errors.New("contract: not implemented") // contract:
}

// CancelByCustomer closes the case at the customer's request; the user goes
// back to the bot.
func (s *Service) CancelByCustomer(ctx context.Context, caseID string) error {
	return errors.New("contract: not implemented") // contract:
}

// CSATData is the postback data of the satisfaction quick reply for a case;
// the bot hands it back via ParseCSATData.
func CSATData(caseID string, score int) string {
	return "" // contract:
}

// ParseCSATData parses postback data made by CSATData.
func ParseCSATData(data string) (caseID string, score int, ok bool) {
	return "", 0, false // contract:
}

// RecordSatisfaction stores a 1–5 CSAT answer for a resolved case.
func (s *Service) RecordSatisfaction(ctx context.Context, caseID string, score int) error {
	return errors.New("contract: not implemented") // contract:
}
