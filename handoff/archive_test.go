package handoff

import (
	"context"
	"errors"
	"testing"
)

// TestClosedCasesGoToTheArchiveStream: opening and working a case writes
// no archive entry; closing it writes one in the same transaction, and so
// does every later change of the closed case, each with its own id.
func TestClosedCasesGoToTheArchiveStream(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "2026-11-23 10:00")
	ctx := context.Background()
	rdb := f.svc.rdb
	c := f.open(t, "U1", human)
	if _, err := f.svc.Claim(ctx, l2, c.ID); err != nil {
		t.Fatal(err)
	}
	if n := rdb.XLen(ctx, f.svc.ArchiveStream()).Val(); n != 0 {
		t.Fatalf("open case: %d archive entries, want 0", n)
	}
	if _, err := f.svc.Resolve(ctx, l2, c.ID, "done"); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RecordSatisfaction(ctx, c.UserID, c.ID, 5); err != nil {
		t.Fatal(err)
	}
	msgs, err := rdb.XRange(ctx, f.svc.ArchiveStream(), "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) < 2 {
		t.Fatalf("%d archive entries after resolve and rating, want at least 2", len(msgs))
	}
	ids := map[string]bool{}
	for _, m := range msgs {
		e, err := DecodeArchiveEntry(m.ID, m.Values)
		if err != nil {
			t.Fatal(err)
		}
		if e.Kind != ArchiveCase || e.Case.ID != c.ID || e.Case.Open() || ids[e.ID] || e.StreamID != m.ID {
			t.Errorf("entry %+v: want a new id and the closed case %s", e, c.ID)
		}
		ids[e.ID] = true
	}
	last, _ := DecodeArchiveEntry(msgs[len(msgs)-1].ID, msgs[len(msgs)-1].Values)
	if last.Case.Status != StatusResolved || last.Case.Satisfaction != 5 || !last.At.Equal(f.clock.Now()) {
		t.Errorf("last entry: status %s, rating %d, at %v; want resolved, 5, now", last.Case.Status, last.Case.Satisfaction, last.At)
	}
}

func TestRecordOutcome(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "2026-11-23 10:00")
	ctx := context.Background()
	if err := f.svc.RecordOutcome(ctx, ConversationOutcome{Lang: "en"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("outcome without user and end: %v, want ErrInvalid", err)
	}
	o := ConversationOutcome{UserID: "U1", Lang: "en", StartedAt: f.clock.Now().UTC(), EndedAt: f.clock.Now().UTC(), AnsweredL1: true, Topic: "shipping_fee"}
	if err := f.svc.RecordOutcome(ctx, o); err != nil {
		t.Fatal(err)
	}
	msgs := f.svc.rdb.XRange(ctx, f.svc.ArchiveStream(), "-", "+").Val()
	if len(msgs) != 1 {
		t.Fatalf("%d entries, want 1", len(msgs))
	}
	e, err := DecodeArchiveEntry(msgs[0].ID, msgs[0].Values)
	if err != nil || e.Kind != ArchiveOutcome || *e.Outcome != o {
		t.Errorf("entry %+v, %v; want the outcome", e, err)
	}
}

func TestDecodeArchiveEntryRejects(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		v    map[string]any
	}{
		{"no field", map[string]any{}},
		{"not JSON", map[string]any{"e": "{"}},
		{"no id", map[string]any{"e": `{"kind":"case","case":{"id":"CS-1"}}`}},
		{"case kind without case", map[string]any{"e": `{"id":"x","kind":"case"}`}},
		{"unknown kind", map[string]any{"e": `{"id":"x","kind":"memo"}`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := DecodeArchiveEntry("1-0", tt.v); err == nil {
				t.Error("accepted")
			}
		})
	}
}
