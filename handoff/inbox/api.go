package inbox

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/knowledge/gaps"
	"github.com/warmline/warmline/locales"
)

// ErrUnauthenticated: the request carries no valid credentials (401).
var ErrUnauthenticated = errors.New("not authenticated")

// errBadRequest wraps malformed input (400); the wrapping error says what.
var errBadRequest = errors.New("bad request")

// Authenticator says which agent makes a request (ErrUnauthenticated when
// none). TokenAuth is the static-token implementation; the UI adds sessions.
type Authenticator interface {
	Authenticate(r *http.Request) (handoff.Agent, error)
}

// Directory resolves agent ids (for POST /assign). An Authenticator that
// also implements Directory is used for it; TokenAuth does.
type Directory interface {
	Agent(id string) (handoff.Agent, bool)
}

// API is the agent JSON API.
type API struct {
	svc       *handoff.Service
	auth      Authenticator
	log       *zap.Logger
	timeout   time.Duration // per request (not the event stream)
	heartbeat time.Duration // SSE: longest silence before a comment line
	reconnect time.Duration // SSE: the reconnect delay the stream asks for ("retry:")
	hub       *hub          // the one event stream reader, fanned out
	// dispositions are the codes a resolve may carry (Config.Dispositions).
	dispositions []string
}

// NewAPI builds the API; Register mounts it.
func NewAPI(svc *handoff.Service, auth Authenticator, log *zap.Logger) *API {
	if log == nil {
		log = zap.NewNop()
	}
	a := &API{svc: svc, auth: auth, log: log, timeout: 15 * time.Second, heartbeat: 15 * time.Second, reconnect: 3 * time.Second}
	a.hub = newHub(func(ctx context.Context, after string, block time.Duration) ([]handoff.Event, error) {
		return svc.Events(ctx, after, block)
	}, func(ctx context.Context, id string) (*handoff.Case, error) {
		return svc.Get(ctx, eventsAgent, id)
	}, log.Named("events"))
	return a
}

// eventsAgent is who the event fan-out loads a case as, to decide with
// handoff.CanSee which streams may carry its events.
var eventsAgent = handoff.Agent{ID: "warmline-events", Role: handoff.RoleLead}

// ReadEventsWith makes the event fan-out's blocking reads go through rdb, a
// client of the same Redis used for nothing else, which Close closes (its
// blocking read then ends at once). Without it the reads use the service's
// client: one connection of its pool held per replica.
func (a *API) ReadEventsWith(rdb redis.UniversalClient) {
	a.hub.read = func(ctx context.Context, after string, block time.Duration) ([]handoff.Event, error) {
		return a.svc.EventsFrom(ctx, rdb, after, block)
	}
	a.hub.closeRead = rdb.Close
}

// SetStreamLimits sets how many event streams the replica (max) and one
// session or bearer-token agent (perSession) may hold open; 0 keeps the
// default (1000 and 10).
func (a *API) SetStreamLimits(max, perSession int) {
	if max > 0 {
		a.hub.max = max
	}
	if perSession > 0 {
		a.hub.perSession = perSession
	}
}

// SetStreamTimes sets the event streams' heartbeat (the longest silence
// before a comment line and a session check) and the reconnect delay they
// ask browsers for; 0 keeps the default (15 s and 3 s).
func (a *API) SetStreamTimes(heartbeat, retry time.Duration) {
	if heartbeat > 0 {
		a.heartbeat = heartbeat
	}
	if retry > 0 {
		a.reconnect = retry
	}
}

// OpenStreams is the number of event streams open on this replica.
func (a *API) OpenStreams() int { return a.hub.open() }

// Close ends every open event stream at once and stops the stream reader;
// new streams get 503. Call it when shutdown starts (http.Server's
// RegisterOnShutdown): Shutdown waits for handlers, and a stream's handler
// would otherwise run until its client goes.
func (a *API) Close() { a.hub.Close() }

