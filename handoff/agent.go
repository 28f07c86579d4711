package handoff

import "strings"

// Roles of agents.
const (
	RoleL2   = "L2"
	RoleL3   = "L3"
	RoleLead = "lead"
)

// Agent is the person acting; authentication happens in the inbox, the
// authorisation rules here.
type Agent struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"` // L2 | L3 | lead
	// Lang is the agent's language for briefs and the UI (zh-TW, zh-CN, en).
	Lang string `json:"lang,omitempty"`
	// Languages are the customer languages the agent works in (reads and
	// answers); the queue offers them those cases first. Empty: all.
	Languages []string `json:"languages,omitempty"`
}

// Reads reports whether the agent works in lang (every language when they
// declared none; a case without a language is readable by all).
func (a Agent) Reads(lang string) bool {
	if len(a.Languages) == 0 || lang == "" {
		return true
	}
	for _, l := range a.Languages {
		if strings.EqualFold(l, lang) {
			return true
		}
	}
	return false
}
