package line

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"
)

// Queue defaults.
const (
	DefaultShards        = 16
	DefaultDedupeTTL     = 7 * 24 * time.Hour
	DefaultDeadLetterMax = 10000
)

// group is the consumer group every replica joins on every shard stream.
const group = "workers"

// QueueConfig tunes the durable queue. Zero values take the defaults.
type QueueConfig struct {
	// Shards is the number of shard streams (default 16). Every replica and
	// every enqueuer must use the same value: a user's events go to shard
	// hash(userID) % Shards.
	Shards int
	// DedupeTTL is how long a webhookEventId is remembered (default 7 days).
	DedupeTTL time.Duration
	// DeadLetterMax caps each shard's dead-letter stream (default 10000,
	// approximate trimming).
	DeadLetterMax int64
}

// Queue is the durable webhook event queue: one Redis stream per shard with
// a consumer group, deduplicated by webhookEventId at enqueue time.
// It is safe for concurrent use.
type Queue struct {
	rdb    redis.UniversalClient
	prefix string
	cfg    QueueConfig
	log    *zap.Logger
	clock  func() time.Time
	// shed counts events the webhook refused past its high-water mark.
	shed atomic.Int64
	// accepted counts events the webhook stored, by type (stats.go).
	accepted typeCounts
	// keys are each shard's key names, channel the "stored" channel's,
	// ttlArg the dedupe TTL as the enqueue script's argument: made once,
	// not per event.
	keys    []shardKeys
	channel string
	ttlArg  any
}

// shardKeys are the Redis keys of one shard.
type shardKeys struct {
	tag, stream, lease, attempts, dead string
	// takeAck is {lease, stream, attempts}: the keys of takeScript and
	// ackScript, shared read-only (go-redis copies them into each command).
	takeAck []string
}

// NewQueue returns the queue whose keys live under prefix (e.g. "wl:").
// A nil log or clock fall back to a no-op logger and time.Now.
func NewQueue(rdb redis.UniversalClient, prefix string, cfg QueueConfig, log *zap.Logger, clock func() time.Time) *Queue {
	if cfg.Shards <= 0 {
		cfg.Shards = DefaultShards
	}
	if cfg.DedupeTTL <= 0 {
		cfg.DedupeTTL = DefaultDedupeTTL
	}
	if cfg.DeadLetterMax <= 0 {
		cfg.DeadLetterMax = DefaultDeadLetterMax
	}
	if log == nil {
		log = zap.NewNop()
	}
	if clock == nil {
		clock = time.Now
	}
	q := &Queue{rdb: rdb, prefix: prefix, cfg: cfg, log: log, clock: clock,
		channel: prefix + "line:stored", ttlArg: cfg.DedupeTTL.Milliseconds()}
	q.keys = make([]shardKeys, cfg.Shards)
	for s := range q.keys {
		tag := q.makeTag(s)
		k := shardKeys{tag: tag, stream: tag + ":stream", lease: tag + ":lease", attempts: tag + ":attempts", dead: tag + ":dead"}
		k.takeAck = []string{k.lease, k.stream, k.attempts}
		q.keys[s] = k
	}
	return q
}

// Shed returns how many events this process's webhook refused (503) past
// its high-water mark (WebhookConfig.HighWater) since it started.
func (q *Queue) Shed() int64 { return q.shed.Load() }

// Shards reports the number of shard streams.
func (q *Queue) Shards() int { return q.cfg.Shards }

// tag is the hash tag shared by all keys of one shard, so the enqueue and
// ack scripts touch a single Redis Cluster slot.
func (q *Queue) makeTag(shard int) string {
	return "{" + q.prefix + "line:shard:" + strconv.Itoa(shard) + "}"
}

// shardKeys returns shard's keys (made by NewQueue).
func (q *Queue) shardKeys(shard int) *shardKeys { return &q.keys[shard] }

func (q *Queue) tag(shard int) string         { return q.shardKeys(shard).tag }
func (q *Queue) streamKey(shard int) string   { return q.shardKeys(shard).stream }
func (q *Queue) leaseKey(shard int) string    { return q.shardKeys(shard).lease }
func (q *Queue) attemptsKey(shard int) string { return q.shardKeys(shard).attempts }
func (q *Queue) deadKey(shard int) string     { return q.shardKeys(shard).dead }

