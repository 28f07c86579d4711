package gaps

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// ForgetCustomer deletes the signals of one customer (PDPA, right to
// erasure): their questions are masked, but still their words, and the
// customer hash links them. It needs no KB, so the forget command calls it
// without a Service. It returns how many signals it deleted (with dryRun:
// would delete). Approved learned items are KB content and stay.
func ForgetCustomer(ctx context.Context, rdb redis.UniversalClient, prefix, userID string, dryRun bool) (int, error) {
	s := &Service{rdb: rdb, tag: "{" + prefix + "gaps}"}
	salt, err := rdb.Get(ctx, s.key("salt")).Result()
	if errors.Is(err, redis.Nil) || userID == "" {
		return 0, nil // no salt yet: no signal carries a customer
	}
	if err != nil {
		return 0, fmt.Errorf("forget customer's gaps: %w", err)
	}
	h := sha256.Sum256([]byte(salt + "\x00" + userID))
	cust := hex.EncodeToString(h[:8])
	var ids []string
	start := "-"
	for {
		msgs, err := rdb.XRangeN(ctx, s.key("signals"), start, "+", 1000).Result()
		if err != nil {
			return 0, fmt.Errorf("forget customer's gaps: %w", err)
		}
		for _, m := range msgs {
			if m.Values["cust"] == cust {
				ids = append(ids, m.ID)
			}
		}
		if len(msgs) < 1000 {
			break
		}
		start = "(" + msgs[len(msgs)-1].ID
	}
	if dryRun || len(ids) == 0 {
		return len(ids), nil
	}
	members := make([]any, len(ids))
	for i, id := range ids {
		members[i] = id
	}
	if _, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.XDel(ctx, s.key("signals"), ids...)
		p.ZRem(ctx, s.key("done"), members...)
		return nil
	}); err != nil {
		return 0, fmt.Errorf("forget customer's gaps: %w", err)
	}
	return len(ids), nil
}