// Register adds the API routes to mux.
func (a *API) Register(mux *http.ServeMux) {
	mux.Handle("GET /api/me", a.handle(a.me))
	mux.Handle("GET /api/cases", a.handle(a.list))
	mux.Handle("GET /api/cases/{id}", a.handle(a.get))
	mux.Handle("POST /api/cases/{id}/claim", a.handle(a.claim))
	mux.Handle("POST /api/cases/{id}/assign", a.handle(a.assign))
	mux.Handle("POST /api/cases/{id}/reply", a.handle(a.reply))
	mux.Handle("POST /api/cases/{id}/replies/{msg}/retry", a.handle(a.retry))
	mux.Handle("POST /api/cases/{id}/notes", a.handle(a.note))
	mux.Handle("POST /api/cases/{id}/priority", a.handle(a.priority))
	mux.Handle("POST /api/cases/{id}/escalate", a.handle(a.escalate))
	mux.Handle("POST /api/cases/{id}/release", a.handle(a.release))
	mux.Handle("POST /api/cases/{id}/resolve", a.handle(a.resolve))
	mux.Handle("POST /api/cases/{id}/return", a.handle(a.returnToBot))
	mux.Handle("POST /api/cases/{id}/follow-up/done", a.handle(a.followUpDone))
	mux.Handle("GET /api/events", a.events())
}

// handlerFunc is an authenticated API handler; a returned error is written
// by writeError.
type handlerFunc func(w http.ResponseWriter, r *http.Request, agent handoff.Agent) error

func (a *API) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), a.timeout)
		defer cancel()
		r = r.WithContext(ctx)
		agent, err := a.auth.Authenticate(r)
		if err == nil {
			err = h(w, r, agent)
		}
		if err != nil {
			a.writeError(w, r, err)
		}
	})
}

// apiError is the error body: a stable code the UI translates, a message for
// developers, and the owner on conflicts.
type apiError struct {
	Code    string         `json:"error"`
	Message string         `json:"message"`
	Owner   *handoff.Agent `json:"owner,omitempty"`
	// Until: when a locked account can sign in again.
	Until *time.Time `json:"until,omitempty"`
}

