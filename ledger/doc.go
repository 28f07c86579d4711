// Package ledger owns the durable case history: closed cases with the SOP's
// ledger columns, their transcripts, satisfaction ratings and how each
// conversation ended (answered at L1, menu, handoff, trigger, topic,
// times), kept in a relational database for the retention (default 2
// years), so Redis keeps live state only.
//
// One code path through database/sql serves two backends: PostgreSQL
// (github.com/jackc/pgx/v5/stdlib) in production and an embedded pure-Go
// SQLite (modernc.org/sqlite; a file, or in memory for the demo). The
// schema is migrations/NNNN_*.sql, embedded and applied at Open in one
// locked transaction, recorded in schema_migrations.
//
// Data flow: handoff appends an entry to its archive stream in the same
// Redis transaction as every write of a closed case (and RecordOutcome for
// conversations without a case); the Archiver, run on every replica as one
// consumer group, stores entries with Store.Apply and then acknowledges
// and deletes them. Apply is idempotent (the entry's id is stored in the
// same database transaction), so an entry delivered twice (a replica died
// between storing and acknowledging) is stored once.
//
// Customers are stored under a pseudonym (HMAC-SHA256 with a configured
// secret, or a key made once per database); exports show the LINE user id
// only when the operator asks. Export writes CSV (formula cells defused)
// or JSON lines. RunPurger deletes what is past the retention.
//
// Files: store.go (Config, Open, pseudonyms), migrate.go, apply.go
// (archive entry → rows), record.go (reading), export.go, purge.go,
// archiver.go (the stream consumer and its Lag).
package ledger
