package inbox

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"time"

	"go.uber.org/zap"

	"github.com/warmline/warmline/handoff"
)

var streamID = regexp.MustCompile(`^[0-9]{1,20}(-[0-9]{1,20})?$`)

// streamWriteTimeout bounds one write to an event stream: a client that
// stops reading loses its stream instead of holding a goroutine.
const streamWriteTimeout = 10 * time.Second

// events serves GET /api/events as Server-Sent Events. Each event's id is
// its Redis Stream id, so a client resumes with Last-Event-ID (or ?after=)
// on any replica. The replica's one stream reader (hub) fans events out to
// every open stream; a resuming client first catches up with short,
// non-blocking reads. Each stream carries only the events of cases its
// agent may see (handoff.CanSee), and no customer content (type, case id,
// tier, time): screens reload what changed through the authorised
// endpoints. A comment line goes out after each quiet heartbeat interval;
// the stream ends when the client goes, when its session ends (checked at
// each heartbeat) and at once when the inbox is closed (shutdown).
// A session (or bearer-token agent) may hold Config.MaxStreamsPerSession
// streams and a replica Config.MaxStreams; beyond that: 429
// too_many_streams.
func (a *API) events() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		agent, err := a.auth.Authenticate(r)
		if err != nil {
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
		sub, err := a.hub.subscribe(agent, streamKey(r, agent), cursor)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		defer a.hub.unsubscribe(sub)

		rc := http.NewResponseController(w)
		write := func(f func()) bool {
			_ = rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
			f()
			return rc.Flush() == nil
		}
		h := w.Header()
		h.Set("Content-Type", "text/event-stream; charset=utf-8")
		h.Set("Cache-Control", "no-store")
		h.Set("X-Accel-Buffering", "no")
		if !write(func() { w.WriteHeader(http.StatusOK); fmt.Fprintf(w, "retry: %d\n\n", a.reconnect.Milliseconds()) }) {
			return
		}
		last := cursor
		send := func(ev handoff.Event) {
			b, _ := json.Marshal(ev)
			fmt.Fprintf(w, "id: %s\nevent: %s\ndata: %s\n\n", ev.ID, ev.Type, b)
			last = ev.ID
		}
		// Catch up on what happened after the cursor: the hub delivers only
		// what it reads from now on.
		for {
			evs, err := a.svc.Events(ctx, last, 0)
			if err != nil {
				if ctx.Err() == nil {
					a.log.Warn("event stream catch-up", zap.Error(err))
				}
				return // the client reconnects with Last-Event-ID
			}
			if len(evs) == 0 {
				break
			}
			if !write(func() {
				for _, ev := range evs {
					if a.hub.visibility(ev).may(ctx, agent) {
						send(ev)
					} else {
						last = ev.ID
					}
				}
			}) {
				return
			}
			if len(evs) < 100 {
				break
			}
		}
		beat := time.NewTicker(a.heartbeat)
		defer beat.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-sub.gone:
				return
			case ev := <-sub.ch:
				if !write(func() {
					for {
						if streamAfter(ev.ID, last) {
							send(ev)
						}
						select {
						case ev = <-sub.ch:
							continue
						default:
						}
						return
					}
				}) {
					return
				}
			case <-beat.C:
				if !write(func() { fmt.Fprint(w, ": heartbeat\n\n") }) {
					return
				}
				// A session that ended (signed out, expired, account
				// removed) ends the stream too; the client's reconnect then
				// gets 401.
				if _, err := a.auth.Authenticate(r); err != nil {
					return
				}
			}
		}
	})
}

// streamKey is what the per-session stream limit counts by: the session
// (cookie, hashed), else the agent (bearer token).
func streamKey(r *http.Request, agent handoff.Agent) string {
	if c, err := r.Cookie(SessionCookie); err == nil {
		sum := sha256.Sum256([]byte(c.Value))
		return "s:" + hex.EncodeToString(sum[:])
	}
	return "a:" + agent.ID
}