// writeError maps domain errors to statuses: the one place that does.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, body := http.StatusInternalServerError, apiError{Code: "internal", Message: "internal error"}
	var oe *handoff.OwnerError
	var le *LockedError
	switch {
	case errors.Is(err, errCSRF):
		status, body = http.StatusForbidden, apiError{Code: "csrf", Message: "missing or wrong X-CSRF-Token; reload the page"}
	case errors.Is(err, errBadCredentials):
		status, body = http.StatusUnauthorized, apiError{Code: "bad_credentials", Message: "wrong agent id or password"}
	case errors.As(err, &le):
		until := le.Until.UTC()
		status, body = http.StatusTooManyRequests, apiError{Code: "locked", Message: "too many failed sign-ins", Until: &until}
	case errors.Is(err, ErrUnauthenticated):
		status, body = http.StatusUnauthorized, apiError{Code: "unauthenticated", Message: "sign in first"}
		w.Header().Set("WWW-Authenticate", `Bearer realm="warmline"`)
	case errors.Is(err, handoff.ErrNoCase):
		status, body = http.StatusNotFound, apiError{Code: "no_case", Message: "no such case"}
	case errors.Is(err, handoff.ErrNoMessage):
		status, body = http.StatusNotFound, apiError{Code: "no_message", Message: "no such message"}
	case errors.Is(err, handoff.ErrForbidden):
		status, body = http.StatusForbidden, apiError{Code: "forbidden", Message: "not allowed for your role"}
	case errors.Is(err, handoff.ErrAlreadyClaimed), errors.Is(err, handoff.ErrNotOwner):
		status, body = http.StatusConflict, apiError{Code: "not_owner", Message: "another agent owns this case"}
		if errors.Is(err, handoff.ErrAlreadyClaimed) {
			body = apiError{Code: "already_claimed", Message: "another agent claimed this case first"}
		}
		if errors.As(err, &oe) && oe.OwnerID != "" {
			body.Owner = &handoff.Agent{ID: oe.OwnerID, Name: oe.OwnerName}
		}
	case errors.Is(err, handoff.ErrClosed):
		status, body = http.StatusConflict, apiError{Code: "closed", Message: "the case is closed"}
	case errors.Is(err, gaps.ErrBusy):
		status, body = http.StatusConflict, apiError{Code: "busy", Message: err.Error()}
	case errors.Is(err, gaps.ErrNoItem):
		status, body = http.StatusNotFound, apiError{Code: "no_item", Message: "no such learned item"}
	case errors.Is(err, handoff.ErrInvalid), errors.Is(err, errBadRequest), errors.Is(err, gaps.ErrInvalid):
		status, body = http.StatusBadRequest, apiError{Code: "bad_request", Message: err.Error()}
	case errors.Is(err, ErrNoFailure):
		status, body = http.StatusNotFound, apiError{Code: "no_failure", Message: "no such failed send or event"}
	case errors.Is(err, errTooManyStreams):
		status, body = http.StatusTooManyRequests, apiError{Code: "too_many_streams", Message: err.Error()}
	case errors.Is(err, errStreamsClosed):
		status, body = http.StatusServiceUnavailable, apiError{Code: "shutting_down", Message: "this server is shutting down; reconnect"}
	case errors.Is(err, context.DeadlineExceeded):
		status, body = http.StatusServiceUnavailable, apiError{Code: "timeout", Message: "the request took too long; try again"}
	}
	if status >= 500 {
		a.log.Error("api request", zap.String("method", r.Method), zap.String("path", r.URL.Path), zap.Error(err))
	} else {
		a.log.Debug("api request refused", zap.String("path", r.URL.Path), zap.Int("status", status), zap.Error(err))
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

const maxBody = 64 << 10

// decode reads one JSON object into v: size-limited, unknown fields and
// trailing data rejected. The single place request bodies are decoded.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			return fmt.Errorf("%w: body larger than %d bytes", errBadRequest, maxBody)
		case errors.Is(err, io.EOF):
			return fmt.Errorf("%w: a JSON body is required", errBadRequest)
		}
		return fmt.Errorf("%w: invalid JSON: %s", errBadRequest, strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return fmt.Errorf("%w: one JSON object expected", errBadRequest)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: one JSON object expected", errBadRequest)
	}
	return nil
}

func (a *API) me(w http.ResponseWriter, r *http.Request, agent handoff.Agent) error {
	writeJSON(w, http.StatusOK, map[string]any{"agent": agent})
	return nil
}

// caseItem is a case as listed: no transcript.
type caseItem struct {
	ID               string    `json:"id"`
	DisplayName      string    `json:"display_name"`
	Lang             string    `json:"lang"`
	Category         string    `json:"category"`
	Topic            string    `json:"topic"`
	Tier             string    `json:"tier"`
	Priority         string    `json:"priority"`
	Status           string    `json:"status"`
	Owner            string    `json:"owner,omitempty"`
	OwnerName        string    `json:"owner_name,omitempty"`
	Triggers         []string  `json:"triggers"`
	CreatedAt        time.Time `json:"created_at"`
	FirstResponseDue time.Time `json:"first_response_due"`
	ResolutionDue    time.Time `json:"resolution_due"`
	FirstResponseAt  time.Time `json:"first_response_at,omitzero"`
	NextDue          time.Time `json:"next_due"`
	ClosedAt         time.Time `json:"closed_at,omitzero"`
	LastCustomerAt   time.Time `json:"last_customer_at,omitzero"`
	Satisfaction     int       `json:"satisfaction,omitempty"`
	Disposition      string    `json:"disposition,omitempty"`
	// Promise is the first-reply time the customer was given.
	Promise time.Time `json:"promise"`
	// Readable: the case is in a language the agent works in.
	Readable bool `json:"readable"`
	// RiskAt is when the case's running SLA clock counts as at risk of
	// breaching (handoff.Service.RiskAt); AtRisk says it has passed. The
	// queue puts cases at risk on top whatever their language.
	RiskAt time.Time `json:"risk_at,omitzero"`
	AtRisk bool      `json:"at_risk"`
	// Overdue: its deadline has already passed (handoff.Service.Overdue):
	// the row says overdue, not "near its deadline".
	Overdue bool `json:"overdue"`
	// FollowUp is the lead's task on the case, when there is one.
	FollowUp *handoff.FollowUp `json:"follow_up,omitempty"`
	// Brief is the brief's "what they want" line in the agent's language.
	Brief string `json:"brief"`
	// Permissions: what the requesting agent may do with the case.
	Permissions handoff.Permissions `json:"permissions"`
}

