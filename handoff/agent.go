package handoff

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
}
