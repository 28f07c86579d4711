package ledger

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/warmline/warmline/handoff"
)

// Forgotten counts what ForgetCustomer changed (or, on a dry run, would).
type Forgotten struct {
	Cases, Turns, Outcomes int64
}

// ForgetCustomer erases a customer from the ledger (PDPA, right to
// erasure) and keeps the case records the SOP must keep: the cases of
// userID get pseudonym as customer id and its Pseudonym as customer
// reference (the HMAC of the LINE id is gone with it), their request is
// blanked, so are the text and file names of the customer's transcript
// turns, and the customer's outcomes move to the new reference. A case row
// is marked updated now, so an older archive entry of it applied later does
// not bring the data back. The identifiers in redact (handoff's
// Forgotten.Redacted: the display name, order numbers) are masked in the
// other turns of those cases. One transaction; with dryRun it is rolled
// back.
func (s *Store) ForgetCustomer(ctx context.Context, userID, pseudonym string, redact []string, dryRun bool) (Forgotten, error) {
	var f Forgotten
	if userID == "" || pseudonym == "" || pseudonym == userID {
		return f, fmt.Errorf("forget customer: a user id and a different pseudonym are required")
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return f, fmt.Errorf("forget customer: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	// A case row may already carry pseudonym: forget's Redis step
	// re-archives each case it pseudonymises, and a running replica's
	// archiver can apply that before this step runs. Those rows are this
	// customer's too (the pseudonym is new for each run): counted and
	// finished the same way.
	ids, err := caseIDsOf(ctx, tx, userID, pseudonym)
	if err != nil {
		return f, fmt.Errorf("forget customer: %w", err)
	}
	for _, id := range ids {
		n, err := blankCustomerTurns(ctx, tx, id, redact)
		if err != nil {
			return f, fmt.Errorf("forget customer: case %s: %w", id, err)
		}
		f.Turns += n
	}
	ref := s.Pseudonym(pseudonym)
	res, err := tx.ExecContext(ctx, `UPDATE cases SET customer_id = $1, customer_ref = $2, request = '', updated_ms = $3 WHERE customer_id = $4 OR customer_id = $1`,
		pseudonym, ref, s.now().UnixMilli(), userID)
	if err != nil {
		return f, fmt.Errorf("forget customer: %w", err)
	}
	if f.Cases, err = res.RowsAffected(); err != nil {
		return f, fmt.Errorf("forget customer: %w", err)
	}
	res, err = tx.ExecContext(ctx, `UPDATE outcomes SET customer_ref = $1 WHERE customer_ref = $2`, ref, s.Pseudonym(userID))
	if err != nil {
		return f, fmt.Errorf("forget customer: %w", err)
	}
	if f.Outcomes, err = res.RowsAffected(); err != nil {
		return f, fmt.Errorf("forget customer: %w", err)
	}
	if dryRun {
		return f, nil
	}
	if err := tx.Commit(); err != nil {
		return Forgotten{}, fmt.Errorf("forget customer: %w", err)
	}
	return f, nil
}

func caseIDsOf(ctx context.Context, tx *sql.Tx, userID, pseudonym string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT case_id FROM cases WHERE customer_id = $1 OR customer_id = $2`, userID, pseudonym)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// blankCustomerTurns blanks the text (and file and sticker details) of the
// case's customer turns and masks redact in the others; it returns how
// many customer turns there were.
func blankCustomerTurns(ctx context.Context, tx *sql.Tx, caseID string, redact []string) (int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT seq, turn_json FROM transcripts WHERE case_id = $1`, caseID)
	if err != nil {
		return 0, err
	}
	type row struct {
		seq  int
		turn string
	}
	var turns []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.seq, &r.turn); err != nil {
			rows.Close()
			return 0, err
		}
		turns = append(turns, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	var n int64
	for _, r := range turns {
		var t handoff.Turn
		if err := json.Unmarshal([]byte(r.turn), &t); err != nil {
			t = handoff.Turn{From: handoff.FromCustomer}
		}
		if t.From != handoff.FromCustomer {
			text := handoff.Redact(t.Text, redact)
			if text == t.Text {
				continue
			}
			t.Text = text
			b, err := json.Marshal(t)
			if err != nil {
				return 0, err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE transcripts SET body = $1, turn_json = $2 WHERE case_id = $3 AND seq = $4`, text, string(b), caseID, r.seq); err != nil {
				return 0, err
			}
			continue
		}
		n++
		t.Text = ""
		if t.Sticker != nil {
			t.Sticker.Text, t.Sticker.Keywords = "", nil
		}
		if t.Media != nil {
			t.Media.ID, t.Media.Name = "", ""
		}
		b, err := json.Marshal(t)
		if err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE transcripts SET body = '', turn_json = $1 WHERE case_id = $2 AND seq = $3`, string(b), caseID, r.seq); err != nil {
			return 0, err
		}
	}
	return n, nil
}
