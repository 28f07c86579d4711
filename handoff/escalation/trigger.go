package escalation

import (
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
	// KindDefect is fired by the bot, not by a rules file: a damaged,
	// defective, wrong or missing item L1 cannot settle (a fault-category
	// complaint, or the photos and order a remedy asked for). Rules files
	// need not route it; the bot routes it like unhelpful then.
	KindDefect = "defect"
	// KindComplaint is fired by the bot too: a complaint (a courier's
	// manner, a late parcel) L1 has no remedy for. Not "answers did not
	// help": no answer was given. Routed like unhelpful unless the rules
	// route it.
	KindComplaint = "complaint"
)

// Kinds lists every trigger kind a rules file must route, message-content
// kinds first in the order Analyze reports them (highest priority first).
func Kinds() []string {
	return append(contentKinds(), KindRepeat, KindUnsolved, KindUnhelpful)
}

// contentKinds are detected from the text of one message by Analyze, in the
// order they are reported.
func contentKinds() []string {
	return []string{KindLegalMedia, KindSecurity, KindSupervisor, KindHuman, KindRefund}
}

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
