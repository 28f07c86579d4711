package handoff

import (
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

//go:embed policy.yaml
var defaultPolicy []byte

// Priorities, most urgent first.
var Priorities = []string{"P1", "P2", "P3", "P4"}

// Tiers.
const (
	TierL2 = "L2"
	TierL3 = "L3"
)

// SLA is the first-response and resolution target of one priority.
type SLA struct {
	FirstResponse time.Duration
	Resolution    time.Duration
}

// Policy is a loaded, validated SLA policy: targets per priority, business
// hours, holidays and the priorities that run around the clock. It is
// immutable and safe for concurrent use.
type Policy struct {
	Location    *time.Location
	Days        map[time.Weekday]bool
	Open, Close time.Duration // offsets from local midnight
	AlwaysOpen  map[string]bool
	// OnCall is the first-response target the on-call rota keeps outside
	// business hours, per priority. An always_open priority runs around
	// the clock only with one (RoundTheClock); without an on-call rota
	// nobody answers after hours, so its clocks count business time and
	// the customer is promised the honest next-business-hours time.
	OnCall          map[string]time.Duration
	DefaultPriority string
	SLA             map[string]SLA
	// ReminderShare is the share of a case's first-response target after
	// which the pre-breach notice goes out (default 0.8); ReminderExtend is
	// how much working time the new promise adds to the due time.
	ReminderShare  float64
	ReminderExtend time.Duration
	// KeepPromise lists the priorities whose promise never moves: their
	// customers get an honest "still on it" with no new time.
	KeepPromise map[string]bool
	// CannedPromise is the longest the inbox's reply templates promise the
	// next update in ("I'll get back to you by …"; default 2h of the case's
	// clock); the resolution due when that is sooner.
	CannedPromise time.Duration
	holidays      map[string]bool // "2006-01-02" in Location
}

type policyFile struct {
	Timezone      string `yaml:"timezone"`
	BusinessHours struct {
		Days  []string `yaml:"days"`
		Open  string   `yaml:"open"`
		Close string   `yaml:"close"`
	} `yaml:"business_hours"`
	AlwaysOpen      []string          `yaml:"always_open"`
	OnCall          map[string]string `yaml:"on_call"`
	DefaultPriority string            `yaml:"default_priority"`
	SLA             map[string]struct {
		FirstResponse string `yaml:"first_response"`
		Resolution    string `yaml:"resolution"`
	} `yaml:"sla"`
	Reminder struct {
		Share       string   `yaml:"share"`
		Before      string   `yaml:"before"` // replaced by share; refused with a hint
		Extend      string   `yaml:"extend"`
		KeepPromise []string `yaml:"keep_promise"`
	} `yaml:"reminder"`
	CannedPromise string   `yaml:"canned_promise"`
	Holidays      []string `yaml:"holidays"`
}

// DefaultPolicy returns the embedded policy (policy.yaml, values from the SOP).
func DefaultPolicy() *Policy {
	p, err := parsePolicy(defaultPolicy, "policy.yaml")
	if err != nil {
		panic(fmt.Sprintf("embedded policy.yaml: %v", err)) // a build defect, caught by tests
	}
	return p
}

// LoadPolicy reads and validates a policy file (YAML, the shape of the
// embedded policy.yaml). Errors name the field at fault.
func LoadPolicy(fsys fs.FS, name string) (*Policy, error) {
	buf, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("read policy: %w", err)
	}
	return parsePolicy(buf, name)
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

func parsePolicy(buf []byte, name string) (*Policy, error) {
	var f policyFile
	dec := yaml.NewDecoder(strings.NewReader(string(buf)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("parse policy %s: %w", name, err)
	}
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	p := &Policy{Days: map[time.Weekday]bool{}, AlwaysOpen: map[string]bool{}, OnCall: map[string]time.Duration{}, SLA: map[string]SLA{},
		KeepPromise: map[string]bool{}, holidays: map[string]bool{}}
	if f.Timezone == "" {
		f.Timezone = "Asia/Taipei"
	}
	loc, err := time.LoadLocation(f.Timezone)
	if err != nil {
		bad("timezone", "%v", err)
		loc = time.UTC
	}
	p.Location = loc
	if len(f.BusinessHours.Days) == 0 {
		bad("business_hours.days", "at least one day is required")
	}
	for _, d := range f.BusinessHours.Days {
		wd, ok := weekdays[strings.ToLower(strings.TrimSpace(d))]
		if !ok {
			bad("business_hours.days", "unknown day %q (use mon, tue, …)", d)
			continue
		}
		p.Days[wd] = true
	}
	var ok1, ok2 bool
	p.Open, ok1 = clockOffset(f.BusinessHours.Open)
	p.Close, ok2 = clockOffset(f.BusinessHours.Close)
	if !ok1 {
		bad("business_hours.open", "%q is not HH:MM", f.BusinessHours.Open)
	}
	if !ok2 {
		bad("business_hours.close", "%q is not HH:MM", f.BusinessHours.Close)
	}
	if ok1 && ok2 && p.Close <= p.Open {
		bad("business_hours", "close %s must be after open %s", f.BusinessHours.Open, f.BusinessHours.Close)
	}
	day := p.Close - p.Open
	for _, pr := range f.AlwaysOpen {
		if !slices.Contains(Priorities, pr) {
			bad("always_open", "unknown priority %q", pr)
		}
		p.AlwaysOpen[pr] = true
	}
	for pr, v := range f.OnCall {
		if !slices.Contains(Priorities, pr) {
			bad("on_call", "unknown priority %q", pr)
			continue
		}
		if !p.AlwaysOpen[pr] {
			bad("on_call."+pr, "%s is not in always_open: an on-call rota answers only the priorities that run around the clock", pr)
		}
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil || d <= 0 {
			bad("on_call."+pr, "%q is not a positive duration (e.g. 15m, 30m)", v)
			continue
		}
		p.OnCall[pr] = d
	}
	p.DefaultPriority = f.DefaultPriority
	if p.DefaultPriority == "" {
		p.DefaultPriority = "P3"
	}
	if !slices.Contains(Priorities, p.DefaultPriority) {
		bad("default_priority", "unknown priority %q", f.DefaultPriority)
	}
	for _, pr := range Priorities {
		s, ok := f.SLA[pr]
		if !ok {
			bad("sla."+pr, "missing")
			continue
		}
		fr, err := parseSLADuration(s.FirstResponse, day)
		if err != nil {
			bad("sla."+pr+".first_response", "%v", err)
		}
		res, err := parseSLADuration(s.Resolution, day)
		if err != nil {
			bad("sla."+pr+".resolution", "%v", err)
		}
		p.SLA[pr] = SLA{FirstResponse: fr, Resolution: res}
	}
	for pr := range f.SLA {
		if !slices.Contains(Priorities, pr) {
			bad("sla", "unknown priority %q", pr)
		}
	}
	p.ReminderShare, p.ReminderExtend = 0.8, time.Hour
	if f.Reminder.Before != "" {
		bad("reminder.before", "replaced by reminder.share (the share of the first-response target, e.g. 80%%, after which the customer is told)")
	}
	if f.Reminder.Share != "" {
		v, err := parseShare(f.Reminder.Share)
		if err != nil {
			bad("reminder.share", "%v", err)
		}
		p.ReminderShare = v
	}
	if f.Reminder.Extend != "" {
		if p.ReminderExtend, err = parseSLADuration(f.Reminder.Extend, day); err != nil {
			bad("reminder.extend", "%v", err)
		}
	}
	p.CannedPromise = 2 * time.Hour
	if f.CannedPromise != "" {
		if p.CannedPromise, err = parseSLADuration(f.CannedPromise, day); err != nil {
			bad("canned_promise", "%v", err)
		}
	}
	for _, pr := range f.Reminder.KeepPromise {
		if !slices.Contains(Priorities, pr) {
			bad("reminder.keep_promise", "unknown priority %q", pr)
		}
		p.KeepPromise[pr] = true
	}
	// A higher priority must never get a later deadline than a lower one.
	// Between priorities on the same clock that is a matter of the
	// durations; across clocks (always_open vs business time) the due
	// computation takes the earlier of the two (see monotonic).
	for i, hi := range Priorities {
		for _, lo := range Priorities[i+1:] {
			if p.RoundTheClock(hi) != p.RoundTheClock(lo) {
				continue
			}
			a, b := p.SLA[hi], p.SLA[lo]
			if a.FirstResponse > b.FirstResponse && b.FirstResponse > 0 {
				bad("sla."+hi+".first_response", "%s is longer than %s's %s: a higher priority would be answered later", a.FirstResponse, lo, b.FirstResponse)
			}
			if a.Resolution > b.Resolution && b.Resolution > 0 {
				bad("sla."+hi+".resolution", "%s of %s is longer than %s's %s: a higher priority would be resolved later (count it in working days, e.g. 1wd, or list %s in always_open with an on_call target)",
					a.Resolution, clockName(p.RoundTheClock(hi)), lo, b.Resolution, hi)
			}
		}
	}
	for i, h := range f.Holidays {
		d, err := time.ParseInLocation(time.DateOnly, h, loc)
		if err != nil {
			bad(fmt.Sprintf("holidays[%d]", i), "%q is not YYYY-MM-DD", h)
			continue
		}
		p.holidays[d.Format(time.DateOnly)] = true
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("policy %s: %w", name, errors.Join(errs...))
	}
	return p, nil
}

func clockName(always bool) string {
	if always {
		return "wall-clock time"
	}
	return "business time"
}

// parseShare reads "80%" or "0.8" as a share in (0, 1].
func parseShare(s string) (float64, error) {
	s = strings.TrimSpace(s)
	pct, isPct := strings.CutSuffix(s, "%")
	v, err := strconv.ParseFloat(strings.TrimSpace(pct), 64)
	if isPct {
		v /= 100
	}
	if err != nil || v <= 0 || v > 1 {
		return 0, fmt.Errorf("%q is not a share between 0 and 100%% (e.g. 80%%)", s)
	}
	return v, nil
}

func clockOffset(s string) (time.Duration, bool) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		if s == "24:00" {
			return 24 * time.Hour, true
		}
		return 0, false
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, true
}

func parseSLADuration(s string, workday time.Duration) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, ok := strings.CutSuffix(s, "wd"); ok {
		v, err := strconv.ParseFloat(n, 64)
		if err != nil || v <= 0 {
			return 0, fmt.Errorf("%q is not a positive number of working days", s)
		}
		return time.Duration(v * float64(workday)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a positive duration (e.g. 15m, 4h, 1wd)", s)
	}
	return d, nil
}

// Holiday reports whether t's local date is a listed holiday.
func (p *Policy) Holiday(t time.Time) bool {
	return p.holidays[t.In(p.Location).Format(time.DateOnly)]
}

func (p *Policy) businessDay(t time.Time) bool {
	t = t.In(p.Location)
	return p.Days[t.Weekday()] && !p.Holiday(t)
}

func (p *Policy) midnight(t time.Time) time.Time {
	t = t.In(p.Location)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, p.Location)
}

