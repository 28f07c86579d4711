package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/warmline/warmline/handoff"
)

// Conversation modes (the hash field "mode").
const (
	modeNone           = ""
	modeAwaitingOrder  = "awaiting_order_number"
	modeAwaitingVerify = "awaiting_verification"
	modeListening      = "listening"
	modeAwaitingRefund = "awaiting_refund_order" // a refund request waits for its order number
)

// Where the language came from (the hash field "lang_source").
const (
	langChoice   = "choice"
	langProfile  = "profile"
	langDetected = "detected"
	langDefault  = "default"
)

// state is the per-user conversation state, stored as the hash
// <prefix>{u:<id>}:conv.
type state struct {
	Lang           string
	LangSource     string
	ProfileFetched bool
	DisplayName    string
	Mode           string
	LastActivity   time.Time
	IssueStartedAt time.Time // zero: no open issue
	IssueTopics    []string  // topics already counted as a contact in this issue
	IssueText      string    // the customer's first message about the issue (the case's request)
	Unanswered     int
	Unhelpful      int
	LastTopic      string
	LastCategory   string
	Shown          []string // entry ids answered in this issue
	Candidates     []string // candidates of the last match, best first
	Question       string   // the customer's question behind the last answer, menu or no-match (knowledge gaps)
	PendingOrder   string
	Complaint      string // the customer's story while listening
	ComplaintMsgs  int
	ComplaintEntry string // KB entry of the complaint/fault
	ComplaintOrder string
	ComplaintQuote string
	RefundAmount   int
	Offer          string // trigger kind a "talk to a person" tap opens
	OfferEvidence  string
	Tried          []handoff.Attempt
	RefundOrder    string    // order of the refund request being settled
	RefundPolicy   string    // KB entry the refund question matched (its answer is the policy)
	RefundText     string    // the customer's refund request, for the trigger
	LastOrder      string    // the order last shown in this issue (a refund recognises it)
	HandoffAckAt   time.Time // last acknowledgement of a customer message during a handoff (not a raise notice)
	HandoffWaitAt  time.Time // last answer to a question about the wait ("how long?") during a handoff
	// WaitSorryCase is the case whose wait the customer was apologised
	// for when a raise gave it a new target (said once per case).
	WaitSorryCase string
	LangOffered   string // language a switch was offered to (once)
	RatedCase     string // case just rated: the next message is a comment on it
	RatedAt       time.Time
	RatedLow      bool            // the rating was low: the comment's answer offers the follow-up again
	Refunds       []refundRequest // refund requests recorded at L1 (last 10)
	// Media is the customer's kept files of this issue (their transcript
	// turns, last 10): the case opened next carries them.
	Media []handoff.Turn
	// EvidenceEntry is a PhotoTopics entry whose remedy asked for photos
	// and the order number (EvidenceOrder once given); EvidenceText is the
	// complaint, the request of the case that opens with them.
	EvidenceEntry string
	EvidenceOrder string
	EvidenceText  string
	// CarrierCheck is a CarrierTopics entry whose remedy promised that the
	// courier is asked once the order is known: the order shown to the
	// customer opens the case for that check (field carrier_check).
	CarrierCheck string
	// Conv is the conversation going on (fields conv_*): its outcome is
	// recorded once, when it ends (outcome.go).
	Conv conversation
	// Contacts are the customer's contacts per topic within the repeat
	// window (unix ns, the repeat keys' members; field "contacts"), read with the state so counting a
	// contact costs no round trip of its own. contactsKnown is false for a
	// state saved before the field existed: the first count then reads the
	// repeat keys once (seedContacts). added are this event's contacts,
	// written to the repeat keys by save.
	Contacts      map[string][]int64
	contactsKnown bool
	added         []contactAt
	// stored is the hash as this event read it (load) or last wrote it
	// (save), so save writes only the fields that changed; nil when not
	// known (save then rewrites the whole hash).
	stored map[string]string
}

// contactAt is one contact on a topic.
type contactAt struct {
	topic string
	at    time.Time
}

// refundRequest is a refund L1 recorded for a colleague to process (the
// order backend is read-only).
type refundRequest struct {
	Order  string    `json:"order"`
	Amount int       `json:"amount"`
	At     time.Time `json:"at"`
}

func (e *Engine) key(userID, name string) string {
	return e.prefix + "{u:" + userID + "}:" + name
}

func (e *Engine) repeatKey(userID, topic string) string {
	return e.key(userID, "repeat:"+topic)
}

