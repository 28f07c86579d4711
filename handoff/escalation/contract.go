package escalation

// CONTRACT (written before the implementation so packages can be built in
// parallel). The owner replaces bodies marked "contract:" and may add API,
// but keeps these exported names and signatures.

import (
	"errors"
	"io/fs"
	"time"
)

// Trigger kinds.
const (
	KindHuman      = "human"             // asks for a person
	KindSupervisor = "supervisor"        // asks for a supervisor / manager
	KindRefund     = "refund_over_limit" // refund above L1's limit
	KindLegalMedia = "legal_media"       // legal threat or media mention
	KindSecurity   = "security"          // account takeover, fraud, unauthorised charge, safety
	KindRepeat     = "repeat_contact"    // Nth contact on the same topic in the window
	KindUnsolved   = "unsolved_timeout"  // L1 has not solved the issue within N minutes
	KindUnhelpful  = "unhelpful"         // answers did not help / unanswerable messages
)

// Route says where a trigger sends the case.
type Route struct {
	Tier     string   // "L2" or "L3"
	Priority string   // "P1".."P4"
	Notify   []string // extra parties: "lead", "legal", "pr"
	// FirstResponse overrides the SLA policy's first-response target when
	// shorter (supervisor requests: 5 minutes). Zero means use the policy.
	FirstResponse time.Duration
	Investigate   bool // repeat contact: flag for investigation
}

// Trigger is one fired rule with its evidence.
type Trigger struct {
	Kind     string
	Route    Route
	Message  string // the exact customer message that fired it
	Evidence string // matched phrase, parsed amount, count, …
	Amount   int    // refund amount in NT$ when Kind == KindRefund
}

// Analysis of one customer message.
type Analysis struct {
	Triggers          []Trigger // message-content triggers only (not repeat/unsolved/unhelpful)
	Complaint         bool      // anger, defect, service failure: start LAST
	ComplaintEvidence string
	RefundRequested   bool // asks for a refund (any amount)
	RefundAmount      int  // NT$, 0 when none given
}

// Rules is a loaded, validated rules file. Safe for concurrent use.
type Rules struct {
	RefundLimit     int           // NT$; refunds above it go to L2 (default 500)
	RepeatThreshold int           // contacts on one topic that escalate (default 3)
	RepeatWindow    time.Duration // rolling window for repeat contacts (default 7 days)
	UnsolvedAfter   time.Duration // default 15 minutes
	UnhelpfulLimit  int           // "did not help" answers / unanswerable messages in a row (default 2)
	// contract: implementation fields (phrases per language, routes, …)
}

// Default returns the embedded default rules (from the SOP).
func Default() (*Rules, error) {
	return nil, errors.New("contract: not implemented") // contract:
}

// Load reads and validates a rules file (YAML) with clear errors naming the
// field at fault.
func Load(fsys fs.FS, name string) (*Rules, error) {
	return nil, errors.New("contract: not implemented") // contract:
}

// Analyze checks one customer message in lang (zh-TW, zh-CN or en).
func (r *Rules) Analyze(text, lang string) Analysis {
	return Analysis{} // contract:
}

// Fire builds a trigger of kind (used for the stateful triggers the bot
// detects: repeat contact, unsolved timeout, unhelpful) with its configured
// route.
func (r *Rules) Fire(kind, message, evidence string) Trigger {
	return Trigger{Kind: kind, Message: message, Evidence: evidence} // contract:
}

// ParseAmount finds a money amount in text: NT$1,280, 1280元, 兩千五百元,
// 一千块, $2,400, 2.5k … Returns NT$ as int.
func ParseAmount(text string) (amount int, ok bool) {
	return 0, false // contract:
}
