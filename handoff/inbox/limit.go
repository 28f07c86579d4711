package inbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Sign-in limits: per sign-in id and per client IP, each counted over a
// window that starts with the first attempt; reaching the limit locks the
// id (or the IP) for lockFor, the right password included.
const (
	maxIDFails   = 5
	maxIPFails   = 20
	signInLock   = 15 * time.Minute
	signInWindow = 15 * time.Minute
)

// reserveScript counts a sign-in attempt for an id and an IP BEFORE the
// password is checked, atomically: of any number of parallel attempts at
// most maxIDFails per id (maxIPFails per IP) reach bcrypt; the others are
// refused as locked and lock the id (IP). Each key is a HASH n (attempts
// counted), start (window start, ms), until (locked until, ms) on the
// injected clock; the PEXPIRE is a backstop for keys nobody touches again.
//
// KEYS[1] id key, KEYS[2] ip key; ARGV now, max id, max ip, window, lock (ms).
// Returns {0} to go ahead, or {1, until} (id locked) / {2, until} (IP).
var reserveScript = redis.NewScript(`
local now, window, lock = tonumber(ARGV[1]), tonumber(ARGV[4]), tonumber(ARGV[5])
local function state(key)
  local h = redis.call('HMGET', key, 'n', 'start', 'until')
  local n, start, untl = tonumber(h[1] or '0'), tonumber(h[2] or '0'), tonumber(h[3] or '0')
  if untl > now then return n, start, untl end
  if untl > 0 or (start > 0 and now - start >= window) then
    redis.call('DEL', key)
    return 0, 0, 0
  end
  return n, start, 0
end
local limits = {tonumber(ARGV[2]), tonumber(ARGV[3])}
local ns, starts = {}, {}
for i = 1, 2 do
  local n, start, untl = state(KEYS[i])
  if untl > 0 then return {i, untl} end
  if n >= limits[i] then
    local u = now + lock
    redis.call('HSET', KEYS[i], 'until', u)
    redis.call('PEXPIRE', KEYS[i], lock + window)
    return {i, u}
  end
  ns[i], starts[i] = n, start
end
for i = 1, 2 do
  if starts[i] == 0 then starts[i] = now end
  redis.call('HSET', KEYS[i], 'n', ns[i] + 1, 'start', starts[i])
  redis.call('PEXPIRE', KEYS[i], lock + window)
end
return {0}
`)

// failScript: the reserved attempt had a wrong password; the attempt that
// reaches a limit locks. Same keys and arguments; same returns.
var failScript = redis.NewScript(`
local now, lock, window = tonumber(ARGV[1]), tonumber(ARGV[5]), tonumber(ARGV[4])
local limits = {tonumber(ARGV[2]), tonumber(ARGV[3])}
local out = {0}
for i = 1, 2 do
  local n = tonumber(redis.call('HGET', KEYS[i], 'n') or '0')
  local untl = tonumber(redis.call('HGET', KEYS[i], 'until') or '0')
  if untl > now then
    if out[1] == 0 then out = {i, untl} end
  elseif n >= limits[i] then
    local u = now + lock
    redis.call('HSET', KEYS[i], 'until', u)
    redis.call('PEXPIRE', KEYS[i], lock + window)
    if out[1] == 0 then out = {i, u} end
  end
end
return out
`)

// successScript: the reserved attempt had the right password: the id's
// count starts afresh (a lock another attempt set meanwhile stays) and the
// IP gets its attempt back. KEYS as above.
var successScript = redis.NewScript(`
if not redis.call('HGET', KEYS[1], 'until') then redis.call('DEL', KEYS[1]) end
local n = tonumber(redis.call('HGET', KEYS[2], 'n') or '0')
if n > 0 then redis.call('HINCRBY', KEYS[2], 'n', -1) end
return 0
`)

// hashed is a short SHA-256 of s: what keys and logs hold of a typed
// sign-in id or a client IP (a password typed into the id field never
// reaches Redis or a log).
func hashed(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

// Proxies are the peers whose X-Forwarded-For and X-Forwarded-Proto the
// inbox believes (Config.TrustedProxies, WARMLINE_TRUSTED_PROXIES). Empty:
// nobody's; the client is the TCP peer.
type Proxies []netip.Prefix

// ParseProxies reads a comma-separated list of IPs and CIDR prefixes.
func ParseProxies(s string) (Proxies, error) {
	var out Proxies
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q is neither an IP nor a CIDR prefix", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

func (ps Proxies) trusts(a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// peer is the TCP peer's address (invalid when RemoteAddr is not an IP).
func peer(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, _ := netip.ParseAddr(host)
	return a.Unmap()
}

// ClientIP is the address sign-in limits count by: the TCP peer, or, when
// the peer is a trusted proxy, the right-most X-Forwarded-For entry that is
// not a trusted proxy (entries further left are the client's to forge).
func (ps Proxies) ClientIP(r *http.Request) string {
	a := peer(r)
	if !a.IsValid() {
		return r.RemoteAddr
	}
	if !ps.trusts(a) {
		return a.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		h, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a malformed hop: stop at the last one we could read
		}
		a = h.Unmap()
		if !ps.trusts(a) {
			break
		}
	}
	return a.String()
}

// HTTPS reports whether the agent reached us over HTTPS: TLS on this
// connection, or a trusted proxy's X-Forwarded-Proto: https.
func (ps Proxies) HTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	return ps.trusts(peer(r)) && strings.EqualFold(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto")), "https")
}

// attemptResult maps a script's reply to nil or a *LockedError.
func attemptResult(res []int64) error {
	if len(res) < 2 || res[0] == 0 {
		return nil
	}
	return &LockedError{Until: time.UnixMilli(res[1]), ByIP: res[0] == 2}
}

func (s *Sessions) signInKeys(id, ip string) []string {
	return []string{s.prefix + "{inbox}:signin:id:" + hashed(id), s.prefix + "{inbox}:signin:ip:" + hashed(ip)}
}

func (s *Sessions) limitArgs(now time.Time) []any {
	return []any{now.UnixMilli(), s.maxFails, s.maxIPFails, signInWindow.Milliseconds(), s.lockFor.Milliseconds()}
}

// reserve counts an attempt before the password is checked.
func (s *Sessions) reserve(ctx context.Context, keys []string, now time.Time) error {
	res, err := reserveScript.Run(ctx, s.rdb, keys, s.limitArgs(now)...).Int64Slice()
	if err != nil {
		return fmt.Errorf("sign in: %w", err)
	}
	return attemptResult(res)
}

// failed records that the reserved attempt had a wrong password.
func (s *Sessions) failed(ctx context.Context, keys []string, now time.Time) error {
	res, err := failScript.Run(ctx, s.rdb, keys, s.limitArgs(now)...).Int64Slice()
	if err != nil {
		return fmt.Errorf("sign in: %w", err)
	}
	if err := attemptResult(res); err != nil {
		return err
	}
	return errBadCredentials
}
