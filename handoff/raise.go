package handoff

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/warmline/warmline/handoff/escalation"
)

// Raise adds new triggers to an open case (ones it already has are
// skipped), raising its tier, priority and SLA due times when they are more
// urgent; due times never move later. A case raised to an always_open
// priority is worked now: TeamOpen is set and TeamBackAt cleared. ErrClosed when the case is closed,
// ErrNoCase when there is none.
func (s *Service) Raise(ctx context.Context, caseID string, triggers []escalation.Trigger) (*Case, error) {
	added := false
	c, err := s.update(ctx, caseID, func(c *Case) error {
		if !c.Open() {
			return ErrClosed
		}
		if added = addTriggers(c, triggers); !added {
			return errNoChange
		}
		s.reroute(c)
		if !c.TeamOpen && s.policy.RoundTheClock(c.Priority) {
			// Raised to a round-the-clock priority (a legal threat after
			// hours): the case is worked now, so neither the customer
			// nor the brief hears that the team is offline until morning.
			c.TeamOpen, c.TeamBackAt = true, time.Time{}
		}
		if s.policy.RoundTheClock(c.Priority) {
			c.TeamClosesAt = time.Time{} // worked round the clock: no closing time to explain
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("raise case %s: %w", caseID, err)
	}
	if !added {
		return c, nil
	}
	s.log.Info("case raised", zap.String("case_id", c.ID), zap.String("tier", c.Tier),
		zap.String("priority", c.Priority), zap.Strings("triggers", triggerKinds(triggers)))
	s.publish(ctx, EventCaseUpdated, c)
	return c, nil
}
