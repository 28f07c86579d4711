package handoff

import (
	"context"
	"errors"
	"sync"

	"github.com/redis/go-redis/v9"
)

// PrefetchActive queues the read of userID's active-case link on p, a
// pipeline of the caller's own (the bot's state load), so the question "is
// a person handling this customer?" costs no round trip of its own. After
// p ran, the returned function gives ctx carrying what was read: within
// that context ActiveCase answers from it (no case: no read at all; a case:
// one read of the case), and the case writes of the event start from the
// case read there instead of reading it again. A failed read leaves ctx as
// it was (ActiveCase reads Redis as usual).
//
// What is carried is as fresh as the read: a case an agent closes in the
// milliseconds after it may still be taken as open by this event; its
// writes then find the case changed, read it again and fail with ErrClosed
// (the event is retried), as they would if the agent closed it just after
// an ActiveCase of Redis. Open, and every write of a case in this context,
// keep it current.
func (s *Service) PrefetchActive(ctx context.Context, p redis.Pipeliner, userID string) func(context.Context) context.Context {
	cmd := p.Get(ctx, s.activeKey(userID))
	return func(ctx context.Context) context.Context {
		id, err := cmd.Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return ctx
		}
		return context.WithValue(ctx, activeMemoKey{}, &activeMemo{userID: userID, known: true, id: id})
	}
}

// activeMemo is one customer's active case as read in an event
// (PrefetchActive): the link, and the case's JSON once read or written.
type activeMemo struct {
	userID string

	mu    sync.Mutex
	known bool   // false: read Redis
	id    string // "" : no open case
	raw   []byte // nil: not read yet
}

type activeMemoKey struct{}

func memoOf(ctx context.Context) *activeMemo {
	m, _ := ctx.Value(activeMemoKey{}).(*activeMemo)
	return m
}

// link returns the remembered link of userID (known false: none).
func (m *activeMemo) link(userID string) (id string, raw []byte, known bool) {
	if m == nil || m.userID != userID {
		return "", nil, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.id, m.raw, m.known
}

// caseRaw returns case id's JSON as last read or written here, or nil.
func (m *activeMemo) caseRaw(id string) []byte {
	if m == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.known || m.id != id {
		return nil
	}
	return m.raw
}

// setCase remembers case id's JSON as just read or written (only for the
// linked case).
func (m *activeMemo) setCase(id string, raw []byte) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.known && m.id == id {
		m.raw = raw
	}
}

// forgetCase drops the remembered JSON of case id (it changed elsewhere).
func (m *activeMemo) forgetCase(id string) {
	m.setCase(id, nil)
}

// forgetLink makes ActiveCase read Redis again for userID (its link
// changed: a case opened or a stale link was dropped).
func (m *activeMemo) forgetLink(userID string) {
	if m == nil || m.userID != userID {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.known, m.id, m.raw = false, "", nil
}
