package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/warmline/warmline/internal/redistest"
	"github.com/warmline/warmline/internal/testclock"
)

// TestE2ETwoReplicasBehindALoadBalancer runs two warmline instances on one
// Redis, with LINE's webhooks alternating between them: every event is
// answered once, each user's answers arrive in order, and a case opened
// through replica A is visible and claimable through replica B.
func TestE2ETwoReplicasBehindALoadBalancer(t *testing.T) {
	t.Parallel()
	clock := testclock.At(time.Date(2026, 11, 23, 10, 0, 0, 0, time.FixedZone("CST", 8*3600)))
	emu, emuURL := startDemoEmu(t, clock.Now)
	_, prefix := redistest.New(t)
	o := handoffOpts()
	o.clock, o.emu, o.emuURL, o.redisPrefix = clock, emu, emuURL, prefix
	o.env["WARMLINE_REPLICA_ID"] = "replica-a"
	a := startE2E(t, o)
	o.env = map[string]string{}
	for k, v := range handoffOpts().env {
		o.env[k] = v
	}
	o.env["WARMLINE_REPLICA_ID"] = "replica-b"
	b := startE2E(t, o)

	qs := []struct{ q, want string }{
		{"How much is shipping?", "NT$100"},
		{"Do points expire?", "1 year"},
		{"Do you deliver to outlying islands?", "Penghu"},
		{"How long will the store keep my parcel?", "7 days"},
		{"Do you ship internationally?", "Taiwan"},
		{"How much is shipping?", "NT$100"},
	}
	for i, q := range qs {
		target := a
		if i%2 == 1 {
			target = b
		}
		emu.SetWebhookURL(target.url + "/webhook") // the load balancer's choice
		if _, err := emu.SendText(context.Background(), bob, q.q); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	got, err := waitTexts(ctx, emu, bob, len(qs)) // link cards aside
	if err != nil {
		t.Fatalf("answers: %v (got %s)", err, dump(emu.Messages(bob)))
	}
	for i, q := range qs {
		if !strings.Contains(got[i].Text, q.want) {
			t.Errorf("answer %d = %q, want the answer to %q: lost, duplicated or out of order", i, got[i].Text, q.q)
		}
	}
	waitDrained(t, prefix) // acknowledged: nothing more can arrive
	if n := len(texts(emu.Messages(bob))); n != len(qs) {
		t.Errorf("bob got %d answers for %d events", n, len(qs))
	}

	// A handoff through replica A is in replica B's queue; B's claim wins.
	emu.SetWebhookURL(a.url + "/webhook")
	a.say(alice, "我要找真人客服", 1)
	c := b.caseOf(alice)
	if c == nil {
		t.Fatal("replica B does not see the case opened through replica A")
	}
	if st := b.api(tokMei, "POST", "/api/cases/"+c.ID+"/claim", nil, nil); st != 200 {
		t.Fatalf("claim on B = %d", st)
	}
	if st := a.api(tokKen, "POST", "/api/cases/"+c.ID+"/claim", nil, nil); st != 409 {
		t.Fatalf("second claim on A = %d, want 409", st)
	}
}