// TeamOpen reports whether the team works at t (business day and hours).
func (p *Policy) TeamOpen(t time.Time) bool {
	if !p.businessDay(t) {
		return false
	}
	off := t.Sub(p.midnight(t))
	return off >= p.Open && off < p.Close
}

// ClosesAt is when the team stops working on t's day when it works at t
// (today's closing time), else the zero time.
func (p *Policy) ClosesAt(t time.Time) time.Time {
	if !p.TeamOpen(t) {
		return time.Time{}
	}
	return p.midnight(t).Add(p.Close)
}

// NextOpen returns t when the team works at t, else the next moment it opens.
func (p *Policy) NextOpen(t time.Time) time.Time {
	day := p.midnight(t)
	for i := 0; i < 800; i++ {
		d := day.AddDate(0, 0, i)
		if !p.businessDay(d) {
			continue
		}
		open, closeAt := d.Add(p.Open), d.Add(p.Close)
		if t.Before(closeAt) {
			if t.Before(open) {
				return open
			}
			return t
		}
	}
	return t // no business day in two years: a misconfigured policy; never loop forever
}

// RoundTheClock reports whether priority is worked around the clock: it
// is in always_open and an on-call rota answers it after hours (on_call).
func (p *Policy) RoundTheClock(priority string) bool {
	return p.AlwaysOpen[priority] && p.OnCall[priority] > 0
}

