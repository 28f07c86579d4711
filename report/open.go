package report

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/locales"
)

// OpenCases lists the cases open now (queued or claimed), which the ledger
// does not hold yet: a case is written to the ledger when it closes, so an
// open case is in no figure of the dashboard until then. warmline's is
// the handoff service (ServiceOpenCases).
type OpenCases interface {
	OpenCases(ctx context.Context) ([]OpenCase, error)
}

// OpenCase is one open case as the dashboard counts it.
type OpenCase struct {
	Tier     string    `json:"tier"`
	Priority string    `json:"priority"`
	Lang     string    `json:"lang"`
	Topic    string    `json:"topic"`
	Created  time.Time `json:"created"`
	// Overdue: its first-response or resolution due time has passed.
	Overdue bool `json:"overdue"`
}

// ServiceOpenCases is the open cases of the handoff service, read as a
// lead sees the queue.
func ServiceOpenCases(svc *handoff.Service) OpenCases { return serviceOpen{svc} }

type serviceOpen struct{ svc *handoff.Service }

func (s serviceOpen) OpenCases(ctx context.Context) ([]OpenCase, error) {
	cs, err := s.svc.List(ctx, handoff.Agent{ID: "dashboard", Role: handoff.RoleLead}, handoff.Filter{})
	if err != nil {
		return nil, fmt.Errorf("open cases: %w", err)
	}
	out := make([]OpenCase, 0, len(cs))
	for _, c := range cs {
		if !c.Open() {
			continue
		}
		out = append(out, OpenCase{Tier: c.Tier, Priority: c.Priority, Lang: c.Lang, Topic: c.Topic, Created: c.CreatedAt,
			Overdue: s.svc.Overdue(c)})
	}
	return out, nil
}

// OpenCount is how many open cases, and of them how many are past a due time.
type OpenCount struct {
	Open    int `json:"open"`
	Overdue int `json:"overdue"`
}

// OpenFigures are the open cases the period's figures do not count yet.
type OpenFigures struct {
	// Now is whether the period is going on: then ByTier counts every open
	// case matching the filter (its conversation is counted in the tier
	// shares, FCR and escalation when the case closes, in this period if
	// it closes before the period ends).
	Now    bool           `json:"now"`
	ByTier map[string]int `json:"by_tier"`
	Tiers  int            `json:"tiers"` // the sum of ByTier
	// TiersOverdue of them are past a due time.
	TiersOverdue int `json:"tiers_overdue"`
	// ByPriority counts the open cases opened in the period (cases count
	// in the period they were opened in): not in its times, SLA or CSAT yet.
	ByPriority map[string]OpenCount `json:"by_priority"`
	Cases      OpenCount            `json:"cases"` // the sum of ByPriority
}

// openFigures sorts the open cases into what the report rep of the period
// does not count yet.
func openFigures(cs []OpenCase, rep Report, now time.Time) *OpenFigures {
	of := &OpenFigures{Now: now.Before(rep.Period.To), ByTier: map[string]int{}, ByPriority: map[string]OpenCount{}}
	for _, c := range cs {
		tier := c.Tier
		if tier == "" {
			tier = handoff.TierL2
		}
		if !rep.Filter.match(tier, c.Priority, c.Lang, c.Topic) {
			continue
		}
		if of.Now {
			of.ByTier[tier]++
			of.Tiers++
			if c.Overdue {
				of.TiersOverdue++
			}
		}
		if !c.Created.Before(rep.Period.From) && c.Created.Before(rep.Period.To) {
			n := of.ByPriority[c.Priority]
			n.Open++
			of.Cases.Open++
			if c.Overdue {
				n.Overdue++
				of.Cases.Overdue++
			}
			of.ByPriority[c.Priority] = n
		}
	}
	return of
}

// SLATarget is the SLA times of one priority, from the policy the cases
// were opened under: what the SLA figure of that priority measures.
type SLATarget struct {
	Priority      string        `json:"priority"`
	FirstResponse time.Duration `json:"first_response_ns"`
	Resolution    time.Duration `json:"resolution_ns"`
	// BusinessHours: the times run in business hours only (the priority is
	// not always open); WorkDay is the length of a business day.
	BusinessHours bool          `json:"business_hours"`
	WorkDay       time.Duration `json:"work_day_ns"`
}

// slaTargets are the policy's SLA times by priority.
func slaTargets(p *handoff.Policy) map[string]SLATarget {
	out := map[string]SLATarget{}
	for _, pr := range Priorities {
		s, ok := p.SLA[pr]
		if !ok {
			continue
		}
		out[pr] = SLATarget{Priority: pr, FirstResponse: s.FirstResponse, Resolution: s.Resolution,
			BusinessHours: !p.RoundTheClock(pr), WorkDay: p.Close - p.Open}
	}
	return out
}

// slaDuration is one SLA time in words: "15 分鐘", "2 hours", "1 個工作天"
// (a whole number of business days where the time runs in business hours).
func slaDuration(tr *locales.Translator, lang string, d time.Duration, t SLATarget) string {
	switch {
	case t.BusinessHours && t.WorkDay > 0 && d >= t.WorkDay && d%t.WorkDay == 0:
		return tr.N(lang, "inbox_dashboard_working_days", int(d/t.WorkDay), nil)
	case d%time.Hour == 0:
		return tr.N(lang, "inbox_dashboard_hours", int(d/time.Hour), nil)
	}
	return tr.N(lang, "inbox_dashboard_minutes_n", int(d.Round(time.Minute)/time.Minute), nil)
}

// slaTargetText is what one priority's SLA figure measures: "首次回覆 ≤ 15
// 分鐘、解決 ≤ 2 小時", with "(business hours)" where the times run in
// business hours; "" for a priority the policy does not name.
func slaTargetText(tr *locales.Translator, lang string, t SLATarget) string {
	if t.Priority == "" {
		return ""
	}
	s := tr.T(lang, "inbox_dashboard_sla_target", map[string]any{
		"First": slaDuration(tr, lang, t.FirstResponse, t), "Resolve": slaDuration(tr, lang, t.Resolution, t)})
	if t.BusinessHours {
		s += tr.T(lang, "inbox_dashboard_sla_business_hours", nil)
	}
	return s
}

// slaDefinition is what the SLA figure of every priority measures: the
// share of cases that met both times of their priority, with the times.
func slaDefinition(tr *locales.Translator, lang string, ts map[string]SLATarget) string {
	var parts []string
	for _, pr := range Priorities {
		if t, ok := ts[pr]; ok {
			parts = append(parts, pr+" "+slaTargetText(tr, lang, t))
		}
	}
	return tr.T(lang, "inbox_dashboard_sla_definition", map[string]any{"Targets": strings.Join(parts, tr.T(lang, "inbox_dashboard_list_sep", nil))})
}