func itemOf(agent handoff.Agent, c *handoff.Case) caseItem {
	it := caseItem{
		ID: c.ID, DisplayName: c.DisplayName, Lang: c.Lang, Category: c.Category, Topic: c.Topic,
		Tier: c.Tier, Priority: c.Priority, Status: c.Status, Owner: c.Owner, OwnerName: c.OwnerName,
		Triggers: make([]string, 0, len(c.Triggers)), CreatedAt: c.CreatedAt, FirstResponseDue: c.FirstResponseDue,
		ResolutionDue: c.ResolutionDue, FirstResponseAt: c.FirstResponseAt, NextDue: c.NextDue(),
		ClosedAt: c.ClosedAt, Satisfaction: c.Satisfaction, Disposition: c.Disposition, FollowUp: c.FollowUp, Promise: c.Promise(), Readable: agent.Reads(c.Lang), Permissions: handoff.PermissionsFor(agent, c),
	}
	for _, t := range c.Triggers {
		it.Triggers = append(it.Triggers, t.Kind)
	}
	for i := len(c.Transcript) - 1; i >= 0; i-- {
		if c.Transcript[i].From == handoff.FromCustomer {
			it.LastCustomerAt = c.Transcript[i].At
			break
		}
	}
	return it
}

func boolParam(r *http.Request, name string) (bool, error) {
	switch v := r.URL.Query().Get(name); v {
	case "", "0", "false":
		return false, nil
	case "1", "true":
		return true, nil
	default:
		return false, fmt.Errorf("%w: %s must be 1 or 0, not %q", errBadRequest, name, v)
	}
}

// GET /api/cases?tier=&priority=&mine=1&unassigned=1&closed=1&followups=1&lang=
func (a *API) list(w http.ResponseWriter, r *http.Request, agent handoff.Agent) error {
	q := r.URL.Query()
	f := handoff.Filter{Tier: q.Get("tier"), Priority: q.Get("priority")}
	var err1, err2, err3, err4 error
	f.Mine, err1 = boolParam(r, "mine")
	f.Unassigned, err2 = boolParam(r, "unassigned")
	f.IncludeClosed, err3 = boolParam(r, "closed")
	f.FollowUps, err4 = boolParam(r, "followups")
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return err
	}
	cases, err := a.svc.List(r.Context(), agent, f)
	if err != nil {
		return err
	}
	lang, err := langOf(r, agent)
	if err != nil {
		return err
	}
	items := make([]caseItem, len(cases))
	for i, c := range cases {
		items[i] = itemOf(agent, c)
		if c.Open() {
			items[i].RiskAt, items[i].AtRisk = a.svc.RiskAt(c), a.svc.AtRisk(c)
			items[i].Overdue = a.svc.Overdue(c)
		}
		if lines := a.svc.Brief(c, lang); len(lines) > 1 {
			items[i].Brief = lines[1]
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"cases": items})
	return nil
}

// GET /api/cases/{id}?lang=: the case, its brief and its facts rendered in
// the agent's language.
func (a *API) get(w http.ResponseWriter, r *http.Request, agent handoff.Agent) error {
	c, err := a.svc.Get(r.Context(), agent, r.PathValue("id"))
	if err != nil {
		return err
	}
	lang, err := langOf(r, agent)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"case": viewOf(agent, c), "brief": a.svc.Brief(c, lang),
		"facts": a.factsOf(c, lang), "names": a.namesOf(c), "lang": lang})
	return nil
}

