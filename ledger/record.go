package ledger

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/warmline/warmline/handoff"
)

// Record is one closed case as the ledger keeps it: the SOP's ledger
// columns.
type Record struct {
	CaseID   string
	Created  time.Time // the case's date
	Closed   time.Time
	Customer string // pseudonym (Store.Pseudonym)
	// CustomerID is the LINE user id, exported only when the operator asks.
	CustomerID   string
	Category     string
	Priority     string
	Tier         string
	Request      string
	Status       string // resolved | returned | cancelled
	Resolution   string // the note given on resolving, if any
	Satisfaction int    // CSAT 1–5; 0: not answered
	OwnerID      string
	OwnerName    string
	// FirstResponse and ResolutionTime are nil where they do not apply (no
	// agent reply; not resolved).
	FirstResponse  *time.Duration
	ResolutionTime *time.Duration
	// SLAMet: every SLA target that applied was met; nil when none did.
	SLAMet      *bool
	Trigger     string
	Topic       string
	Lang        string
	RepeatCount int
	// Disposition is the code the case was closed with ("" none).
	Disposition string
}

// SLAExclusion is why a closed case counts in no SLA figure ("" when it
// counts): no SLA target applied to it, so it is neither met nor missed.
type SLAExclusion string

const (
	// SLAExcludedReturned: returned to the bot with no agent reply before
	// its first-response target ran out (returned after it, it is a miss).
	SLAExcludedReturned SLAExclusion = "returned_before_due"
	// SLAExcludedCancelled: cancelled (the customer went back to the bot)
	// with no agent reply before its first-response target ran out.
	SLAExcludedCancelled SLAExclusion = "cancelled_before_due"
	// SLAExcludedOther: no target applied for another reason (a case
	// without a first-response due time).
	SLAExcludedOther SLAExclusion = "no_target"
)

// SLAExclusions lists every SLAExclusion, in the order reports show them.
var SLAExclusions = []SLAExclusion{SLAExcludedReturned, SLAExcludedCancelled, SLAExcludedOther}

// SLAExcluded says why r counts in no SLA figure, "" when it counts (SLAMet
// set). A case gets no SLAMet only when it was not resolved and no agent
// replied before it closed, within its first-response target (Apply).
func (r Record) SLAExcluded() SLAExclusion {
	switch {
	case r.SLAMet != nil:
		return ""
	case r.Status == handoff.StatusReturned:
		return SLAExcludedReturned
	case r.Status == handoff.StatusCancelled:
		return SLAExcludedCancelled
	}
	return SLAExcludedOther
}

// recordColumns are the cases columns scanRecords reads, in its order.
const recordColumns = `case_id, created_ms, closed_ms, customer_ref, customer_id, category, priority, tier,
		request, status, resolution, satisfaction, owner_id, owner_name, first_response_s, resolution_s, sla_met,
		trigger_kind, topic, lang, repeat_count, disposition`

// Records returns the cases opened in [from, to), oldest first.
func (s *Store) Records(ctx context.Context, from, to time.Time) ([]Record, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+recordColumns+`
		FROM cases WHERE created_ms >= $1 AND created_ms < $2 ORDER BY created_ms, case_id`, from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("ledger records: %w", err)
	}
	out, err := scanRecords(rows)
	if err != nil {
		return nil, fmt.Errorf("ledger records: %w", err)
	}
	return out, nil
}