// load reads the user's state; with count set it also counts this message
// in the rate window of now (in the same round trip: the keys share the
// user's slot) and returns the window's count. The returned context carries
// the state for the rest of the event (turnState): counting a contact reads
// it instead of Redis, and save writes what the event added.
//
// When the handoff service can (activePrefetcher), the same round trip reads
// whether a person has the customer's case, and the returned context
// carries it: the handoff check of a message costs no trip of its own.
func (e *Engine) load(ctx context.Context, userID string, count bool, now time.Time) (context.Context, *state, int64, error) {
	var (
		hc     *redis.MapStringStringCmd
		own    []redis.Cmder
		sent   *redis.IntCmd
		active func(context.Context) context.Context
	)
	pf, _ := e.cases.(activePrefetcher)
	_, err := e.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		hc = p.HGetAll(ctx, e.key(userID, "conv"))
		// The user's conversation goes idle ConversationIdle after this
		// event unless another comes (the idle sweep, outcome.go).
		own = append(own, hc, p.ZAddGT(ctx, e.idleKey(), redis.Z{Score: float64(now.Add(e.cfg.ConversationIdle).UnixMilli()), Member: userID}))
		if count {
			k := e.rateKey(userID, now)
			sent = p.Incr(ctx, k)
			own = append(own, sent, p.PExpire(ctx, k, 2*e.cfg.RateWindow))
		}
		if pf != nil {
			active = pf.PrefetchActive(ctx, p, userID)
		}
		return nil
	})
	if err != nil {
		// Only the state's own commands decide (the link's GET answers
		// redis.Nil when there is no case; a failed one is only not used).
		for _, c := range own {
			if c.Err() != nil {
				return ctx, nil, 0, c.Err()
			}
		}
	}
	if active != nil {
		ctx = active(ctx)
	}
	var n int64
	if sent != nil {
		n = sent.Val()
	}
	st := parseState(hc.Val())
	return context.WithValue(ctx, turnStateKey{}, &turnState{userID: userID, st: st}), st, n, nil
}

// activePrefetcher is the handoff service's read of a customer's
// active-case link inside another pipeline (*handoff.Service): the
// returned function gives the context whose ActiveCase answers from it.
type activePrefetcher interface {
	PrefetchActive(ctx context.Context, p redis.Pipeliner, userID string) func(context.Context) context.Context
}

// turnState is the state of the event being handled, carried in its
// context from load on, so the helpers that take only the user id
// (countContact, contactsInWindow) find it.
type turnState struct {
	userID string
	st     *state
}

type turnStateKey struct{}

// stateOf returns the loaded state of userID's event being handled, or nil.
func stateOf(ctx context.Context, userID string) *state {
	ts, _ := ctx.Value(turnStateKey{}).(*turnState)
	if ts == nil || ts.userID != userID {
		return nil
	}
	return ts.st
}

// SaveWith returns a context whose Handle runs fn inside the MULTI that
// saves the user's state at the end of the event, with the event's answer
// (nothing when the event has none): a write of the caller that belongs with
// the answer (bot/line records "reply tried" with it) shares that round trip
// instead of taking its own. fn's keys must carry the user's hash tag
// ({u:<id>}): a MULTI touches one Redis Cluster slot. fn only queues
// commands; their errors do not fail the save, the caller reads them from
// the commands it queued. fn is not called when Handle fails before saving.
func SaveWith(ctx context.Context, fn func(ctx context.Context, p redis.Pipeliner, answer []Message)) context.Context {
	return context.WithValue(ctx, saveWithKey{}, fn)
}

type saveWithKey struct{}

