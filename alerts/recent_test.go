package alerts

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestRecentWithoutWebhooks: with no webhook configured the Alerter still
// fires alerts, once each however many replicas check, onto the recent
// list the inbox shows leads (newest first), and the outbox drains.
func TestRecentWithoutWebhooks(t *testing.T) {
	f := newFixture(t)
	a1 := f.newAlerter(t, "r1", nil, nil)
	a2 := f.newAlerter(t, "r2", nil, nil)
	run(t, a1)
	run(t, a2)
	ctx := context.Background()
	checkBoth := func() {
		t.Helper()
		for _, a := range []*Alerter{a1, a2} {
			if _, err := a.Check(ctx); err != nil {
				t.Fatalf("Check: %v", err)
			}
		}
	}
	legal := f.open(t, "U-recent-legal", legalThreat) // notify and P1 at 10:00
	plain := f.open(t, "U-recent-plain", "想問一下這個")    // P3, first response due 14:00
	checkBoth()
	f.clock.Set(monday10.Add(4 * time.Hour)) // both breached
	checkBoth()
	checkBoth()
	waitFor(t, "the alerters idle", func() bool { return f.drained(t) })
	got, err := a1.Recent(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, al := range got {
		count[al.ID]++
	}
	for _, want := range []string{"notify:" + legal.ID + ":legal,pr", "p1:" + legal.ID,
		"sla_breach:" + plain.ID + ":first_response:" + ms(monday10.Add(4*time.Hour))} {
		if count[want] != 1 {
			t.Errorf("alert %s listed %d times, want once (list %v)", want, count[want], count)
		}
	}
	if len(got) != 4 {
		t.Fatalf("listed %d alerts, want 4 (notify, P1, two breaches): %v", len(got), count)
	}
	for i, al := range got {
		if want := i < 2; (al.Kind == KindSLABreach) != want {
			t.Errorf("alert %d is %s fired at %s: want the two breaches first (newest first)", i, al.Kind, al.At.Format("15:04"))
		}
	}
	var breach Alert
	for _, al := range got {
		if al.Kind == KindSLABreach && al.CaseID == plain.ID {
			breach = al
		}
	}
	if title := a1.Title(breach, "en"); !strings.Contains(title, plain.ID) || !strings.Contains(title, "missed its first response deadline") {
		t.Errorf("title = %q", title)
	}
	if got, _ := a2.Recent(ctx, 1); len(got) != 1 {
		t.Errorf("Recent(1) = %d alerts, want 1", len(got))
	}
}
