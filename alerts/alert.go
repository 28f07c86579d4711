package alerts

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/warmline/warmline/handoff"
)

// Kind is what an alert is about.
type Kind string

// Alert kinds (the names a webhook's kinds list uses).
const (
	KindNotify     Kind = "notify"      // the case's triggers name parties to inform (lead, legal, PR)
	KindP1         Kind = "p1"          // a P1 case is open (opened, or raised to P1)
	KindSLAWarning Kind = "sla_warning" // reminder.share of the current SLA clock has passed
	KindSLABreach  Kind = "sla_breach"  // the current SLA deadline has passed
)

// Kinds lists every alert kind.
var Kinds = []Kind{KindNotify, KindP1, KindSLAWarning, KindSLABreach}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// Clock names which SLA deadline an SLA alert is about.
type Clock string

// SLA clocks.
const (
	ClockFirstResponse Clock = "first_response"
	ClockResolution    Clock = "resolution"
)

// Alert is one alert as queued and delivered: a snapshot of the case when
// it fired. It carries no personal data.
type Alert struct {
	// ID is the same for every replica that finds the alert: the kind, the
	// case and what makes it distinct (the deadline; the parties). It is the
	// X-Warmline-Alert-Id header, for receivers that deduplicate.
	ID       string    `json:"id"`
	Kind     Kind      `json:"kind"`
	CaseID   string    `json:"case_id"`
	Priority string    `json:"priority"`
	Tier     string    `json:"tier"`
	Category string    `json:"category,omitempty"`
	Parties  []string  `json:"parties,omitempty"` // notify: lead, legal, pr
	Clock    Clock     `json:"clock,omitempty"`   // SLA kinds: which deadline
	Deadline time.Time `json:"deadline,omitzero"` // SLA kinds: that deadline; others: the case's next due
	At       time.Time `json:"at"`                // when it fired
}

// slaStart is when c's SLA clocks started: the handoff, or the escalation
// to L3 (handoff restarts the first-response clock then).
func slaStart(c *handoff.Case) time.Time {
	if !c.EscalatedAt.IsZero() {
		return c.EscalatedAt
	}
	return c.CreatedAt
}

// dueAlerts returns the alerts open case c is due at now. Firing them is
// idempotent (fire), so this may be asked about the same case any number of
// times, on any replica.
func dueAlerts(cases *handoff.Service, c *handoff.Case, now time.Time) []Alert {
	if !c.Open() {
		return nil
	}
	base := Alert{CaseID: c.ID, Priority: c.Priority, Tier: c.Tier, Category: c.Category, Deadline: c.NextDue(), At: now}
	var out []Alert
	if len(c.Notify) > 0 {
		a := base
		a.Kind = KindNotify
		a.Parties = slices.Clone(c.Notify)
		slices.Sort(a.Parties)
		a.ID = fmt.Sprintf("%s:%s:%s", a.Kind, c.ID, strings.Join(a.Parties, ","))
		out = append(out, a)
	}
	if c.Priority == "P1" {
		a := base
		a.Kind = KindP1
		a.ID = fmt.Sprintf("%s:%s", a.Kind, c.ID)
		out = append(out, a)
	}
	clock, deadline, warnAt := slaClock(cases, c)
	var kind Kind
	switch {
	case deadline.IsZero():
	case !now.Before(deadline):
		kind = KindSLABreach
	case !now.Before(warnAt):
		kind = KindSLAWarning
	}
	if kind != "" {
		a := base
		a.Kind, a.Clock, a.Deadline = kind, clock, deadline
		a.ID = fmt.Sprintf("%s:%s:%s:%s", kind, c.ID, clock, strconv.FormatInt(deadline.UnixMilli(), 10))
		out = append(out, a)
	}
	return out
}

// slaClock is the SLA clock c runs on now: first response until an agent
// replied, then resolution; with its deadline and when its warning is due
// (the policy's reminder.share of the clock's target, in the priority's
// working time). The first-response warning is handoff's NoticeAt, the
// moment the customer is told too.
func slaClock(cases *handoff.Service, c *handoff.Case) (Clock, time.Time, time.Time) {
	if c.FirstResponseAt.IsZero() {
		return ClockFirstResponse, c.FirstResponseDue, cases.NoticeAt(c)
	}
	p := cases.Policy()
	start := slaStart(c)
	target := p.WorkingTime(start, c.ResolutionDue, c.Priority)
	return ClockResolution, c.ResolutionDue, p.Due(start, time.Duration(float64(target)*p.ReminderShare), c.Priority)
}
