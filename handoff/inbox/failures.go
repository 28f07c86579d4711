package inbox

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/internal/pii"
)

// The Failed sends page and its API, for leads (agents get 403): sends to
// LINE that finally failed and webhook events the workers gave up on
// (dead letters), newest first, with a Resend.
//
//	GET  /inbox/failures              the page
//	GET  /api/failures                {failures: [Failure...]}
//	POST /api/failures/{id}/resend    send (or process) it again
//
// Mounted only when Config.Failures is set.

// Failure kinds.
const (
	FailureSend  = "send"  // a reply or push LINE refused for good
	FailureEvent = "event" // a webhook event dead-lettered after its attempts
)

// Failure is one send or event that failed for good, as the page shows it.
type Failure struct {
	// ID names it for Resend (stable while the record is kept).
	ID   string
	Kind string // FailureSend or FailureEvent
	At   time.Time
	// UserID is the LINE user; the page gets it masked.
	UserID string
	// Op is what failed: a send's "reply" or "push", an event's LINE type
	// with its message type ("message (text)", "postback").
	Op string
	// Messages and Preview (sends): how many messages, the first one's
	// text (cut).
	Messages int
	Preview  string
	Error    string
	Status   int // LINE's HTTP status (sends)
	Attempts int // processing attempts (events)
}

// ErrNoFailure: Resend got an id that is not (or no longer) recorded (404).
var ErrNoFailure = errors.New("no such failed send or event")

// Failures is where the page reads failures and resends them. bot/line
// keeps them (Sender.FailedSends, Queue.DeadLetters); cmd/warmline adapts.
type Failures interface {
	// List returns up to n failures, newest first.
	List(ctx context.Context, n int) ([]Failure, error)
	// Resend sends the failed send again, or puts the event back on the
	// queue (ErrNoFailure when id is unknown). Resending twice must not
	// deliver twice.
	Resend(ctx context.Context, id string) error
}

// failuresShown is how many failures the page lists.
const failuresShown = 200

// resentTTL: how long the page remembers a resend.
const resentTTL = 30 * 24 * time.Hour

func (in *Inbox) resentKey() string { return in.prefix + "{inbox}:resent" }

func (in *Inbox) failureRoutes(mux *http.ServeMux) {
	if in.failures == nil {
		return
	}
	mux.Handle("GET /inbox/failures", in.page(failuresPage, true))
	mux.Handle("GET /api/failures", in.api.handle(in.leadOnly(in.failuresList)))
	mux.Handle("POST /api/failures/{id}/resend", in.api.handle(in.leadOnly(in.failureResend)))
}

// failureView is a failure as the API returns it: the user masked.
type failureView struct {
	ID       string     `json:"id"`
	Kind     string     `json:"kind"`
	At       time.Time  `json:"at"`
	User     string     `json:"user"`
	Op       string     `json:"op"`
	Messages int        `json:"messages,omitempty"`
	Preview  string     `json:"preview,omitempty"`
	Error    string     `json:"error"`
	Status   int        `json:"status,omitempty"`
	Attempts int        `json:"attempts,omitempty"`
	Resent   *time.Time `json:"resent_at,omitempty"`
	ResentBy string     `json:"resent_by,omitempty"`
}

func (in *Inbox) failuresList(w http.ResponseWriter, r *http.Request, _ handoff.Agent) error {
	list, err := in.failures.List(r.Context(), failuresShown)
	if err != nil {
		return err
	}
	resent, err := in.rdb.HGetAll(r.Context(), in.resentKey()).Result()
	if err != nil {
		return fmt.Errorf("failures: %w", err)
	}
	out := make([]failureView, 0, len(list))
	for _, f := range list {
		v := failureView{ID: f.ID, Kind: f.Kind, At: f.At, User: pii.UserID(f.UserID), Op: f.Op,
			Messages: f.Messages, Preview: pii.UserIDs(f.Preview),
			Error: pii.UserIDs(f.Error), Status: f.Status, Attempts: f.Attempts}
		if rec, ok := resent[f.ID]; ok {
			ms, by, _ := cutInt(rec)
			at := time.UnixMilli(ms)
			v.Resent, v.ResentBy = &at, by
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, map[string]any{"failures": out})
	return nil
}

// cutInt splits "<ms> <agent>".
func cutInt(s string) (int64, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			n, err := strconv.ParseInt(s[:i], 10, 64)
			return n, s[i+1:], err == nil
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, "", err == nil
}

func (in *Inbox) failureResend(w http.ResponseWriter, r *http.Request, agent handoff.Agent) error {
	id := r.PathValue("id")
	if err := in.failures.Resend(r.Context(), id); err != nil {
		return err
	}
	now := in.now()
	pipe := in.rdb.TxPipeline()
	pipe.HSet(r.Context(), in.resentKey(), id, strconv.FormatInt(now.UnixMilli(), 10)+" "+agent.ID)
	pipe.Expire(r.Context(), in.resentKey(), resentTTL)
	if _, err := pipe.Exec(r.Context()); err != nil {
		return fmt.Errorf("record resend: %w", err)
	}
	in.log.Info("failure resent", zap.String("failure_id", id), zap.String("agent_id", agent.ID))
	writeJSON(w, http.StatusOK, map[string]any{"resent_at": now.UTC(), "resent_by": agent.ID})
	return nil
}
