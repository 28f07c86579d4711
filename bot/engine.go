package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/warmline/warmline/handoff"
	"github.com/warmline/warmline/handoff/escalation"
	"github.com/warmline/warmline/internal/pii"
	"github.com/warmline/warmline/knowledge"
	"github.com/warmline/warmline/knowledge/orders"
	"github.com/warmline/warmline/locales"
)

// MaxMessages is the most messages Handle returns for one event (LINE's
// reply limit).
const MaxMessages = 5

// KnowledgeSource hands out the current knowledge base (knowledge.Store).
type KnowledgeSource interface {
	Current() *knowledge.Base
}

// OrderNumbers finds order numbers in free text (*orders.Extractor).
type OrderNumbers interface {
	Find(text string) (number string, ok bool)
}

// Cases is what the bot needs from the handoff service (*handoff.Service).
type Cases interface {
	Open(ctx context.Context, o handoff.Opening) (*handoff.Case, error)
	ActiveCase(ctx context.Context, userID string) (*handoff.Case, error)
	AppendCustomerMessage(ctx context.Context, caseID, text string) error
	// AppendCustomerTurn adds a sticker or media turn to an open case.
	AppendCustomerTurn(ctx context.Context, caseID string, t handoff.Turn) error
	CancelByCustomer(ctx context.Context, caseID string) error
	CancelUnfollowed(ctx context.Context, caseID string) error
	Raise(ctx context.Context, caseID string, triggers []escalation.Trigger) (*handoff.Case, error)
	// RecordSatisfaction, RequestFollowUp and AttachComment take the LINE
	// user of the event and refuse (handoff.ErrForbidden) a case of
	// another customer: postback data can name any case.
	RecordSatisfaction(ctx context.Context, userID, caseID string, score int) error
	// AppendBotTurn records a message the bot sent the customer in the
	// case's transcript (open or closed), so the agent sees it too.
	AppendBotTurn(ctx context.Context, caseID string, t handoff.Turn) error
	// RequestFollowUp creates a lead's follow-up task on a case (the
	// customer accepted a call-back after a low rating).
	RequestFollowUp(ctx context.Context, userID, caseID string, reason handoff.FollowUpReason) error
	// AttachComment attaches what the customer wrote after rating a case.
	AttachComment(ctx context.Context, userID, caseID, text string) error
	// RecordOutcome records how a conversation without a case ended (the
	// case ledger's first-contact resolution).
	RecordOutcome(ctx context.Context, o handoff.ConversationOutcome) error
	// OrderVerified clears an open case's unverified flag on order once
	// the customer showed it is theirs.
	OrderVerified(ctx context.Context, caseID, order string) (*handoff.Case, error)
}