// parseState reads the conversation hash.
func parseState(h map[string]string) *state {
	st := &state{
		stored:         h,
		Lang:           h["lang"],
		LangSource:     h["lang_source"],
		ProfileFetched: h["profile_fetched"] == "1",
		DisplayName:    h["display_name"],
		Mode:           h["mode"],
		LastActivity:   parseMillis(h["last_activity_at"]),
		IssueStartedAt: parseMillis(h["issue_started_at"]),
		IssueTopics:    splitList(h["issue_topics"]),
		IssueText:      h["issue_text"],
		Unanswered:     atoi(h["unanswered"]),
		Unhelpful:      atoi(h["unhelpful"]),
		LastTopic:      h["last_topic"],
		LastCategory:   h["last_category"],
		Shown:          splitList(h["shown"]),
		Candidates:     splitList(h["candidates"]),
		Question:       h["question"],
		PendingOrder:   h["pending_order"],
		Complaint:      h["complaint"],
		ComplaintMsgs:  atoi(h["complaint_msgs"]),
		ComplaintEntry: h["complaint_entry"],
		ComplaintOrder: h["complaint_order"],
		ComplaintQuote: h["complaint_quote"],
		RefundAmount:   atoi(h["refund_amount"]),
		Offer:          h["offer"],
		OfferEvidence:  h["offer_evidence"],
		RefundOrder:    h["refund_order"],
		RefundPolicy:   h["refund_policy"],
		RefundText:     h["refund_text"],
		LastOrder:      h["last_order"],
		HandoffAckAt:   parseMillis(h["handoff_ack_at"]),
		HandoffWaitAt:  parseMillis(h["handoff_wait_at"]),
		WaitSorryCase:  h["wait_sorry_case"],
		LangOffered:    h["lang_offered"],
		RatedCase:      h["rated_case"],
		RatedAt:        parseMillis(h["rated_at"]),
		RatedLow:       h["rated_low"] == "1",
	}
	if s := h["refunds"]; s != "" {
		if err := json.Unmarshal([]byte(s), &st.Refunds); err != nil {
			st.Refunds = nil
		}
	}
	if s := h["media"]; s != "" {
		if err := json.Unmarshal([]byte(s), &st.Media); err != nil {
			st.Media = nil
		}
	}
	st.EvidenceEntry, st.EvidenceOrder, st.EvidenceText = h["evidence_entry"], h["evidence_order"], h["evidence_text"]
	st.CarrierCheck = h["carrier_check"]
	st.Conv = conversation{ID: h["conv_id"], Started: parseMillis(h["conv_started_at"]), End: h["conv_end"],
		Topic: h["conv_topic"], Trigger: h["conv_trigger"]}
	if s := h["tried"]; s != "" {
		if err := json.Unmarshal([]byte(s), &st.Tried); err != nil {
			st.Tried = nil // a damaged field must not block the conversation
		}
	}
	// A customer without a state has no repeat keys either (they live
	// shorter than the state); an older state without the field may.
	s, ok := h["contacts"]
	st.contactsKnown = ok || len(h) == 0
	if s != "" && json.Unmarshal([]byte(s), &st.Contacts) != nil {
		st.Contacts, st.contactsKnown = nil, false // damaged: read the repeat keys again
	}
	return st
}

func (st *state) fields() map[string]string {
	f := make(map[string]string, 24)
	put := func(k, v string) {
		if v != "" {
			f[k] = v
		}
	}
	putInt := func(k string, v int) {
		if v != 0 {
			f[k] = strconv.Itoa(v)
		}
	}
	put("lang", st.Lang)
	put("lang_source", st.LangSource)
	if st.ProfileFetched {
		f["profile_fetched"] = "1"
	}
	put("display_name", st.DisplayName)
	put("mode", st.Mode)
	put("last_activity_at", fmtMillis(st.LastActivity))
	put("issue_started_at", fmtMillis(st.IssueStartedAt))
	put("issue_topics", strings.Join(st.IssueTopics, ","))
	put("issue_text", st.IssueText)
	putInt("unanswered", st.Unanswered)
	putInt("unhelpful", st.Unhelpful)
	put("last_topic", st.LastTopic)
	put("last_category", st.LastCategory)
	put("shown", strings.Join(st.Shown, ","))
	put("candidates", strings.Join(st.Candidates, ","))
	put("question", st.Question)
	put("pending_order", st.PendingOrder)
	put("complaint", st.Complaint)
	putInt("complaint_msgs", st.ComplaintMsgs)
	put("complaint_entry", st.ComplaintEntry)
	put("complaint_order", st.ComplaintOrder)
	put("complaint_quote", st.ComplaintQuote)
	putInt("refund_amount", st.RefundAmount)
	put("offer", st.Offer)
	put("offer_evidence", st.OfferEvidence)
	if len(st.Tried) > 0 {
		b, _ := json.Marshal(st.Tried)
		f["tried"] = string(b)
	}
	put("refund_order", st.RefundOrder)
	put("refund_policy", st.RefundPolicy)
	put("refund_text", st.RefundText)
	put("last_order", st.LastOrder)
	put("handoff_ack_at", fmtMillis(st.HandoffAckAt))
	put("handoff_wait_at", fmtMillis(st.HandoffWaitAt))
	put("wait_sorry_case", st.WaitSorryCase)
	put("lang_offered", st.LangOffered)
	put("rated_case", st.RatedCase)
	put("rated_at", fmtMillis(st.RatedAt))
	if st.RatedLow {
		put("rated_low", "1")
	}
	if len(st.Refunds) > 0 {
		b, _ := json.Marshal(st.Refunds)
		f["refunds"] = string(b)
	}
	if len(st.Media) > 0 {
		b, _ := json.Marshal(st.Media)
		f["media"] = string(b)
	}
	put("evidence_entry", st.EvidenceEntry)
	put("evidence_order", st.EvidenceOrder)
	put("evidence_text", st.EvidenceText)
	put("carrier_check", st.CarrierCheck)
	put("conv_id", st.Conv.ID)
	put("conv_started_at", fmtMillis(st.Conv.Started))
	put("conv_end", st.Conv.End)
	put("conv_topic", st.Conv.Topic)
	put("conv_trigger", st.Conv.Trigger)
	if st.contactsKnown {
		b, _ := json.Marshal(st.Contacts) // "null" when there are none: still known
		f["contacts"] = string(b)
	}
	return f
}

