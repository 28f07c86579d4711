package handoff

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/locales"
)

// Errors.
var (
	ErrNoCase         = errors.New("no such case")
	ErrAlreadyClaimed = errors.New("case already claimed")
	ErrNotOwner       = errors.New("case is owned by another agent")
	ErrClosed         = errors.New("case is closed")
	ErrForbidden      = errors.New("not allowed")
	// ErrInvalid wraps a bad request (unknown priority, empty text, wrong
	// tier…); the wrapping error says what is wrong.
	ErrInvalid = errors.New("invalid request")
	// ErrNoMessage: RetryReply names a message the case does not have.
	ErrNoMessage = errors.New("no such message")
	// ErrMustStayOpen: the customer asked to cancel a case that
	// CustomerMayCancel keeps open.
	ErrMustStayOpen = errors.New("case must stay open")
)

// OwnerError is returned (wrapping ErrAlreadyClaimed or ErrNotOwner) when
// another agent owns the case; it names the owner for the UI.
type OwnerError struct {
	Err       error
	OwnerID   string
	OwnerName string
}

func (e *OwnerError) Error() string {
	if e.OwnerName == "" {
		return e.Err.Error()
	}
	return fmt.Sprintf("%v (owner %s)", e.Err, e.OwnerName)
}

func (e *OwnerError) Unwrap() error { return e.Err }

// Roles of agents.
const (
	RoleL2   = "L2"
	RoleL3   = "L3"
	RoleLead = "lead"
)

// Agent is the person acting; authentication happens in the inbox, the
// authorisation rules here.
type Agent struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"` // L2 | L3 | lead
	// Lang is the agent's language for briefs and the UI (zh-TW, zh-CN, en).
	Lang string `json:"lang,omitempty"`
}

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

// Turn is one line of a transcript.
type Turn struct {
	From    string    `json:"from"` // customer | bot | agent | system | note
	Text    string    `json:"text"`
	At      time.Time `json:"at"`
	AgentID string    `json:"agent_id,omitempty"`
	// ID and Status are set on agent replies: the message id (also the
	// delivery key) and sending | sent | failed.
	ID     string `json:"id,omitempty"`
	Status string `json:"status,omitempty"`
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
	ID               string               `json:"id"` // CS-20261123-0042
	UserID           string               `json:"user_id"`
	DisplayName      string               `json:"display_name"`
	Lang             string               `json:"lang"`
	Category         string               `json:"category"`
	Topic            string               `json:"topic"`
	TopicTitle       map[string]string    `json:"topic_title,omitempty"`
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

	// ClosedAt is when the case left the queue (resolved, returned, cancelled).
	ClosedAt time.Time `json:"closed_at,omitzero"`
	// EscalatedAt is when an agent escalated L2→L3 (the first-response clock
	// restarts for L3 then).
	EscalatedAt time.Time `json:"escalated_at,omitzero"`
	// ReminderSentAt: the SLA reminder went out (once per first-response
	// clock); PromisedBy is the new time it gave the customer.
	ReminderSentAt time.Time `json:"reminder_sent_at,omitzero"`
	PromisedBy     time.Time `json:"promised_by,omitzero"`
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

// Summarizer writes a short free-text summary of a case for agents (an LLM).
type Summarizer interface {
	Summarize(ctx context.Context, c *Case) (string, error)
}

// Config of a Service. Redis, Translator and Messenger are required.
type Config struct {
	Redis      *redis.Client
	Prefix     string  // key prefix, e.g. "wl:"
	Policy     *Policy // nil: DefaultPolicy()
	Translator *locales.Translator
	Messenger  Messenger
	Clock      func() time.Time // nil: time.Now
	Log        *zap.Logger      // nil: no logs
	// Summarizer is optional (nil: no LLM summary).
	Summarizer Summarizer
	// SummaryTimeout bounds one background summary (default 20s).
	SummaryTimeout time.Duration
	// PushTimeout bounds one push to the customer (default 10s).
	PushTimeout time.Duration
}

// Service is the handoff domain service. Safe for concurrent use; several
// replicas may share one Redis.
type Service struct {
	rdb            *redis.Client
	prefix         string
	policy         *Policy
	tr             *locales.Translator
	msg            Messenger
	now            func() time.Time
	log            *zap.Logger
	sum            Summarizer
	summaryTimeout time.Duration
	pushTimeout    time.Duration
	bg             sync.WaitGroup
}

// New builds a Service.
func New(cfg Config) (*Service, error) {
	var errs []error
	if cfg.Redis == nil {
		errs = append(errs, errors.New("handoff: Config.Redis is required"))
	}
	if cfg.Translator == nil {
		errs = append(errs, errors.New("handoff: Config.Translator is required"))
	}
	if cfg.Messenger == nil {
		errs = append(errs, errors.New("handoff: Config.Messenger is required"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	s := &Service{
		rdb: cfg.Redis, prefix: cfg.Prefix, policy: cfg.Policy, tr: cfg.Translator, msg: cfg.Messenger,
		now: cfg.Clock, log: cfg.Log, sum: cfg.Summarizer,
		summaryTimeout: cfg.SummaryTimeout, pushTimeout: cfg.PushTimeout,
	}
	if s.policy == nil {
		s.policy = DefaultPolicy()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = zap.NewNop()
	}
	if s.summaryTimeout <= 0 {
		s.summaryTimeout = 20 * time.Second
	}
	if s.pushTimeout <= 0 {
		s.pushTimeout = 10 * time.Second
	}
	return s, nil
}

// Policy returns the SLA policy in use.
func (s *Service) Policy() *Policy { return s.policy }

// Wait blocks until background work (LLM summaries) has finished; call it on
// shutdown after the last Open.
func (s *Service) Wait() { s.bg.Wait() }

const csatPrefix = "csat:"

// CSATData is the postback data of the satisfaction quick reply for a case;
// the bot hands it back via ParseCSATData.
func CSATData(caseID string, score int) string {
	return csatPrefix + caseID + ":" + strconv.Itoa(score)
}

// ParseCSATData parses postback data made by CSATData.
func ParseCSATData(data string) (caseID string, score int, ok bool) {
	rest, found := strings.CutPrefix(data, csatPrefix)
	if !found {
		return "", 0, false
	}
	i := strings.LastIndexByte(rest, ':')
	if i <= 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(rest[i+1:])
	if err != nil || n < 1 || n > 5 {
		return "", 0, false
	}
	return rest[:i], n, true
}
