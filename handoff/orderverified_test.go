package handoff

import (
	"context"
	"errors"
	"testing"

	"github.com/warmline/warmline/handoff/escalation"
)

// TestOrderVerified: the customer showing a flagged order is theirs while
// the case waits clears that order's flag (the order number matched in any
// case) and tells agents' screens once; an order not flagged, or flagged no
// more, changes nothing and publishes nothing; an unknown case is
// ErrNoCase.
func TestOrderVerified(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "2026-11-23 10:00")
	ctx := context.Background()
	c, err := f.svc.Open(ctx, Opening{UserID: "U-mug", DisplayName: "Bob", Lang: "en", Category: "fault", Topic: "damaged-on-arrival",
		Triggers: []escalation.Trigger{human}, Transcript: []Turn{{From: FromCustomer, Text: "my mug arrived broken", At: f.clock.Now()}},
		Tried: []Attempt{
			{Kind: AttemptOrder, Ref: "WL2026****06", OrderNumber: "WL20261106", OrderUnverified: true, At: f.clock.Now()},
			{Kind: AttemptOrder, Ref: "WL2026****01", OrderNumber: "WL20261101", At: f.clock.Now()},
		}})
	if err != nil {
		t.Fatal(err)
	}
	if got := UnverifiedOrder(c); got != "WL20261106" {
		t.Fatalf("UnverifiedOrder before = %q, want WL20261106", got)
	}
	updates := func(from string) (n int, last string) {
		t.Helper()
		evs, err := f.svc.Events(ctx, from, 0)
		if err != nil {
			t.Fatal(err)
		}
		last = from
		for _, ev := range evs {
			if ev.Type == EventCaseUpdated && ev.CaseID == c.ID {
				n++
			}
			last = ev.ID
		}
		return n, last
	}
	from, err := f.svc.LastEventID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, caseID, order string
		wantErr             error
		wantUpdates         int
		wantFlagged         string // UnverifiedOrder of the returned case
	}{
		{"an order not flagged", c.ID, "WL20261101", nil, 0, "WL20261106"},
		{"the flagged order, lower case", c.ID, "wl20261106", nil, 1, ""},
		{"the same again", c.ID, "WL20261106", nil, 0, ""},
		{"an unknown case", "CS-20261123-9999", "WL20261106", ErrNoCase, 0, ""},
	}
	for _, tt := range tests {
		got, err := f.svc.OrderVerified(ctx, tt.caseID, tt.order)
		if !errors.Is(err, tt.wantErr) {
			t.Fatalf("%s: err %v, want %v", tt.name, err, tt.wantErr)
		}
		var n int
		if n, from = updates(from); n != tt.wantUpdates {
			t.Errorf("%s: %d case_updated events, want %d", tt.name, n, tt.wantUpdates)
		}
		if err != nil {
			continue
		}
		if u := UnverifiedOrder(got); u != tt.wantFlagged {
			t.Errorf("%s: UnverifiedOrder = %q, want %q", tt.name, u, tt.wantFlagged)
		}
	}
	stored, err := f.svc.Get(ctx, lead, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if u := UnverifiedOrder(stored); u != "" {
		t.Errorf("stored case still flags %q", u)
	}
	if len(stored.Tried) != 2 || stored.Tried[1].OrderNumber != "WL20261101" || stored.Tried[1].OrderUnverified {
		t.Errorf("the other attempt changed: %+v", stored.Tried)
	}
}
