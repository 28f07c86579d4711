package ledger

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/warmline/warmline/handoff"
)

// Apply stores one archive entry in one transaction: the entry id first, so
// an entry seen before writes nothing (it reports false); then the case's
// row, transcript, rating and outcome, or the conversation's outcome. A
// case's row only moves forward: an older entry of the same case applied
// late does not replace a newer one.
func (s *Store) Apply(ctx context.Context, e handoff.ArchiveEntry) (bool, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("apply entry %s: %w", e.ID, err)
	}
	defer func() { _ = tx.Rollback() }()
	res, err := tx.ExecContext(ctx, `INSERT INTO archived_entries (entry_id, archived_ms) VALUES ($1, $2) ON CONFLICT (entry_id) DO NOTHING`,
		e.ID, s.now().UnixMilli())
	if err != nil {
		return false, fmt.Errorf("apply entry %s: %w", e.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return false, fmt.Errorf("apply entry %s: %w", e.ID, err)
	} else if n == 0 {
		return false, nil // seen before
	}
	switch e.Kind {
	case handoff.ArchiveCase:
		err = s.applyCase(ctx, tx, e.At, e.Case)
	case handoff.ArchiveOutcome:
		err = s.applyOutcome(ctx, tx, e.ID, e.At, e.Outcome)
	default:
		err = fmt.Errorf("unknown kind %q", e.Kind)
	}
	if err != nil {
		return false, fmt.Errorf("apply entry %s: %w", e.ID, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("apply entry %s: %w", e.ID, err)
	}
	return true, nil
}

func (s *Store) applyCase(ctx context.Context, tx *sql.Tx, at time.Time, c *handoff.Case) error {
	if c.Open() {
		return fmt.Errorf("case %s is %s: only closed cases are archived", c.ID, c.Status)
	}
	fr, frMet := firstResponse(c)
	rs, rsMet := resolution(c)
	ownerID, ownerName := owner(c)
	res, err := tx.ExecContext(ctx, `INSERT INTO cases (case_id, created_ms, closed_ms, updated_ms, customer_ref, customer_id,
		category, priority, tier, request, status, resolution, satisfaction, owner_id, owner_name,
		first_response_s, resolution_s, first_response_met, resolution_met, sla_met, trigger_kind, topic, lang, repeat_count,
		disposition)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)
		ON CONFLICT (case_id) DO UPDATE SET created_ms = excluded.created_ms, closed_ms = excluded.closed_ms,
		updated_ms = excluded.updated_ms, customer_ref = excluded.customer_ref, customer_id = excluded.customer_id,
		category = excluded.category, priority = excluded.priority, tier = excluded.tier, request = excluded.request,
		status = excluded.status, resolution = excluded.resolution, satisfaction = excluded.satisfaction,
		owner_id = excluded.owner_id, owner_name = excluded.owner_name, first_response_s = excluded.first_response_s,
		resolution_s = excluded.resolution_s, first_response_met = excluded.first_response_met,
		resolution_met = excluded.resolution_met, sla_met = excluded.sla_met, trigger_kind = excluded.trigger_kind,
		topic = excluded.topic, lang = excluded.lang, repeat_count = excluded.repeat_count,
		disposition = excluded.disposition
		WHERE cases.updated_ms <= excluded.updated_ms`,
		c.ID, c.CreatedAt.UnixMilli(), c.ClosedAt.UnixMilli(), at.UnixMilli(), s.Pseudonym(c.UserID), c.UserID,
		c.Category, c.Priority, c.Tier, c.Request, c.Status, resolutionNote(c), nullInt(c.Satisfaction), ownerID, ownerName,
		fr, rs, frMet, rsMet, slaMet(frMet, rsMet), firstTrigger(c), c.Topic, c.Lang, c.RepeatCount, c.Disposition)
	if err != nil {
		return fmt.Errorf("case %s: %w", c.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("case %s: %w", c.ID, err)
	} else if n == 0 {
		return nil // a newer entry of this case is stored already
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM transcripts WHERE case_id = $1`, c.ID); err != nil {
		return fmt.Errorf("case %s transcript: %w", c.ID, err)
	}
	for i, t := range c.Transcript {
		b, err := json.Marshal(t)
		if err != nil {
			return fmt.Errorf("case %s turn %d: %w", c.ID, i, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO transcripts (case_id, seq, at_ms, sender, kind, body, turn_json) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			c.ID, i, t.At.UnixMilli(), t.From, string(t.Kind), t.Text, string(b)); err != nil {
			return fmt.Errorf("case %s turn %d: %w", c.ID, i, err)
		}
	}
	if c.Satisfaction > 0 {
		// The time of the first entry that carried this score.
		if _, err := tx.ExecContext(ctx, `INSERT INTO ratings (case_id, score, rated_ms) VALUES ($1, $2, $3)
			ON CONFLICT (case_id) DO UPDATE SET score = excluded.score, rated_ms = excluded.rated_ms
			WHERE ratings.score <> excluded.score`, c.ID, c.Satisfaction, at.UnixMilli()); err != nil {
			return fmt.Errorf("case %s rating: %w", c.ID, err)
		}
	}
	started := c.CreatedAt
	if len(c.Transcript) > 0 && !c.Transcript[0].At.IsZero() && c.Transcript[0].At.Before(started) {
		started = c.Transcript[0].At
	}
	return upsertOutcome(ctx, tx, outcomeRow{
		id: "case:" + c.ID, caseID: c.ID, customerRef: s.Pseudonym(c.UserID), lang: c.Lang,
		started: started, ended: c.ClosedAt, answeredL1: false, menu: false, handoff: true,
		trigger: firstTrigger(c), topic: c.Topic, updated: at,
	})
}

func (s *Store) applyOutcome(ctx context.Context, tx *sql.Tx, id string, at time.Time, o *handoff.ConversationOutcome) error {
	started := o.StartedAt
	if started.IsZero() {
		started = o.EndedAt
	}
	if o.ConversationID != "" {
		id = "conv:" + o.ConversationID // one row per conversation, however often it is recorded
	}
	return upsertOutcome(ctx, tx, outcomeRow{
		id: id, customerRef: s.Pseudonym(o.UserID), lang: o.Lang, started: started, ended: o.EndedAt,
		answeredL1: o.AnsweredL1, menu: o.Menu, trigger: o.Trigger, topic: o.Topic, updated: at,
	})
}

type outcomeRow struct {
	id, caseID, customerRef, lang string
	started, ended, updated       time.Time
	answeredL1, menu, handoff     bool
	trigger, topic                string
}

func upsertOutcome(ctx context.Context, tx *sql.Tx, o outcomeRow) error {
	var caseID any
	if o.caseID != "" {
		caseID = o.caseID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO outcomes (outcome_id, case_id, customer_ref, lang, started_ms, ended_ms,
		answered_l1, menu, handoff, trigger_kind, topic, updated_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		ON CONFLICT (outcome_id) DO UPDATE SET case_id = excluded.case_id, customer_ref = excluded.customer_ref,
		lang = excluded.lang, started_ms = excluded.started_ms, ended_ms = excluded.ended_ms,
		answered_l1 = excluded.answered_l1, menu = excluded.menu, handoff = excluded.handoff,
		trigger_kind = excluded.trigger_kind, topic = excluded.topic, updated_ms = excluded.updated_ms
		WHERE outcomes.updated_ms <= excluded.updated_ms`,
		o.id, caseID, o.customerRef, o.lang, o.started.UnixMilli(), o.ended.UnixMilli(),
		o.answeredL1, o.menu, o.handoff, o.trigger, o.topic, o.updated.UnixMilli())
	if err != nil {
		return fmt.Errorf("outcome %s: %w", o.id, err)
	}
	return nil
}

// owner is the case's owner as the ledger keeps it: the agent who had it
// when it closed; for a case nobody claimed that an agent returned to the
// bot (a lead: only a lead may), that agent, by id (the inbox names it), as
// resolving an unclaimed case makes the resolver its owner. A case the
// customer cancelled before anyone claimed it has none.
func owner(c *handoff.Case) (id, name string) {
	if c.Owner != "" {
		return c.Owner, c.OwnerName
	}
	for i := len(c.Transcript) - 1; i >= 0; i-- {
		if t := c.Transcript[i]; t.Event != nil && t.Event.Type == handoff.SysReturnedNoReply && t.AgentID != "" {
			return t.AgentID, ""
		}
	}
	return "", ""
}

// firstResponse is the time from opening the case to the first agent reply
// and whether it met its due time (nil: no reply, closed before the due
// time, so the target did not apply).
func firstResponse(c *handoff.Case) (secs, met any) {
	if !c.FirstResponseAt.IsZero() {
		return seconds(c.FirstResponseAt.Sub(c.CreatedAt)), c.FirstResponseDue.IsZero() || !c.FirstResponseAt.After(c.FirstResponseDue)
	}
	if !c.FirstResponseDue.IsZero() && c.ClosedAt.After(c.FirstResponseDue) {
		return nil, false // closed after the due time with no reply
	}
	return nil, nil
}

// resolution is the time from opening to resolving and whether it met the
// resolution due time (nil for cases closed otherwise than resolved).
func resolution(c *handoff.Case) (secs, met any) {
	if c.Status != handoff.StatusResolved || c.ResolvedAt.IsZero() {
		return nil, nil
	}
	return seconds(c.ResolvedAt.Sub(c.CreatedAt)), c.ResolutionDue.IsZero() || !c.ResolvedAt.After(c.ResolutionDue)
}

// slaMet: every target that applied was met; nil when none applied.
func slaMet(fr, rs any) any {
	if fr == nil && rs == nil {
		return nil
	}
	return fr != false && rs != false
}

func seconds(d time.Duration) int64 {
	if d < 0 {
		return 0
	}
	return int64(d / time.Second)
}

func nullInt(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

func firstTrigger(c *handoff.Case) string {
	if len(c.Triggers) == 0 {
		return ""
	}
	return c.Triggers[0].Kind
}

// resolutionNote is the last internal note of a resolved case: the note an
// agent gives when resolving, if any.
func resolutionNote(c *handoff.Case) string {
	if c.Status != handoff.StatusResolved {
		return ""
	}
	for i := len(c.Transcript) - 1; i >= 0; i-- {
		if t := c.Transcript[i]; t.From == handoff.FromNote {
			return t.Text
		}
	}
	return ""
}