// storedChannel is the Pub/Sub channel on which Enqueue signals a shard
// that got new events (message: the shard number); idle workers wait on it.
func (q *Queue) storedChannel() string { return q.channel }

func (q *Queue) seenKey(shard int, eventID string) string {
	return q.tag(shard) + ":seen:" + eventID
}

// ShardOf returns the shard of a user (or of any other routing key).
func (q *Queue) ShardOf(userID string) int {
	// FNV-1a, 32 bits (hash/fnv's New32a, without its allocation).
	h := uint32(2166136261)
	for i := 0; i < len(userID); i++ {
		h ^= uint32(userID[i])
		h *= 16777619
	}
	return int(h % uint32(q.cfg.Shards))
}

// eventMeta is the part of a raw event the queue needs to route, dedupe
// and count. Type and Message are read leniently: a value of another JSON
// type there must not make the event unroutable (it counts as "other").
type eventMeta struct {
	WebhookEventID string      `json:"webhookEventId"`
	Type           wireString  `json:"type"`
	Message        metaMessage `json:"message"`
	Source         struct {
		UserID  string `json:"userId"`
		GroupID string `json:"groupId"`
		RoomID  string `json:"roomId"`
	} `json:"source"`
}

// metaMessage is the type of an event's message, "" when the message is
// not an object with a string type.
type metaMessage struct{ typ string }

func (m *metaMessage) UnmarshalJSON(b []byte) error {
	*m = metaMessage{}
	if len(b) > 0 && b[0] == '{' {
		var f struct {
			Type wireString `json:"type"`
		}
		if json.Unmarshal(b, &f) == nil && !f.Type.bad {
			m.typ = f.Type.s
		}
	}
	return nil
}

// routeMeta is the part of eventMeta the consumer routes by (routeOf):
// the same fields, so the same errors, without the type and message.
type routeMeta struct {
	WebhookEventID string `json:"webhookEventId"`
	Source         struct {
		UserID  string `json:"userId"`
		GroupID string `json:"groupId"`
		RoomID  string `json:"roomId"`
	} `json:"source"`
}

// parsedEvent is a raw event with what one decode of it tells: its
// idempotency id, routing key and type for counting (eventType).
type parsedEvent struct {
	raw       json.RawMessage
	id, route string
	m         eventMeta
}

// parseEvent decodes raw once for the queue and eventType.
func parseEvent(raw json.RawMessage) (parsedEvent, error) {
	p := parsedEvent{raw: raw}
	if err := json.Unmarshal(raw, &p.m); err != nil {
		return p, fmt.Errorf("decode event: %w", err)
	}
	src := p.m.Source
	p.id, p.route = idAndRoute(raw, p.m.WebhookEventID, src.UserID, src.GroupID, src.RoomID)
	return p, nil
}

// idAndRoute returns an event's idempotency id (its webhookEventId, or a
// hash of its bytes when LINE sent none) and its routing key (user, else
// group or room, else the id).
func idAndRoute(raw json.RawMessage, eventID, userID, groupID, roomID string) (id, route string) {
	id = eventID
	if id == "" {
		sum := sha256.Sum256(raw)
		id = "sha256-" + hex.EncodeToString(sum[:16])
	}
	switch {
	case userID != "":
		return id, userID
	case groupID != "":
		return id, groupID
	case roomID != "":
		return id, roomID
	}
	return id, id
}

// routeOf returns an event's idempotency id and routing key (as
// parseEvent), decoding only what they need.
func routeOf(raw json.RawMessage) (id, route string, err error) {
	var m routeMeta
	if err := json.Unmarshal(raw, &m); err != nil {
		return "", "", fmt.Errorf("decode event: %w", err)
	}
	id, route = idAndRoute(raw, m.WebhookEventID, m.Source.UserID, m.Source.GroupID, m.Source.RoomID)
	return id, route, nil
}

