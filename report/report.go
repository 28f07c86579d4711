package report

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/ledger"
)

// Source is what Compute reads: *ledger.Store.
type Source interface {
	Records(ctx context.Context, from, to time.Time) ([]ledger.Record, error)
	Outcomes(ctx context.Context, from, to time.Time) ([]ledger.Outcome, error)
}

// Period is the half-open interval [From, To). Conversations count in the
// period they ended in; cases (times, SLA, CSAT) in the period they were
// opened in.
type Period struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Filter narrows a report; empty fields match everything. A conversation
// the bot settled without a case is at tier L1 and has no priority, so a
// Priority filter leaves only cases.
type Filter struct {
	Tier     string `json:"tier,omitempty"`     // L1 | L2 | L3
	Priority string `json:"priority,omitempty"` // P1..P4
	Lang     string `json:"lang,omitempty"`
	Topic    string `json:"topic,omitempty"` // KB entry id or flow name
}

// Tiers and priorities the report breaks figures down by.
var (
	Tiers      = []string{"L1", "L2", "L3"}
	Priorities = []string{"P1", "P2", "P3", "P4"}
)

// caseLookback is how far before the period Compute looks for the cases of
// conversations that ended in it (their tier and priority).
const caseLookback = 31 * 24 * time.Hour

// repeatWindow: a conversation is a repeat contact when the same customer
// had one that ended at most this long before it, in the period.
const repeatWindow = 7 * 24 * time.Hour

// Ratio is Count of Total; Value is Count/Total (0 when Total is 0).
type Ratio struct {
	Count int     `json:"count"`
	Total int     `json:"total"`
	Value float64 `json:"value"`
}

func ratio(n, total int) Ratio {
	r := Ratio{Count: n, Total: total}
	if total > 0 {
		r.Value = float64(n) / float64(total)
	}
	return r
}

// Sample is how many items a figure stands on (N) and the fewest that
// make it worth judging against its target (Min, from Targets); TooFew when
// N is between 1 and Min-1: the figure is shown, its state is computed, and
// the page says it is too few to judge rather than colouring it.
type Sample struct {
	N      int  `json:"n"`
	Min    int  `json:"min"`
	TooFew bool `json:"too_few"`
}

func sample(n, min int) Sample { return Sample{N: n, Min: min, TooFew: n > 0 && n < min} }

// Check is a rate next to its target, with the sample it stands on (its
// Total).
type Check struct {
	Ratio
	Target Target `json:"target"`
	State  State  `json:"state"`
	Sample Sample `json:"sample"`
}

func check(r Ratio, t Target, min int) Check {
	return Check{Ratio: r, Target: t, State: t.check(r.Value, r.Total), Sample: sample(r.Total, min)}
}

// TierShare is one tier's share of the conversations.
type TierShare struct {
	Tier string `json:"tier"`
	Check
}

// Durations are the median and 90th percentile (nearest rank) of N times.
type Durations struct {
	N      int           `json:"n"`
	Median time.Duration `json:"median_ns"`
	P90    time.Duration `json:"p90_ns"`
}

// PriorityTimes are the case times of one priority: first response (case
// opened → first agent reply; the bot's part of the conversation is not
// counted) and resolution (opened → resolved), and the share of cases
// whose SLA targets that applied were all met. SLAExcluded counts the
// cases no target applied to (ledger.Record.SLAExcluded), left out of SLA.
type PriorityTimes struct {
	Priority      string    `json:"priority"`
	Cases         int       `json:"cases"`
	FirstResponse Durations `json:"first_response"`
	Resolution    Durations `json:"resolution"`
	SLA           Check     `json:"sla"`
	SLAExcluded   int       `json:"sla_excluded"`
}

// SLAExcluded is how many of the period's cases one reason left out of the
// SLA figures: a case returned to the bot (or cancelled) before its
// first-response target ran out, with no agent reply, was neither met nor
// missed. Returned after the target ran out, it is a miss.
type SLAExcluded struct {
	Reason ledger.SLAExclusion `json:"reason"`
	Cases  int                 `json:"cases"`
}

