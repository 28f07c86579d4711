package inbox

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/warmline/warmline/handoff"
)

// Event stream errors.
var (
	// errTooManyStreams: the session (or the replica) has as many open
	// event streams as it may (429).
	errTooManyStreams = errors.New("too many open event streams")
	// errStreamsClosed: the replica is shutting down (503); the client
	// reconnects to another one.
	errStreamsClosed = errors.New("event streams closed: shutting down")
)

// Stream limits (Config.MaxStreams, Config.MaxStreamsPerSession).
const (
	defaultMaxStreams           = 1000
	defaultMaxStreamsPerSession = 10
	// subscriberBuffer events wait for a slow client; one more and its
	// stream ends (it reconnects with Last-Event-ID and catches up).
	subscriberBuffer = 256
	// readerBlock is how long the one reader's XREAD waits; it also bounds
	// how long the reader outlives its last stream.
	readerBlock = 5 * time.Second
)

// eventReader reads the handoff event stream: after a stream id, waiting up
// to block for something new.
type eventReader func(ctx context.Context, afterID string, block time.Duration) ([]handoff.Event, error)

// caseLoader loads a case whatever the agent (the hub checks CanSee itself).
type caseLoader func(ctx context.Context, id string) (*handoff.Case, error)

// hub is the one reader of the handoff event stream per replica, fanned
// out in process to every open /api/events stream. The reader runs while
// there are streams (its blocking XREAD on a client of its own, never the
// shared pool); each stream gets only the events of cases its agent may see
// (handoff.CanSee), and a buffered channel so that one slow client never
// holds up the others.
type hub struct {
	read       eventReader
	load       caseLoader
	log        *zap.Logger
	block      time.Duration
	max        int // streams on this replica
	perSession int // streams per session (or bearer-token agent)
	closeRead  func() error

	ctx    context.Context // ends when the hub is closed
	cancel context.CancelFunc

	mu      sync.Mutex
	subs    map[*subscriber]struct{}
	keys    map[string]int // open streams per session key
	cursor  string         // the reader's position
	running bool
	closed  bool
	reader  sync.WaitGroup
}

func newHub(read eventReader, load caseLoader, log *zap.Logger) *hub {
	ctx, cancel := context.WithCancel(context.Background())
	return &hub{read: read, load: load, log: log, block: readerBlock,
		max: defaultMaxStreams, perSession: defaultMaxStreamsPerSession,
		ctx: ctx, cancel: cancel, subs: map[*subscriber]struct{}{}, keys: map[string]int{}}
}

// subscriber is one open event stream.
type subscriber struct {
	agent handoff.Agent
	key   string
	ch    chan handoff.Event
	gone  chan struct{} // closed when the hub drops the stream
	once  sync.Once
}

func (s *subscriber) drop() { s.once.Do(func() { close(s.gone) }) }

// subscribe registers a stream of agent for session key. Events after
// cursor (a stream id) reach it from now on; when it starts the reader, the
// reader starts at cursor.
func (h *hub) subscribe(agent handoff.Agent, key, cursor string) (*subscriber, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.closed:
		return nil, errStreamsClosed
	case len(h.subs) >= h.max:
		return nil, fmt.Errorf("%w: this server has %d open (its limit); try again later", errTooManyStreams, len(h.subs))
	case h.keys[key] >= h.perSession:
		return nil, fmt.Errorf("%w: this session has %d open (its limit); close other inbox tabs", errTooManyStreams, h.keys[key])
	}
	s := &subscriber{agent: agent, key: key, ch: make(chan handoff.Event, subscriberBuffer), gone: make(chan struct{})}
	h.subs[s] = struct{}{}
	h.keys[key]++
	if !h.running {
		h.running = true
		h.cursor = cursor
		h.reader.Add(1)
		go h.run()
	}
	return s, nil
}

// unsubscribe removes a stream (its handler returned).
func (h *hub) unsubscribe(s *subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.remove(s)
}

// remove: with h.mu held.
func (h *hub) remove(s *subscriber) {
	if _, ok := h.subs[s]; !ok {
		return
	}
	delete(h.subs, s)
	if h.keys[s.key]--; h.keys[s.key] <= 0 {
		delete(h.keys, s.key)
	}
	s.drop()
}

// open is the number of open streams.
func (h *hub) open() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// Close ends every stream at once (their handlers return), refuses new
// ones, and stops the reader, interrupting its blocking read by closing its
// client. Safe to call more than once.
func (h *hub) Close() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.closed = true
	for s := range h.subs {
		h.remove(s)
	}
	h.mu.Unlock()
	h.cancel()
	if h.closeRead != nil {
		_ = h.closeRead()
	}
	h.reader.Wait()
}