// enqueueScript stores the events of one shard that were not seen before,
// each with its routing key (field "r", so the consumer's dispatch need
// not decode the event for it; an entry without one, stored by an older
// build, is decoded).
// KEYS[1] = stream, KEYS[2..n+1] = seen keys; ARGV[1] = dedupe TTL in ms,
// ARGV[2..n+1] = event ids, ARGV[n+2..2n+1] = raw events, ARGV[2n+2..3n+1]
// = routing keys. Returns the number of events added.
var enqueueScript = redis.NewScript(`
local n = #KEYS - 1
local added = 0
for i = 1, n do
  if redis.call('SET', KEYS[i+1], '1', 'NX', 'PX', ARGV[1]) then
    redis.call('XADD', KEYS[1], '*', 'id', ARGV[i+1], 'ev', ARGV[n+i+1], 'r', ARGV[2*n+i+1])
    added = added + 1
  end
end
return added
`)

// Enqueue durably stores raw webhook events, skipping any whose
// webhookEventId was already stored within the dedupe TTL. It returns how
// many were new. When it returns an error some events may be stored; storing
// them again is safe (they are deduplicated).
func (q *Queue) Enqueue(ctx context.Context, events []json.RawMessage) (int, error) {
	parsed := make([]parsedEvent, len(events))
	for i, raw := range events {
		p, err := parseEvent(raw)
		if err != nil {
			return 0, fmt.Errorf("enqueue event %d: %w", i, err)
		}
		parsed[i] = p
	}
	return q.enqueue(ctx, parsed)
}

// enqueue is Enqueue of events already decoded (the webhook's).
func (q *Queue) enqueue(ctx context.Context, events []parsedEvent) (int, error) {
	// The events by shard, in their order within a shard; LINE sends most
	// webhooks with one event, so no map.
	type batch struct {
		shard int
		keys  []string
		args  []any // the TTL, the ids, then the raw events
	}
	shardOf := make([]int, len(events))
	for i := range events {
		shardOf[i] = q.ShardOf(events[i].route)
	}
	var batches []batch
	for i := range events {
		s := shardOf[i]
		if slices.Contains(shardOf[:i], s) {
			continue // its shard's batch has it
		}
		b := batch{shard: s, keys: []string{q.streamKey(s)}, args: []any{q.ttlArg}}
		var raws, routes []any
		for j := i; j < len(events); j++ {
			if shardOf[j] != s {
				continue
			}
			p := &events[j]
			b.keys = append(b.keys, q.seenKey(s, p.id))
			b.args = append(b.args, p.id)
			raws = append(raws, []byte(p.raw)) // sent as is, not copied into a string
			routes = append(routes, p.route)
		}
		b.args = append(append(b.args, raws...), routes...)
		batches = append(batches, b)
	}
	slices.SortFunc(batches, func(a, b batch) int { return a.shard - b.shard })

	run := func(useSha bool) ([]*redis.Cmd, error) {
		pipe := q.rdb.Pipeline()
		cmds := make([]*redis.Cmd, 0, len(batches))
		for _, b := range batches {
			if useSha {
				cmds = append(cmds, enqueueScript.EvalSha(ctx, pipe, b.keys, b.args...))
			} else {
				cmds = append(cmds, enqueueScript.Eval(ctx, pipe, b.keys, b.args...))
			}
			// After the script in the pipeline, so a woken worker finds the events.
			pipe.Publish(ctx, q.storedChannel(), b.shard)
		}
		_, err := pipe.Exec(ctx)
		return cmds, err
	}
	cmds, err := run(true)
	if err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") {
		cmds, err = run(false) // script cache was flushed; already stored events dedupe
	}
	if err != nil {
		return 0, fmt.Errorf("enqueue %d events: %w", len(events), err)
	}
	added := 0
	for _, c := range cmds {
		n, err := c.Int()
		if err != nil {
			return 0, fmt.Errorf("enqueue events: %w", err)
		}
		added += n
	}
	return added, nil
}

// Len returns the number of stored, not yet acknowledged events per shard
// (acknowledged entries are deleted).
func (q *Queue) Len(ctx context.Context) ([]int64, error) {
	pipe := q.rdb.Pipeline()
	cmds := make([]*redis.IntCmd, q.cfg.Shards)
	for s := range cmds {
		cmds[s] = pipe.XLen(ctx, q.streamKey(s))
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("queue length: %w", err)
	}
	out := make([]int64, q.cfg.Shards)
	for s, c := range cmds {
		out[s] = c.Val()
	}
	return out, nil
}