// LowRating is a case rated 2 or less: one to follow up.
type LowRating struct {
	CaseID   string    `json:"case_id"`
	Created  time.Time `json:"created"`
	Score    int       `json:"score"`
	Priority string    `json:"priority"`
	Tier     string    `json:"tier"`
	Topic    string    `json:"topic"`
	Owner    string    `json:"owner"` // the owner's name, else id
}

// CSAT is the satisfaction of the rated cases: Rated of the Asked cases
// (resolved ones: the satisfaction question goes out when a case is
// resolved) answered; Sample is the ratings.
type CSAT struct {
	Rated   int     `json:"rated"`
	Asked   int     `json:"asked"`
	Average float64 `json:"average"`
	Target  Target  `json:"target"`
	State   State   `json:"state"`
	Sample  Sample  `json:"sample"`
	// Distribution[i] is the number of ratings i+1.
	Distribution [5]int      `json:"distribution"`
	Low          []LowRating `json:"low"`
}

// Reason is one contact reason: the KB topic (or flow) and the escalation
// trigger, either possibly empty.
type Reason struct {
	Topic     string `json:"topic"`
	Trigger   string `json:"trigger"`
	Volume    Ratio  `json:"volume"`     // of all conversations
	SettledL1 Ratio  `json:"settled_l1"` // of this reason's conversations
}

// Disposition is how many of the period's cases were closed with one
// disposition code (of the cases opened in the period).
type Disposition struct {
	Code  string `json:"code"`
	Cases Ratio  `json:"cases"`
}

// RepeatTopic is a topic repeat contacts came back about.
type RepeatTopic struct {
	Topic   string `json:"topic"`
	Repeats int    `json:"repeats"`
}

// Report is the quality figures of one period and filter.
type Report struct {
	Period        Period `json:"period"`
	Filter        Filter `json:"filter"`
	Conversations int    `json:"conversations"`
	Cases         int    `json:"cases"` // opened in the period
	// FirstContactResolution: conversations the bot settled at L1 without a
	// handoff. Escalation: conversations handed to a person.
	FirstContactResolution Check           `json:"first_contact_resolution"`
	Escalation             Check           `json:"escalation"`
	TierShares             []TierShare     `json:"tier_shares"`
	Times                  []PriorityTimes `json:"times"`
	SLA                    Check           `json:"sla"` // every priority
	// SLAExcluded are the cases left out of SLA, by reason (reasons with
	// none are not listed).
	SLAExcluded []SLAExcluded `json:"sla_excluded"`
	CSAT        CSAT          `json:"csat"`
	// TopReasons are the 10 most frequent reasons, by volume then name;
	// ReasonSample is the conversations their volumes are shares of.
	TopReasons   []Reason      `json:"top_reasons"`
	ReasonSample Sample        `json:"reason_sample"`
	Repeat       Ratio         `json:"repeat"`
	RepeatTopics []RepeatTopic `json:"repeat_topics"`
	// Dispositions count the codes agents closed the period's cases with,
	// most used first (cases without one are not listed).
	Dispositions []Disposition `json:"dispositions"`
}

