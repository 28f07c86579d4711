package report_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/warmline/warmline/report"
)

func r(n, total int) report.Ratio {
	return report.Ratio{Count: n, Total: total, Value: float64(n) / float64(total)}
}

// chk is a figure checked against t, on a sample of rt.Total judged
// against min.
func chk(rt report.Ratio, t report.Target, s report.State, min int) report.Check {
	return report.Check{Ratio: rt, Target: t, State: s, Sample: smp(rt.Total, min)}
}

// smp is a sample of n against min.
func smp(n, min int) report.Sample { return report.Sample{N: n, Min: min, TooFew: n > 0 && n < min} }

func dur(n int, med, p90 time.Duration) report.Durations {
	return report.Durations{N: n, Median: med, P90: p90}
}

// wantWeek is the seeded week's report without filters, computed by hand
// (see the comment on seedCases).
func wantWeek() report.Report {
	tg := report.DefaultTargets()
	conv, cases := tg.MinConversations, tg.MinCases
	return report.Report{
		Period: week, Conversations: 10, Cases: 4,
		FirstContactResolution: chk(r(5, 10), tg.FirstContactResolution, report.Missed, conv),
		Escalation:             chk(r(4, 10), tg.Escalation, report.Missed, conv),
		TierShares: []report.TierShare{
			{Tier: "L1", Check: chk(r(6, 10), tg.TierL1, report.Missed, conv)},
			{Tier: "L2", Check: chk(r(3, 10), tg.TierL2, report.Missed, conv)},
			{Tier: "L3", Check: chk(r(1, 10), tg.TierL3, report.Met, conv)},
		},
		Times: []report.PriorityTimes{
			{Priority: "P1", Cases: 1, FirstResponse: dur(1, 5*time.Minute, 5*time.Minute), Resolution: dur(1, time.Hour, time.Hour),
				SLA: chk(r(1, 1), tg.SLA, report.Met, cases)},
			{Priority: "P2", Cases: 2, FirstResponse: dur(2, 10*time.Minute, 90*time.Minute), Resolution: dur(2, 2*time.Hour, 3*time.Hour),
				SLA: chk(r(1, 2), tg.SLA, report.Missed, cases)},
			{Priority: "P3", Cases: 1, FirstResponse: dur(1, 30*time.Minute, 30*time.Minute),
				SLA: chk(r(1, 1), tg.SLA, report.Met, cases)},
			{Priority: "P4", SLA: chk(report.Ratio{}, tg.SLA, report.NoData, cases)},
		},
		SLA:         chk(r(3, 4), tg.SLA, report.Missed, cases),
		SLAExcluded: []report.SLAExcluded{},
		// Three resolved cases were asked to rate, and all three did.
		CSAT: report.CSAT{Rated: 3, Asked: 3, Average: 11.0 / 3, Target: tg.CSAT, State: report.Missed, Sample: smp(3, tg.MinRatings),
			Distribution: [5]int{0, 1, 0, 1, 1},
			Low: []report.LowRating{{CaseID: "CS-20261124-0001", Created: at(1, 10, 0), Score: 2, Priority: "P2", Tier: "L2",
				Topic: "shipping_delay", Owner: "Ben Chen"}}},
		TopReasons: []report.Reason{
			{Topic: "faq_shipping", Volume: r(3, 10), SettledL1: r(3, 3)},
			{Topic: "order_status", Volume: r(2, 10), SettledL1: r(2, 2)},
			{Topic: "shipping_delay", Trigger: "human", Volume: r(2, 10), SettledL1: r(0, 2)},
			{Volume: r(1, 10), SettledL1: r(0, 1)},
			{Topic: "legal", Trigger: "legal_media", Volume: r(1, 10), SettledL1: r(0, 1)},
			{Topic: "order_status", Trigger: "repeat_contact", Volume: r(1, 10), SettledL1: r(0, 1)},
		},
		ReasonSample: smp(10, conv),
		Repeat:       r(2, 10),
		RepeatTopics: []report.RepeatTopic{{Topic: "faq_shipping", Repeats: 1}, {Topic: "order_status", Repeats: 1}},
		Dispositions: []report.Disposition{{Code: "delivery_chased", Cases: r(2, 4)}, {Code: "answered", Cases: r(1, 4)}},
	}
}

// summary is the headline of a filtered report.
type summary struct {
	Conversations, Cases int
	FCR, Escalation, SLA report.Ratio
	FCRState             report.State
	Rated                int
	CSAT                 float64
	CSATState            report.State
	Tiers                []string
	Priorities           []string
	Repeat               report.Ratio
}

