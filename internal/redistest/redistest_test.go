package redistest

import (
	"context"
	"errors"
	"testing"

	"github.com/redis/go-redis/v9"
)

func TestNewGivesWorkingIsolatedClients(t *testing.T) {
	ctx := context.Background()
	a, pa := New(t)
	b, pb := New(t)
	if pa == pb {
		t.Fatalf("prefixes equal: %q", pa)
	}
	if err := a.Set(ctx, pa+"k", "1", 0).Err(); err != nil {
		t.Fatalf("set: %v", err)
	}
	if n, err := b.Exists(ctx, pb+"k").Result(); err != nil || n != 0 {
		t.Fatalf("exists under other prefix = %d, %v; want 0", n, err)
	}
	if v, err := b.Get(ctx, pa+"k").Result(); err != nil || v != "1" {
		t.Fatalf("get = %q, %v; want 1", v, err)
	}
}

func TestNewClusterSpreadsKeysOverThreeMasters(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := NewCluster(t)
	masters := map[string]bool{}
	for i := range 30 {
		k := prefix + "k" + string(rune('a'+i%26)) + string(rune('0'+i/26))
		if err := rdb.Set(ctx, k, "1", 0).Err(); err != nil {
			t.Fatalf("set %s: %v", k, err)
		}
		m, err := rdb.MasterForKey(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		masters[m.Options().Addr] = true
	}
	if len(masters) != 3 {
		t.Fatalf("keys landed on %d masters, want 3", len(masters))
	}
	// Keys of different slots cannot meet in one transaction (what the
	// hash tags in docs/redis-keys.md are for).
	sa, _ := rdb.ClusterKeySlot(ctx, prefix+"a").Result()
	sb, _ := rdb.ClusterKeySlot(ctx, prefix+"b").Result()
	if sa == sb {
		t.Fatalf("slots of a and b equal (%d): pick other keys", sa)
	}
	_, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, prefix+"a", "1", 0)
		p.Set(ctx, prefix+"b", "1", 0)
		return nil
	})
	if !errors.Is(err, redis.ErrCrossSlot) {
		t.Fatalf("cross-slot MULTI: got %v, want %v", err, redis.ErrCrossSlot)
	}
	if _, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, "{"+prefix+"t}:a", "1", 0)
		p.Set(ctx, "{"+prefix+"t}:b", "1", 0)
		return nil
	}); err != nil {
		t.Fatalf("tagged transaction: %v", err)
	}
}
