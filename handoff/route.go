package handoff

import (
	"cmp"
	"slices"
	"time"

	"github.com/warmline/warmline/handoff/escalation"
)

func priorityRank(p string) int {
	if i := slices.Index(Priorities, p); i >= 0 {
		return i
	}
	return len(Priorities)
}

// routeOf folds triggers into the case's tier, priority and the shortest
// first-response override: the most urgent priority wins, L3 over L2.
func (s *Service) routeOf(triggers []escalation.Trigger) (tier, priority string, override time.Duration) {
	tier, priority = TierL2, ""
	for _, t := range triggers {
		if t.Route.Tier == TierL3 {
			tier = TierL3
		}
		if p := t.Route.Priority; slices.Contains(Priorities, p) && (priority == "" || priorityRank(p) < priorityRank(priority)) {
			priority = p
		}
		if fr := t.Route.FirstResponse; fr > 0 && (override == 0 || fr < override) {
			override = fr
		}
	}
	if priority == "" {
		priority = s.policy.DefaultPriority
	}
	return tier, priority, override
}

// setDue recomputes the SLA due times of c from start (when its clocks
// started). A due time that would already be past (a priority raised or a
// supervisor asked for hours after the case opened) counts from now
// instead: a customer is never promised a time that has gone by.
func (s *Service) setDue(c *Case, start time.Time, override time.Duration) {
	now := s.now()
	fresh := func(due func(time.Time) time.Time) time.Time {
		d := due(start)
		if d.Before(now) {
			d = due(now)
		}
		return d
	}
	c.FirstResponseDue = fresh(func(t time.Time) time.Time { return s.policy.FirstResponseDue(t, c.Priority) })
	if override > 0 {
		if d := fresh(func(t time.Time) time.Time { return s.policy.Due(t, override, c.Priority) }); d.Before(c.FirstResponseDue) {
			c.FirstResponseDue = d
		}
	}
	c.ResolutionDue = fresh(func(t time.Time) time.Time { return s.policy.ResolutionDue(t, c.Priority) })
}

func (s *Service) overrideOf(c *Case) time.Duration {
	_, _, o := s.routeOf(c.Triggers)
	return o
}

// clockStart is when the case's SLA clocks started: the handoff, or the
// escalation to L3.
func clockStart(c *Case) time.Time {
	if !c.EscalatedAt.IsZero() {
		return c.EscalatedAt
	}
	return c.CreatedAt
}

// setFlags derives Notify and Investigate from the triggers' routes.
func setFlags(c *Case) {
	for _, t := range c.Triggers {
		for _, n := range t.Route.Notify {
			if !slices.Contains(c.Notify, n) {
				c.Notify = append(c.Notify, n)
			}
		}
		c.Investigate = c.Investigate || t.Route.Investigate
	}
}

// addTriggers appends the triggers of a kind c does not have yet (a
// customer asking for a person again during a case is not a second reason
// to escalate: the message is in the transcript) and reports whether it
// added any. A security report leads (securityFirst).
func addTriggers(c *Case, triggers []escalation.Trigger) bool {
	added := false
	for _, t := range triggers {
		if !slices.ContainsFunc(c.Triggers, func(x escalation.Trigger) bool { return x.Kind == t.Kind }) {
			c.Triggers = append(c.Triggers, t)
			added = true
		}
	}
	securityFirst(c.Triggers)
	return added
}

// reroute re-derives the flags of c from its triggers and raises its tier and
// priority when a trigger is more urgent, recomputing the due times without
// ever moving a promise later than it already was.
func (s *Service) reroute(c *Case) {
	setFlags(c)
	tier, priority, _ := s.routeOf(c.Triggers)
	if tier == TierL3 && c.Tier != TierL3 {
		c.Tier = TierL3
	}
	if priorityRank(priority) < priorityRank(c.Priority) {
		c.Priority = priority
	}
	old := *c
	s.setDue(c, clockStart(c), s.overrideOf(c))
	fresh := c.FirstResponseDue
	if old.FirstResponseDue.Before(c.FirstResponseDue) {
		c.FirstResponseDue = old.FirstResponseDue
	}
	if old.ResolutionDue.Before(c.ResolutionDue) {
		c.ResolutionDue = old.ResolutionDue
	}
	switch {
	case c.FirstResponseDue.Before(old.FirstResponseDue):
		// A sooner target: it is the promise now (the bot acknowledges it
		// with this time), and its own pre-breach notice may go out.
		c.PromisedBy, c.ReminderSentAt, c.LateSentAt, c.LateNotices = time.Time{}, time.Time{}, time.Time{}, 0
	case c.FirstResponseAt.IsZero() && c.FirstResponseDue.Before(s.now()) && fresh.After(s.now()) &&
		(c.PromisedBy.IsZero() || fresh.Before(c.PromisedBy) || c.PromisedBy.Before(s.now())):
		// Already overdue: the SLA keeps its breached due, and the customer
		// gets the new trigger's time (not one that has gone by).
		c.PromisedBy = fresh
	}
}

// UpdateBy is the time an agent can promise the customer their next update
// by at now: canned_promise of the case's clock from now, or the
// resolution due when that is sooner and still ahead.
func (s *Service) UpdateBy(c *Case, now time.Time) time.Time {
	by := s.policy.Due(now, s.policy.CannedPromise, c.Priority)
	if c.ResolutionDue.After(now) && c.ResolutionDue.Before(by) {
		by = c.ResolutionDue
	}
	return by
}

// securityFirst moves security reports (account takeover, fraud, safety:
// P1) to the front of triggers, the rest in their order: the first trigger
// is the case's reason in the ledger, the alerts and the brief, and a
// takeover said with a press mention is a security case that also goes to
// L3, not a media case.
func securityFirst(triggers []escalation.Trigger) {
	slices.SortStableFunc(triggers, func(a, b escalation.Trigger) int {
		return cmp.Compare(securityRank(a), securityRank(b))
	})
}

func securityRank(t escalation.Trigger) int {
	if t.Kind == escalation.KindSecurity {
		return 0
	}
	return 1
}
