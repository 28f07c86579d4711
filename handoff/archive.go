package handoff

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
)

// archiveMaxLen caps the archive stream (approximately) should no archiver
// read it for a long time; the archiver deletes what it has stored, so in
// normal running the stream holds only what is not archived yet.
const archiveMaxLen = 100000

// ArchiveKind says what an archive entry carries.
type ArchiveKind string

// Archive entry kinds.
const (
	// ArchiveCase: a closed case as it was just written (closing it, and
	// every later change: the rating, notices, follow-ups). The newest one
	// per case is the case's record.
	ArchiveCase ArchiveKind = "case"
	// ArchiveOutcome: how a conversation without a case ended (the bot's
	// L1 outcomes), from RecordOutcome.
	ArchiveOutcome ArchiveKind = "outcome"
)

// ArchiveEntry is one entry of the archive stream: what the durable case
// ledger (package ledger) stores. ID is unique per entry (a UUIDv7 made
// when the entry is written), so a replayed entry is recognised; StreamID
// is the entry's Redis Stream id (not stored: it restarts after a flush).
type ArchiveEntry struct {
	ID       string               `json:"id"`
	Kind     ArchiveKind          `json:"kind"`
	At       time.Time            `json:"at"`
	Case     *Case                `json:"case,omitempty"`
	Outcome  *ConversationOutcome `json:"outcome,omitempty"`
	StreamID string               `json:"-"`
}

// ConversationOutcome is how one conversation the bot had without a case ended, for
// the reports (first-contact resolution, top reasons). Conversations with a
// case get theirs from the case.
type ConversationOutcome struct {
	// ConversationID identifies the conversation (the bot makes one per
	// conversation): the ledger stores one outcome per id, so recording
	// it again (a redelivered event, two replicas) changes nothing.
	// Empty: every entry is an outcome of its own.
	ConversationID string    `json:"conversation_id,omitempty"`
	UserID         string    `json:"user_id"`
	Lang           string    `json:"lang"`
	StartedAt      time.Time `json:"started_at"`
	EndedAt        time.Time `json:"ended_at"`
	// AnsweredL1: the bot settled it (an FAQ answer, an order status, a
	// refund within its limit). Menu: the customer was offered the menu
	// of likely topics (an unsure match).
	AnsweredL1 bool   `json:"answered_l1"`
	Menu       bool   `json:"menu"`
	Topic      string `json:"topic,omitempty"`   // KB entry id or flow name
	Trigger    string `json:"trigger,omitempty"` // escalation trigger kind, if one fired
}

// ArchiveStream is the Redis key of the archive stream (see doc.go). It
// shares the case keys' hash tag: a closed case and its entry are written in
// one transaction.
func (s *Service) ArchiveStream() string { return s.key("archive") }

// archive queues the archive entry of closed case c in the transaction p.
func (s *Service) archive(ctx context.Context, p redis.Pipeliner, c *Case) error {
	return s.addArchive(ctx, p, ArchiveEntry{Kind: ArchiveCase, Case: c})
}

// RecordOutcome appends how a conversation without a case ended to the
// archive stream.
func (s *Service) RecordOutcome(ctx context.Context, o ConversationOutcome) error {
	if o.UserID == "" || o.EndedAt.IsZero() {
		return fmt.Errorf("record outcome: %w: user and end time are required", ErrInvalid)
	}
	if err := s.addArchive(ctx, s.rdb, ArchiveEntry{Kind: ArchiveOutcome, Outcome: &o}); err != nil {
		return fmt.Errorf("record outcome: %w", err)
	}
	return nil
}

type streamAdder interface {
	XAdd(ctx context.Context, a *redis.XAddArgs) *redis.StringCmd
}

func (s *Service) addArchive(ctx context.Context, r streamAdder, e ArchiveEntry) error {
	id, err := uuid.NewV7()
	if err != nil {
		return fmt.Errorf("archive entry id: %w", err)
	}
	e.ID, e.At = id.String(), s.now().UTC()
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encode archive entry: %w", err)
	}
	// In a transaction the command's error comes with Exec.
	return r.XAdd(ctx, &redis.XAddArgs{
		Stream: s.ArchiveStream(), MaxLen: archiveMaxLen, Approx: true, Values: []any{"e", b},
	}).Err()
}

// DecodeArchiveEntry decodes one archive stream entry (its id and fields).
func DecodeArchiveEntry(streamID string, values map[string]any) (ArchiveEntry, error) {
	raw, ok := values["e"].(string)
	if !ok {
		return ArchiveEntry{}, fmt.Errorf("archive entry %s: no field e", streamID)
	}
	var e ArchiveEntry
	if err := json.Unmarshal([]byte(raw), &e); err != nil {
		return ArchiveEntry{}, fmt.Errorf("archive entry %s: %w", streamID, err)
	}
	switch {
	case e.ID == "":
		return ArchiveEntry{}, fmt.Errorf("archive entry %s: no id", streamID)
	case e.Kind == ArchiveCase && e.Case == nil, e.Kind == ArchiveOutcome && e.Outcome == nil:
		return ArchiveEntry{}, fmt.Errorf("archive entry %s: kind %s without its value", streamID, e.Kind)
	case e.Kind != ArchiveCase && e.Kind != ArchiveOutcome:
		return ArchiveEntry{}, fmt.Errorf("archive entry %s: unknown kind %q", streamID, e.Kind)
	}
	if e.Case != nil {
		e.Case.normalize()
	}
	e.StreamID = streamID
	return e, nil
}
