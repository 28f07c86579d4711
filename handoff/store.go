package handoff

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Retention (see doc.go).
const (
	closedRetention = 2 * 365 * 24 * time.Hour // SOP: archive case records at least 2 years
	seqTTL          = 48 * time.Hour
	userCasesKeep   = 50
	maxTurns        = 200
	// A customer's text is kept up to maxTurnRunes per turn (LINE's own
	// limit for a text message) and maxCaseRunes for the whole transcript;
	// past that each new text keeps its first keepRunes and Turn.Cut says
	// how many characters were not stored (an abuse bound: 300 × 5,000
	// characters grew a case to 3 MB).
	maxTurnRunes  = 5000
	maxCaseRunes  = 50000
	keepRunes     = 200
	maxTxAttempts = 50
	eventsMaxLen  = 10000
)

// All case keys share the hash tag {handoff} so the multi-key transactions
// (case + queue + user link) work on Redis Cluster. Handoff volume is a small
// share of traffic, so one slot is plenty.
func (s *Service) key(parts ...string) string {
	k := s.prefix + "{handoff}"
	for _, p := range parts {
		k += ":" + p
	}
	return k
}

func (s *Service) caseKey(id string) string          { return s.key("case", id) }
func (s *Service) queueKey(tier string) string       { return s.key("queue", tier) }
func (s *Service) closedKey() string                 { return s.key("closed") }
func (s *Service) activeKey(userID string) string    { return s.key("user", userID, "active") }
func (s *Service) userCasesKey(userID string) string { return s.key("user", userID, "cases") }
func (s *Service) seqKey(day string) string          { return s.key("seq", day) }
func (s *Service) eventsKey() string                 { return s.prefix + "events" }

type getter interface {
	Get(ctx context.Context, key string) *redis.StringCmd
}

func (s *Service) load(ctx context.Context, g getter, id string) (*Case, error) {
	b, err := g.Get(ctx, s.caseKey(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, ErrNoCase
	}
	if err != nil {
		return nil, fmt.Errorf("load case %s: %w", id, err)
	}
	var c Case
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("decode case %s: %w", id, err)
	}
	c.normalize()
	return &c, nil
}

// errNoChange from an update function: return the case, write nothing.
var errNoChange = errors.New("no change")

// update reads case id, applies fn and writes the case and its indexes in
// one optimistic transaction (WATCH/MULTI), retrying on contention. fn may be
// called several times; it must only change c.
func (s *Service) update(ctx context.Context, id string, fn func(c *Case) error) (*Case, error) {
	key := s.caseKey(id)
	for range maxTxAttempts {
		var out *Case
		err := s.rdb.Watch(ctx, func(tx *redis.Tx) error {
			c, err := s.load(ctx, tx, id)
			if err != nil {
				return err
			}
			wasOpen, oldTier := c.Open(), c.Tier
			if err := fn(c); err != nil {
				if errors.Is(err, errNoChange) {
					out = c
					return nil
				}
				return err
			}
			active := ""
			if wasOpen && !c.Open() {
				ak := s.activeKey(c.UserID)
				if err := tx.Watch(ctx, ak).Err(); err != nil {
					return err
				}
				active, err = tx.Get(ctx, ak).Result()
				if err != nil && !errors.Is(err, redis.Nil) {
					return err
				}
			}
			_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
				return s.write(ctx, p, c, oldTier, active == c.ID)
			})
			out = c
			return err
		}, key)
		if errors.Is(err, redis.TxFailedErr) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return out, nil
	}
	return nil, fmt.Errorf("update case %s: gave up after %d attempts under contention", id, maxTxAttempts)
}

// write queues the commands that store c and keep the queues, the closed
// index and the user link consistent with it.
func (s *Service) write(ctx context.Context, p redis.Pipeliner, c *Case, oldTier string, unlinkUser bool) error {
	if len(c.Transcript) > maxTurns {
		c.Transcript = append([]Turn(nil), c.Transcript[len(c.Transcript)-maxTurns:]...)
	}
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode case %s: %w", c.ID, err)
	}
	if c.FollowUp.Open() {
		p.ZAdd(ctx, s.followUpsKey(), redis.Z{Score: float64(c.FollowUp.CreatedAt.UnixMilli()), Member: c.ID})
	} else {
		p.ZRem(ctx, s.followUpsKey(), c.ID)
	}
	if c.Open() {
		p.Set(ctx, s.caseKey(c.ID), b, 0)
		if oldTier != "" && oldTier != c.Tier {
			p.ZRem(ctx, s.queueKey(oldTier), c.ID)
		}
		p.ZAdd(ctx, s.queueKey(c.Tier), redis.Z{Score: float64(c.NextDue().UnixMilli()), Member: c.ID})
		return nil
	}
	p.Set(ctx, s.caseKey(c.ID), b, closedRetention)
	if err := s.archive(ctx, p, c); err != nil { // the case ledger's copy, in the same transaction
		return err
	}
	p.ZRem(ctx, s.queueKey(TierL2), c.ID)
	p.ZRem(ctx, s.queueKey(TierL3), c.ID)
	p.ZAdd(ctx, s.closedKey(), redis.Z{Score: float64(c.ClosedAt.UnixMilli()), Member: c.ID})
	p.ZRemRangeByScore(ctx, s.closedKey(), "-inf", fmt.Sprint(c.ClosedAt.Add(-closedRetention).UnixMilli()))
	if unlinkUser {
		p.Del(ctx, s.activeKey(c.UserID))
	}
	return nil
}

// loadMany reads cases by id (missing ones are skipped).
func (s *Service) loadMany(ctx context.Context, ids []string) ([]*Case, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = s.caseKey(id)
	}
	vals, err := s.rdb.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, fmt.Errorf("load cases: %w", err)
	}
	out := make([]*Case, 0, len(vals))
	for i, v := range vals {
		str, ok := v.(string)
		if !ok {
			continue
		}
		var c Case
		if err := json.Unmarshal([]byte(str), &c); err != nil {
			return nil, fmt.Errorf("decode case %s: %w", ids[i], err)
		}
		c.normalize()
		out = append(out, &c)
	}
	return out, nil
}
