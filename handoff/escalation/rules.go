package escalation

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"sync"
	"time"

	"github.com/warmline/warmline/knowledge"
)

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

	routes        map[string]Route
	phrases       map[string]*phraseSet // content kinds (refund: the request phrases)
	complaint     *phraseSet            // complaint words in any phrasing
	complaintSoft *phraseSet            // complaint words unless the message is a neutral question
	questions     *phraseSet            // neutral questions: a policy, a date, a what-if
	praise        *phraseSet            // praise and thanks: the complaint model alone does not fire
	also          *regexp.Regexp        // alsoPattern: joins a second request to a first
	refusal       *regexp.Regexp        // refusalPattern: a match that turns something away
	typos         *typos
	lits          *literalIndex         // every prefilter literal of the patterns above
	phraseIndex   *phraseIndex          // the patterns above by their prefilter literals
	model         *complaintModel       // weighs the lexicon's complaint verdict; nil: the lexicon alone
	kinds         *kindModel            // fires the content kinds the phrases miss; nil: the phrases alone
	featureIndex  map[string]featureIDs // both models' features (indexFeatures); nil without models
	zh            *knowledge.Converter
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

// Option configures Load and Default.
type Option func(*options)

type options struct {
	conv     *knowledge.Converter
	patterns *patternCache
}

// WithConverter makes the rules convert Simplified Chinese with c (the
// knowledge base's converter, say) instead of the shared one Load builds on
// first use.
func WithConverter(c *knowledge.Converter) Option {
	return func(o *options) { o.conv = c }
}

// withPatternCache makes Load take the patterns c has compiled before
// instead of compiling them again (the tests load edited copies of the
// default file many times). c must serve one converter.
func withPatternCache(c *patternCache) Option {
	return func(o *options) { o.patterns = c }
}

// sharedConverter serves every Load not given a converter: it is immutable
// once built, so sharing it is safe and saves parsing OpenCC's dictionaries
// on each load.
var sharedConverter = sync.OnceValues(knowledge.NewConverter)

// Default returns the embedded default rules (from the SOP). Build it once at
// start and share it.
func Default(opts ...Option) (*Rules, error) {
	return Load(defaultFS, "default.yaml", opts...)
}

// Load reads and validates a rules file (YAML) with clear errors naming the
// field at fault.
func Load(fsys fs.FS, name string, opts ...Option) (*Rules, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("load escalation rules: %w", err)
	}
	zh := o.conv
	if zh == nil {
		if zh, err = sharedConverter(); err != nil {
			return nil, fmt.Errorf("load escalation rules: %w", err)
		}
	}
	r, err := parse(data, zh, o.patterns)
	if err != nil {
		return nil, fmt.Errorf("load escalation rules %s: %w", name, err)
	}
	if r.model, err = defaultModel(); err != nil {
		return nil, fmt.Errorf("load escalation rules: %w", err)
	}
	if o.patterns != nil && o.patterns.kindModel != nil {
		r.kinds, err = o.patterns.kindModel()
	} else {
		r.kinds, err = loadKindModel()
	}
	if err != nil {
		return nil, fmt.Errorf("load escalation rules: %w", err)
	}
	r.featureIndex = indexFeatures(r.model, r.kinds)
	return r, nil
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
