package line

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/warmline/warmline/bot"
)

// DefaultDeliveryTTL is how long a send's delivery record lives (LINE keeps
// an accepted X-Line-Retry-Key for 24 hours).
const DefaultDeliveryTTL = 24 * time.Hour

// DefaultReplyWindow is how long LINE promises a reply token works after
// the webhook: one minute.
const DefaultReplyWindow = time.Minute

// ErrUnrecorded is wrapped by a send that was not attempted because its
// attempt could not be recorded in Redis first (Redis unreachable). Nothing
// reached LINE; retrying later is safe.
var ErrUnrecorded = errors.New("line send not attempted: delivery record unavailable")

// Delivery record states of one part of a send.
const (
	partTried   = "try"     // "try:<unix ms>": a call started; its outcome is unknown
	partDone    = "done"    // LINE accepted it (200, or 409 for a push retry key)
	partInvalid = "invalid" // the reply token was refused before anything was uncertain: push instead
)

// Fields of a delivery record (the hash Pline:send:<key>).
const (
	fieldAnswer = "answer" // JSON []bot.Message: the answer being sent
	fieldToken  = "token"  // the reply token the reply part uses
	fieldReply  = "reply"  // state of the reply part
	pushField   = "push:"  // + part name: state of one push chunk
)

// record is a send's delivery record as read before sending. The zero value
// (no record, or no Redis) means nothing was attempted.
type record map[string]string

// state returns a part's state and, for partTried, when the call started.
func (r record) state(field string) (string, time.Time) { return parseState(r[field]) }

// parseState splits a part's value: "try:<unix ms>[:<attempt>]", "done",
// "invalid".
func parseState(v string) (string, time.Time) {
	st, rest, ok := strings.Cut(v, ":")
	if !ok {
		return v, time.Time{}
	}
	ms, _, _ := strings.Cut(rest, ":")
	n, _ := strconv.ParseInt(ms, 10, 64)
	return st, time.UnixMilli(n)
}

// answer returns the answer an earlier attempt recorded.
func (r record) answer() ([]bot.Message, bool) {
	raw, ok := r[fieldAnswer]
	if !ok {
		return nil, false
	}
	var msgs []bot.Message
	if err := json.Unmarshal([]byte(raw), &msgs); err != nil {
		return nil, false
	}
	return msgs, true
}

// deliveryKey is the delivery record of a send to userID: under the user's
// hash tag, the slot of the user's conversation, so the bot's state save and
// the reply's "tried" mark go in one MULTI (bot.SaveWith). "" for no key.
func (s *Sender) deliveryKey(userID, key string) string {
	if key == "" {
		return ""
	}
	return s.prefix + "{u:" + userID + "}:line:send:" + key
}

// legacyDeliveryKey is where records were kept before they carried the
// user's tag (until 2026-12-01; they live DeliveryTTL): a send resumed
// across the upgrade finds its record there.
func (s *Sender) legacyDeliveryKey(key string) string { return s.prefix + "line:send:" + key }

// loadRecord reads the delivery record of a send to userID and returns it
// with its Redis key (the new one, or the legacy one when only that has a
// record). Without Redis it returns an empty record (no protection across
// processes).
func (s *Sender) loadRecord(ctx context.Context, userID, key string) (record, string, error) {
	rkey := s.deliveryKey(userID, key)
	if s.rdb == nil || key == "" {
		return record{}, rkey, nil
	}
	var cur, old *redis.MapStringStringCmd
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		cur = p.HGetAll(ctx, rkey)
		old = p.HGetAll(ctx, s.legacyDeliveryKey(key))
		return nil
	}); err != nil {
		return nil, "", fmt.Errorf("%w: read %s: %w", ErrUnrecorded, key, err)
	}
	if len(cur.Val()) == 0 && len(old.Val()) > 0 {
		return record(old.Val()), s.legacyDeliveryKey(key), nil
	}
	return record(cur.Val()), rkey, nil
}