// Compute reads the ledger for period p and computes the figures of the
// conversations and cases that match f, against targets t.
func Compute(ctx context.Context, src Source, p Period, f Filter, t Targets) (Report, error) {
	if !p.From.Before(p.To) {
		return Report{}, fmt.Errorf("compute report: empty period %s – %s", p.From, p.To)
	}
	recs, err := src.Records(ctx, p.From.Add(-caseLookback), p.To)
	if err != nil {
		return Report{}, fmt.Errorf("compute report: %w", err)
	}
	outs, err := src.Outcomes(ctx, p.From, p.To)
	if err != nil {
		return Report{}, fmt.Errorf("compute report: %w", err)
	}
	byCase := make(map[string]*ledger.Record, len(recs))
	for i := range recs {
		byCase[recs[i].CaseID] = &recs[i]
	}
	rep := Report{Period: p, Filter: f, TierShares: []TierShare{}, Times: []PriorityTimes{}, TopReasons: []Reason{},
		RepeatTopics: []RepeatTopic{}, Dispositions: []Disposition{}, SLAExcluded: []SLAExcluded{}}
	rep.CSAT.Low = []LowRating{}

	// Conversations: first-contact resolution, escalation, tiers, reasons,
	// repeat contacts.
	var fcr, esc int
	tiers := map[string]int{}
	type reasonKey struct{ topic, trigger string }
	reasons := map[reasonKey]*Reason{}
	lastSeen := map[string]time.Time{}
	repeats := map[string]int{}
	for _, o := range outs {
		tier, priority := "L1", ""
		if o.CaseID != "" {
			tier = "L2" // a case opened before the lookback: its tier is unknown; cases start at L2
			if r := byCase[o.CaseID]; r != nil {
				tier, priority = cmp.Or(r.Tier, tier), r.Priority
			}
		}
		// A repeat contact is one of the customer's history, whatever
		// the filter shows.
		repeat := false
		if o.Customer != "" {
			last, ok := lastSeen[o.Customer]
			repeat = ok && o.Ended.Sub(last) <= repeatWindow
			lastSeen[o.Customer] = o.Ended
		}
		if !f.match(tier, priority, o.Lang, o.Topic) {
			continue
		}
		if repeat {
			rep.Repeat.Count++
			repeats[o.Topic]++
		}
		rep.Conversations++
		settled := o.AnsweredL1 && !o.Handoff
		if settled {
			fcr++
		}
		if o.Handoff {
			esc++
		}
		tiers[tier]++
		k := reasonKey{o.Topic, o.Trigger}
		rs := reasons[k]
		if rs == nil {
			rs = &Reason{Topic: o.Topic, Trigger: o.Trigger}
			reasons[k] = rs
		}
		rs.Volume.Count++
		if settled {
			rs.SettledL1.Count++
		}
	}
	n := rep.Conversations
	rep.FirstContactResolution = check(ratio(fcr, n), t.FirstContactResolution, t.MinConversations)
	rep.Escalation = check(ratio(esc, n), t.Escalation, t.MinConversations)
	rep.ReasonSample = sample(n, t.MinConversations)
	for _, tier := range Tiers {
		if f.Tier != "" && f.Tier != tier {
			continue
		}
		rep.TierShares = append(rep.TierShares, TierShare{Tier: tier, Check: check(ratio(tiers[tier], n), t.tier(tier), t.MinConversations)})
	}
	for _, rs := range reasons {
		rs.SettledL1 = ratio(rs.SettledL1.Count, rs.Volume.Count)
		rs.Volume = ratio(rs.Volume.Count, n)
		rep.TopReasons = append(rep.TopReasons, *rs)
	}
	slices.SortFunc(rep.TopReasons, func(a, b Reason) int {
		return cmp.Or(b.Volume.Count-a.Volume.Count, cmp.Compare(a.Topic, b.Topic), cmp.Compare(a.Trigger, b.Trigger))
	})
	rep.TopReasons = rep.TopReasons[:min(10, len(rep.TopReasons))]
	rep.Repeat = ratio(rep.Repeat.Count, n)
	for topic, k := range repeats {
		rep.RepeatTopics = append(rep.RepeatTopics, RepeatTopic{Topic: topic, Repeats: k})
	}
	slices.SortFunc(rep.RepeatTopics, func(a, b RepeatTopic) int {
		return cmp.Or(b.Repeats-a.Repeats, cmp.Compare(a.Topic, b.Topic))
	})

	// Cases opened in the period: times, SLA, CSAT.
	type times struct {
		cases                int
		fr, rs               []time.Duration
		met, slaOf, excluded int
	}
	per := map[string]*times{}
	dispositions := map[string]int{}
	excluded := map[ledger.SLAExclusion]int{}
	var met, slaOf, sum int
	for i := range recs {
		r := &recs[i]
		if r.Created.Before(p.From) || !f.match(cmp.Or(r.Tier, "L2"), r.Priority, r.Lang, r.Topic) {
			continue
		}
		rep.Cases++
		if r.Disposition != "" {
			dispositions[r.Disposition]++
		}
		pt := per[r.Priority]
		if pt == nil {
			pt = &times{}
			per[r.Priority] = pt
		}
		pt.cases++
		if r.FirstResponse != nil {
			pt.fr = append(pt.fr, *r.FirstResponse)
		}
		if r.ResolutionTime != nil {
			pt.rs = append(pt.rs, *r.ResolutionTime)
		}
		if why := r.SLAExcluded(); why != "" {
			pt.excluded++
			excluded[why]++
		}
		if r.Status == handoff.StatusResolved {
			rep.CSAT.Asked++
		}
		if r.SLAMet != nil {
			pt.slaOf++
			slaOf++
			if *r.SLAMet {
				pt.met++
				met++
			}
		}
		if s := r.Satisfaction; s >= 1 && s <= 5 {
			rep.CSAT.Rated++
			rep.CSAT.Distribution[s-1]++
			sum += s
			if s <= 2 {
				rep.CSAT.Low = append(rep.CSAT.Low, LowRating{CaseID: r.CaseID, Created: r.Created, Score: s,
					Priority: r.Priority, Tier: r.Tier, Topic: r.Topic, Owner: cmp.Or(r.OwnerName, r.OwnerID)})
			}
		}
	}
	for _, pr := range Priorities {
		if f.Priority != "" && f.Priority != pr {
			continue
		}
		pt := per[pr]
		if pt == nil {
			pt = &times{}
		}
		rep.Times = append(rep.Times, PriorityTimes{Priority: pr, Cases: pt.cases,
			FirstResponse: durations(pt.fr), Resolution: durations(pt.rs), SLA: check(ratio(pt.met, pt.slaOf), t.SLA, t.MinCases),
			SLAExcluded: pt.excluded})
	}
	for code, k := range dispositions {
		rep.Dispositions = append(rep.Dispositions, Disposition{Code: code, Cases: ratio(k, rep.Cases)})
	}
	slices.SortFunc(rep.Dispositions, func(a, b Disposition) int {
		return cmp.Or(b.Cases.Count-a.Cases.Count, cmp.Compare(a.Code, b.Code))
	})
	rep.SLA = check(ratio(met, slaOf), t.SLA, t.MinCases)
	for _, why := range ledger.SLAExclusions {
		if k := excluded[why]; k > 0 {
			rep.SLAExcluded = append(rep.SLAExcluded, SLAExcluded{Reason: why, Cases: k})
		}
	}
	rep.CSAT.Target = t.CSAT
	if rep.CSAT.Rated > 0 {
		rep.CSAT.Average = float64(sum) / float64(rep.CSAT.Rated)
	}
	rep.CSAT.State = t.CSAT.check(rep.CSAT.Average, rep.CSAT.Rated)
	rep.CSAT.Sample = sample(rep.CSAT.Rated, t.MinRatings)
	return rep, nil
}

func (f Filter) match(tier, priority, lang, topic string) bool {
	return (f.Tier == "" || f.Tier == tier) && (f.Priority == "" || f.Priority == priority) &&
		(f.Lang == "" || f.Lang == lang) && (f.Topic == "" || f.Topic == topic)
}

func (t Targets) tier(tier string) Target {
	switch tier {
	case "L1":
		return t.TierL1
	case "L2":
		return t.TierL2
	}
	return t.TierL3
}

// durations are the median and p90 of ds by nearest rank: the value at
// rank ⌈q·n⌉ of the sorted times.
func durations(ds []time.Duration) Durations {
	if len(ds) == 0 {
		return Durations{}
	}
	slices.Sort(ds)
	rank := func(q float64) time.Duration {
		i := int(math.Ceil(q*float64(len(ds)))) - 1
		return ds[max(0, min(i, len(ds)-1))]
	}
	return Durations{N: len(ds), Median: rank(0.5), P90: rank(0.9)}
}
