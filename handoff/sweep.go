package handoff

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"
)

// Sweep finds open cases without a first response whose first-response due
// is within the policy's reminder.before (default 10 minutes) or already
// past, and once per case (per first-response clock) pushes the customer a
// courteous "still on it" notice with a new time (max(now, due) +
// reminder.extend of working time), as the SOP asks: tell the customer
// before the deadline passes. It also sends the SOP's daily progress
// update to customers whose case has been open more than a day without an
// agent message in the last day (in working hours). Safe to run every
// minute on every replica. It returns how many notices went out.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	now := s.now()
	limit := strconv.FormatInt(now.Add(s.policy.ReminderBefore).UnixMilli(), 10)
	sent := 0
	for _, tier := range []string{TierL2, TierL3} {
		ids, err := s.rdb.ZRangeByScore(ctx, s.queueKey(tier), &redis.ZRangeBy{Min: "-inf", Max: limit}).Result()
		if err != nil {
			return sent, fmt.Errorf("sweep %s: %w", tier, err)
		}
		for _, id := range ids {
			ok, err := s.remind(ctx, id, now)
			if err != nil {
				s.log.Warn("sla reminder", zap.String("case_id", id), zap.Error(err))
				continue
			}
			if ok {
				sent++
			}
		}
	}
	n, err := s.sweepProgress(ctx, now)
	return sent + n, err
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
	c, err := s.update(ctx, id, func(c *Case) error {
		mine = false
		if !c.Open() || !c.FirstResponseAt.IsZero() || !c.ReminderSentAt.IsZero() ||
			c.FirstResponseDue.After(now.Add(s.policy.ReminderBefore)) {
			return errNoChange
		}
		c.ReminderSentAt = now
		c.PromisedBy = s.policy.Due(maxTime(now, c.FirstResponseDue), s.policy.ReminderExtend, c.Priority)
		mine = true
		return nil
	})
	if err != nil || !mine {
		return false, err
	}
	text := s.tr.T(c.Lang, "handoff_sla_reminder", map[string]any{"CaseID": c.ID, "ETA": s.formatTime(c.PromisedBy)})
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.pushTimeout)
	defer cancel()
	key := c.ID + ":reminder:" + strconv.FormatInt(c.ReminderSentAt.UnixMilli(), 10)
	if err := s.msg.Push(pctx, c.UserID, []Notice{{Text: text, Key: key}}); err != nil {
		// Let the next sweep try again (same clock → a fresh key is fine:
		// nothing reached the customer).
		if _, uerr := s.update(ctx, id, func(c *Case) error {
			c.ReminderSentAt, c.PromisedBy = time.Time{}, time.Time{}
			return nil
		}); uerr != nil {
			s.log.Warn("sla reminder: undo mark", zap.String("case_id", id), zap.Error(uerr))
		}
		return false, fmt.Errorf("push reminder: %w", err)
	}
	s.log.Info("sla reminder sent", zap.String("case_id", c.ID), zap.Time("promised_by", c.PromisedBy))
	s.publish(ctx, EventCaseUpdated, c)
	return true, nil
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
func (s *Service) sweepProgress(ctx context.Context, now time.Time) (int, error) {
	var ids []string
	for _, tier := range []string{TierL2, TierL3} {
		q, err := s.rdb.ZRange(ctx, s.queueKey(tier), 0, -1).Result()
		if err != nil {
			return 0, fmt.Errorf("sweep progress %s: %w", tier, err)
		}
		ids = append(ids, q...)
	}
	cases, err := s.loadMany(ctx, ids)
	if err != nil {
		return 0, fmt.Errorf("sweep progress: %w", err)
	}
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
		err = s.msg.Push(pctx, c.UserID, []Notice{{
			Text: s.tr.T(c.Lang, "handoff_progress_notice", map[string]any{"CaseID": c.ID}),
			Key:  c.ID + ":progress:" + strconv.FormatInt(now.UnixMilli(), 10),
		}})
		cancel()
		if err != nil {
			s.log.Warn("progress update not delivered", zap.String("case_id", c.ID), zap.Error(err))
			continue // tried again tomorrow; the agent sees the case ageing in the queue
		}
		s.log.Info("progress update sent", zap.String("case_id", c.ID))
		s.publish(ctx, EventCaseUpdated, c)
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
