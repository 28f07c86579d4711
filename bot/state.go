package bot

import (
	"context"
	"encoding/json"
	"fmt"
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
	LangOffered    string    // language a switch was offered to (once)
	RatedCase      string    // case just rated: the next message is a comment on it
	RatedAt        time.Time
	Refunds        []refundRequest // refund requests recorded at L1 (last 10)
	// Media is the customer's kept files of this issue (their transcript
	// turns, last 10): the case opened next carries them.
	Media []handoff.Turn
	// EvidenceEntry is a PhotoTopics entry whose remedy asked for photos
	// and the order number (EvidenceOrder once given); EvidenceText is the
	// complaint, the request of the case that opens with them.
	EvidenceEntry string
	EvidenceOrder string
	EvidenceText  string
	// Conv is the conversation going on (fields conv_*): its outcome is
	// recorded once, when it ends (outcome.go).
	Conv conversation
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
// user's slot) and returns the window's count.
func (e *Engine) load(ctx context.Context, userID string, count bool, now time.Time) (*state, int64, error) {
	var hc *redis.MapStringStringCmd
	var sent *redis.IntCmd
	_, err := e.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		hc = p.HGetAll(ctx, e.key(userID, "conv"))
		// The user's conversation goes idle ConversationIdle after this
		// event unless another comes (the idle sweep, outcome.go).
		p.ZAddGT(ctx, e.idleKey(), redis.Z{Score: float64(now.Add(e.cfg.ConversationIdle).UnixMilli()), Member: userID})
		if count {
			k := e.rateKey(userID, now)
			sent = p.Incr(ctx, k)
			p.PExpire(ctx, k, 2*e.cfg.RateWindow)
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	var n int64
	if sent != nil {
		n = sent.Val()
	}
	return parseState(hc.Val()), n, nil
}

// parseState reads the conversation hash.
func parseState(h map[string]string) *state {
	st := &state{
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
		LangOffered:    h["lang_offered"],
		RatedCase:      h["rated_case"],
		RatedAt:        parseMillis(h["rated_at"]),
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
	st.Conv = conversation{ID: h["conv_id"], Started: parseMillis(h["conv_started_at"]), End: h["conv_end"],
		Topic: h["conv_topic"], Trigger: h["conv_trigger"]}
	if s := h["tried"]; s != "" {
		if err := json.Unmarshal([]byte(s), &st.Tried); err != nil {
			st.Tried = nil // a damaged field must not block the conversation
		}
	}
	return st
}

func (st *state) fields() map[string]any {
	f := map[string]any{}
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
	put("lang_offered", st.LangOffered)
	put("rated_case", st.RatedCase)
	put("rated_at", fmtMillis(st.RatedAt))
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
	put("conv_id", st.Conv.ID)
	put("conv_started_at", fmtMillis(st.Conv.Started))
	put("conv_end", st.Conv.End)
	put("conv_topic", st.Conv.Topic)
	put("conv_trigger", st.Conv.Trigger)
	return f
}

// save writes the whole state hash and this event's transcript lines in
// one MULTI, so a reader never sees half an update.
func (e *Engine) save(ctx context.Context, userID string, t *turn) error {
	ck, tk := e.key(userID, "conv"), e.key(userID, "transcript")
	_, err := e.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, ck)
		p.HSet(ctx, ck, t.st.fields())
		p.Expire(ctx, ck, e.cfg.StateTTL)
		if len(t.turns) > 0 {
			vals := make([]any, 0, len(t.turns))
			for _, tu := range t.turns {
				b, _ := json.Marshal(tu)
				vals = append(vals, string(b))
			}
			p.RPush(ctx, tk, vals...)
			p.LTrim(ctx, tk, int64(-e.cfg.TranscriptTurns), -1)
			p.Expire(ctx, tk, e.cfg.StateTTL)
		}
		return nil
	})
	if err == nil {
		t.turns = nil
	}
	return err
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
// repeat window (this one included).
func (e *Engine) countContact(ctx context.Context, userID, topic string, now time.Time) (int, error) {
	k, idx := e.repeatKey(userID, topic), e.key(userID, "topics")
	ttl := e.rules.RepeatWindow + 24*time.Hour
	idxTTL := max(ttl, e.cfg.StateTTL)
	var card *redis.IntCmd
	_, err := e.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.ZRemRangeByScore(ctx, k, "-inf", "("+strconv.FormatInt(now.Add(-e.rules.RepeatWindow).UnixMilli(), 10))
		p.ZAdd(ctx, k, redis.Z{Score: float64(now.UnixMilli()), Member: strconv.FormatInt(now.UnixNano(), 10)})
		card = p.ZCard(ctx, k)
		p.Expire(ctx, k, ttl)
		p.SAdd(ctx, idx, topic)
		p.Expire(ctx, idx, idxTTL)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("count contact: %w", err)
	}
	return int(card.Val()), nil
}

// contactsInWindow counts the contacts on topic without adding one.
func (e *Engine) contactsInWindow(ctx context.Context, userID, topic string, now time.Time) int {
	if topic == "" {
		return 0
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
