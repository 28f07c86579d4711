package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/warmline/warmline/handoff"
)

// How the conversation stands for its outcome (the hash field conv_end):
// what the bot did last, which is how the conversation ended if the
// customer leaves now.
const (
	convNone = ""     // nothing to count yet (a greeting, a language choice)
	convOpen = "open" // a question or issue the bot has not settled
	convL1   = "l1"   // settled at L1: an FAQ answer, an order status, a refund within the limit
	convMenu = "menu" // the customer was offered a menu of likely topics
)

// conversation is one conversation's record in the state: its id (the
// outcome's id in the ledger, so an outcome recorded twice is stored
// once), when it began, and how it stands.
type conversation struct {
	ID      string
	Started time.Time
	End     string // convNone | convOpen | convL1 | convMenu
	Topic   string // KB entry id or flow name of the last settlement or issue
	Trigger string // escalation trigger kind offered and not taken
}

// settle records what the bot just did as how the conversation stands,
// starting the conversation if none is going on.
func (t *turn) settle(end, topic string) {
	c := &t.st.Conv
	if c.ID == "" {
		c.ID, c.Started = newConversationID(t), t.now
	}
	c.End = end
	if topic != "" {
		c.Topic = topic
	}
	if end == convL1 {
		c.Trigger = "" // settled: an earlier offer of a person was not needed
	}
}

// newConversationID is a UUIDv7, or the event id if the random source fails.
func newConversationID(t *turn) string {
	if id, err := uuid.NewV7(); err == nil {
		return id.String()
	}
	return "ev-" + t.ev.ID
}

// handedOver forgets the conversation: the case it became carries its
// outcome (the ledger stores one per closed case, marked as a handoff).
func (t *turn) handedOver() { t.st.Conv = conversation{} }

// settleAfter sets what the event left open: a conversation that was
// settled but now waits on the customer again (the complaint dialogue, an
// order number, phone digits, photos) or an issue begun without a
// settlement is open.
func (t *turn) settleAfter() {
	st := t.st
	waiting := st.Mode != modeNone || st.EvidenceEntry != ""
	switch {
	case st.Conv.End == convNone && (!st.IssueStartedAt.IsZero() || st.Unanswered > 0 || waiting):
		t.settle(convOpen, st.LastTopic)
	case st.Conv.End != convNone && waiting:
		topic := ""
		if st.Mode == modeListening {
			topic = cmp.Or(st.ComplaintEntry, topicComplaint)
		}
		t.settle(convOpen, topic)
	}
}

// endConversation records how the conversation ended (at ended) and
// forgets it; nothing when none is going on or nothing happened in it.
// The outcome carries the conversation id: recorded again (an event
// redelivered before its state was saved, two replicas), the ledger keeps
// one.
func (e *Engine) endConversation(ctx context.Context, t *turn, ended time.Time, log *zap.Logger) error {
	c := t.st.Conv
	if c.ID == "" || c.End == convNone {
		t.st.Conv = conversation{}
		return nil
	}
	o := handoff.ConversationOutcome{
		ConversationID: c.ID,
		UserID:         t.ev.UserID,
		Lang:           t.lang(),
		StartedAt:      c.Started.UTC(),
		EndedAt:        ended.UTC(),
		AnsweredL1:     c.End == convL1,
		Menu:           c.End == convMenu,
		Topic:          c.Topic,
		Trigger:        c.Trigger,
	}
	if err := e.cases.RecordOutcome(ctx, o); err != nil {
		// The event fails and is handled again with the same conversation.
		return fmt.Errorf("conversation outcome: %w", err)
	}
	log.Info("conversation ended", zap.String("end", c.End), zap.String("topic", c.Topic), zap.String("trigger", c.Trigger))
	t.st.Conv = conversation{}
	return nil
}

// endIdle ends a conversation the customer left: the first event after
// ConversationIdle without one ends it as it stood, at its last activity.
func (e *Engine) endIdle(ctx context.Context, t *turn, log *zap.Logger) error {
	last := t.st.LastActivity
	if t.st.Conv.ID == "" || last.IsZero() || t.now.Sub(last) <= e.cfg.ConversationIdle {
		return nil
	}
	return e.endConversation(ctx, t, last, log)
}

