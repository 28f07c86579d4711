package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Phone checks are counted where a success elsewhere cannot reset them:
// failed checks per (user, order) and per user in a rolling window of the
// engine's clock, every check (failed or not) for a rate limit. A success
// resets nothing, so alternating wrong guesses on a stranger's order with a
// right one on one's own order gains no guesses.
//
// Keys (all under the user's hash tag, so the script runs in one Cluster
// slot):
//
//	verify_checks       zset  every check, score unix ms (rate limit)
//	verify_fails        zset  failed checks, member "<order>|<nonce>", score unix ms
//	verify_order_locks  zset  member order number, score: locked until (unix ms)
//	verify_lock         string user-wide lock (also the security pause), TTL

// verifyKeys are the user's verification keys (for unfollow).
func (e *Engine) verifyKeys(userID string) []string {
	return []string{
		e.key(userID, "verify_checks"), e.key(userID, "verify_fails"),
		e.key(userID, "verify_order_locks"), e.key(userID, "verify_lock"),
	}
}

// verifyScript records one phone check.
//
// KEYS[1] verify_checks, KEYS[2] verify_fails, KEYS[3] verify_order_locks,
// KEYS[4] verify_lock.
// ARGV[1] now (unix ms), ARGV[2] order, ARGV[3] nonce, ARGV[4] "1" when the
// check failed, ARGV[5] checks cutoff (unix ms: older checks leave the rate
// window), ARGV[6] rate window (ms, key TTL), ARGV[7] failures cutoff,
// ARGV[8] failure window (ms, key TTL), ARGV[9] failures on one order
// before it is locked, ARGV[10] failures of the user before all checks
// are locked, ARGV[11] order locked until (unix ms), ARGV[12] order lock
// (ms, key TTL), ARGV[13] user lock (ms).
//
// Returns {order locked (0|1), user locked (0|1)}.
var verifyScript = redis.NewScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[5])
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
if ARGV[4] ~= '1' then
  return {0, 0}
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[7])
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[2] .. '|' .. ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[8])
local fails = redis.call('ZRANGE', KEYS[2], 0, -1)
local prefix = ARGV[2] .. '|'
local onOrder = 0
for _, m in ipairs(fails) do
  if string.sub(m, 1, #prefix) == prefix then
    onOrder = onOrder + 1
  end
end
local orderLocked, userLocked = 0, 0
if onOrder >= tonumber(ARGV[9]) then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[1])
  redis.call('ZADD', KEYS[3], ARGV[11], ARGV[2])
  redis.call('PEXPIRE', KEYS[3], ARGV[12])
  orderLocked = 1
end
if #fails >= tonumber(ARGV[10]) then
  if redis.call('PTTL', KEYS[4]) < tonumber(ARGV[13]) then
    redis.call('SET', KEYS[4], '1', 'PX', ARGV[13])
  end
  userLocked = 1
end
return {orderLocked, userLocked}
`)

// checkResult is what recording a failed check locked.
type checkResult struct {
	orderLocked, userLocked bool
}

// recordCheck counts one phone check of order by userID (failed or not)
// and locks what the failures reach.
func (e *Engine) recordCheck(ctx context.Context, userID, order string, failed bool, now time.Time) (checkResult, error) {
	nonce, err := newNonce()
	if err != nil {
		return checkResult{}, err
	}
	fail := "0"
	if failed {
		fail = "1"
	}
	ms := func(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }
	dur := func(d time.Duration) string { return strconv.FormatInt(max(d.Milliseconds(), 1), 10) }
	c := e.cfg
	res, err := verifyScript.Run(ctx, e.rdb, []string{
		e.key(userID, "verify_checks"), e.key(userID, "verify_fails"),
		e.key(userID, "verify_order_locks"), e.key(userID, "verify_lock"),
	},
		ms(now), order, nonce, fail,
		ms(now.Add(-c.VerifyRateWindow)), dur(c.VerifyRateWindow),
		ms(now.Add(-c.VerifyWindow)), dur(c.VerifyWindow),
		c.VerifyAttempts, c.VerifyUserAttempts,
		ms(now.Add(c.VerifyOrderLock)), dur(c.VerifyOrderLock), dur(c.VerifyLock),
	).Int64Slice()
	if err != nil {
		return checkResult{}, fmt.Errorf("record phone check: %w", err)
	}
	if len(res) != 2 {
		return checkResult{}, fmt.Errorf("record phone check: script returned %v", res)
	}
	return checkResult{orderLocked: res[0] == 1, userLocked: res[1] == 1}, nil
}

// checkBlocked reports how long phone checks of order by userID stay
// blocked (0: a check may run): the user-wide lock (too many failures, or
// a security report), the order's lock (too many failures on it) or the
// rate limit (VerifyRate checks in VerifyRateWindow). Whether the order
// exists plays no part.
func (e *Engine) checkBlocked(ctx context.Context, userID, order string, now time.Time) (time.Duration, error) {
	cutoff := strconv.FormatInt(now.Add(-e.cfg.VerifyRateWindow).UnixMilli(), 10)
	var userTTL *redis.DurationCmd
	var orderUntil *redis.FloatCmd
	var checks *redis.ZSliceCmd
	var count *redis.IntCmd
	_, err := e.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		userTTL = p.PTTL(ctx, e.key(userID, "verify_lock"))
		if order != "" {
			orderUntil = p.ZScore(ctx, e.key(userID, "verify_order_locks"), order)
		}
		count = p.ZCount(ctx, e.key(userID, "verify_checks"), cutoff, "+inf")
		checks = p.ZRangeByScoreWithScores(ctx, e.key(userID, "verify_checks"), &redis.ZRangeBy{Min: cutoff, Max: "+inf", Count: 1})
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return 0, fmt.Errorf("phone check lock: %w", err)
	}
	var wait time.Duration
	if d := userTTL.Val(); d > 0 {
		wait = d
	}
	if orderUntil != nil && orderUntil.Err() == nil {
		if d := time.UnixMilli(int64(orderUntil.Val())).Sub(now); d > wait {
			wait = d
		}
	}
	if count.Val() >= int64(e.cfg.VerifyRate) {
		if zs := checks.Val(); len(zs) > 0 {
			if d := time.UnixMilli(int64(zs[0].Score)).Add(e.cfg.VerifyRateWindow).Sub(now); d > wait {
				wait = d
			}
		}
		wait = max(wait, time.Minute)
	}
	return wait, nil
}

// lockVerificationFor stops order look-ups for d, never shortening a
// longer lock already set (a security report).
func (e *Engine) lockVerificationFor(ctx context.Context, userID string, d time.Duration) error {
	k := e.key(userID, "verify_lock")
	if ttl, err := e.rdb.PTTL(ctx, k).Result(); err == nil && ttl > d {
		return nil
	}
	return e.rdb.Set(ctx, k, "1", d).Err()
}

func newNonce() (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("nonce: %w", err)
	}
	return hex.EncodeToString(b), nil
}