// DeadLetter is an event the consumer gave up on.
type DeadLetter struct {
	StreamID string          // ID in the dead-letter stream
	EventID  string          // webhookEventId
	Shard    int             // shard it came from
	Event    json.RawMessage // the raw event as LINE sent it
	Error    string          // last processing error
	Attempts int
	At       time.Time
}

// DeadLetters returns up to n dead letters across all shards, newest first.
func (q *Queue) DeadLetters(ctx context.Context, n int) ([]DeadLetter, error) {
	if n <= 0 {
		return nil, nil
	}
	var out []DeadLetter
	for s := 0; s < q.cfg.Shards; s++ {
		msgs, err := q.rdb.XRevRangeN(ctx, q.deadKey(s), "+", "-", int64(n)).Result()
		if err != nil {
			return nil, fmt.Errorf("read dead letters of shard %d: %w", s, err)
		}
		for _, m := range msgs {
			d := DeadLetter{StreamID: m.ID, Shard: s}
			d.EventID, _ = m.Values["id"].(string)
			ev, _ := m.Values["ev"].(string)
			d.Event = json.RawMessage(ev)
			d.Error, _ = m.Values["error"].(string)
			a, _ := m.Values["attempts"].(string)
			d.Attempts, _ = strconv.Atoi(a)
			at, _ := m.Values["at"].(string)
			if ms, err := strconv.ParseInt(at, 10, 64); err == nil {
				d.At = time.UnixMilli(ms)
			}
			out = append(out, d)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.After(out[j].At) })
	if len(out) > n {
		out = out[:n]
	}
	return out, nil
}