func summarize(rep report.Report) summary {
	s := summary{Conversations: rep.Conversations, Cases: rep.Cases, FCR: rep.FirstContactResolution.Ratio,
		FCRState: rep.FirstContactResolution.State, Escalation: rep.Escalation.Ratio, SLA: rep.SLA.Ratio,
		Rated: rep.CSAT.Rated, CSAT: rep.CSAT.Average, CSATState: rep.CSAT.State, Repeat: rep.Repeat}
	for _, t := range rep.TierShares {
		s.Tiers = append(s.Tiers, t.Tier)
	}
	for _, p := range rep.Times {
		s.Priorities = append(s.Priorities, p.Priority)
	}
	return s
}

var approx = cmpopts.EquateApprox(0, 1e-9)

func TestCompute(t *testing.T) {
	all3 := []string{"L1", "L2", "L3"}
	all4 := []string{"P1", "P2", "P3", "P4"}
	filtered := []struct {
		name   string
		filter report.Filter
		want   summary
	}{
		{"tier L2: the three L2 cases", report.Filter{Tier: "L2"}, summary{Conversations: 3, Cases: 3,
			FCR: r(0, 3), FCRState: report.Missed, Escalation: r(3, 3), SLA: r(2, 3), Rated: 2, CSAT: 3.5, CSATState: report.Missed,
			Tiers: []string{"L2"}, Priorities: all4, Repeat: r(1, 3)}},
		{"priority P2: cases only", report.Filter{Priority: "P2"}, summary{Conversations: 2, Cases: 2,
			FCR: r(0, 2), FCRState: report.Missed, Escalation: r(2, 2), SLA: r(1, 2), Rated: 2, CSAT: 3.5, CSATState: report.Missed,
			Tiers: all3, Priorities: []string{"P2"}, Repeat: r(0, 2)}},
		{"language en", report.Filter{Lang: "en"}, summary{Conversations: 2, Cases: 1,
			FCR: r(1, 2), FCRState: report.Missed, Escalation: r(1, 2), SLA: r(0, 1), Rated: 1, CSAT: 2, CSATState: report.Missed,
			Tiers: all3, Priorities: all4, Repeat: r(0, 2)}},
		{"topic faq_shipping: settled by the bot", report.Filter{Topic: "faq_shipping"}, summary{Conversations: 3,
			FCR: r(3, 3), FCRState: report.Met, Escalation: r(0, 3), CSATState: report.NoData,
			Tiers: all3, Priorities: all4, Repeat: r(1, 3)}},
		{"no match", report.Filter{Lang: "ja"}, summary{FCRState: report.NoData, CSATState: report.NoData,
			Tiers: all3, Priorities: all4}},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s := seededStore(t, b.cfg(t))
			ctx := context.Background()
			got, err := report.Compute(ctx, s, week, report.Filter{}, report.DefaultTargets())
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(wantWeek(), got, approx); d != "" {
				t.Errorf("week report (-want +got):\n%s", d)
			}
			for _, tt := range filtered {
				t.Run(tt.name, func(t *testing.T) {
					got, err := report.Compute(ctx, s, week, tt.filter, report.DefaultTargets())
					if err != nil {
						t.Fatal(err)
					}
					if d := cmp.Diff(tt.want, summarize(got), approx, cmpopts.EquateNaNs()); d != "" {
						t.Errorf("summary (-want +got):\n%s", d)
					}
				})
			}
		})
	}
}

// TestComputePeriod: the period bounds are half-open and an empty period
// is an error.
func TestComputePeriod(t *testing.T) {
	s := seededStore(t, backends[0].cfg(t))
	ctx := context.Background()
	monday := report.Period{From: week.From, To: week.From.Add(24 * time.Hour)}
	got, err := report.Compute(ctx, s, monday, report.Filter{}, report.DefaultTargets())
	if err != nil {
		t.Fatal(err)
	}
	// Monday: o1 10:00, o2 11:00, c1 closed 15:00 (the Sunday before is out).
	if got.Conversations != 3 || got.Cases != 1 || got.FirstContactResolution.Count != 2 {
		t.Errorf("Monday: %d conversations, %d cases, FCR %d; want 3, 1, 2", got.Conversations, got.Cases, got.FirstContactResolution.Count)
	}
	if _, err := report.Compute(ctx, s, report.Period{From: week.To, To: week.To}, report.Filter{}, report.DefaultTargets()); err == nil {
		t.Error("an empty period: no error")
	}
}

func TestTargetBoundsInclusive(t *testing.T) {
	s := seededStore(t, backends[0].cfg(t))
	tg := report.DefaultTargets()
	tg.FirstContactResolution.Min = 0.5 // exactly the week's 5/10
	got, err := report.Compute(context.Background(), s, week, report.Filter{}, tg)
	if err != nil {
		t.Fatal(err)
	}
	if got.FirstContactResolution.State != report.Met || math.Abs(got.FirstContactResolution.Value-0.5) > 1e-12 {
		t.Errorf("FCR %v %s at a minimum of 0.5, want met", got.FirstContactResolution.Value, got.FirstContactResolution.State)
	}
}
