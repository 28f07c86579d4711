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
// before the deadline passes. Safe to run every minute on every replica.
// It returns how many customers were told.
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
	return sent, nil
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
