package inbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"time"

	"go.uber.org/zap"
)

var streamID = regexp.MustCompile(`^[0-9]{1,20}(-[0-9]{1,20})?$`)

// events serves GET /api/events as Server-Sent Events. Each event's id is
// its Redis Stream id, so a client resumes with Last-Event-ID (or ?after=)
// on any replica; a comment line goes out after each quiet heartbeat
// interval; the stream ends when the client goes. Events carry no customer
// content (type, case id, tier, time): screens reload what changed through
// the authorised endpoints.
func (a *API) events() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := a.auth.Authenticate(r); err != nil {
			a.writeError(w, r, err)
			return
		}
		cursor := r.Header.Get("Last-Event-ID")
		if cursor == "" {
			cursor = r.URL.Query().Get("after")
		}
		if cursor != "" && !streamID.MatchString(cursor) {
			a.writeError(w, r, fmt.Errorf("%w: event id %q is not a stream id", errBadRequest, cursor))
			return
		}
		ctx := r.Context()
		if cursor == "" {
			id, err := a.svc.LastEventID(ctx)
			if err != nil {
				a.writeError(w, r, err)
				return
			}
			cursor = id
		}
		rc := http.NewResponseController(w)
		_ = rc.SetWriteDeadline(time.Time{}) // a long-lived stream: no server write timeout
		h := w.Header()
		h.Set("Content-Type", "text/event-stream; charset=utf-8")
		h.Set("Cache-Control", "no-store")
		h.Set("X-Accel-Buffering", "no")
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, "retry: 3000\n\n")
		if err := rc.Flush(); err != nil {
			return
		}
		for ctx.Err() == nil {
			evs, err := a.svc.Events(ctx, cursor, a.heartbeat)
			if err != nil {
				if ctx.Err() == nil {
					a.log.Warn("event stream read", zap.Error(err))
				}
				return // the client reconnects with Last-Event-ID
			}
			if len(evs) == 0 {
				fmt.Fprint(w, ": heartbeat\n\n")
			}
			for _, ev := range evs {
				b, _ := json.Marshal(ev)
				fmt.Fprintf(w, "id: %s\nevent: %s\ndata: %s\n\n", ev.ID, ev.Type, b)
				cursor = ev.ID
			}
			if err := rc.Flush(); err != nil {
				return
			}
			// A session that ended (signed out, expired, account removed)
			// ends the stream too; the client's reconnect then gets 401.
			if _, err := a.auth.Authenticate(r); err != nil {
				return
			}
		}
	})
}