// OpenFor reports whether a case of priority is worked at t: always for the
// round-the-clock priorities (an on-call rota after hours), else in
// business hours.
func (p *Policy) OpenFor(priority string, t time.Time) bool {
	return p.RoundTheClock(priority) || p.TeamOpen(t)
}

// Due adds d of working time to start for priority: wall-clock time for the
// round-the-clock priorities, business time (hours, days, holidays)
// otherwise. A P3 opened Friday 17:30 with 4h is due Monday 12:30.
func (p *Policy) Due(start time.Time, d time.Duration, priority string) time.Time {
	if p.RoundTheClock(priority) {
		return start.Add(d)
	}
	t := p.NextOpen(start)
	for i := 0; i < 800; i++ {
		closeAt := p.midnight(t).Add(p.Close)
		if left := closeAt.Sub(t); d <= left {
			return t.Add(d)
		} else {
			d -= left
		}
		t = p.NextOpen(closeAt)
	}
	return t
}

// FirstResponseDue is when a case of priority opened at start must get its
// first response (never later than a lower priority's): outside business
// hours, for a round-the-clock priority, the on-call rota's target; for
// any other, the business-time target from when the team is back.
func (p *Policy) FirstResponseDue(start time.Time, priority string) time.Time {
	if p.RoundTheClock(priority) && !p.TeamOpen(start) {
		return start.Add(p.OnCall[priority])
	}
	return p.monotonic(start, priority, func(s SLA) time.Duration { return s.FirstResponse })
}

