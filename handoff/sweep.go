package handoff

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/warmline/warmline/handoff/escalation"
)

// Sweep keeps the promises made to customers waiting for a person. Once
// per first-response clock, when the policy's reminder.share (default 80%)
// of a case's first-response target has passed without an agent reply, it
// tells the customer before the deadline passes, as the SOP asks:
//   - a case whose promise may move gets a courteous "taking longer" with an
//     honest new time, max(now, due) + reminder.extend of working time
//     (PromisedBy; the brief and the inbox show the same time);
//   - a keep_promise priority (P1) gets an honest "still on it" with no new
//     time: its promise never moves;
//   - a case whose first-response time is its trigger's own timeline (a
//     supervisor request: a team lead within 5 minutes) gets "still on it,
//     still by T" naming the time it was promised: that promise never moves
//     either (the late apology follows if T passes with no reply).
//
// Every notice is recorded in the case's transcript (a bot turn with its
// Notice kind), so the agent sees what the customer was told. Sweep also
// sends the SOP's daily progress update to customers whose case has been
// open more than a day without an agent message in the last day (in working
// hours). Safe to run every minute on every replica. It returns how many
// notices went out.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	now := s.now()
	var ids []string
	for _, tier := range []string{TierL2, TierL3} {
		q, err := s.rdb.ZRange(ctx, s.queueKey(tier), 0, -1).Result()
		if err != nil {
			return 0, fmt.Errorf("sweep %s: %w", tier, err)
		}
		ids = append(ids, q...)
	}
	cases, err := s.loadMany(ctx, ids)
	if err != nil {
		return 0, fmt.Errorf("sweep: %w", err)
	}
	sent := 0
	// The pre-breach notice, then the apology once the promise passed.
	for _, step := range []struct {
		what string
		due  func(*Case, time.Time) bool
		send func(context.Context, string, time.Time) (bool, error)
	}{
		{"sla reminder", s.reminderDue, s.remind},
		{"sla late notice", s.lateDue, s.apologiseLate},
	} {
		for _, c := range cases {
			if !step.due(c, now) {
				continue
			}
			ok, err := step.send(ctx, c.ID, now)
			if err != nil {
				s.log.Warn(step.what, zap.String("case_id", c.ID), zap.Error(err))
				continue
			}
			if ok {
				sent++
			}
		}
	}
	n, err := s.sweepProgress(ctx, cases, now)
	return sent + n, err
}

// lateDue: the time the customer was last promised a first reply has
// passed, nobody has replied, and the customer has not been told since
// that promise was made. Silence after a promised time is the 已讀不回 the
// SOP forbids.
func (s *Service) lateDue(c *Case, now time.Time) bool {
	return c.Open() && c.FirstResponseAt.IsZero() && now.After(c.Promise()) && c.LateNotices < maxLateNotices &&
		(c.LateSentAt.IsZero() || c.LateSentAt.Before(c.Promise()))
}

// maxLateNotices bounds the apologies of one first-response clock: the
// first missed time and the renewed one are each owned up to with a new
// time; a case still unanswered after that is the lead's (the breach
// alert), and the daily progress update keeps the customer told.
const maxLateNotices = 2

// lateWindow is the first-response window c was given (the priority's
// target or a trigger's own timeline, in the priority's working time):
// the time a missed promise is renewed by.
func (s *Service) lateWindow(c *Case) time.Duration {
	return s.policy.WorkingTime(clockStart(c), c.FirstResponseDue, c.Priority)
}

