package handoff

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"
)

// Event types.
const (
	EventCaseOpened      = "case_opened"
	EventCaseUpdated     = "case_updated"
	EventCustomerMessage = "customer_message"
	EventAgentReply      = "agent_reply"
	EventClaimed         = "claimed"
	EventReleased        = "released"
	EventEscalated       = "escalated"
	EventResolved        = "resolved"
	EventReturned        = "returned"
	EventCancelled       = "cancelled"
)

// Event is a small change notice agents' screens watch. ID is the Redis
// Stream id: it doubles as the SSE event id, so a client resumes with
// Last-Event-ID on any replica.
type Event struct {
	ID     string    `json:"id"`
	Type   string    `json:"type"`
	CaseID string    `json:"case_id"`
	Tier   string    `json:"tier"`
	At     time.Time `json:"at"`
}

// publish appends an event for c. Failing to publish does not undo the
// change (it is stored); screens catch up on their next reload.
func (s *Service) publish(ctx context.Context, typ string, c *Case) {
	ev := Event{Type: typ, CaseID: c.ID, Tier: c.Tier, At: s.now().UTC()}
	b, _ := json.Marshal(ev)
	err := s.rdb.XAdd(ctx, &redis.XAddArgs{
		Stream: s.eventsKey(), MaxLen: eventsMaxLen, Approx: true, Values: []any{"e", b},
	}).Err()
	if err != nil {
		s.log.Warn("publish event", zap.String("case_id", c.ID), zap.String("event", typ), zap.Error(err))
	}
}

// LastEventID returns the id of the newest event ("0-0" when there is none):
// where a client with no Last-Event-ID starts.
func (s *Service) LastEventID(ctx context.Context) (string, error) {
	msgs, err := s.rdb.XRevRangeN(ctx, s.eventsKey(), "+", "-", 1).Result()
	if err != nil {
		return "", fmt.Errorf("last event id: %w", err)
	}
	if len(msgs) == 0 {
		return "0-0", nil
	}
	return msgs[0].ID, nil
}

// Events returns up to 100 events after afterID (a stream id; "" means after
// the newest one now), waiting up to block for one to arrive (block <= 0:
// do not wait). No events is not an error.
func (s *Service) Events(ctx context.Context, afterID string, block time.Duration) ([]Event, error) {
	return s.EventsFrom(ctx, s.rdb, afterID, block)
}

// EventsFrom is Events read through rdb, a client of the same Redis. A
// blocking read holds its connection for up to block, so a long-lived
// reader (the inbox's one event reader per replica) passes a client of its
// own rather than holding a connection of the shared pool.
func (s *Service) EventsFrom(ctx context.Context, rdb redis.Cmdable, afterID string, block time.Duration) ([]Event, error) {
	if afterID == "" {
		id, err := s.LastEventID(ctx)
		if err != nil {
			return nil, err
		}
		afterID = id
	}
	if block <= 0 {
		block = -1
	}
	res, err := rdb.XRead(ctx, &redis.XReadArgs{
		Streams: []string{s.eventsKey(), afterID}, Count: 100, Block: block,
	}).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read events after %s: %w", afterID, err)
	}
	var out []Event
	for _, st := range res {
		for _, m := range st.Messages {
			var ev Event
			if raw, ok := m.Values["e"].(string); ok && json.Unmarshal([]byte(raw), &ev) == nil {
				ev.ID = m.ID
				out = append(out, ev)
			}
		}
	}
	return out, nil
}