// save writes the whole state hash, this event's transcript lines and
// repeat contacts in one MULTI, so a reader never sees half an update; a
// caller's SaveWith commands ride along in the same round trip.
func (e *Engine) save(ctx context.Context, userID string, t *turn) error {
	ck, tk := e.key(userID, "conv"), e.key(userID, "transcript")
	var extra func(context.Context, redis.Pipeliner, []Message)
	if len(t.out) > 0 {
		extra, _ = ctx.Value(saveWithKey{}).(func(context.Context, redis.Pipeliner, []Message))
	}
	p := e.rdb.TxPipeline()
	f := t.st.fields()
	own := queueStateWrite(ctx, p, ck, t.st.stored, f)
	own = append(own, p.Expire(ctx, ck, e.cfg.StateTTL))
	if len(t.turns) > 0 {
		vals := make([]any, 0, len(t.turns))
		for _, tu := range t.turns {
			b, _ := json.Marshal(tu)
			vals = append(vals, string(b))
		}
		own = append(own, p.RPush(ctx, tk, vals...), p.LTrim(ctx, tk, int64(-e.cfg.TranscriptTurns), -1), p.Expire(ctx, tk, e.cfg.StateTTL))
	}
	own = append(own, e.queueContacts(ctx, p, userID, t.st)...)
	if extra != nil {
		extra(ctx, p, t.out)
	}
	if _, err := p.Exec(ctx); err != nil {
		// Only the state's own commands decide: a failed companion command
		// is its caller's to handle.
		for _, c := range own {
			if c.Err() != nil {
				return c.Err()
			}
		}
	}
	t.turns = nil
	t.st.added = nil
	t.st.stored = f
	return nil
}

// queueStateWrite queues the write of the conversation hash from stored
// (what the hash held when read, nil: not known) to f: only the fields
// that changed (HSET) and those gone (HDEL), not the whole hash again. A
// returning customer's FAQ answer changes 4-6 of its ~20 fields; rewriting
// all (DEL + HSET) was 3 times the bytes and rebuilt the hash in Redis on
// every event. The conv_* fields go together: the idle sweep clears them
// (clearConv) and an event that changes one of them writes them all, so a
// sweep between this event's load and save never leaves half of them.
func queueStateWrite(ctx context.Context, p redis.Pipeliner, key string, stored, f map[string]string) []redis.Cmder {
	if stored == nil {
		args := make([]any, 0, 2*len(f))
		for k, v := range f {
			args = append(args, k, v)
		}
		cmds := []redis.Cmder{p.Del(ctx, key)}
		if len(args) > 0 {
			cmds = append(cmds, p.HSet(ctx, key, args...))
		}
		return cmds
	}
	var (
		set  []any
		gone []string
		conv bool
	)
	for k, v := range f {
		if old, ok := stored[k]; !ok || old != v {
			set = append(set, k, v)
			conv = conv || strings.HasPrefix(k, "conv_")
		}
	}
	for k := range stored {
		if _, ok := f[k]; !ok {
			gone = append(gone, k)
			conv = conv || strings.HasPrefix(k, "conv_")
		}
	}
	if conv {
		for k, v := range f {
			if strings.HasPrefix(k, "conv_") && stored[k] == v {
				set = append(set, k, v)
			}
		}
	}
	var cmds []redis.Cmder
	if len(gone) > 0 {
		cmds = append(cmds, p.HDel(ctx, key, gone...))
	}
	if len(set) > 0 {
		cmds = append(cmds, p.HSet(ctx, key, set...))
	}
	return cmds
}