// namesOf maps the agent ids the case mentions (owner, transcript) to
// display names, so no screen shows a bare account id.
func (a *API) namesOf(c *handoff.Case) map[string]string {
	out := map[string]string{}
	dir, ok := a.auth.(Directory)
	add := func(id string) {
		if id == "" || out[id] != "" {
			return
		}
		out[id] = id
		if ok {
			if ag, found := dir.Agent(id); found {
				out[id] = ag.Name
			}
		}
	}
	add(c.Owner)
	for _, t := range c.Transcript {
		add(t.AgentID)
	}
	if c.FollowUp != nil {
		add(c.FollowUp.DoneBy)
	}
	return out
}

// langOf is the language to render for: ?lang= (the UI's current
// language), else the agent's, else zh-TW.
func langOf(r *http.Request, agent handoff.Agent) (string, error) {
	lang := r.URL.Query().Get("lang")
	if lang != "" && !locales.IsSupported(lang) {
		return "", fmt.Errorf("%w: lang must be one of %s", errBadRequest, strings.Join(locales.Supported, ", "))
	}
	if lang == "" {
		lang = agent.Lang
	}
	if !locales.IsSupported(lang) {
		lang = locales.ZhTW
	}
	return lang, nil
}

// facts are the case's triggers and attempts rendered in the agent's
// language, so no internal string (a postback, an outcome, a status) reaches
// the screen.
type facts struct {
	Triggers []triggerFact `json:"triggers"`
	Tried    []triedFact   `json:"tried"`
}

type triggerFact struct {
	Kind     string `json:"kind"`
	Label    string `json:"label"`
	Evidence string `json:"evidence,omitempty"` // the customer's words, or empty
	Message  string `json:"message,omitempty"`
}

type triedFact struct {
	Kind    handoff.AttemptKind `json:"kind"`
	Text    string              `json:"text"`              // what and how it ended
	Outcome string              `json:"outcome,omitempty"` // how it ended
	Order   string              `json:"order,omitempty"`   // full order number
}

func (a *API) factsOf(c *handoff.Case, lang string) facts {
	f := facts{Triggers: []triggerFact{}, Tried: []triedFact{}}
	for _, tr := range c.Triggers {
		f.Triggers = append(f.Triggers, triggerFact{Kind: tr.Kind, Label: a.svc.TriggerText(tr, lang),
			Evidence: handoff.TriggerEvidence(tr), Message: tr.Message})
	}
	for _, at := range handoff.DistinctAttempts(c.Tried) {
		_, outcome := a.svc.AttemptParts(at, lang)
		tf := triedFact{Kind: at.Kind, Text: a.svc.AttemptText(at, lang), Outcome: outcome}
		switch at.Kind {
		case handoff.AttemptOrder:
			tf.Order = cmp.Or(at.OrderNumber, at.Ref)
		case handoff.AttemptRefund:
			tf.Order = at.OrderNumber // the order a refund is on, in the Orders facts too
		}
		f.Tried = append(f.Tried, tf)
	}
	return f
}

// caseView is a case as one agent gets it: the whole case and what they
// may do with it, so the UI renders its controls from the rules the
// operations enforce.
type caseView struct {
	*handoff.Case
	Permissions handoff.Permissions `json:"permissions"`
	// Promise is the first-reply time the customer was given (the same
	// the brief shows).
	Promise time.Time `json:"promise"`
}

func viewOf(agent handoff.Agent, c *handoff.Case) caseView {
	return caseView{Case: c, Permissions: handoff.PermissionsFor(agent, c), Promise: c.Promise()}
}

// writeCase answers an operation with the case as agent now sees it.
func writeCase(w http.ResponseWriter, agent handoff.Agent, c *handoff.Case) {
	writeJSON(w, http.StatusOK, map[string]any{"case": viewOf(agent, c)})
}

