package redistest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

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

func TestPrivateClusterNodeRestartKeepsItsData(t *testing.T) {
	ctx := context.Background()
	c := StartCluster(t, true)
	rdb := c.Client(t)
	for i := range 30 {
		if err := rdb.Set(ctx, fmt.Sprintf("k%d", i), i, 0).Err(); err != nil {
			t.Fatal(err)
		}
	}
	c.Nodes[0].Stop()
	c.Nodes[0].Start()
	c.WaitOK(t)
	for i := range 30 {
		if v, err := rdb.Get(ctx, fmt.Sprintf("k%d", i)).Int(); err != nil || v != i {
			t.Fatalf("k%d after the restart = %d, %v; want %d", i, v, err, i)
		}
	}
}

func TestSentinelSetFailsOver(t *testing.T) {
	ctx := context.Background()
	s := StartSentinelSet(t, 1)
	rdb := redis.NewFailoverClient(&redis.FailoverOptions{MasterName: SentinelMaster, SentinelAddrs: []string{s.Sentinel.Addr()}})
	t.Cleanup(func() { _ = rdb.Close() })
	if err := rdb.Set(ctx, "k", "1", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.Wait(ctx, 1, time.Second).Err(); err != nil {
		t.Fatal(err)
	}
	took := s.Failover(t)
	t.Logf("failover took %v", took)
	if got := s.MasterAddr(t); got != s.Replica.Addr() {
		t.Fatalf("master after the failover = %s, want the replica %s", got, s.Replica.Addr())
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := rdb.Set(ctx, "k", "2", 0).Err()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("write after the failover: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
