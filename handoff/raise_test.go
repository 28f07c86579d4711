package handoff

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/warmline/warmline/handoff/escalation"
)

func TestRaise(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		open       []escalation.Trigger
		raise      []escalation.Trigger
		tier, prio string
		triggers   int
		firstDue   string
		notify     []string
	}{
		{"supervisor raises P3 to P2 with its 5-minute clock", []escalation.Trigger{human}, []escalation.Trigger{supervisor},
			"L2", "P2", 2, "2026-11-23 10:05", []string{"lead"}},
		{"legal threat moves an L2 case to L3", []escalation.Trigger{human}, []escalation.Trigger{legal},
			"L3", "P2", 2, "2026-11-23 11:00", []string{"legal", "pr"}},
		{"security raises to P1", []escalation.Trigger{human}, []escalation.Trigger{security},
			"L2", "P1", 2, "2026-11-23 10:15", nil},
		{"a less urgent trigger changes nothing but the list", []escalation.Trigger{supervisor}, []escalation.Trigger{human},
			"L2", "P2", 2, "2026-11-23 10:05", []string{"lead"}},
		{"a trigger the case has is not added twice", []escalation.Trigger{human}, []escalation.Trigger{human},
			"L2", "P3", 1, "2026-11-23 14:00", nil},
		{"a repeated person request in other words is not a second trigger", []escalation.Trigger{human},
			[]escalation.Trigger{{Kind: escalation.KindHuman, Route: human.Route, Message: "有人在嗎", Evidence: "有人在嗎"}},
			"L2", "P3", 1, "2026-11-23 14:00", nil},
		{"no triggers", []escalation.Trigger{human}, nil,
			"L2", "P3", 1, "2026-11-23 14:00", nil},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, "2026-11-23 10:00")
			c := f.open(t, "U1", tt.open...)
			f.clock.Advance(2 * time.Minute)
			got, err := f.svc.Raise(ctx, c.ID, tt.raise)
			if err != nil {
				t.Fatalf("Raise: %v", err)
			}
			if got.Tier != tt.tier || got.Priority != tt.prio || len(got.Triggers) != tt.triggers {
				t.Errorf("raised = %s/%s with %d triggers, want %s/%s with %d", got.Tier, got.Priority, len(got.Triggers), tt.tier, tt.prio, tt.triggers)
			}
			if want := at(t, tt.firstDue); !got.FirstResponseDue.Equal(want) {
				t.Errorf("first due = %s, want %s", got.FirstResponseDue.In(taipei(t)), tt.firstDue)
			}
			if !slices.Equal(got.Notify, tt.notify) {
				t.Errorf("notify = %v, want %v", got.Notify, tt.notify)
			}
			stored, err := f.svc.Get(ctx, lead, c.ID)
			if err != nil || stored.Tier != got.Tier || stored.Priority != got.Priority || len(stored.Triggers) != len(got.Triggers) {
				t.Errorf("stored = %+v (%v), want what Raise returned", stored, err)
			}
			queue, err := f.svc.List(ctx, lead, Filter{Tier: tt.tier})
			if err != nil || len(queue) != 1 || queue[0].ID != c.ID {
				t.Errorf("%s queue = %v (%v), want [%s]", tt.tier, ids(queue), err, c.ID)
			}
		})
	}
}

func TestRaiseKeepsAMoreUrgentManualPriority(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "2026-11-23 10:00")
	ctx := context.Background()
	c := f.open(t, "U1", human)
	if _, err := f.svc.SetPriority(ctx, lead, c.ID, "P1"); err != nil { // due 10:15
		t.Fatalf("SetPriority: %v", err)
	}
	got, err := f.svc.Raise(ctx, c.ID, []escalation.Trigger{legal}) // L3 at P2 would be 11:00
	if err != nil {
		t.Fatalf("Raise: %v", err)
	}
	if got.Tier != TierL3 || got.Priority != "P1" {
		t.Errorf("raised = %s/%s, want L3/P1", got.Tier, got.Priority)
	}
	if want := at(t, "2026-11-23 10:15"); !got.FirstResponseDue.Equal(want) {
		t.Errorf("first due = %s, want %s (the P1 clock)", got.FirstResponseDue.In(taipei(t)), want)
	}
}

func TestRaiseClosedOrMissing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "2026-11-23 10:00")
	ctx := context.Background()
	c := f.open(t, "U1", human)
	if err := f.svc.CancelByCustomer(ctx, c.ID); err != nil {
		t.Fatalf("CancelByCustomer: %v", err)
	}
	if _, err := f.svc.Raise(ctx, c.ID, []escalation.Trigger{legal}); !errors.Is(err, ErrClosed) {
		t.Errorf("Raise on a closed case: %v, want ErrClosed", err)
	}
	if _, err := f.svc.Raise(ctx, "CS-20990101-0001", []escalation.Trigger{legal}); !errors.Is(err, ErrNoCase) {
		t.Errorf("Raise on no case: %v, want ErrNoCase", err)
	}
}
