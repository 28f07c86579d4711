package handoff

import (
	"cmp"
	"slices"
	"time"
)

// riskFloor is the latest a running SLA clock starts counting as at risk:
// this long before its deadline, however long the target.
const riskFloor = 15 * time.Minute

// RiskAt is when c's running SLA clock (first response, then resolution)
// counts as at risk of breaching: once the policy's reminder share of its
// target has gone by (the point the customer gets the pre-breach notice,
// 80% by default), and never later than riskFloor before the deadline. A
// P1's 15-minute target is at risk from the start.
func (s *Service) RiskAt(c *Case) time.Time {
	due, start := c.NextDue(), clockStart(c)
	target := s.policy.WorkingTime(start, due, c.Priority)
	at := s.policy.Due(start, time.Duration(float64(target)*s.policy.ReminderShare), c.Priority)
	if floor := due.Add(-riskFloor); floor.Before(at) {
		at = floor
	}
	return at
}

// AtRisk says whether c's running SLA clock is at risk of breaching (or
// breached) now: RiskAt has passed. A closed case is never at risk.
func (s *Service) AtRisk(c *Case) bool {
	return c.Open() && !s.now().Before(s.RiskAt(c))
}

// Overdue: the case is open and its running clock's deadline has passed
// (the time the customer was promised before the first reply, the
// resolution due after it).
func (s *Service) Overdue(c *Case) bool {
	due := c.ResolutionDue
	if c.FirstResponseAt.IsZero() {
		due = c.Promise()
		if c.LateNotices > 0 {
			// The customer was told a new time after a missed one: the
			// case stays overdue for the team and the lead all the same.
			due = c.FirstResponseDue
		}
	}
	return c.Open() && !due.IsZero() && !s.now().Before(due)
}

// sortQueue orders open cases for agent a: first the cases at risk of
// breaching or breached (riskAt has passed), strictly by due time whatever
// their language, so a case nobody on shift reads still surfaces before
// its deadline; then the cases a reads, by due time; then the others, by
// due time. An agent who declared no languages reads every case.
func sortQueue(cases []*Case, a Agent, now time.Time, riskAt func(*Case) time.Time) {
	type key struct{ risk, unreadable int }
	keys := make(map[*Case]key, len(cases))
	for _, c := range cases {
		var k key
		switch {
		case !now.Before(riskAt(c)):
		case a.Reads(c.Lang):
			k.risk = 1
		default:
			k.risk, k.unreadable = 1, 1
		}
		keys[c] = k
	}
	slices.SortStableFunc(cases, func(x, y *Case) int {
		kx, ky := keys[x], keys[y]
		return cmp.Or(cmp.Compare(kx.risk, ky.risk), cmp.Compare(kx.unreadable, ky.unreadable),
			x.NextDue().Compare(y.NextDue()), cmp.Compare(x.ID, y.ID))
	})
}