// queueContacts queues the writes of this event's contacts to the repeat
// keys: one sorted set of contact times per topic (TTL window + 1 day) and
// the index of topics (for unfollow). The counts come from the state's
// Contacts; the keys are kept so an older build, and a state lost before
// its keys, count the same contacts.
func (e *Engine) queueContacts(ctx context.Context, p redis.Pipeliner, userID string, st *state) []redis.Cmder {
	if len(st.added) == 0 {
		return nil
	}
	ttl := e.rules.RepeatWindow + 24*time.Hour
	idx := e.key(userID, "topics")
	var cmds []redis.Cmder
	for _, c := range st.added {
		k := e.repeatKey(userID, c.topic)
		cmds = append(cmds,
			p.ZRemRangeByScore(ctx, k, "-inf", "("+strconv.FormatInt(c.at.Add(-e.rules.RepeatWindow).UnixMilli(), 10)),
			p.ZAdd(ctx, k, redis.Z{Score: float64(c.at.UnixMilli()), Member: strconv.FormatInt(c.at.UnixNano(), 10)}),
			p.Expire(ctx, k, ttl),
			p.SAdd(ctx, idx, c.topic))
	}
	return append(cmds, p.Expire(ctx, idx, max(ttl, e.cfg.StateTTL)))
}

// record adds a transcript line for this event (saved with the state).
func (e *Engine) record(t *turn, from, text string) {
	if text == "" {
		return
	}
	t.turns = append(t.turns, handoff.Turn{From: from, Text: text, At: t.now})
}

// transcript returns the stored lines plus this event's, oldest first,
// capped to TranscriptTurns.
func (e *Engine) transcript(ctx context.Context, t *turn) ([]handoff.Turn, error) {
	raw, err := e.rdb.LRange(ctx, e.key(t.ev.UserID, "transcript"), 0, -1).Result()
	if err != nil {
		return nil, err
	}
	out := make([]handoff.Turn, 0, len(raw)+len(t.turns))
	for _, s := range raw {
		var tu handoff.Turn
		if json.Unmarshal([]byte(s), &tu) == nil {
			out = append(out, tu)
		}
	}
	out = append(out, t.turns...)
	if n := e.cfg.TranscriptTurns; len(out) > n {
		out = out[len(out)-n:]
	}
	return out, nil
}

// countContact records a contact on topic and returns how many fall in the
// repeat window (this one included). With the event's state loaded (always,
// inside Handle) it counts from the state and save writes the contact: no
// round trip of its own.
func (e *Engine) countContact(ctx context.Context, userID, topic string, now time.Time) (int, error) {
	st := stateOf(ctx, userID)
	if st == nil {
		return 0, fmt.Errorf("count contact: no state loaded")
	}
	if !st.contactsKnown {
		if err := e.seedContacts(ctx, userID, st, now); err != nil {
			return 0, fmt.Errorf("count contact: %w", err)
		}
	}
	st.pruneContacts(now.Add(-e.rules.RepeatWindow))
	if st.Contacts == nil {
		st.Contacts = map[string][]int64{}
	}
	// One contact per instant, as the repeat key's member (its unix ns).
	if at := now.UnixNano(); !slices.Contains(st.Contacts[topic], at) {
		st.Contacts[topic] = append(st.Contacts[topic], at)
		st.added = append(st.added, contactAt{topic: topic, at: now})
	}
	return len(st.Contacts[topic]), nil
}

// pruneContacts drops the contacts before from (the repeat window's start),
// to the millisecond as the repeat keys' scores.
func (st *state) pruneContacts(from time.Time) {
	cut := windowStart(from)
	for tp, ts := range st.Contacts {
		kept := ts[:0]
		for _, at := range ts {
			if at >= cut {
				kept = append(kept, at)
			}
		}
		if len(kept) == 0 {
			delete(st.Contacts, tp)
		} else {
			st.Contacts[tp] = kept
		}
	}
}