// ensureGroups creates the consumer group on every shard stream (reading
// from the start, so events enqueued before the first consumer count).
func (q *Queue) ensureGroups(ctx context.Context) error {
	for s := 0; s < q.cfg.Shards; s++ {
		if err := q.ensureGroup(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

func (q *Queue) ensureGroup(ctx context.Context, shard int) error {
	err := q.rdb.XGroupCreateMkStream(ctx, q.streamKey(shard), group, "0").Err()
	if err != nil && !redis.HasErrorPrefix(err, "BUSYGROUP") {
		return fmt.Errorf("create consumer group on shard %d: %w", shard, err)
	}
	return nil
}

// Lease scripts: a shard is worked by the holder of its lease only.
var (
	// KEYS[1] = lease; ARGV[1] = token, ARGV[2] = ttl ms.
	renewScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`)
	// takeScript takes a shard's lease if it is free (ARGV[6] = "1") or
	// checks that the caller still holds it ("0"), then reads up to COUNT
	// never-delivered entries and counts each one's first processing
	// attempt, all in one round trip (XREADGROUP without BLOCK may run in a
	// script). A lease just taken over entries an earlier holder left
	// pending reads nothing: those go first (claimPending).
	// KEYS[1] = lease, KEYS[2] = stream, KEYS[3] = attempts; ARGV[1] =
	// token, ARGV[2] = lease ttl ms, ARGV[3] = group, ARGV[4] = consumer,
	// ARGV[5] = count, ARGV[6] = take, ARGV[7] = attempts ttl ms.
	// Returns {1, pending, entries, attempts} (entries as XREADGROUP gives
	// them, attempts[i] the count of entries[i]); {-1, the lease's ms to
	// live} when another holds it; {-2, 0} when the group is missing;
	// {-3, 0} when the caller no longer holds the lease.
	takeScript = redis.NewScript(`
if ARGV[6] == '1' then
  local ok, p = pcall(redis.call, 'XPENDING', KEYS[2], ARGV[3])
  if not ok then
    return {-2, 0}
  end
  if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
    return {-1, redis.call('PTTL', KEYS[1])}
  end
  if p[1] > 0 then
    return {1, p[1]}
  end
elseif redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return {-3, 0}
end
local ok, r = pcall(redis.call, 'XREADGROUP', 'GROUP', ARGV[3], ARGV[4], 'COUNT', ARGV[5], 'STREAMS', KEYS[2], '>')
if not ok then
  return {-2, 0}
end
if not r or not r[1] then
  return {1, 0}
end
local msgs, n = r[1][2], {}
for i, m in ipairs(msgs) do
  n[i] = redis.call('HINCRBY', KEYS[3], m[1], 1)
end
if #msgs > 0 then
  redis.call('PEXPIRE', KEYS[3], ARGV[7])
end
return {1, 0, msgs, n}
`)
	// releaseScript lets go of the lease and returns the shard's stored
	// entries. KEYS[1] = lease, KEYS[2] = stream; ARGV[1] = token.
	releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
end
return redis.call('XLEN', KEYS[2])
`)
	// ackScript acknowledges and deletes one entry, fenced by the lease,
	// and lets go of the lease when the shard's stream is then empty:
	// nothing stored, nothing read and not yet acked (every entry a holder
	// works on stays in the stream until its ack or dead letter), so the
	// holder has nothing left to do with it and saves the release's round
	// trip. KEYS[1] = lease, KEYS[2] = stream, KEYS[3] = attempts; ARGV[1] =
	// token, ARGV[2] = entry id, ARGV[3] = group. Returns 1 (acked), 2
	// (acked, lease let go) or -1 (the lease is not the caller's).
	ackScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return -1
end
redis.call('XACK', KEYS[2], ARGV[3], ARGV[2])
redis.call('XDEL', KEYS[2], ARGV[2])
redis.call('HDEL', KEYS[3], ARGV[2])
if redis.call('XLEN', KEYS[2]) == 0 then
  redis.call('DEL', KEYS[1])
  return 2
end
return 1
`)
	// deadScript moves one entry to the dead-letter stream, fenced by the lease.
	// KEYS[1] = lease, KEYS[2] = stream, KEYS[3] = attempts, KEYS[4] = dead;
	// ARGV[1] = token, ARGV[2] = entry id, ARGV[3] = group, ARGV[4] = max
	// dead letters, ARGV[5] = event id, ARGV[6] = raw event, ARGV[7] = error,
	// ARGV[8] = attempts, ARGV[9] = unix ms.
	deadScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return -1
end
redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[4], '*', 'id', ARGV[5], 'ev', ARGV[6], 'error', ARGV[7], 'attempts', ARGV[8], 'at', ARGV[9])
redis.call('XACK', KEYS[2], ARGV[3], ARGV[2])
redis.call('XDEL', KEYS[2], ARGV[2])
redis.call('HDEL', KEYS[3], ARGV[2])
return 1
`)
	// attemptScript counts a processing attempt that is about to start.
	// KEYS[1] = attempts; ARGV[1] = entry id, ARGV[2] = ttl ms.
	attemptScript = redis.NewScript(`
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return n
`)
)

// errLeaseLost reports that another worker took the shard over.
var errLeaseLost = errors.New("shard lease lost")

// take takes shard's lease for token (take true) or checks it still holds
// it (false), and reads up to count new entries for consumer, each with its
// first attempt counted. After a take, pending > 0 says an earlier holder
// left that many entries (nothing was read: claim them first); heldFor > 0
// says another holder has the lease for that long. errLeaseLost: token no
// longer holds it.
func (q *Queue) take(ctx context.Context, shard int, token, consumer string, ttl time.Duration, count int64, take bool) (ok bool, pending int64, heldFor time.Duration, entries []entry, err error) {
	flag := "0"
	if take {
		flag = "1"
	}
	keys := q.shardKeys(shard).takeAck
	for try := 0; ; try++ {
		res, err := takeScript.Run(ctx, q.rdb, keys, token, ttl.Milliseconds(), group, consumer, count, flag, q.cfg.DedupeTTL.Milliseconds()).Slice()
		if err != nil {
			return false, 0, 0, nil, fmt.Errorf("take shard %d: %w", shard, err)
		}
		status, x, err := takeHead(res)
		if err != nil {
			return false, 0, 0, nil, fmt.Errorf("take shard %d: %w", shard, err)
		}
		switch {
		case status == -1:
			return false, 0, time.Duration(max(x, 0)) * time.Millisecond, nil, nil
		case status == -3:
			return false, 0, 0, nil, errLeaseLost
		case status == -2 && try == 0: // the stream or its group is gone (Redis lost its data)
			if err := q.ensureGroup(ctx, shard); err != nil {
				return false, 0, 0, nil, err
			}
		case status == -2:
			return false, 0, 0, nil, fmt.Errorf("take shard %d: consumer group missing", shard)
		default:
			entries, err := takeEntries(res)
			if err != nil {
				return false, 0, 0, nil, fmt.Errorf("take shard %d: %w", shard, err)
			}
			return true, x, 0, entries, nil
		}
	}
}

// takeHead reads the status and the number of a takeScript reply.
func takeHead(res []any) (status, x int64, err error) {
	if len(res) < 2 {
		return 0, 0, fmt.Errorf("unexpected reply %v", res)
	}
	status, ok1 := res[0].(int64)
	x, ok2 := res[1].(int64)
	if !ok1 || !ok2 {
		return 0, 0, fmt.Errorf("unexpected reply %v", res)
	}
	return status, x, nil
}

// takeEntries reads the entries of a takeScript reply: {id, {field,
// value, ...}} each, and their attempt counts.
func takeEntries(res []any) ([]entry, error) {
	if len(res) < 4 {
		return nil, nil
	}
	msgs, _ := res[2].([]any)
	counts, _ := res[3].([]any)
	if len(msgs) != len(counts) {
		return nil, fmt.Errorf("unexpected entries %v", res[2:])
	}
	out := make([]entry, 0, len(msgs))
	for i, m := range msgs {
		parts, _ := m.([]any)
		if len(parts) != 2 {
			return nil, fmt.Errorf("unexpected entry %v", m)
		}
		var e entry
		e.streamID, _ = parts[0].(string)
		fields, _ := parts[1].([]any)
		for j := 0; j+1 < len(fields); j += 2 {
			k, _ := fields[j].(string)
			v, _ := fields[j+1].(string)
			switch k {
			case "id":
				e.eventID = v
			case "ev":
				e.raw = json.RawMessage(v)
			case "r":
				e.route = v
			}
		}
		n, _ := counts[i].(int64)
		e.attempts = int(n)
		out = append(out, e)
	}
	return out, nil
}

func (q *Queue) renew(ctx context.Context, shard int, token string, ttl time.Duration) error {
	n, err := renewScript.Run(ctx, q.rdb, []string{q.leaseKey(shard)}, token, ttl.Milliseconds()).Int()
	if err != nil {
		return fmt.Errorf("renew lease of shard %d: %w", shard, err)
	}
	if n == 0 {
		return errLeaseLost
	}
	return nil
}

// release lets go of the shard's lease (if token still holds it) and
// returns the shard's stored entries.
func (q *Queue) release(ctx context.Context, shard int, token string) (stored int64, err error) {
	n, err := releaseScript.Run(ctx, q.rdb, []string{q.leaseKey(shard), q.streamKey(shard)}, token).Int64()
	if err != nil {
		return 0, fmt.Errorf("release lease of shard %d: %w", shard, err)
	}
	return n, nil
}

// ack acknowledges and deletes one entry, fenced by the lease; with queues
// it pipelines those commands (other keys, the event's delivery records)
// with it, one round trip. released says the ack also let go of the lease
// (the shard's stream was empty after it: see ackScript).
func (q *Queue) ack(ctx context.Context, shard int, token, entryID string, with func(p redis.Pipeliner)) (released bool, err error) {
	keys := q.shardKeys(shard).takeAck
	var n int
	if with == nil {
		n, err = ackScript.Run(ctx, q.rdb, keys, token, entryID, group).Int()
	} else {
		p := q.rdb.Pipeline()
		with(p)
		cmd := ackScript.EvalSha(ctx, p, keys, token, entryID, group)
		_, _ = p.Exec(ctx)
		n, err = cmd.Int()
		if err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") {
			n, err = ackScript.Run(ctx, q.rdb, keys, token, entryID, group).Int()
		}
	}
	if err != nil {
		return false, fmt.Errorf("ack %s on shard %d: %w", entryID, shard, err)
	}
	if n < 0 {
		return false, errLeaseLost
	}
	return n == 2, nil
}