// run is the reader: while there are streams, read the next events and fan
// them out.
func (h *hub) run() {
	defer h.reader.Done()
	for {
		h.mu.Lock()
		if h.closed || len(h.subs) == 0 {
			h.running = false
			h.mu.Unlock()
			return
		}
		cursor := h.cursor
		h.mu.Unlock()
		evs, err := h.read(h.ctx, cursor, h.block)
		if err != nil {
			if h.ctx.Err() != nil {
				continue // closed: the loop's top ends the reader
			}
			h.log.Warn("event stream read", zap.Error(err))
			select { // Redis is away: try again shortly, streams stay open
			case <-h.ctx.Done():
			case <-time.After(time.Second):
			}
			continue
		}
		if len(evs) == 0 {
			continue
		}
		h.fanOut(evs)
		h.mu.Lock()
		h.cursor = evs[len(evs)-1].ID
		h.mu.Unlock()
	}
}

// fanOut hands each event to every stream whose agent may see its case. A
// stream whose buffer is full is dropped: its client reconnects with
// Last-Event-ID and catches up from Redis.
func (h *hub) fanOut(evs []handoff.Event) {
	h.mu.Lock()
	subs := make([]*subscriber, 0, len(h.subs))
	for s := range h.subs {
		subs = append(subs, s)
	}
	h.mu.Unlock()
	for _, ev := range evs {
		v := h.visibility(ev)
		for _, s := range subs {
			if !v.may(h.ctx, s.agent) {
				continue
			}
			select {
			case s.ch <- ev:
			default:
				h.log.Info("event stream dropped: client too slow", zap.String("agent_id", s.agent.ID))
				h.unsubscribe(s)
			}
		}
	}
}

// visibility decides who may see one event, loading its case at most once
// and only when the tier alone does not decide it.
type visibility struct {
	h      *hub
	ev     handoff.Event
	loaded bool
	c      *handoff.Case
}

func (h *hub) visibility(ev handoff.Event) *visibility { return &visibility{h: h, ev: ev} }

// may reports whether agent may see the event's case: by its tier (an L2
// case for everybody, L3 for L3 and leads), else by the case itself (an L2
// agent who owns an L3 case sees its events).
func (v *visibility) may(ctx context.Context, agent handoff.Agent) bool {
	if handoff.CanSee(agent, &handoff.Case{ID: v.ev.CaseID, Tier: v.ev.Tier}) {
		return true
	}
	if !v.loaded {
		v.loaded = true
		c, err := v.h.load(ctx, v.ev.CaseID)
		if err != nil && !errors.Is(err, handoff.ErrNoCase) && ctx.Err() == nil {
			v.h.log.Warn("event stream: load case", zap.String("case_id", v.ev.CaseID), zap.Error(err))
		}
		if err == nil {
			v.c = c
		}
	}
	return v.c != nil && handoff.CanSee(agent, v.c)
}

// streamAfter reports whether stream id a comes after b (ids are
// "<ms>-<seq>"; a missing seq is 0).
func streamAfter(a, b string) bool {
	am, as := splitStreamID(a)
	bm, bs := splitStreamID(b)
	return am > bm || (am == bm && as > bs)
}

func splitStreamID(id string) (ms, seq uint64) {
	m, s, _ := strings.Cut(id, "-")
	ms, _ = strconv.ParseUint(m, 10, 64)
	seq, _ = strconv.ParseUint(s, 10, 64)
	return ms, seq
}

// dedicatedClient is a client of the same Redis as rdb with its own
// two-connection pool (per cluster node), for the hub's blocking reads.
// ok is false for client kinds it cannot copy (then rdb itself is used).
func dedicatedClient(rdb redis.UniversalClient) (c redis.UniversalClient, ok bool) {
	switch r := rdb.(type) {
	case *redis.Client:
		opt := *r.Options()
		opt.PoolSize, opt.MinIdleConns, opt.MaxIdleConns, opt.MaxActiveConns = 2, 0, 2, 2
		return redis.NewClient(&opt), true
	case *redis.ClusterClient:
		opt := *r.Options()
		opt.PoolSize, opt.MinIdleConns, opt.MaxIdleConns, opt.MaxActiveConns = 2, 0, 2, 2
		return redis.NewClusterClient(&opt), true
	}
	return rdb, false
}
