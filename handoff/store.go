package handoff

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
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
	raw, err := s.loadRaw(ctx, g, id)
	if err != nil {
		return nil, err
	}
	return decodeCase(id, raw)
}

// loadRaw reads case id's JSON as stored.
func (s *Service) loadRaw(ctx context.Context, g getter, id string) ([]byte, error) {
	b, err := g.Get(ctx, s.caseKey(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, ErrNoCase
	}
	if err != nil {
		return nil, fmt.Errorf("load case %s: %w", id, err)
	}
	return b, nil
}

func decodeCase(id string, raw []byte) (*Case, error) {
	var c Case
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, fmt.Errorf("decode case %s: %w", id, err)
	}
	c.normalize()
	return &c, nil
}

// errNoChange from an update function: return the case, write nothing.
var errNoChange = errors.New("no change")

// casScript writes a case and its indexes only if the case is unchanged
// since it was read: the optimistic update of a case in one round trip
// (WATCH, GET, MULTI/EXEC and UNWATCH took four). Every key it touches is
// passed in KEYS and carries the {handoff} tag: one Redis Cluster slot.
//
//	KEYS[1]   the case
//	KEYS[2..] the other keys the writes touch (queues, closed index,
//	          follow-ups, archive stream, the user's active-case link)
//	ARGV[1]   sha1 (hex) of the case's JSON as read
//	ARGV[2]   index in KEYS of the user's active-case link to drop if it
//	          still names ARGV[3] (the case closed), 0: none
//	ARGV[3]   the case id
//	ARGV[4..] the writes, each: command, index in KEYS of its key, n, then
//	          its n further arguments (as write queues them)
//
// Returns 1 when written, 0 when the case changed (or went) since read.
var casScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if not cur or redis.sha1hex(cur) ~= ARGV[1] then
  return 0
end
local link = tonumber(ARGV[2])
if link > 0 and redis.call('GET', KEYS[link]) == ARGV[3] then
  redis.call('DEL', KEYS[link])
end
local i = 4
while i <= #ARGV do
  local n = tonumber(ARGV[i+2])
  redis.call(ARGV[i], KEYS[tonumber(ARGV[i+1])], unpack(ARGV, i+3, i+2+n))
  i = i + 3 + n
end
return 1
`)

// update reads case id, applies fn and writes the case and its indexes in
// one compare-and-set script (casScript), reading again and retrying when
// the case changed meanwhile. fn may be called several times; it must only
// change c. Within an event whose context carries the customer's active
// case (PrefetchActive) the case read there is the first read.
func (s *Service) update(ctx context.Context, id string, fn func(c *Case) error) (*Case, error) {
	memo := memoOf(ctx)
	for range maxTxAttempts {
		raw := memo.caseRaw(id)
		if raw == nil {
			var err error
			if raw, err = s.loadRaw(ctx, s.rdb, id); err != nil {
				return nil, err
			}
		}
		c, err := decodeCase(id, raw)
		if err != nil {
			return nil, err
		}
		wasOpen, oldTier := c.Open(), c.Tier
		if err := fn(c); err != nil {
			if errors.Is(err, errNoChange) {
				return c, nil
			}
			return nil, err
		}
		written, ok, err := s.compareAndWrite(ctx, raw, c, oldTier, wasOpen && !c.Open())
		if err != nil {
			return nil, err
		}
		if !ok {
			memo.forgetCase(id) // changed since read: read it again
			continue
		}
		memo.setCase(id, written)
		return c, nil
	}
	return nil, fmt.Errorf("update case %s: gave up after %d attempts under contention", id, maxTxAttempts)
}

// compareAndWrite writes c (read as raw) with casScript; unlink drops the
// user's active-case link when it still names c. It returns the JSON
// written, or ok false when the case changed since raw was read.
func (s *Service) compareAndWrite(ctx context.Context, raw []byte, c *Case, oldTier string, unlink bool) (written []byte, ok bool, err error) {
	p := s.rdb.Pipeline() // only collects write's commands: never executed
	if err := s.write(ctx, p, c, oldTier, false); err != nil {
		return nil, false, err
	}
	cmds := p.Cmds()
	p.Discard()
	caseKey := s.caseKey(c.ID)
	keys := []string{caseKey}
	index := map[string]int{caseKey: 1}
	keyIndex := func(k string) int {
		if i, ok := index[k]; ok {
			return i
		}
		keys = append(keys, k)
		index[k] = len(keys)
		return len(keys)
	}
	sum := sha1.Sum(raw)
	link := 0
	if unlink {
		link = keyIndex(s.activeKey(c.UserID))
	}
	args := []any{hex.EncodeToString(sum[:]), link, c.ID}
	for _, cmd := range cmds {
		a := cmd.Args()
		var k string
		if len(a) >= 2 {
			k, _ = a[1].(string)
		}
		if k == "" {
			return nil, false, fmt.Errorf("write case %s: command %s without a key", c.ID, cmd.Name())
		}
		args = append(args, cmd.Name(), keyIndex(k), len(a)-2)
		args = append(args, a[2:]...)
		if cmd.Name() == "set" && k == caseKey {
			written, _ = a[2].([]byte)
		}
	}
	n, err := casScript.Run(ctx, s.rdb, keys, args...).Int()
	if err != nil {
		return nil, false, fmt.Errorf("write case %s: %w", c.ID, err)
	}
	return written, n == 1, nil
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
