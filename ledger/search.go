package ledger

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Query narrows Search; empty fields match everything.
type Query struct {
	// CaseID matches case numbers that start with it (CS-20261123 finds
	// the day's).
	CaseID string
	// Customer is a LINE user id or a customer reference (pseudonym).
	Customer string
	// From and To bound the case's opening time: [From, To).
	From, To time.Time
	Topic    string // KB topic id, exactly
	// Text is found, case-insensitively, in the request, the resolution
	// note and the transcript.
	Text string
	// Limit caps the results (default and maximum 200).
	Limit int
}

// searchMax is the most cases one Search returns.
const searchMax = 200

// likeEscaper escapes LIKE's wildcards (ESCAPE '!').
var likeEscaper = strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")

// Search returns the closed cases q matches, newest first.
func (s *Store) Search(ctx context.Context, q Query) ([]Record, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if id := strings.TrimSpace(q.CaseID); id != "" {
		where = append(where, "case_id LIKE "+arg(likeEscaper.Replace(id)+"%")+" ESCAPE '!'")
	}
	if c := strings.TrimSpace(q.Customer); c != "" {
		p := arg(c)
		where = append(where, "(customer_id = "+p+" OR customer_ref = "+p+")")
	}
	if !q.From.IsZero() {
		where = append(where, "created_ms >= "+arg(q.From.UnixMilli()))
	}
	if !q.To.IsZero() {
		where = append(where, "created_ms < "+arg(q.To.UnixMilli()))
	}
	if t := strings.TrimSpace(q.Topic); t != "" {
		where = append(where, "topic = "+arg(t))
	}
	if t := strings.TrimSpace(q.Text); t != "" {
		p := arg("%" + likeEscaper.Replace(strings.ToLower(t)) + "%")
		where = append(where, "(LOWER(request) LIKE "+p+" ESCAPE '!' OR LOWER(resolution) LIKE "+p+" ESCAPE '!'"+
			" OR EXISTS (SELECT 1 FROM transcripts t WHERE t.case_id = cases.case_id AND LOWER(t.body) LIKE "+p+" ESCAPE '!'))")
	}
	limit := q.Limit
	if limit <= 0 || limit > searchMax {
		limit = searchMax
	}
	sqlText := `SELECT ` + recordColumns + ` FROM cases`
	if len(where) > 0 {
		sqlText += " WHERE " + strings.Join(where, " AND ")
	}
	sqlText += " ORDER BY created_ms DESC, case_id DESC LIMIT " + strconv.Itoa(limit)
	rows, err := s.db.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return nil, fmt.Errorf("ledger search: %w", err)
	}
	out, err := scanRecords(rows)
	if err != nil {
		return nil, fmt.Errorf("ledger search: %w", err)
	}
	return out, nil
}

// CustomerCases returns the newest n closed cases of one customer (a LINE
// user id), newest first: their history, for the case view.
func (s *Store) CustomerCases(ctx context.Context, userID string, n int) ([]Record, error) {
	if userID == "" {
		return nil, nil
	}
	return s.Search(ctx, Query{Customer: userID, Limit: n})
}