// mark writes fields (name, value pairs) of a send's delivery record and
// refreshes its TTL. It runs on a context detached from ctx's cancellation:
// a mark after LINE answered must land even while shutting down.
func (s *Sender) mark(ctx context.Context, rec record, rkey string, kv ...string) error {
	for i := 0; i+1 < len(kv); i += 2 {
		rec[kv[i]] = kv[i+1]
	}
	if s.rdb == nil || rkey == "" {
		return nil
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	args := make([]any, len(kv))
	for i, v := range kv {
		args[i] = v
	}
	pipe := s.rdb.TxPipeline()
	pipe.HSet(rctx, rkey, args...)
	pipe.PExpire(rctx, rkey, s.cfg.DeliveryTTL)
	if _, err := pipe.Exec(rctx); err != nil {
		return fmt.Errorf("%w: write %s: %w", ErrUnrecorded, rkey, err)
	}
	return nil
}

// markDone records that LINE took a part. A failure is only logged: the
// attempt mark stays, and whoever sends again learns from LINE (a spent
// reply token after a recorded attempt, a 409 for the retry key). Inside a
// Consumer's event (doneMarks in ctx) the mark is written with the event's
// ack, in the same round trip.
func (s *Sender) markDone(ctx context.Context, rec record, rkey, field string) {
	if m := doneMarksOf(ctx); m != nil && s.rdb != nil && rkey != "" {
		rec[field] = partDone
		m.add(rkey, field, s.cfg.DeliveryTTL)
		return
	}
	if err := s.mark(ctx, rec, rkey, field, partDone); err != nil {
		s.log.Warn("line delivery not recorded; a resend will find it delivered", zap.Error(err))
	}
}

func tried(now time.Time) string { return partTried + ":" + strconv.FormatInt(now.UnixMilli(), 10) }

// replyTryScript records a reply attempt only if the reply part still has
// the value this sender read, so two holders of one event (a shard lease
// lost under load) cannot both start a reply call each believing itself
// first: the loser reads the record again and sees the winner's attempt.
// KEYS[1] = record; ARGV[1] = expected reply value ("" = none), ARGV[2] =
// TTL ms, ARGV[3..] = field, value pairs. Returns 1 when written.
var replyTryScript = redis.NewScript(`
local cur = redis.call('HGET', KEYS[1], 'reply') or ''
if cur ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`)

// markReplyTry records this call's reply attempt (with the answer on the
// first mark and the token), unless the record's reply part changed since
// it was read (won false: read it again). ours is the value written, unique
// to this attempt.
func (s *Sender) markReplyTry(ctx context.Context, st *sendState, token string) (ours string, won bool, err error) {
	ours = tried(s.cfg.Clock()) + ":" + uuid.NewString()[:8]
	kv, err := st.pending()
	if err != nil {
		return "", false, err
	}
	kv = append(kv, fieldToken, token, fieldReply, ours)
	if s.rdb == nil || st.rkey == "" {
		for i := 0; i+1 < len(kv); i += 2 {
			st.rec[kv[i]] = kv[i+1]
		}
		st.needAnswer = false
		return ours, true, nil
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	args := make([]any, 0, 2+len(kv))
	args = append(args, st.rec[fieldReply], s.cfg.DeliveryTTL.Milliseconds())
	for _, v := range kv {
		args = append(args, v)
	}
	n, err := replyTryScript.Run(rctx, s.rdb, []string{st.rkey}, args...).Int()
	if err != nil {
		return "", false, fmt.Errorf("%w: write %s: %w", ErrUnrecorded, st.key, err)
	}
	if n == 0 {
		return "", false, nil
	}
	for i := 0; i+1 < len(kv); i += 2 {
		st.rec[kv[i]] = kv[i+1]
	}
	st.needAnswer = false
	return ours, true, nil
}

// usedMeanwhile reports whether, after this call recorded its attempt
// (ours), another holder of the event delivered the reply or started its
// own reply call with the token while it was good: then a refused token
// was spent by that call, and pushing would deliver the answer twice. Past
// the reply window the refusal says nothing (the token may simply have
// expired): false, and the push's retry key keeps a second push out.
func (s *Sender) usedMeanwhile(ctx context.Context, rkey, ours string, issued time.Time) bool {
	if s.rdb == nil || rkey == "" {
		return false
	}
	if !issued.IsZero() && s.cfg.Clock().Sub(issued) > s.cfg.ReplyWindow {
		return false
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	cur, err := s.rdb.HGet(rctx, rkey, fieldReply).Result()
	if err != nil {
		return false // nothing to go on: push (the retry key dedupes pushes)
	}
	st, _ := parseState(cur)
	return cur != ours && (st == partDone || st == partTried)
}

// RecordedAnswer returns the answer an earlier attempt at the send key
// started to deliver (a replica that crashed or stopped in the middle), so
// the event is finished with the same answer instead of being handled
// again. ok is false when nothing was attempted.
func (s *Sender) RecordedAnswer(ctx context.Context, userID, key string) (msgs []bot.Message, ok bool, err error) {
	rec, _, err := s.loadRecord(ctx, userID, key)
	if err != nil {
		return nil, false, err
	}
	msgs, ok = rec.answer()
	return msgs, ok, nil
}

// doneMarks collects the "done" marks of one event's processing attempt,
// so they reach Redis with the event's ack instead of one round trip each.
// An attempt that fails writes them before its retry (flush). Losing them
// (a crash before the ack) costs nothing but a repeated call to LINE: the
// "tried" marks stay, and a spent reply token after a recorded attempt, or
// a push's retry key, tells the next attempt the part was delivered.
type doneMarks struct {
	mu    sync.Mutex
	marks []doneMark
}

type doneMark struct {
	key, field string
	ttl        time.Duration
}

type doneMarksKey struct{}

func withDoneMarks(ctx context.Context, m *doneMarks) context.Context {
	return context.WithValue(ctx, doneMarksKey{}, m)
}

func doneMarksOf(ctx context.Context) *doneMarks {
	m, _ := ctx.Value(doneMarksKey{}).(*doneMarks)
	return m
}

func (m *doneMarks) add(key, field string, ttl time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.marks = append(m.marks, doneMark{key: key, field: field, ttl: ttl})
}

// queue queues the marks on p and empties m; check reads their results.
func (m *doneMarks) queue(ctx context.Context, p redis.Pipeliner) (check func() error) {
	m.mu.Lock()
	marks := m.marks
	m.marks = nil
	m.mu.Unlock()
	cmds := make([]redis.Cmder, 0, 2*len(marks))
	for _, d := range marks {
		cmds = append(cmds, p.HSet(ctx, d.key, d.field, partDone), p.PExpire(ctx, d.key, d.ttl))
	}
	return func() error {
		for _, c := range cmds {
			if err := c.Err(); err != nil {
				return fmt.Errorf("write delivery record: %w", err)
			}
		}
		return nil
	}
}

func (m *doneMarks) empty() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.marks) == 0
}

// flush writes the marks now (an attempt that will be retried).
func (m *doneMarks) flush(ctx context.Context, rdb redis.UniversalClient) error {
	if m.empty() {
		return nil
	}
	p := rdb.Pipeline()
	check := m.queue(ctx, p)
	_, _ = p.Exec(ctx)
	return check()
}

// savedTry is a reply attempt recorded inside the bot's state save
// (bot.SaveWith): the answer, the token and "tried" reach Redis in the MULTI
// that saves the conversation, so the state and the attempt are written
// together and the reply call needs no round trip of its own before it.
type savedTry struct {
	rkey, token string
	ttl         time.Duration
	now         func() time.Time
	ours        string
	kv          []string
	cmd         *redis.Cmd // nil: the save had no answer (or never ran)
}

// saveTry prepares the reply attempt of an event's first attempt, to be
// queued by the bot's save.
func (s *Sender) saveTry(userID, key, token string) *savedTry {
	if s.rdb == nil || key == "" || token == "" {
		return nil
	}
	return &savedTry{rkey: s.deliveryKey(userID, key), token: token, ttl: s.cfg.DeliveryTTL, now: s.cfg.Clock}
}

// queue is the bot.SaveWith function: it queues replyTryScript (expecting
// no reply attempt yet) with the answer. EVAL, not EVALSHA: inside a MULTI
// a missing script could not be loaded and retried.
func (t *savedTry) queue(ctx context.Context, p redis.Pipeliner, answer []bot.Message) {
	if len(answer) == 0 { // nothing to send (toLINE gives a message per message)
		return
	}
	b, err := json.Marshal(answer)
	if err != nil {
		return
	}
	t.ours = tried(t.now()) + ":" + uuid.NewString()[:8]
	t.kv = []string{fieldAnswer, string(b), fieldToken, t.token, fieldReply, t.ours}
	args := []any{"", t.ttl.Milliseconds()}
	for _, v := range t.kv {
		args = append(args, v)
	}
	t.cmd = replyTryScript.Eval(ctx, p, []string{t.rkey}, args...)
}

// result applies the saved attempt to st: ok false when it was not made
// (the caller records the attempt itself); won false when the record had a
// reply attempt already (read it again).
func (t *savedTry) result(st *sendState, token string) (ours string, won, ok bool) {
	if t == nil || t.cmd == nil || t.rkey != st.rkey || token != t.token {
		return "", false, false
	}
	n, err := t.cmd.Int()
	if err != nil {
		return "", false, false
	}
	if n == 0 {
		return "", false, true
	}
	for i := 0; i+1 < len(t.kv); i += 2 {
		st.rec[t.kv[i]] = t.kv[i+1]
	}
	st.needAnswer = false
	return t.ours, true, true
}
