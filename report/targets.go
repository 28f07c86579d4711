package report

// Target is the range a figure should be in: Min and Max are inclusive
// bounds; HasMin/HasMax say which apply.
type Target struct {
	Min    float64 `json:"min,omitempty"`
	Max    float64 `json:"max,omitempty"`
	HasMin bool    `json:"has_min"`
	HasMax bool    `json:"has_max"`
}

func atLeast(v float64) Target      { return Target{Min: v, HasMin: true} }
func atMost(v float64) Target       { return Target{Max: v, HasMax: true} }
func between(lo, hi float64) Target { return Target{Min: lo, Max: hi, HasMin: true, HasMax: true} }

// Targets are the goals the figures are checked against. Rates are
// fractions (0.7 is 70%); CSAT is on the 1–5 scale.
type Targets struct {
	FirstContactResolution Target `json:"first_contact_resolution"`
	Escalation             Target `json:"escalation"`
	TierL1                 Target `json:"tier_l1"`
	TierL2                 Target `json:"tier_l2"`
	TierL3                 Target `json:"tier_l3"`
	CSAT                   Target `json:"csat"`
	SLA                    Target `json:"sla"`
	// The fewest items a figure must stand on to be judged against its
	// target (below: shown, and said to be too few): conversations for the
	// conversation rates (first-contact resolution, escalation, tier
	// shares) and the contact reasons' shares, ratings for CSAT, cases with
	// an SLA target for SLA (in all and per priority).
	MinConversations int `json:"min_conversations"`
	MinRatings       int `json:"min_ratings"`
	MinCases         int `json:"min_cases"`
}

// DefaultTargets are the SOP's quality metrics: first-contact resolution
// at least 70%, escalation at most 20%, tier shares L1 70–80%, L2 15–20%,
// L3 about 5% (here: at most 10%), CSAT at least 4.2. The SOP sets SLA times
// per priority but no attainment goal: 90% is warmline's default. It sets
// no sample sizes either; warmline's: 30 conversations (below that a rate
// of about 70% is known only to ±16 points, 95% confidence), 10 ratings,
// 10 cases.
func DefaultTargets() Targets {
	return Targets{
		FirstContactResolution: atLeast(0.70),
		Escalation:             atMost(0.20),
		TierL1:                 between(0.70, 0.80),
		TierL2:                 between(0.15, 0.20),
		TierL3:                 atMost(0.10),
		CSAT:                   atLeast(4.2),
		SLA:                    atLeast(0.90),
		MinConversations:       30,
		MinRatings:             10,
		MinCases:               10,
	}
}

// State says whether a figure meets its target.
type State string

const (
	Met    State = "met"
	Missed State = "missed"
	NoData State = "no_data" // nothing to measure in the period
)

func (t Target) check(v float64, n int) State {
	switch {
	case n == 0:
		return NoData
	case t.HasMin && v < t.Min, t.HasMax && v > t.Max:
		return Missed
	}
	return Met
}