func (a *API) claim(w http.ResponseWriter, r *http.Request, agent handoff.Agent) error {
	c, err := a.svc.Claim(r.Context(), agent, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeCase(w, agent, c)
	return nil
}

func (a *API) assign(w http.ResponseWriter, r *http.Request, agent handoff.Agent) error {
	var in struct {
		AgentID string `json:"agent_id"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.AgentID == "" {
		return fmt.Errorf("%w: agent_id is required", errBadRequest)
	}
	to := handoff.Agent{ID: in.AgentID, Name: in.AgentID}
	if dir, ok := a.auth.(Directory); ok {
		found, ok := dir.Agent(in.AgentID)
		if !ok {
			return fmt.Errorf("%w: unknown agent %q", errBadRequest, in.AgentID)
		}
		to = found
	}
	c, err := a.svc.Assign(r.Context(), agent, r.PathValue("id"), to)
	if err != nil {
		return err
	}
	writeCase(w, agent, c)
	return nil
}

type textBody struct {
	Text string `json:"text"`
}

// POST /reply {text}: 200 with the turn; turn.status "failed" means LINE did
// not take it and /replies/{msg}/retry resends it.
func (a *API) reply(w http.ResponseWriter, r *http.Request, agent handoff.Agent) error {
	var in textBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	// The push must not be cut by a client that goes away mid-request.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), a.timeout)
	defer cancel()
	turn, err := a.svc.Reply(ctx, agent, r.PathValue("id"), in.Text)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"turn": turn})
	return nil
}

func (a *API) retry(w http.ResponseWriter, r *http.Request, agent handoff.Agent) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), a.timeout)
	defer cancel()
	turn, err := a.svc.RetryReply(ctx, agent, r.PathValue("id"), r.PathValue("msg"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"turn": turn})
	return nil
}

func (a *API) note(w http.ResponseWriter, r *http.Request, agent handoff.Agent) error {
	var in textBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	c, err := a.svc.AddNote(r.Context(), agent, r.PathValue("id"), in.Text)
	if err != nil {
		return err
	}
	writeCase(w, agent, c)
	return nil
}

func (a *API) priority(w http.ResponseWriter, r *http.Request, agent handoff.Agent) error {
	var in struct {
		Priority string `json:"priority"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	c, err := a.svc.SetPriority(r.Context(), agent, r.PathValue("id"), in.Priority)
	if err != nil {
		return err
	}
	writeCase(w, agent, c)
	return nil
}

func (a *API) escalate(w http.ResponseWriter, r *http.Request, agent handoff.Agent) error {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), a.timeout)
	defer cancel()
	c, err := a.svc.Escalate(ctx, agent, r.PathValue("id"), in.Reason)
	if err != nil {
		return err
	}
	writeCase(w, agent, c)
	return nil
}

func (a *API) release(w http.ResponseWriter, r *http.Request, agent handoff.Agent) error {
	c, err := a.svc.Release(r.Context(), agent, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeCase(w, agent, c)
	return nil
}

func (a *API) resolve(w http.ResponseWriter, r *http.Request, agent handoff.Agent) error {
	var in struct {
		Note        string `json:"note"`
		Disposition string `json:"disposition"`
	}
	if r.ContentLength != 0 {
		if err := decode(w, r, &in); err != nil {
			return err
		}
	}
	if in.Disposition != "" && !slices.Contains(a.dispositions, in.Disposition) {
		return fmt.Errorf("%w: disposition %q is not one of %s", errBadRequest, in.Disposition, strings.Join(a.dispositions, ", "))
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), a.timeout)
	defer cancel()
	c, err := a.svc.ResolveAs(ctx, agent, r.PathValue("id"), in.Note, in.Disposition)
	if err != nil {
		return err
	}
	writeCase(w, agent, c)
	return nil
}

func (a *API) returnToBot(w http.ResponseWriter, r *http.Request, agent handoff.Agent) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), a.timeout)
	defer cancel()
	c, err := a.svc.ReturnToBot(ctx, agent, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeCase(w, agent, c)
	return nil
}

// POST /follow-up/done {note}: a lead closes the case's follow-up task.
func (a *API) followUpDone(w http.ResponseWriter, r *http.Request, agent handoff.Agent) error {
	var in struct {
		Note string `json:"note"`
	}
	if r.ContentLength != 0 {
		if err := decode(w, r, &in); err != nil {
			return err
		}
	}
	c, err := a.svc.CompleteFollowUp(r.Context(), agent, r.PathValue("id"), in.Note)
	if err != nil {
		return err
	}
	writeCase(w, agent, c)
	return nil
}