// apologiseLate tells the customer, once per promise, that the promised
// time has passed, as the SOP asks: an apology, the reason (nobody has
// been free to take the case yet, or the colleague who took it is still
// on it) and a new time, one more of the case's own first-response windows
// from now (PromisedBy, so the agent's inbox shows the same deadline); the
// lead sees the breach as an alert. It is recorded in the transcript. If
// the new time passes too, the next sweep says so again with another, up
// to maxLateNotices per clock.
func (s *Service) apologiseLate(ctx context.Context, id string, now time.Time) (bool, error) {
	var mine bool
	var missed, wasBy, wasLate, wasReminder time.Time
	c, err := s.update(ctx, id, func(c *Case) error {
		mine = false
		if !s.lateDue(c, now) {
			return errNoChange
		}
		missed, wasBy, wasLate, wasReminder = c.Promise(), c.PromisedBy, c.LateSentAt, c.ReminderSentAt
		c.LateSentAt, mine = now, true
		c.LateNotices++
		if c.ReminderSentAt.IsZero() {
			// A sweep that ran late: the apology stands for the pre-breach
			// notice ("still by" the new time right after it would be noise).
			c.ReminderSentAt = now
		}
		c.PromisedBy = s.policy.Due(now, s.lateWindow(c), c.Priority)
		return nil
	})
	if err != nil || !mine {
		return false, err
	}
	msgID := "handoff_sla_late"
	if s.triggerTimeline(c) && hasTrigger(c, escalation.KindSupervisor) {
		msgID = "handoff_sla_late_lead" // they were told a team lead, not a specialist
	}
	if c.Owner != "" {
		msgID += "_claimed" // someone has it: the reason is theirs, not the queue's
	}
	text := s.tr.T(c.Lang, msgID, map[string]any{"CaseID": c.ID, "ETA": s.customerTime(now, missed), "NewETA": s.customerTime(now, c.PromisedBy)})
	key := c.ID + ":late:" + strconv.FormatInt(c.LateSentAt.UnixMilli(), 10)
	if err := s.pushNotice(ctx, c, NoticeLate, key, text, func(c *Case) {
		// Nothing reached the customer: the promise they know stands, and
		// the next sweep tries again.
		c.PromisedBy, c.LateSentAt, c.ReminderSentAt = wasBy, wasLate, wasReminder
		c.LateNotices--
	}); err != nil {
		return false, fmt.Errorf("push late notice: %w", err)
	}
	s.log.Info("sla late notice sent", zap.String("case_id", c.ID))
	return true, nil
}

// reminderKind is what the pre-breach notice of a case is.
type reminderKind int

const (
	reminderStillOn  reminderKind = iota // "still on it", no new time (keep_promise priorities)
	reminderNewTime                      // "taking longer", with an honest new time
	reminderKeepTime                     // "still on it, still by T": a trigger's own timeline (a supervisor request)
)

func (s *Service) reminderKindOf(c *Case) reminderKind {
	if s.triggerTimeline(c) {
		// The customer was told "a team lead by T" (the trigger's own
		// timeline, on the priority's clock, so T falls while the team
		// works): at reminder.share of it they hear it still stands. It is
		// never moved; if T passes unanswered the late apology says so.
		return reminderKeepTime
	}
	if s.policy.KeepPromise[c.Priority] {
		return reminderStillOn
	}
	return reminderNewTime
}

// hasTrigger reports whether one of c's triggers is of kind k.
func hasTrigger(c *Case, k string) bool {
	return slices.ContainsFunc(c.Triggers, func(t escalation.Trigger) bool { return t.Kind == k })
}

// triggerTimeline reports whether c's first-response due is set by a
// trigger's own timeline (the supervisor rule's 5 minutes), not the
// priority's target.
func (s *Service) triggerTimeline(c *Case) bool {
	o := s.overrideOf(c)
	if o <= 0 || !c.EscalatedAt.IsZero() {
		return false
	}
	return !s.policy.Due(clockStart(c), o, c.Priority).After(c.FirstResponseDue)
}

// NoticeAt is when the pre-breach notice of c is due: reminder.share of its
// first-response target after its clock started.
func (s *Service) NoticeAt(c *Case) time.Time {
	start := clockStart(c)
	target := s.policy.WorkingTime(start, c.FirstResponseDue, c.Priority)
	return s.policy.Due(start, time.Duration(float64(target)*s.policy.ReminderShare), c.Priority)
}

func (s *Service) reminderDue(c *Case, now time.Time) bool {
	if !c.Open() || !c.FirstResponseAt.IsZero() || !c.ReminderSentAt.IsZero() || now.Before(s.NoticeAt(c)) {
		return false
	}
	// "Still by T" once T has passed (a sweep that ran late) would be
	// untrue: the late apology is what the customer gets then.
	return s.reminderKindOf(c) != reminderKeepTime || now.Before(c.Promise())
}

// RunSweeper runs Sweep every interval (every <= 0: one minute) until ctx is
// done, then returns. A failed sweep is logged here, once, and the next tick
// tries again. Run it on every replica: Sweep is safe to run concurrently.
func (s *Service) RunSweeper(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			n, err := s.Sweep(ctx)
			if n > 0 {
				s.log.Info("sla reminders sent", zap.Int("count", n))
			}
			if err != nil && ctx.Err() == nil {
				s.log.Error("sla sweep", zap.Error(err))
			}
		}
	}
}

