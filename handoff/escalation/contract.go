package escalation

import (
	"bytes"
	"embed"
	"fmt"
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

// Analysis of one customer message.
type Analysis struct {
	Triggers          []Trigger // message-content triggers only (not repeat/unsolved/unhelpful)
	Complaint         bool      // anger, defect, service failure: start LAST
	ComplaintEvidence string
	RefundRequested   bool // asks for a refund (any amount)
	RefundAmount      int  // NT$, 0 when none given
}

// Has reports whether the analysis fired a trigger of kind.
func (a Analysis) Has(kind string) bool {
	for _, t := range a.Triggers {
		if t.Kind == kind {
			return true
		}
	}
	return false
}

// Rules is a loaded, validated rules file: the one source of the escalation
// thresholds (a threshold the file leaves out has its SOP default, shown in
// default.yaml; callers keep no defaults of their own). Safe for concurrent
// use; do not change the exported fields after handing Rules to other
// goroutines.
type Rules struct {
	RefundLimit     int           // NT$, >= 0; refunds above it go to L2 (SOP 500; 0: every refund with an amount)
	RepeatThreshold int           // >= 1 contacts on one topic that escalate (SOP 3)
	RepeatWindow    time.Duration // rolling window for repeat contacts (SOP 7 days)
	UnsolvedAfter   time.Duration // L1 has not solved the issue within (SOP 15 minutes)
	UnhelpfulLimit  int           // >= 1 "did not help" answers / unanswerable messages in a row (SOP 2)

	routes    map[string]Route
	phrases   map[string]*phraseSet // content kinds (refund: the request phrases)
	complaint *phraseSet
	zh        converter
}

//go:embed default.yaml
var defaultFS embed.FS

// DefaultFile is the embedded default rules file (the SOP defaults, commented
// for CS managers). Copy it as a starting point for a custom rules file.
func DefaultFile() []byte {
	b, err := defaultFS.ReadFile("default.yaml")
	if err != nil {
		panic(err) // embedded at build time
	}
	return bytes.Clone(b)
}

// Default returns the embedded default rules (from the SOP). Each call builds
// a new Rules (including the Chinese converter, a few milliseconds): build it
// once at start and share it.
func Default() (*Rules, error) {
	return Load(defaultFS, "default.yaml")
}

// Load reads and validates a rules file (YAML) with clear errors naming the
// field at fault.
func Load(fsys fs.FS, name string) (*Rules, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("load escalation rules: %w", err)
	}
	zh, err := newConverter()
	if err != nil {
		return nil, err
	}
	r, err := parse(data, zh)
	if err != nil {
		return nil, fmt.Errorf("load escalation rules %s: %w", name, err)
	}
	return r, nil
}

// Analyze checks one customer message in lang (zh-TW, zh-CN or en). lang is
// a hint only: every language's phrases apply, because customers mix English
// and Chinese and Simplified text is converted to Traditional first.
func (r *Rules) Analyze(text, lang string) Analysis {
	return r.analyze(text)
}

// RefundOverLimit reports whether a refund of amount NT$ goes to a person
// (above RefundLimit) rather than being settled by the bot. Analyze fires
// KindRefund by this rule; the bot asks it for an amount it kept from an
// earlier message.
func (r *Rules) RefundOverLimit(amount int) bool { return amount > r.RefundLimit }

// Fire builds a trigger of kind (used for the stateful triggers the bot
// detects: repeat contact, unsolved timeout, unhelpful) with its configured
// route. It also serves content kinds the bot learns another way (a "talk to
// a person" button is KindHuman). An unknown kind gets a zero Route.
func (r *Rules) Fire(kind, message, evidence string) Trigger {
	return Trigger{Kind: kind, Route: r.Route(kind), Message: message, Evidence: evidence}
}

// Route returns the configured route of kind (a copy), zero if unknown.
func (r *Rules) Route(kind string) Route {
	rt := r.routes[kind]
	rt.Notify = append([]string(nil), rt.Notify...)
	return rt
}

// ParseAmount finds a money amount in text: NT$1,280, 1280元, 兩千五百元,
// 一千块, $2,400, 2.5k, 1.5w (萬), "two thousand dollars", "two grand" …
// Returns NT$ as int (every currency sign is read as
// NT$: the shop prices in NT$). Order numbers, phone numbers, dates and
// quantities without a money marker are ignored. With several amounts it
// returns the first.
func ParseAmount(text string) (amount int, ok bool) {
	all := findAmounts(text, false)
	if len(all) == 0 {
		return 0, false
	}
	return all[0].value, true
}
