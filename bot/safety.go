package bot

import "github.com/warmline/warmline/handoff"

// A security trigger is one of two things to the customer and the agent:
// a product hazard or an injury (a thermos that scalded a child, a charger
// that smoked), or an account takeover or a fraud. They get different
// words: an apology and concern, then safety steps that fit, for the
// first; the account steps for the second. The case's topic says which
// (handoff.TopicProductSafety, handoff.TopicAccountSecurity), so the brief
// names it.

// productSafety reports whether a security report is about a product
// hazard or an injury: it mentions a burn, fire or electricity, or a hurt.
func (e *Engine) productSafety(text string) bool {
	return e.mentions(text, "bot_kw_burn") || e.mentions(text, "bot_kw_hazard") || e.mentions(text, "bot_kw_hurt")
}

// safetyText is the apology and concern, then the steps that fit: cool a
// burn and see a doctor; unplug what smokes, sparks or overheats; else
// stop using it, keep it aside, see a doctor if anyone is hurt.
func (e *Engine) safetyText(lang, text string) string {
	burn, hazard := e.mentions(text, "bot_kw_burn"), e.mentions(text, "bot_kw_hazard")
	hurt := burn || e.mentions(text, "bot_kw_hurt")
	sorry := "bot_safety_sorry"
	switch {
	case hurt && e.mentions(text, "bot_kw_child"):
		sorry = "bot_safety_sorry_child"
	case hurt:
		sorry = "bot_safety_sorry_hurt"
	}
	msg := e.tr.T(lang, sorry, nil)
	if burn {
		msg += "\n" + e.tr.T(lang, "bot_safety_burn", nil)
	}
	if hazard {
		msg += "\n" + e.tr.T(lang, "bot_security_safety", nil)
	}
	if !burn && !hazard {
		msg += "\n" + e.tr.T(lang, "bot_safety_general", nil)
	}
	return msg
}

// safetySteps names the steps safetyText gives for text
// (handoff.SafetyBurn, SafetyHazard, else SafetyGeneral), for the brief.
func (e *Engine) safetySteps(text string) []string {
	var out []string
	if e.mentions(text, "bot_kw_burn") {
		out = append(out, handoff.SafetyBurn)
	}
	if e.mentions(text, "bot_kw_hazard") {
		out = append(out, handoff.SafetyHazard)
	}
	if len(out) == 0 {
		out = append(out, handoff.SafetyGeneral)
	}
	return out
}