// seedContacts reads a state's contacts from the repeat keys, once, for a
// state saved before it kept them (two round trips); from then on they are
// in the state.
func (e *Engine) seedContacts(ctx context.Context, userID string, st *state, now time.Time) error {
	topics, err := e.rdb.SMembers(ctx, e.key(userID, "topics")).Result()
	if err != nil {
		return err
	}
	from := strconv.FormatInt(now.Add(-e.rules.RepeatWindow).UnixMilli(), 10)
	cmds := make([]*redis.StringSliceCmd, len(topics))
	if len(topics) > 0 {
		if _, err := e.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, tp := range topics {
				cmds[i] = p.ZRangeByScore(ctx, e.repeatKey(userID, tp), &redis.ZRangeBy{Min: from, Max: "+inf"})
			}
			return nil
		}); err != nil {
			return err
		}
	}
	st.Contacts = map[string][]int64{}
	for i, tp := range topics {
		for _, m := range cmds[i].Val() {
			if at, err := strconv.ParseInt(m, 10, 64); err == nil {
				st.Contacts[tp] = append(st.Contacts[tp], at)
			}
		}
	}
	st.contactsKnown = true
	return nil
}

// windowStart is the first contact (unix ns) a window starting at from
// counts: the repeat keys score contacts by the millisecond.
func windowStart(from time.Time) int64 { return from.UnixMilli() * int64(time.Millisecond) }

// contactsInWindow counts the contacts on topic without adding one (this
// event's included).
func (e *Engine) contactsInWindow(ctx context.Context, userID, topic string, now time.Time) int {
	if topic == "" {
		return 0
	}
	if st := stateOf(ctx, userID); st != nil && st.contactsKnown {
		cut, n := windowStart(now.Add(-e.rules.RepeatWindow)), 0
		for _, at := range st.Contacts[topic] {
			if at >= cut {
				n++
			}
		}
		return n
	}
	n, err := e.rdb.ZCount(ctx, e.repeatKey(userID, topic),
		strconv.FormatInt(now.Add(-e.rules.RepeatWindow).UnixMilli(), 10), "+inf").Result()
	if err != nil {
		return 0
	}
	return int(n)
}

// forget deletes every key of the user (unfollow).
func (e *Engine) forget(ctx context.Context, userID string) error {
	idx := e.key(userID, "topics")
	topics, err := e.rdb.SMembers(ctx, idx).Result()
	if err != nil {
		return err
	}
	keys := []string{e.key(userID, "conv"), e.key(userID, "transcript"), idx}
	keys = append(keys, e.verifyKeys(userID)...)
	now := e.now()
	keys = append(keys, e.rateKey(userID, now), e.rateKey(userID, now.Add(-e.cfg.RateWindow)))
	for _, tp := range topics {
		keys = append(keys, e.repeatKey(userID, tp))
	}
	return e.rdb.Del(ctx, keys...).Err()
}

// resetIssue forgets the current issue (resolved, handed over or abandoned);
// language and name stay (failed phone checks are counted in their own keys).
func (st *state) resetIssue() {
	st.Mode = modeNone
	st.IssueStartedAt = time.Time{}
	st.IssueTopics = nil
	st.IssueText = ""
	st.Unanswered, st.Unhelpful = 0, 0
	st.Shown, st.Candidates = nil, nil
	st.Question = ""
	st.PendingOrder, st.LastOrder = "", ""
	st.clearComplaint()
	st.Offer, st.OfferEvidence = "", ""
	st.Tried = nil
	st.Media = nil
	st.EvidenceEntry, st.EvidenceOrder, st.EvidenceText = "", "", ""
	st.CarrierCheck = ""
}

// closeIssue ends the issue the customer is done with ("Solved", thanks
// after a settlement, a goodbye). What the bot tried stays for a person
// asked for next ("I still want a person"), so the brief never says it
// tried nothing.
func (st *state) closeIssue() {
	tried := st.Tried
	st.resetIssue()
	st.Tried = tried
}

func (st *state) clearComplaint() {
	st.Complaint, st.ComplaintMsgs = "", 0
	st.ComplaintEntry, st.ComplaintOrder, st.ComplaintQuote = "", "", ""
	st.RefundAmount = 0
	st.RefundOrder, st.RefundPolicy, st.RefundText = "", "", ""
}

func (st *state) addRefund(r refundRequest) {
	st.Refunds = append(st.Refunds, r)
	if len(st.Refunds) > 10 {
		st.Refunds = st.Refunds[len(st.Refunds)-10:]
	}
}

func (st *state) addTried(a handoff.Attempt) {
	st.Tried = append(st.Tried, a)
	if len(st.Tried) > 10 {
		st.Tried = st.Tried[len(st.Tried)-10:]
	}
}

func parseMillis(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

func fmtMillis(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return strconv.FormatInt(t.UnixMilli(), 10)
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
