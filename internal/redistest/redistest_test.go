package redistest

import (
	"context"
	"testing"
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
