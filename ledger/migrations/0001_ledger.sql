-- The case ledger: one portable schema for PostgreSQL and SQLite. Times are
-- Unix milliseconds (UTC), durations whole seconds; NULL where a time or a
-- duration does not apply.

-- Closed cases, one row each: the SOP's ledger columns. A newer archive
-- entry of a case replaces the row (updated_ms orders them).
CREATE TABLE cases (
    case_id            TEXT PRIMARY KEY,
    created_ms         BIGINT NOT NULL,
    closed_ms          BIGINT NOT NULL,
    updated_ms         BIGINT NOT NULL,
    customer_ref       TEXT NOT NULL,   -- HMAC-SHA256 pseudonym of the customer
    customer_id        TEXT NOT NULL,   -- the LINE user id (exported only when asked)
    category           TEXT NOT NULL,
    priority           TEXT NOT NULL,
    tier               TEXT NOT NULL,
    request            TEXT NOT NULL,
    status             TEXT NOT NULL,   -- resolved | returned | cancelled
    resolution         TEXT NOT NULL,   -- the agent's note on resolving, if any
    satisfaction       INTEGER,         -- CSAT 1-5
    owner_id           TEXT NOT NULL,
    owner_name         TEXT NOT NULL,
    first_response_s   BIGINT,          -- case opened -> first agent reply
    resolution_s       BIGINT,          -- case opened -> resolved
    first_response_met BOOLEAN,
    resolution_met     BOOLEAN,
    sla_met            BOOLEAN,         -- both that apply were met
    trigger_kind       TEXT NOT NULL,   -- first escalation trigger
    topic              TEXT NOT NULL,
    lang               TEXT NOT NULL,
    repeat_count       INTEGER NOT NULL
);
CREATE INDEX cases_created ON cases (created_ms);
CREATE INDEX cases_closed ON cases (closed_ms);

-- The case's transcript as last archived, one row per turn.
CREATE TABLE transcripts (
    case_id   TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    at_ms     BIGINT NOT NULL,
    sender    TEXT NOT NULL,      -- customer | bot | agent | system | note
    kind      TEXT NOT NULL,
    body      TEXT NOT NULL,      -- the turn's text
    turn_json TEXT NOT NULL,      -- the whole handoff.Turn
    PRIMARY KEY (case_id, seq)
);

-- Satisfaction answers, one per case (a later answer replaces it).
CREATE TABLE ratings (
    case_id  TEXT PRIMARY KEY,
    score    INTEGER NOT NULL,
    rated_ms BIGINT NOT NULL
);

-- How each conversation ended, for the reports: one row per case
-- ("case:" + id) and per L1 conversation the bot recorded (its entry id).
CREATE TABLE outcomes (
    outcome_id   TEXT PRIMARY KEY,
    case_id      TEXT,
    customer_ref TEXT NOT NULL,
    lang         TEXT NOT NULL,
    started_ms   BIGINT NOT NULL,
    ended_ms     BIGINT NOT NULL,
    answered_l1  BOOLEAN NOT NULL,
    menu         BOOLEAN NOT NULL,
    handoff      BOOLEAN NOT NULL,
    trigger_kind TEXT NOT NULL,
    topic        TEXT NOT NULL,
    updated_ms   BIGINT NOT NULL
);
CREATE INDEX outcomes_ended ON outcomes (ended_ms);

-- Archive entries already stored: a replayed entry writes nothing twice.
CREATE TABLE archived_entries (
    entry_id    TEXT PRIMARY KEY,
    archived_ms BIGINT NOT NULL
);
CREATE INDEX archived_entries_ms ON archived_entries (archived_ms);

-- Settings of this database (the pseudonym key when none is configured).
CREATE TABLE ledger_meta (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