// EngineConfig wires an Engine. Redis, KB, Orders, OrderNumbers, Rules,
// Cases and Translator are required; the rest have defaults.
type EngineConfig struct {
	Redis        redis.UniversalClient
	Prefix       string // key prefix, default "wl:"
	KB           KnowledgeSource
	Orders       orders.Backend
	OrderNumbers OrderNumbers
	Rules        *escalation.Rules
	Cases        Cases
	Translator   *locales.Translator
	Profiles     Profiles // optional: without it the profile language is unknown
	Loading      Loading  // optional
	Gaps         Gaps     // optional: records what the bot could not settle (knowledge gaps)
	// Matched, when set, is told the confidence of each knowledge-base
	// match of a customer's message (a metrics counter); it must not block.
	Matched func(knowledge.Confidence)
	// Contents and Media together let the bot keep what customers send
	// (photos, videos, voice messages, files); without them a media message
	// gets the text-only answer.
	Contents Contents
	Media    MediaStore
	// PhotoTopics are KB entries whose remedy asks for photos and the order
	// number (damaged or wrong items): once both arrive the bot opens the
	// case with them. Unknown ids are skipped; default damaged-on-arrival,
	// exchange-defective, wrong-item, missing-item.
	PhotoTopics []string
	// DamagedEntry and DefectiveEntry are the KB entries of an item
	// damaged in transit and of one defective from manufacture: a story
	// whose words tell which it is gets that one's remedy, whichever of
	// the two the KB matched (faultEntry). Defaults damaged-on-arrival
	// and exchange-defective.
	DamagedEntry   string
	DefectiveEntry string
	// CarrierTopics are KB complaint entries whose remedy promises to ask
	// the courier once the order number is known (a late parcel): when the
	// order is shown, a case opens for a person to make that check, so the
	// promise is kept. Default late-delivery-complaint.
	CarrierTopics []string
	Clock         func() time.Time
	Log           *zap.Logger

	TranscriptTurns int           // lines kept for the handoff brief (default 20)
	StateTTL        time.Duration // conversation state lifetime (default 30 days)
	// Phone checks (an order not linked to the LINE user is shown after
	// the phone's last 4 digits): failures are counted per (user, order)
	// and per user in VerifyWindow, never reset by a success.
	VerifyAttempts     int           // failed checks on one order before that order is locked (default 3)
	VerifyOrderLock    time.Duration // how long an order stays locked for the user (default 24 h)
	VerifyUserAttempts int           // failed checks on any orders before all checks are locked (default 5)
	VerifyLock         time.Duration // the user-wide lock; a further failure in VerifyWindow locks again (default 15 min)
	VerifyWindow       time.Duration // rolling window failures are counted in (default 24 h)
	VerifyRate         int           // checks (failed or not) allowed in VerifyRateWindow (default 10)
	VerifyRateWindow   time.Duration // default 1 h
	TopTopics          []string      // KB entry ids offered in the greeting (each must exist); default the first entries
	TopTopicCount      int           // how many topics to offer (default 4)
	// ConversationIdle ends an abandoned issue: a message arriving later than
	// this after the previous one starts a new issue (default 2 h). It must
	// be longer than the rules' UnsolvedAfter.
	ConversationIdle time.Duration
	OrderTimeout     time.Duration // one backend lookup (default 5 s)
	RefundDays       int           // working days within which a colleague processes an L1 refund (default 5, the demo KB's "3–5 working days")
	// Refunds records the refunds settled at L1 where a person carries
	// them out (orders.RefundBook for a file backend); nil: Orders, which
	// must then record them itself (orders.HTTPBackend).
	Refunds  orders.RefundRecorder
	Location *time.Location // times shown to customers (default Asia/Taipei)
	// HandoffAckEvery: during a handoff a customer message is acknowledged
	// (case number, who answers by when) at most once per this (default 5 min).
	HandoffAckEvery time.Duration
	// HandoffWaitEvery: a question about the wait during a handoff ("how
	// long?", "anyone there?") gets the case number and the reply-by time
	// even within HandoffAckEvery, at most once per this (default 1 min).
	HandoffWaitEvery time.Duration
	// WaitSorryAfter: a supervisor asked for this long or longer after
	// the case opened, with no reply from a person yet, gets an apology
	// for the wait with the new target (default 1 min: a customer who
	// asks for a lead after two minutes of silence has felt the wait;
	// HandoffAckEvery, 5 min, is how often acknowledgements repeat, not
	// when waiting starts to hurt).
	WaitSorryAfter time.Duration
	// PreparingLate: an order still pending, paid or being prepared this
	// long after it was placed is late (default 3 days).
	PreparingLate time.Duration
	// LateOrderTopics are KB entry ids offered with a late order's apology
	// (unknown ids are skipped; default "shipping-time").
	LateOrderTopics []string
	// RefundPolicyEntry is the KB entry whose answer states the refund
	// policy on the refund path (default "refund-time"; without it the
	// bot's own wording is used).
	RefundPolicyEntry string
	// SecurityLock: after a security report, order look-ups from the chat
	// are paused this long (default 24 h).
	SecurityLock time.Duration
	// CommentWindow: a message this soon after a satisfaction rating is a
	// comment on the rated case (default 30 min).
	CommentWindow time.Duration
	// RateLimit messages per RateWindow from one user are answered
	// (default 20 per 10 s; negative: no limit); past it one notice, then
	// silence until the window ends (an open case still gets every message).
	RateLimit  int
	RateWindow time.Duration
}

// Engine turns inbound events into replies. Safe for concurrent use across
// users; events of one user must be handled in order (bot/line's per-user
// workers do that).
type Engine struct {
	rdb      redis.UniversalClient
	prefix   string
	kb       func() kbView
	orders   orders.Backend
	refunds  orders.RefundRecorder
	numbers  OrderNumbers
	rules    *escalation.Rules // the one source of thresholds
	cases    Cases
	tr       *locales.Translator
	kw       map[string]map[string]bool // keyword message id -> bare phrases (built once)
	profiles Profiles
	loading  Loading
	now      func() time.Time
	log      *zap.Logger
	cfg      EngineConfig
	loc      *time.Location
}

