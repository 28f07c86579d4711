package ledger

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"
)

// Purged counts what one purge deleted.
type Purged struct {
	Cases, Transcripts, Ratings, Outcomes, Entries int64
}

// Purge deletes what is older than the retention by the store's clock:
// cases closed before the cut-off with their transcripts and ratings,
// outcomes that ended before it, and the ids of entries archived before it.
// One transaction; safe to run on several replicas at once.
func (s *Store) Purge(ctx context.Context) (Purged, error) {
	cut := s.now().Add(-s.retention).UnixMilli()
	var p Purged
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return p, fmt.Errorf("purge ledger: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	for _, st := range []struct {
		n   *int64
		sql string
	}{
		{&p.Transcripts, `DELETE FROM transcripts WHERE case_id IN (SELECT case_id FROM cases WHERE closed_ms < $1)`},
		{&p.Ratings, `DELETE FROM ratings WHERE case_id IN (SELECT case_id FROM cases WHERE closed_ms < $1)`},
		{&p.Cases, `DELETE FROM cases WHERE closed_ms < $1`},
		{&p.Outcomes, `DELETE FROM outcomes WHERE ended_ms < $1`},
		{&p.Entries, `DELETE FROM archived_entries WHERE archived_ms < $1`},
	} {
		res, err := tx.ExecContext(ctx, st.sql, cut)
		if err != nil {
			return Purged{}, fmt.Errorf("purge ledger: %w", err)
		}
		if *st.n, err = res.RowsAffected(); err != nil {
			return Purged{}, fmt.Errorf("purge ledger: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return Purged{}, fmt.Errorf("purge ledger: %w", err)
	}
	return p, nil
}

// RunPurger purges every interval (every <= 0: one hour) until ctx is done,
// then returns. A failed purge is logged here, once, and the next tick tries
// again.
func (s *Store) RunPurger(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = time.Hour
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			p, err := s.Purge(ctx)
			if err != nil {
				if ctx.Err() == nil {
					s.log.Error("ledger purge", zap.Error(err))
				}
				continue
			}
			if p.Cases > 0 || p.Outcomes > 0 {
				s.log.Info("ledger purged", zap.Int64("cases", p.Cases), zap.Int64("outcomes", p.Outcomes),
					zap.Duration("retention", s.retention))
			}
		}
	}
}
