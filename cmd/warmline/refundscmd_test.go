package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/internal/redistest"
	"github.com/warmline/warmline/knowledge/orders"
)

func TestRefundsCmd(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rdb, prefix := redistest.New(t)
	agents := filepath.Join(t.TempDir(), "agents.yaml")
	if err := os.WriteFile(agents, []byte(testAgentsFile(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	env := envFrom(map[string]string{
		"LINE_CHANNEL_SECRET": "s", "LINE_CHANNEL_ACCESS_TOKEN": "t",
		"REDIS_URL": redistest.URL(t), "WARMLINE_REDIS_PREFIX": prefix,
		"WARMLINE_KB_DIR": repoPath(t, "knowledge/demo"), "WARMLINE_ORDERS_FILE": repoPath(t, "knowledge/orders/demo/orders.json"),
		"WARMLINE_AGENTS_FILE": agents,
	})
	refunds := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, append([]string{"refunds"}, args...), env, nil, &out, &out)
		return out.String(), err
	}
	if out, err := refunds(); err != nil || !strings.Contains(out, "no refund requests") {
		t.Fatalf("empty: %q, %v", out, err)
	}
	book := orders.NewRefundBook(rdb, prefix, nil)
	at := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	for i, n := range []string{"WL20261106", "WL20261107"} {
		r := orders.RefundRequest{ID: "r" + n, Number: n, Amount: 300 + i, LineUserID: "U1", Lang: "zh-CN",
			RequestedAt: at.Add(time.Duration(i) * time.Hour), DueBy: at.Add(9 * 24 * time.Hour)}
		if err := book.RecordRefund(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	out, err := refunds()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.Contains(lines[2], "WL20261106") || !strings.Contains(lines[2], "NT$300") ||
		!strings.Contains(lines[2], "2026-11-23 10:00") || !strings.Contains(lines[2], "2026-12-02") || !strings.Contains(lines[3], "WL20261107") {
		t.Fatalf("list = %q, want both, oldest first, times in Taipei", out)
	}
	if strings.Contains(out, "U1") {
		t.Errorf("list shows the customer's LINE id: %q", out)
	}
	if _, err := refunds("done", "rWL20261106"); err == nil {
		t.Error("done without --by: no error")
	}
	if out, err := refunds("done", "--by", "boss", "rWL20261106"); err != nil || !strings.Contains(out, "done by boss") {
		t.Fatalf("done = %q, %v", out, err)
	}
	if out, _ := refunds(); strings.Contains(out, "WL20261106") || !strings.Contains(out, "WL20261107") {
		t.Errorf("after done: %q, want only WL20261107", out)
	}
	if _, err := refunds("done", "--by", "boss", "nope"); err == nil {
		t.Error("done on an unknown id: no error")
	}
	var out2 bytes.Buffer
	if err := run(ctx, []string{"refunds"}, envFrom(nil), nil, &out2, &out2); err == nil || !strings.Contains(err.Error(), "demo") {
		t.Errorf("demo mode: %v, want it refused", err)
	}
}