func (q *Queue) bury(ctx context.Context, shard int, token string, e entry, cause string, attempts int) error {
	n, err := deadScript.Run(ctx, q.rdb,
		[]string{q.leaseKey(shard), q.streamKey(shard), q.attemptsKey(shard), q.deadKey(shard)},
		token, e.streamID, group, q.cfg.DeadLetterMax, e.eventID, string(e.raw), cause, attempts,
		q.clock().UnixMilli()).Int()
	if err != nil {
		return fmt.Errorf("dead-letter %s on shard %d: %w", e.streamID, shard, err)
	}
	if n < 0 {
		return errLeaseLost
	}
	return nil
}

func (q *Queue) attempt(ctx context.Context, shard int, entryID string) (int, error) {
	n, err := attemptScript.Run(ctx, q.rdb, []string{q.attemptsKey(shard)}, entryID, q.cfg.DedupeTTL.Milliseconds()).Int()
	if err != nil {
		return 0, fmt.Errorf("count attempt of %s on shard %d: %w", entryID, shard, err)
	}
	return n, nil
}

// entry is one stream entry.
type entry struct {
	streamID string
	eventID  string
	raw      json.RawMessage
	// attempts is the entry's attempt count as its read counted it (the
	// first attempt, see takeScript); 0: not counted yet (a claimed entry).
	attempts int
	// route is the event's routing key as the enqueue stored it; "" for an
	// entry stored without one (decoded when dispatched).
	route string
}

