package ledger

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"go.uber.org/zap"
	"modernc.org/sqlite" // also the database/sql driver "sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// DefaultRetention is how long the ledger keeps a case: the SOP archives
// case records at least 2 years.
const DefaultRetention = 2 * 365 * 24 * time.Hour

// Backend names.
const (
	Postgres = "postgres"
	SQLite   = "sqlite"
)

// Config of a Store.
type Config struct {
	// DatabaseURL is a PostgreSQL URL (postgres:// or postgresql://). Empty:
	// the embedded SQLite database at Path.
	DatabaseURL string
	// Path is the SQLite file when DatabaseURL is empty; empty: in memory
	// (the demo: gone when the process ends).
	Path string
	// Secret is the HMAC key of customer pseudonyms; empty: a random key
	// made once per database and kept in it (ledger_meta).
	Secret []byte
	// Retention is how long closed cases are kept (default DefaultRetention).
	Retention time.Duration
	Clock     func() time.Time // nil: time.Now
	Log       *zap.Logger      // nil: no logs
}

// Store is the case ledger database. Safe for concurrent use.
type Store struct {
	db        *sql.DB
	backend   string
	key       []byte
	retention time.Duration
	now       func() time.Time
	log       *zap.Logger
}

// Open connects to the database cfg names and applies the migrations it
// has not had yet.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	s := &Store{retention: cfg.Retention, now: cfg.Clock, log: cfg.Log}
	if s.retention <= 0 {
		s.retention = DefaultRetention
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = zap.NewNop()
	}
	var err error
	switch {
	case strings.HasPrefix(cfg.DatabaseURL, "postgres://"), strings.HasPrefix(cfg.DatabaseURL, "postgresql://"):
		s.backend = Postgres
		s.db, err = sql.Open("pgx", cfg.DatabaseURL)
	case cfg.DatabaseURL != "":
		return nil, errors.New("open ledger: the database URL must start with postgres:// or postgresql://")
	default:
		s.backend = SQLite
		s.db, err = sql.Open("sqlite", sqliteDSN(cfg.Path))
		// One connection: writes are serialised anyway, and an in-memory
		// database lives in its connection.
		s.db.SetMaxOpenConns(1)
	}
	if err != nil {
		return nil, fmt.Errorf("open ledger (%s): %w", s.backend, err)
	}
	if err := s.ping(ctx); err != nil {
		_ = s.db.Close()
		return nil, fmt.Errorf("open ledger (%s): %w", s.backend, err)
	}
	if err := s.migrate(ctx); err != nil {
		_ = s.db.Close()
		return nil, err
	}
	if s.key = cfg.Secret; len(s.key) == 0 {
		if s.key, err = s.databaseKey(ctx); err != nil {
			_ = s.db.Close()
			return nil, err
		}
	}
	return s, nil
}

// ping opens the first connection. A new SQLite file's first connection
// switches it to WAL, which takes the file's exclusive lock: a second replica
// doing the same at that moment gets SQLITE_BUSY at once (the busy timeout
// does not cover a journal-mode change; TestMigrationsApplyOnce failed so
// once), so a busy SQLite is tried again for up to 10 s. Other errors, and
// PostgreSQL's, are returned at once.
func (s *Store) ping(ctx context.Context) error {
	_, err := backoff.Retry(ctx, func() (struct{}, error) {
		err := s.db.PingContext(ctx)
		var se *sqlite.Error
		if err != nil && !(errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY) {
			return struct{}{}, backoff.Permanent(err)
		}
		return struct{}{}, err
	}, backoff.WithBackOff(backoff.NewExponentialBackOff()), backoff.WithMaxElapsedTime(10*time.Second))
	return err
}

// sqliteDSN is modernc's DSN for path: WAL and a busy timeout for a file,
// immediate transactions (writers take the lock when they begin).
func sqliteDSN(path string) string {
	q := "_pragma=busy_timeout(10000)&_txlock=immediate"
	if path == "" {
		return "file::memory:?" + q
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q + "&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Backend is Postgres or SQLite.
func (s *Store) Backend() string { return s.backend }

// Retention is how long closed cases are kept.
func (s *Store) Retention() time.Duration { return s.retention }

// databaseKey returns this database's pseudonym key, making it on first use
// (two replicas racing keep the first one stored).
func (s *Store) databaseKey(ctx context.Context) ([]byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("pseudonym key: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO ledger_meta (name, value) VALUES ('pseudonym_key', $1) ON CONFLICT (name) DO NOTHING`, hex.EncodeToString(b)); err != nil {
		return nil, fmt.Errorf("pseudonym key: %w", err)
	}
	var v string
	if err := s.db.QueryRowContext(ctx, `SELECT value FROM ledger_meta WHERE name = 'pseudonym_key'`).Scan(&v); err != nil {
		return nil, fmt.Errorf("pseudonym key: %w", err)
	}
	return hex.DecodeString(v)
}

// Pseudonym is the customer reference the ledger stores and exports for a
// LINE user id: "c-" and 16 hex digits of HMAC-SHA256 with the store's key.
// The same customer gets the same reference in one database.
func (s *Store) Pseudonym(userID string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(userID))
	return "c-" + hex.EncodeToString(m.Sum(nil))[:16]
}