// ResolutionDue is when a case of priority opened at start must be resolved
// (never later than a lower priority's).
func (p *Policy) ResolutionDue(start time.Time, priority string) time.Time {
	return p.monotonic(start, priority, func(s SLA) time.Duration { return s.Resolution })
}

// monotonic is the due time of priority's target from start, or a lower
// priority's when that is earlier: a P2 never waits longer than a P3 opened
// at the same moment, whichever clocks they count on.
func (p *Policy) monotonic(start time.Time, priority string, target func(SLA) time.Duration) time.Time {
	due := p.Due(start, target(p.SLA[priority]), priority)
	i := slices.Index(Priorities, priority)
	if i < 0 {
		return due
	}
	for _, lower := range Priorities[i+1:] {
		if d := p.Due(start, target(p.SLA[lower]), lower); d.Before(due) {
			due = d
		}
	}
	return due
}

// WorkingTime is how much of priority's clock runs between a and b:
// wall-clock time for the round-the-clock priorities, business time
// otherwise (0 when b is not after a).
func (p *Policy) WorkingTime(a, b time.Time, priority string) time.Duration {
	if !b.After(a) {
		return 0
	}
	if p.RoundTheClock(priority) {
		return b.Sub(a)
	}
	var total time.Duration
	t := p.NextOpen(a)
	for i := 0; i < 800 && t.Before(b); i++ {
		closeAt := p.midnight(t).Add(p.Close)
		if !b.After(closeAt) {
			return total + b.Sub(t)
		}
		total += closeAt.Sub(t)
		t = p.NextOpen(closeAt)
	}
	return total
}