func (s *Service) remind(ctx context.Context, id string, now time.Time) (bool, error) {
	var mine bool
	var kind reminderKind
	c, err := s.update(ctx, id, func(c *Case) error {
		mine = false
		if !s.reminderDue(c, now) {
			return errNoChange
		}
		kind = s.reminderKindOf(c)
		c.ReminderSentAt = now
		if kind == reminderNewTime {
			c.PromisedBy = s.policy.Due(maxTime(now, c.FirstResponseDue), s.policy.ReminderExtend, c.Priority)
		}
		mine = true
		return nil
	})
	if err != nil || !mine {
		return false, err
	}
	text := s.tr.T(c.Lang, "handoff_sla_reminder", map[string]any{"CaseID": c.ID, "ETA": s.customerTime(now, c.PromisedBy)})
	switch kind {
	case reminderKeepTime:
		// The time the customer was given (PromisedBy is not set: the
		// promise is the due, the one the brief and the inbox show).
		msgID := "handoff_sla_still_by"
		if hasTrigger(c, escalation.KindSupervisor) {
			msgID = "handoff_sla_still_by_lead"
		}
		text = s.tr.T(c.Lang, msgID, map[string]any{"CaseID": c.ID, "ETA": s.customerTime(now, c.Promise())})
	case reminderStillOn:
		// "at the front of our queue" while nobody has it; "a specialist
		// is working on it" only once one has.
		msgID := "handoff_sla_still_on_it"
		if c.Owner != "" {
			msgID = "handoff_sla_still_on_it_claimed"
		}
		text = s.tr.T(c.Lang, msgID, map[string]any{"CaseID": c.ID})
	}
	key := c.ID + ":reminder:" + strconv.FormatInt(c.ReminderSentAt.UnixMilli(), 10)
	// On a failed push the next sweep tries again (same clock → a fresh key
	// is fine: nothing reached the customer).
	if err := s.pushNotice(ctx, c, NoticeReminder, key, text, func(c *Case) { c.ReminderSentAt, c.PromisedBy = time.Time{}, time.Time{} }); err != nil {
		return false, fmt.Errorf("push reminder: %w", err)
	}
	s.log.Info("sla reminder sent", zap.String("case_id", c.ID), zap.Time("promised_by", c.Promise()))
	return true, nil
}

// pushNotice sends one notice the sweep has already marked on the case and
// records it in the transcript; when the push fails it takes the mark back
// (unmark) so the next sweep tries again.
func (s *Service) pushNotice(ctx context.Context, c *Case, kind NoticeKind, key, text string, unmark func(*Case)) error {
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.pushTimeout)
	defer cancel()
	if err := s.msg.Push(pctx, c.UserID, []Notice{{Text: text, Key: key}}); err != nil {
		if _, uerr := s.update(ctx, c.ID, func(c *Case) error {
			unmark(c)
			return nil
		}); uerr != nil {
			s.log.Warn("sla notice: undo mark", zap.String("case_id", c.ID), zap.String("notice", string(kind)), zap.Error(uerr))
		}
		return err
	}
	s.recordNotice(ctx, c, kind, text)
	return nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// progressEvery: the SOP's daily progress update for cases open longer than
// a day.
const progressEvery = 24 * time.Hour

// sweepProgress tells customers whose case has been open more than a day,
// with no agent message reaching them in the last day, that the team is
// still on it; at most once a day per case, and only while the team works
// (no messages at night for business-hours priorities).
func (s *Service) sweepProgress(ctx context.Context, cases []*Case, now time.Time) (int, error) {
	sent := 0
	for _, c := range cases {
		if !s.progressDue(c, now) {
			continue
		}
		var mine bool
		c, err := s.update(ctx, c.ID, func(c *Case) error {
			mine = s.progressDue(c, now)
			if !mine {
				return errNoChange
			}
			c.ProgressSentAt = now
			return nil
		})
		if err != nil || !mine {
			if err != nil {
				s.log.Warn("progress update", zap.String("case_id", c.ID), zap.Error(err))
			}
			continue
		}
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.pushTimeout)
		text := s.tr.T(c.Lang, "handoff_progress_notice", map[string]any{"CaseID": c.ID})
		err = s.msg.Push(pctx, c.UserID, []Notice{{Text: text, Key: c.ID + ":progress:" + strconv.FormatInt(now.UnixMilli(), 10)}})
		cancel()
		if err != nil {
			s.log.Warn("progress update not delivered", zap.String("case_id", c.ID), zap.Error(err))
			continue // tried again tomorrow; the agent sees the case ageing in the queue
		}
		s.recordNotice(ctx, c, NoticeProgress, text)
		s.log.Info("progress update sent", zap.String("case_id", c.ID))
		sent++
	}
	return sent, nil
}

func (s *Service) progressDue(c *Case, now time.Time) bool {
	if !c.Open() || now.Sub(c.CreatedAt) < progressEvery || now.Sub(c.ProgressSentAt) < progressEvery ||
		!s.policy.OpenFor(c.Priority, now) {
		return false
	}
	for i := len(c.Transcript) - 1; i >= 0; i-- {
		if t := c.Transcript[i]; t.From == FromAgent && t.Status == DeliverySent {
			return now.Sub(t.At) >= progressEvery
		}
	}
	return true
}
