package handoff

import (
	"cmp"
	"slices"
	"time"
)

// tieWindow is how close two SLA due times must be for the agent's working
// languages to decide which case comes first.
const tieWindow = 15 * time.Minute

// sortQueue orders open cases by the SLA clock: breached and at-risk cases
// (due within tieWindow of now, or past due) strictly by due time, then the
// others by due time in tieWindow-wide slots, where a case in one of the
// agent's languages goes before one the agent does not read. A language
// never puts a case above one due more than tieWindow earlier.
func sortQueue(cases []*Case, a Agent, now time.Time) {
	urgent := func(c *Case) int {
		if c.NextDue().Sub(now) <= tieWindow {
			return 0
		}
		return 1
	}
	slot := func(c *Case) time.Time {
		if urgent(c) == 0 {
			return c.NextDue()
		}
		return c.NextDue().Truncate(tieWindow)
	}
	readable := func(c *Case) int {
		if urgent(c) == 0 || a.Reads(c.Lang) {
			return 0
		}
		return 1
	}
	slices.SortStableFunc(cases, func(x, y *Case) int {
		return cmp.Or(cmp.Compare(urgent(x), urgent(y)), slot(x).Compare(slot(y)),
			cmp.Compare(readable(x), readable(y)), x.NextDue().Compare(y.NextDue()), cmp.Compare(x.ID, y.ID))
	})
}
