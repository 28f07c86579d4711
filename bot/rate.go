package bot

import (
	"context"
	"errors"
	"math"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/warmline/warmline/handoff"
)

// Per-user rate limit: RateLimit messages (texts, taps, files) in a fixed
// window of RateWindow on the engine's clock. Past it the customer gets one
// polite notice per window and the bot answers nothing more until the
// window ends; during a handoff every message still goes to the case, so
// nothing is lost from it. A text that fires an escalation trigger (a
// legal threat, a safety report, a request for a person) is never
// silenced: it is handled as if within the limit. The count is one key
// per window:
//
//	<prefix>{u:<id>}:rate:<window>   string  INCR; TTL 2 × RateWindow

// rateKey is the counter of the window that contains now.
func (e *Engine) rateKey(userID string, now time.Time) string {
	return e.key(userID, "rate:"+strconv.FormatInt(e.rateWindow(now), 10))
}

func (e *Engine) rateWindow(now time.Time) int64 {
	return now.UnixMilli() / e.cfg.RateWindow.Milliseconds()
}

// overRate handles a message past the rate limit: the open case still
// gets it, the first one past the limit gets the notice, the rest nothing.
func (e *Engine) overRate(ctx context.Context, t *turn, first bool, log *zap.Logger) error {
	c, err := e.cases.ActiveCase(ctx, t.ev.UserID)
	switch {
	case errors.Is(err, handoff.ErrNoCase):
		c = nil
	case err != nil:
		log.Warn("active case lookup failed while over the rate limit", zap.Error(err))
		c = nil
	}
	if c != nil {
		switch t.ev.Kind {
		case KindText:
			if err := e.cases.AppendCustomerMessage(ctx, c.ID, t.ev.Text); err != nil {
				return err
			}
		case KindMedia:
			if err := e.cases.AppendCustomerTurn(ctx, c.ID, e.mediaTurn(ctx, t, log)); err != nil {
				return err
			}
		}
	}
	if !first {
		return nil
	}
	end := time.UnixMilli((e.rateWindow(e.sentAt(t.ev, t.now)) + 1) * e.cfg.RateWindow.Milliseconds())
	secs := max(int(math.Ceil(end.Sub(t.now).Seconds())), 1)
	log.Info("rate limit reached, replies paused", zap.Int("limit", e.cfg.RateLimit), zap.Duration("window", e.cfg.RateWindow))
	if c != nil {
		e.sayToCase(ctx, t, c.ID, e.tr.T(t.lang(), "bot_rate_limited_case", map[string]any{"CaseID": c.ID}), handoff.NoticeRateLimited, log)
		return nil
	}
	t.say(e.text(t, e.tr.N(t.lang(), "bot_rate_limited", secs, nil)))
	return nil
}

// escalatesPastLimit reports whether a message past the rate limit must
// still be handled: a text that fires an escalation trigger (a legal
// threat or a safety report inside a flood still reaches a person, and an
// open case is raised by it). The analysis is in memory, no Redis trip.
func (e *Engine) escalatesPastLimit(t *turn, log *zap.Logger) bool {
	if t.ev.Kind != KindText {
		return false
	}
	if len(e.analyze(t, t.ev.Text).Triggers) == 0 {
		return false
	}
	log.Info("message past the rate limit handled: it fires an escalation trigger")
	return true
}

// sentAt is when the customer sent ev (LINE's event timestamp), the time
// the rate window counts by: a backlog (a replica taken over, an outage)
// must not bunch an ordinary pace past the limit. Events without a
// timestamp, or stamped ahead of the engine's clock, count at now.
func (e *Engine) sentAt(ev Event, now time.Time) time.Time {
	if ev.Timestamp.IsZero() || ev.Timestamp.After(now) {
		return now
	}
	return ev.Timestamp
}

// rateCounted reports whether ev counts towards the rate limit: a text,
// a tap or a file, when a limit is set. load counts it with the state read.
func (e *Engine) rateCounted(ev Event) bool {
	if e.cfg.RateLimit < 0 {
		return false
	}
	switch ev.Kind {
	case KindText, KindPostback, KindMedia:
		return true
	}
	return false
}