func toEntries(msgs []redis.XMessage) []entry {
	out := make([]entry, 0, len(msgs))
	for _, m := range msgs {
		id, _ := m.Values["id"].(string)
		ev, _ := m.Values["ev"].(string)
		r, _ := m.Values["r"].(string)
		out = append(out, entry{streamID: m.ID, eventID: id, raw: json.RawMessage(ev), route: r})
	}
	return out
}

// claimPending moves every pending entry of the shard (delivered to an
// earlier lease holder, never acknowledged) to consumer, in stream order.
func (q *Queue) claimPending(ctx context.Context, shard int, consumer string, count int64) ([]entry, error) {
	var out []entry
	start := "0-0"
	for {
		msgs, next, err := q.rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{
			Stream: q.streamKey(shard), Group: group, Consumer: consumer,
			MinIdle: 0, Start: start, Count: count,
		}).Result()
		if err != nil {
			if redis.HasErrorPrefix(err, "NOGROUP") {
				return nil, q.ensureGroup(ctx, shard)
			}
			return nil, fmt.Errorf("claim pending on shard %d: %w", shard, err)
		}
		out = append(out, toEntries(msgs)...)
		if next == "0-0" || next == "" {
			return out, nil
		}
		start = next
	}
}

// readNew reads up to count never-delivered entries of the shard.
func (q *Queue) readNew(ctx context.Context, shard int, consumer string, count int64) ([]entry, error) {
	res, err := q.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{
		Group: group, Consumer: consumer, Streams: []string{q.streamKey(shard), ">"},
		Count: count, Block: -1,
	}).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		if redis.HasErrorPrefix(err, "NOGROUP") {
			return nil, q.ensureGroup(ctx, shard)
		}
		return nil, fmt.Errorf("read shard %d: %w", shard, err)
	}
	var out []entry
	for _, s := range res {
		out = append(out, toEntries(s.Messages)...)
	}
	return out, nil
}

// pruneConsumers deletes the shard's group consumers that have no pending
// entries and for which drop returns true. Deleting a consumer with pending
// entries would orphan them, so those are always kept.
func (q *Queue) pruneConsumers(ctx context.Context, shard int, drop func(name string) bool) error {
	cs, err := q.rdb.XInfoConsumers(ctx, q.streamKey(shard), group).Result()
	if err != nil {
		if redis.HasErrorPrefix(err, "NOGROUP") || redis.HasErrorPrefix(err, "ERR no such key") {
			return nil
		}
		return fmt.Errorf("list consumers of shard %d: %w", shard, err)
	}
	for _, c := range cs {
		if c.Pending != 0 || !drop(c.Name) {
			continue
		}
		if err := q.rdb.XGroupDelConsumer(ctx, q.streamKey(shard), group, c.Name).Err(); err != nil {
			return fmt.Errorf("delete consumer %s of shard %d: %w", c.Name, shard, err)
		}
	}
	return nil
}