// match asks the turn's knowledge base and tells EngineConfig.Matched.
// A lead-in clause that only announces the question ("我只是想先問一下流程，
// 運費怎麼算？", "I just want to ask about the process first, how much is
// shipping?") dilutes the match with words of its own: when the message is
// not matched with confidence but the question after its lead-ins is, the
// question's match is the message's.
func (e *Engine) match(ctx context.Context, t *turn, text string) knowledge.Match {
	m := t.tkb.Match(ctx, text, matchLang(text, t.lang()))
	if m.Confidence != knowledge.High {
		if q := e.afterLeadIn(ctx, t, text); q != "" {
			if qm := t.tkb.Match(ctx, q, matchLang(q, t.lang())); qm.Confidence == knowledge.High {
				m = qm
			}
		}
	}
	if e.cfg.Matched != nil {
		e.cfg.Matched(m.Confidence)
	}
	return m
}

// kbView is the part of *knowledge.Base the engine uses.
type kbView interface {
	Match(ctx context.Context, text, lang string) knowledge.Match
	Entry(id string) (*knowledge.Entry, bool)
	Entries() []*knowledge.Entry
	GreetingTopics() []string
	Converter() *knowledge.Converter
}

// NewEngine checks the configuration and fills in defaults.
func NewEngine(cfg EngineConfig) (*Engine, error) {
	var errs []error
	if cfg.Redis == nil {
		errs = append(errs, errors.New("bot: Redis is required"))
	}
	if cfg.KB == nil {
		errs = append(errs, errors.New("bot: KB is required"))
	}
	if cfg.Orders == nil {
		errs = append(errs, errors.New("bot: Orders is required"))
	}
	if cfg.OrderNumbers == nil {
		errs = append(errs, errors.New("bot: OrderNumbers is required"))
	}
	if cfg.Refunds == nil {
		if r, ok := cfg.Orders.(orders.RefundRecorder); ok {
			cfg.Refunds = r
		} else if cfg.Orders != nil {
			errs = append(errs, errors.New("bot: Refunds is required: Orders cannot record refund requests (orders.NewRefundBook keeps them in Redis)"))
		}
	}
	if cfg.Rules == nil {
		errs = append(errs, errors.New("bot: Rules is required"))
	}
	if cfg.Cases == nil {
		errs = append(errs, errors.New("bot: Cases is required"))
	}
	if cfg.Translator == nil {
		errs = append(errs, errors.New("bot: Translator is required"))
	}
	if cfg.KB != nil && len(cfg.TopTopics) > 0 {
		// A topic button that leads nowhere is a configuration mistake.
		base := cfg.KB.Current()
		for _, id := range cfg.TopTopics {
			if base == nil {
				errs = append(errs, errors.New("bot: TopTopics given but no knowledge base is loaded"))
				break
			}
			if _, ok := base.Entry(id); !ok {
				errs = append(errs, fmt.Errorf("bot: TopTopics: no knowledge base entry %q", id))
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if cfg.Prefix == "" {
		cfg.Prefix = "wl:"
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = zap.NewNop()
	}
	if cfg.TranscriptTurns <= 0 {
		cfg.TranscriptTurns = 20
	}
	if cfg.StateTTL <= 0 {
		cfg.StateTTL = 30 * 24 * time.Hour
	}
	if cfg.VerifyAttempts <= 0 {
		cfg.VerifyAttempts = 3
	}
	if cfg.VerifyLock <= 0 {
		cfg.VerifyLock = 15 * time.Minute
	}
	if cfg.VerifyOrderLock <= 0 {
		cfg.VerifyOrderLock = 24 * time.Hour
	}
	if cfg.VerifyUserAttempts <= 0 {
		cfg.VerifyUserAttempts = 5
	}
	if cfg.VerifyWindow <= 0 {
		cfg.VerifyWindow = 24 * time.Hour
	}
	if cfg.VerifyRate <= 0 {
		cfg.VerifyRate = 10
	}
	if cfg.VerifyRateWindow <= 0 {
		cfg.VerifyRateWindow = time.Hour
	}
	if cfg.TopTopicCount <= 0 {
		cfg.TopTopicCount = 4
	}
	if cfg.ConversationIdle <= 0 {
		cfg.ConversationIdle = 2 * time.Hour
	}
	if cfg.OrderTimeout <= 0 {
		cfg.OrderTimeout = 5 * time.Second
	}
	if cfg.RefundDays <= 0 {
		cfg.RefundDays = 5
	}
	if cfg.Location == nil {
		cfg.Location = taipei()
	}
	if cfg.HandoffAckEvery <= 0 {
		cfg.HandoffAckEvery = 5 * time.Minute
	}
	if cfg.HandoffWaitEvery <= 0 {
		cfg.HandoffWaitEvery = time.Minute
	}
	if cfg.WaitSorryAfter <= 0 {
		cfg.WaitSorryAfter = time.Minute
	}
	if cfg.PreparingLate <= 0 {
		cfg.PreparingLate = 72 * time.Hour
	}
	if cfg.LateOrderTopics == nil {
		cfg.LateOrderTopics = []string{"shipping-time"}
	}
	if cfg.RefundPolicyEntry == "" {
		cfg.RefundPolicyEntry = "refund-time"
	}
	if cfg.SecurityLock <= 0 {
		cfg.SecurityLock = 24 * time.Hour
	}
	if cfg.CommentWindow <= 0 {
		cfg.CommentWindow = 30 * time.Minute
	}
	if cfg.RateLimit == 0 {
		cfg.RateLimit = 20
	}
	if cfg.RateWindow < time.Millisecond {
		cfg.RateWindow = 10 * time.Second
	}
	if cfg.PhotoTopics == nil {
		cfg.PhotoTopics = []string{"damaged-on-arrival", "exchange-defective", "wrong-item", "missing-item"}
	}
	if cfg.DamagedEntry == "" {
		cfg.DamagedEntry = "damaged-on-arrival"
	}
	if cfg.DefectiveEntry == "" {
		cfg.DefectiveEntry = "exchange-defective"
	}
	if cfg.CarrierTopics == nil {
		cfg.CarrierTopics = []string{"late-delivery-complaint"}
	}
	if cfg.ConversationIdle <= cfg.Rules.UnsolvedAfter {
		return nil, fmt.Errorf("bot: ConversationIdle %s must be longer than UnsolvedAfter %s", cfg.ConversationIdle, cfg.Rules.UnsolvedAfter)
	}
	kbs := cfg.KB
	e := &Engine{
		rdb:      cfg.Redis,
		prefix:   cfg.Prefix,
		kb:       func() kbView { return baseView(kbs.Current()) },
		orders:   cfg.Orders,
		refunds:  cfg.Refunds,
		numbers:  cfg.OrderNumbers,
		rules:    cfg.Rules,
		cases:    cfg.Cases,
		tr:       cfg.Translator,
		profiles: cfg.Profiles,
		loading:  cfg.Loading,
		now:      cfg.Clock,
		log:      cfg.Log,
		cfg:      cfg,
		loc:      cfg.Location,
	}
	e.kw = map[string]map[string]bool{}
	for _, id := range keywordIDs {
		e.kw[id] = map[string]bool{}
		for _, k := range e.keywords(id) {
			e.kw[id][bare(k)] = true
		}
	}
	return e, nil
}

// afterLeadIn is text after the clauses it opens with that only announce
// a question: each names asking (bot_kw_ask_leadin: 問一下, 想請教, want to
// ask, quick question) and the KB does not answer it with confidence on
// its own ("我想問一下運費多少，…" asks already). "" when text opens with
// none or nothing is left after them.
func (e *Engine) afterLeadIn(ctx context.Context, t *turn, text string) string {
	rest, dropped := strings.TrimSpace(text), false
	for {
		i := strings.IndexAny(rest, leadInEnds)
		if i <= 0 {
			break
		}
		head := rest[:i]
		if !e.mentions(head, "bot_kw_ask_leadin") || t.tkb.Match(ctx, head, matchLang(head, t.lang())).Confidence == knowledge.High {
			break
		}
		_, n := utf8.DecodeRuneInString(rest[i:])
		rest, dropped = strings.TrimSpace(strings.TrimLeft(rest[i+n:], leadInEnds+" ")), true
	}
	if !dropped || !says(rest) {
		return ""
	}
	return rest
}

// leadInEnds end a lead-in clause.
const leadInEnds = "，,;；:：。.!！?？～~"

// baseView avoids a typed-nil interface when no base is loaded yet.
func baseView(b *knowledge.Base) kbView {
	if b == nil {
		return emptyKB{}
	}
	return b
}

type emptyKB struct{}

func (emptyKB) Match(context.Context, string, string) knowledge.Match { return knowledge.Match{} }
func (emptyKB) Entry(string) (*knowledge.Entry, bool)                 { return nil, false }
func (emptyKB) Entries() []*knowledge.Entry                           { return nil }
func (emptyKB) Converter() *knowledge.Converter                       { return nil }
func (emptyKB) GreetingTopics() []string                              { return nil }

// taipei is Asia/Taipei; Taiwan keeps no daylight saving time, so a fixed
// zone is exact when the tz database is missing.
func taipei() *time.Location {
	if loc, err := time.LoadLocation("Asia/Taipei"); err == nil {
		return loc
	}
	return time.FixedZone("Asia/Taipei", 8*60*60)
}

// turn is the work on one event: the user's state and the replies so far.
type turn struct {
	ev    Event
	st    *state
	now   time.Time
	out   []Message
	tkb   kbView
	turns []handoff.Turn // transcript lines of this event, saved with the state
	// asked and answered are, as the event arrived, the customer's question
	// the bot last answered or offered entries for, and the FAQ entry it
	// answered (for a handoff that follows the answer).
	asked, answered string
	// langOffer is a language to offer switching to (quick reply on the
	// last message).
	langOffer string
	// caseTurn is the customer's sticker or media turn of this event, for
	// the open case during a handoff.
	caseTurn *handoff.Turn
	// opened is the case this event opened; turns[openedFrom:] (the
	// handoff notice on) go to it as well.
	opened     string
	openedFrom int
	// ownerChecked is the order whose phone digits this event already
	// checked (evidenceOwnerCheck): a failure counts once.
	ownerChecked string
	// analyzed memoises the trigger analysis of one text (the event's
	// message is analysed by the flow, the answer's tone checks and the
	// rate limit: once).
	analyzed struct {
		text, lang string
		ok         bool
		a          escalation.Analysis
	}
}

func (t *turn) lang() string { return t.st.Lang }

// analyze is e.rules.Analyze(text, t.lang()), computed once per turn for
// the same text and language. The caller gets its own copy of Triggers.
func (e *Engine) analyze(t *turn, text string) escalation.Analysis {
	m := &t.analyzed
	if !m.ok || m.text != text || m.lang != t.lang() {
		m.text, m.lang, m.ok = text, t.lang(), true
		m.a = e.rules.Analyze(text, m.lang)
	}
	a := m.a
	a.Triggers = slices.Clone(m.a.Triggers)
	return a
}

func (t *turn) say(msgs ...Message) { t.out = append(t.out, msgs...) }

// Handle processes one event and returns the replies (at most MaxMessages;
// none while a person is handling the customer).
func (e *Engine) Handle(ctx context.Context, ev Event) ([]Message, error) {
	if ev.UserID == "" {
		return nil, errors.New("bot: event without user id")
	}
	who := pii.UserID(ev.UserID) // logs and errors never carry the LINE user id
	log := e.log.With(zap.String("user_id", who), zap.String("webhook_event_id", ev.ID))
	if ev.Kind == KindUnfollow {
		// A customer who blocked the account can no longer be answered:
		// take their open case out of the agents' queue.
		if c, err := e.cases.ActiveCase(ctx, ev.UserID); err == nil {
			if err := e.cases.CancelUnfollowed(ctx, c.ID); err != nil && !errors.Is(err, handoff.ErrClosed) {
				return nil, fmt.Errorf("unfollow %s: cancel case: %w", who, err)
			}
			log.Info("open case cancelled: customer blocked the account", zap.String("case_id", c.ID))
		} else if !errors.Is(err, handoff.ErrNoCase) {
			return nil, fmt.Errorf("unfollow %s: active case: %w", who, err)
		}
		// The conversation going on ends here, as it stood.
		if _, st, _, err := e.load(ctx, ev.UserID, false, e.now()); err != nil {
			return nil, fmt.Errorf("unfollow %s: load state: %w", who, err)
		} else if err := e.endConversation(ctx, &turn{ev: ev, st: st, now: e.now()}, st.LastActivity, log); err != nil {
			return nil, fmt.Errorf("unfollow %s: %w", who, err)
		}
		if err := e.forget(ctx, ev.UserID); err != nil {
			return nil, fmt.Errorf("unfollow %s: %w", who, err)
		}
		log.Info("user unfollowed, state cleared")
		return nil, nil
	}
	now := e.now()
	ctx, st, sent, err := e.load(ctx, ev.UserID, e.rateCounted(ev), e.sentAt(ev, now))
	if err != nil {
		return nil, fmt.Errorf("load state of %s: %w", who, err)
	}
	t := &turn{ev: ev, st: st, now: now, tkb: e.kb(), asked: st.Question}
	if slices.Contains(st.Shown, st.LastTopic) {
		t.answered = st.LastTopic
	}
	if err := e.endIdle(ctx, t, log); err != nil {
		return nil, err
	}
	e.resolveProfile(ctx, t, log)
	if limit := int64(e.cfg.RateLimit); e.rateCounted(ev) && sent > limit && !e.escalatesPastLimit(t, log) {
		first := sent == limit+1
		if err := e.overRate(ctx, t, first, log); err != nil {
			return nil, err
		}
		if err := e.save(ctx, ev.UserID, t); err != nil {
			return nil, fmt.Errorf("save state of %s: %w", who, err)
		}
		return t.out, nil
	}

	switch ev.Kind {
	case KindFollow:
		e.onFollow(t)
	case KindText:
		err = e.onText(ctx, t, log)
	case KindPostback:
		err = e.onPostback(ctx, t, log)
	case KindMedia:
		err = e.onMedia(ctx, t, log)
	default:
		log.Debug("event kind ignored", zap.Int("kind", int(ev.Kind)))
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if len(t.out) > MaxMessages {
		log.Warn("replies truncated", zap.Int("count", len(t.out)))
		t.out = t.out[:MaxMessages]
	}
	hoistQuickReplies(t.out)
	if n := len(t.out); n > 0 && t.langOffer != "" {
		t.out[n-1].QuickReplies = capQuickReplies(append([]QuickReply{e.langSwitchReply(t.langOffer)}, t.out[n-1].QuickReplies...))
	}
	t.settleAfter()
	t.st.LastActivity = t.now
	e.forwardToCase(ctx, t, log)
	if err := e.save(ctx, ev.UserID, t); err != nil {
		return nil, fmt.Errorf("save state of %s: %w", who, err)
	}
	return t.out, nil
}

// hoistQuickReplies moves the buttons to the last message: LINE shows
// quick replies only under the last message of a reply.
func hoistQuickReplies(out []Message) {
	n := len(out)
	if n == 0 {
		return
	}
	if len(out[n-1].QuickReplies) == 0 {
		for i := n - 2; i >= 0; i-- {
			if len(out[i].QuickReplies) > 0 {
				out[n-1].QuickReplies = out[i].QuickReplies
				break
			}
		}
	}
	for i := 0; i < n-1; i++ {
		out[i].QuickReplies = nil
	}
	out[n-1].QuickReplies = capQuickReplies(out[n-1].QuickReplies)
}

// capQuickReplies keeps LINE's limits: 13 buttons, labels ≤ 20 characters,
// no duplicate postbacks.
func capQuickReplies(qs []QuickReply) []QuickReply {
	if len(qs) == 0 {
		return nil
	}
	seen := map[string]bool{}
	out := qs[:0:0]
	for _, q := range qs {
		k := q.Data + "\x00" + q.Text
		if seen[k] {
			continue
		}
		seen[k] = true
		q.Label = truncRunes(q.Label, 20)
		out = append(out, q)
		if len(out) == 13 {
			break
		}
	}
	return out
}

func truncRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func (e *Engine) text(t *turn, s string, qs ...QuickReply) Message {
	e.record(t, "bot", s)
	if n := len(t.turns); s != "" && n > 0 && len(qs) > 0 {
		for _, q := range qs { // the agent's transcript shows what was offered
			t.turns[n-1].Options = append(t.turns[n-1].Options, q.Label)
		}
	}
	return Message{Text: s, QuickReplies: qs}
}

func norm(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}