// idleKey is the sorted set of users whose conversation may go idle, score
// the unix ms when it would (ConversationIdle after their last event; ZADD
// GT in the state's load pipeline, so no extra round trip). It has no
// user hash tag: one key for the sweep on every replica.
func (e *Engine) idleKey() string { return e.prefix + "conv_idle" }

// sweepBatch is how many due users one sweep step looks at.
const sweepBatch = 200

// clearConv forgets the conversation fields if the conversation is still
// the one ended (a newer event may have started another).
var clearConv = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'conv_id') == ARGV[1] then
  redis.call('HDEL', KEYS[1], 'conv_id', 'conv_started_at', 'conv_end', 'conv_topic', 'conv_trigger')
end
return 0`)

// dropIdle removes a user from the idle set unless a newer event moved
// their due time past the cutoff.
var dropIdle = redis.NewScript(`
local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if s and tonumber(s) <= tonumber(ARGV[2]) then redis.call('ZREM', KEYS[1], ARGV[1]) end
return 0`)

// SweepIdle ends the conversations whose customer has been gone longer
// than ConversationIdle (recorded at their last activity, as they stood),
// so a customer who got an answer and left is counted without writing
// again. Safe on every replica at once and against the user's worker: an
// outcome recorded twice carries the same conversation id and the ledger
// keeps one. It returns how many conversations it ended.
func (e *Engine) SweepIdle(ctx context.Context) (int, error) {
	now := e.now()
	cutoff := strconv.FormatInt(now.UnixMilli(), 10)
	users, err := e.rdb.ZRangeByScore(ctx, e.idleKey(), &redis.ZRangeBy{Min: "-inf", Max: cutoff, Count: sweepBatch}).Result()
	if err != nil {
		return 0, fmt.Errorf("idle sweep: %w", err)
	}
	ended := 0
	for _, u := range users {
		h, err := e.rdb.HGetAll(ctx, e.key(u, "conv")).Result()
		if err != nil {
			return ended, fmt.Errorf("idle sweep: %w", err)
		}
		st := parseState(h)
		if st.Conv.ID != "" && !st.LastActivity.IsZero() && now.Sub(st.LastActivity) > e.cfg.ConversationIdle {
			t := &turn{ev: Event{UserID: u}, st: st, now: now}
			id := st.Conv.ID
			if err := e.endConversation(ctx, t, st.LastActivity, e.log); err != nil {
				return ended, fmt.Errorf("idle sweep: %w", err)
			}
			if err := clearConv.Run(ctx, e.rdb, []string{e.key(u, "conv")}, id).Err(); err != nil {
				return ended, fmt.Errorf("idle sweep: %w", err)
			}
			ended++
		} else if st.Conv.ID != "" {
			continue // not idle yet: a newer event moved the due time on
		}
		if err := dropIdle.Run(ctx, e.rdb, []string{e.idleKey()}, u, cutoff).Err(); err != nil {
			return ended, fmt.Errorf("idle sweep: %w", err)
		}
	}
	return ended, nil
}

// RunIdleSweeper runs SweepIdle every interval until ctx ends.
func (e *Engine) RunIdleSweeper(ctx context.Context, every time.Duration) {
	tk := time.NewTicker(every)
	defer tk.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tk.C:
			if n, err := e.SweepIdle(ctx); err != nil && ctx.Err() == nil {
				e.log.Warn("idle conversation sweep failed", zap.Error(err))
			} else if n > 0 {
				e.log.Info("idle conversations ended", zap.Int("count", n))
			}
		}
	}
}

// ForgetIdle takes userID out of the idle set (warmline forget: the set
// is the one bot key outside the user's hash tag). With dry set it only
// reports whether the user is in it.
func ForgetIdle(ctx context.Context, rdb redis.UniversalClient, prefix, userID string, dry bool) (bool, error) {
	k := (&Engine{prefix: prefix}).idleKey()
	if dry {
		err := rdb.ZScore(ctx, k, userID).Err()
		if errors.Is(err, redis.Nil) {
			return false, nil
		}
		return err == nil, err
	}
	n, err := rdb.ZRem(ctx, k, userID).Result()
	return n > 0, err
}
