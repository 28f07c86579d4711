package report

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"
)

// Period kinds the dashboard offers.
const (
	ThisWeek  = "this_week"
	LastWeek  = "last_week"
	ThisMonth = "this_month"
	LastMonth = "last_month"
	Custom    = "custom" // From and To dates, both days included
)

// PeriodKinds are the choices of the period picker, in order.
var PeriodKinds = []string{ThisWeek, LastWeek, ThisMonth, LastMonth, Custom}

const dateLayout = "2006-01-02"

// Selection is what a dashboard request asks for: the period (by kind, and
// the dates it covers) and the filters.
type Selection struct {
	Kind   string `json:"kind"`
	Period Period `json:"period"`
	// FromDate and ToDate are the first and last day, both included.
	FromDate string `json:"from_date"`
	ToDate   string `json:"to_date"`
	Filter   Filter `json:"filter"`
}

// ErrBadQuery is a dashboard query that names no valid period or filter.
var ErrBadQuery = errors.New("bad report query")

// ParseQuery reads a selection from ?period=&from=&to=&tier=&priority=&lang=&topic=
// with weeks starting on Monday and days in loc; no period is this week.
func ParseQuery(q url.Values, now time.Time, loc *time.Location) (Selection, error) {
	now = now.In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
	s := Selection{Kind: q.Get("period"), Filter: Filter{Tier: q.Get("tier"), Priority: q.Get("priority"),
		Lang: q.Get("lang"), Topic: q.Get("topic")}}
	if s.Kind == "" {
		s.Kind = ThisWeek
	}
	var from, to time.Time
	switch s.Kind {
	case ThisWeek:
		from, to = monday, monday.AddDate(0, 0, 7)
	case LastWeek:
		from, to = monday.AddDate(0, 0, -7), monday
	case ThisMonth:
		from, to = first, first.AddDate(0, 1, 0)
	case LastMonth:
		from, to = first.AddDate(0, -1, 0), first
	case Custom:
		var err1, err2 error
		from, err1 = time.ParseInLocation(dateLayout, q.Get("from"), loc)
		to, err2 = time.ParseInLocation(dateLayout, q.Get("to"), loc)
		if err := errors.Join(err1, err2); err != nil {
			return Selection{}, fmt.Errorf("%w: custom period: %w", ErrBadQuery, err)
		}
		to = to.AddDate(0, 0, 1)
		if !from.Before(to) {
			return Selection{}, fmt.Errorf("%w: custom period ends before it starts", ErrBadQuery)
		}
	default:
		return Selection{}, fmt.Errorf("%w: period %q", ErrBadQuery, s.Kind)
	}
	if f := s.Filter; (f.Tier != "" && !slices.Contains(Tiers, f.Tier)) || (f.Priority != "" && !slices.Contains(Priorities, f.Priority)) {
		return Selection{}, fmt.Errorf("%w: tier %q, priority %q", ErrBadQuery, f.Tier, f.Priority)
	}
	s.Period = Period{From: from.UTC(), To: to.UTC()}
	s.FromDate, s.ToDate = from.Format(dateLayout), to.AddDate(0, 0, -1).Format(dateLayout)
	return s, nil
}

// Monthly reports whether the selection is a calendar month (the monthly
// quality report) rather than a week or a custom span.
func (s Selection) Monthly() bool { return s.Kind == ThisMonth || s.Kind == LastMonth }

// Query is the selection as URL query parameters (for links: CSV, print).
func (s Selection) Query() url.Values {
	q := url.Values{"period": {s.Kind}}
	if s.Kind == Custom {
		q.Set("from", s.FromDate)
		q.Set("to", s.ToDate)
	}
	for k, v := range map[string]string{"tier": s.Filter.Tier, "priority": s.Filter.Priority, "lang": s.Filter.Lang, "topic": s.Filter.Topic} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}
