package line

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
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

func (s *Sender) deliveryKey(key string) string { return s.prefix + "line:send:" + key }

// loadRecord reads the delivery record of a send key. Without Redis it
// returns an empty record (no protection across processes).
func (s *Sender) loadRecord(ctx context.Context, key string) (record, error) {
	if s.rdb == nil || key == "" {
		return record{}, nil
	}
	m, err := s.rdb.HGetAll(ctx, s.deliveryKey(key)).Result()
	if err != nil {
		return nil, fmt.Errorf("%w: read %s: %w", ErrUnrecorded, key, err)
	}
	return record(m), nil
}

// mark writes fields (name, value pairs) of a send's delivery record and
// refreshes its TTL. It runs on a context detached from ctx's cancellation:
// a mark after LINE answered must land even while shutting down.
func (s *Sender) mark(ctx context.Context, rec record, key string, kv ...string) error {
	for i := 0; i+1 < len(kv); i += 2 {
		rec[kv[i]] = kv[i+1]
	}
	if s.rdb == nil || key == "" {
		return nil
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	args := make([]any, len(kv))
	for i, v := range kv {
		args[i] = v
	}
	pipe := s.rdb.TxPipeline()
	pipe.HSet(rctx, s.deliveryKey(key), args...)
	pipe.PExpire(rctx, s.deliveryKey(key), s.cfg.DeliveryTTL)
	if _, err := pipe.Exec(rctx); err != nil {
		return fmt.Errorf("%w: write %s: %w", ErrUnrecorded, key, err)
	}
	return nil
}

// markDone records that LINE took a part. A failure is only logged: the
// attempt mark stays, and whoever sends again learns from LINE (a spent
// reply token after a recorded attempt, a 409 for the retry key).
func (s *Sender) markDone(ctx context.Context, rec record, key, field string) {
	if err := s.mark(ctx, rec, key, field, partDone); err != nil {
		s.log.Warn("line delivery not recorded; a resend will find it delivered", zap.String("send_key", key), zap.Error(err))
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
	kv := append(append([]string(nil), st.pending...), fieldToken, token, fieldReply, ours)
	if s.rdb == nil || st.key == "" {
		for i := 0; i+1 < len(kv); i += 2 {
			st.rec[kv[i]] = kv[i+1]
		}
		st.pending = nil
		return ours, true, nil
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	args := make([]any, 0, 2+len(kv))
	args = append(args, st.rec[fieldReply], s.cfg.DeliveryTTL.Milliseconds())
	for _, v := range kv {
		args = append(args, v)
	}
	n, err := replyTryScript.Run(rctx, s.rdb, []string{s.deliveryKey(st.key)}, args...).Int()
	if err != nil {
		return "", false, fmt.Errorf("%w: write %s: %w", ErrUnrecorded, st.key, err)
	}
	if n == 0 {
		return "", false, nil
	}
	for i := 0; i+1 < len(kv); i += 2 {
		st.rec[kv[i]] = kv[i+1]
	}
	st.pending = nil
	return ours, true, nil
}

// usedMeanwhile reports whether, after this call recorded its attempt
// (ours), another holder of the event delivered the reply or started its
// own reply call with the token while it was good: then a refused token
// was spent by that call, and pushing would deliver the answer twice. Past
// the reply window the refusal says nothing (the token may simply have
// expired): false, and the push's retry key keeps a second push out.
func (s *Sender) usedMeanwhile(ctx context.Context, key, ours string, issued time.Time) bool {
	if s.rdb == nil || key == "" {
		return false
	}
	if !issued.IsZero() && s.cfg.Clock().Sub(issued) > s.cfg.ReplyWindow {
		return false
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	cur, err := s.rdb.HGet(rctx, s.deliveryKey(key), fieldReply).Result()
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
func (s *Sender) RecordedAnswer(ctx context.Context, key string) (msgs []bot.Message, ok bool, err error) {
	rec, err := s.loadRecord(ctx, key)
	if err != nil {
		return nil, false, err
	}
	msgs, ok = rec.answer()
	return msgs, ok, nil
}

// maskUser shortens a LINE user id for logs: its type letter and last four
// characters ("U…b0b0"), enough to follow one customer through a log
// without naming them.
func maskUser(id string) string {
	if len(id) <= 5 {
		return "…"
	}
	return id[:1] + "…" + id[len(id)-4:]
}
