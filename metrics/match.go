package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/warmline/warmline/knowledge"
)

// Matches counts the bot's knowledge-base matches by confidence: pass
// Observe as bot.EngineConfig.Matched and add it with AddMatches.
type Matches struct {
	vec *prometheus.CounterVec
}

// NewMatches returns the counter, each level (high, medium, low) at 0.
func NewMatches() *Matches {
	vec := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "warmline_match_confidence_total",
		Help: "Customer messages this replica matched against the knowledge base, by the match's confidence: high (answered), medium (offered as choices), low (not found).",
	}, []string{"level"})
	for _, c := range []knowledge.Confidence{knowledge.High, knowledge.Medium, knowledge.Low} {
		vec.WithLabelValues(c.String())
	}
	return &Matches{vec: vec}
}

// Observe counts one match.
func (m *Matches) Observe(c knowledge.Confidence) { m.vec.WithLabelValues(c.String()).Inc() }

// AddMatches registers the match counter.
func (m *Metrics) AddMatches(c *Matches) { m.reg.MustRegister(c.vec) }