// scanRecords reads rows of recordColumns and closes them.
func scanRecords(rows *sql.Rows) ([]Record, error) {
	defer rows.Close()
	var out []Record
	for rows.Next() {
		var r Record
		var created, closed int64
		var sat, fr, rs sql.NullInt64
		var met sql.NullBool
		if err := rows.Scan(&r.CaseID, &created, &closed, &r.Customer, &r.CustomerID, &r.Category, &r.Priority, &r.Tier,
			&r.Request, &r.Status, &r.Resolution, &sat, &r.OwnerID, &r.OwnerName, &fr, &rs, &met,
			&r.Trigger, &r.Topic, &r.Lang, &r.RepeatCount, &r.Disposition); err != nil {
			return nil, err
		}
		r.Created, r.Closed = time.UnixMilli(created).UTC(), time.UnixMilli(closed).UTC()
		r.Satisfaction = int(sat.Int64)
		if fr.Valid {
			d := time.Duration(fr.Int64) * time.Second
			r.FirstResponse = &d
		}
		if rs.Valid {
			d := time.Duration(rs.Int64) * time.Second
			r.ResolutionTime = &d
		}
		if met.Valid {
			r.SLAMet = &met.Bool
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Transcript returns a case's transcript as last archived (nil when the
// case is not in the ledger).
func (s *Store) Transcript(ctx context.Context, caseID string) ([]handoff.Turn, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT turn_json FROM transcripts WHERE case_id = $1 ORDER BY seq`, caseID)
	if err != nil {
		return nil, fmt.Errorf("ledger transcript %s: %w", caseID, err)
	}
	defer rows.Close()
	var out []handoff.Turn
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return nil, fmt.Errorf("ledger transcript %s: %w", caseID, err)
		}
		var t handoff.Turn
		if err := json.Unmarshal([]byte(raw), &t); err != nil {
			return nil, fmt.Errorf("ledger transcript %s: %w", caseID, err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ledger transcript %s: %w", caseID, err)
	}
	return out, nil
}

// Outcome is how one conversation ended, as the reports read it.
type Outcome struct {
	ID         string // "case:" + case id, "conv:" + the bot's conversation id, or the archive entry id of an L1 outcome
	CaseID     string // "" for a conversation without a case
	Customer   string // pseudonym
	Lang       string
	Started    time.Time
	Ended      time.Time
	AnsweredL1 bool
	Menu       bool
	Handoff    bool
	Trigger    string
	Topic      string
}

// Outcomes returns the conversations that ended in [from, to), oldest first.
func (s *Store) Outcomes(ctx context.Context, from, to time.Time) ([]Outcome, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT outcome_id, case_id, customer_ref, lang, started_ms, ended_ms,
		answered_l1, menu, handoff, trigger_kind, topic
		FROM outcomes WHERE ended_ms >= $1 AND ended_ms < $2 ORDER BY ended_ms, outcome_id`, from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("ledger outcomes: %w", err)
	}
	defer rows.Close()
	var out []Outcome
	for rows.Next() {
		var o Outcome
		var caseID sql.NullString
		var started, ended int64
		if err := rows.Scan(&o.ID, &caseID, &o.Customer, &o.Lang, &started, &ended,
			&o.AnsweredL1, &o.Menu, &o.Handoff, &o.Trigger, &o.Topic); err != nil {
			return nil, fmt.Errorf("ledger outcomes: %w", err)
		}
		o.CaseID = caseID.String
		o.Started, o.Ended = time.UnixMilli(started).UTC(), time.UnixMilli(ended).UTC()
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ledger outcomes: %w", err)
	}
	return out, nil
}

// Rating is a case's satisfaction answer.
type Rating struct {
	CaseID string
	Score  int
	Rated  time.Time
}

// Rating returns a case's rating (false when it has none in the ledger).
func (s *Store) Rating(ctx context.Context, caseID string) (Rating, bool, error) {
	r := Rating{CaseID: caseID}
	var ms int64
	err := s.db.QueryRowContext(ctx, `SELECT score, rated_ms FROM ratings WHERE case_id = $1`, caseID).Scan(&r.Score, &ms)
	if err == sql.ErrNoRows {
		return Rating{}, false, nil
	}
	if err != nil {
		return Rating{}, false, fmt.Errorf("ledger rating %s: %w", caseID, err)
	}
	r.Rated = time.UnixMilli(ms).UTC()
	return r, true, nil
}

// Counts are the number of rows per table: what tests and operators check.
type Counts struct {
	Cases, Transcripts, Ratings, Outcomes, Entries int
}

// Count returns the rows of every ledger table.
func (s *Store) Count(ctx context.Context) (Counts, error) {
	var c Counts
	for _, q := range []struct {
		table string
		n     *int
	}{{"cases", &c.Cases}, {"transcripts", &c.Transcripts}, {"ratings", &c.Ratings}, {"outcomes", &c.Outcomes}, {"archived_entries", &c.Entries}} {
		if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM "+q.table).Scan(q.n); err != nil {
			return Counts{}, fmt.Errorf("count %s: %w", q.table, err)
		}
	}
	return c, nil
}
