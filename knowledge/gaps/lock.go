package gaps

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrBusy: another change of the learned items did not finish in time.
var ErrBusy = errors.New("the learned items are being changed; try again")

const (
	lockTTL  = 30 * time.Second // longer than a Check and a reload
	lockWait = 10 * time.Second
)

// unlockScript deletes the lock only if this holder still has it.
// KEYS[1] lock key; ARGV[1] the holder's token.
var unlockScript = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)

// lock serialises changes of the learned items across replicas, so two
// approvals checked against the same KB cannot both be stored (two new
// entries with one id, say).
func (s *Service) lock(ctx context.Context) (unlock func(), err error) {
	key, token := s.key("lock"), randomID()
	deadline := time.Now().Add(lockWait)
	for {
		ok, err := s.rdb.SetNX(ctx, key, token, lockTTL).Result()
		if err != nil {
			return nil, fmt.Errorf("lock learned items: %w", err)
		}
		if ok {
			return func() { _ = unlockScript.Run(context.WithoutCancel(ctx), s.rdb, []string{key}, token).Err() }, nil
		}
		if time.Now().After(deadline) {
			return nil, ErrBusy
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
