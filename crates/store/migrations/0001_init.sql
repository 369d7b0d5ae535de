-- Passgate kiosk store, schema version 1.
-- Append-only: never edit this file once released; add 0002_*.sql instead.

-- One row per final decision (scan or manual entry).
CREATE TABLE entries (
    id          TEXT PRIMARY KEY NOT NULL,  -- UUIDv7, hyphenated lower-case
    at_utc      TEXT NOT NULL,              -- RFC 3339, UTC, fixed 6 fraction digits, 'Z'
    local_time  TEXT NOT NULL,              -- RFC 3339 with the venue's UTC offset at that instant
    local_day   TEXT NOT NULL,              -- YYYY-MM-DD in the venue time zone
    venue_id    TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('scan', 'manual')),
    outcome     TEXT NOT NULL CHECK (outcome IN ('admit', 'deny')),
    reason_code TEXT NOT NULL,              -- stable snake_case code, e.g. 'ok', 'expired', 'fever'
    reason_text TEXT NOT NULL,              -- the words shown to the attendant
    colour      TEXT CHECK (colour IN ('green', 'yellow', 'red')),
    issuer      TEXT,
    subject     TEXT,                       -- opaque subject pseudonym
    masked_name TEXT,
    temperature REAL,                       -- degrees Celsius
    pass_id     TEXT                        -- hex of the pass cti
) STRICT;

CREATE INDEX entries_by_day ON entries (local_day, at_utc);
CREATE INDEX entries_by_time ON entries (at_utc);

-- Upload queue: exactly one row per entry, written in the same transaction.
CREATE TABLE outbox (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,  -- upload order (oldest first)
    entry_id   TEXT NOT NULL UNIQUE REFERENCES entries (id) ON DELETE CASCADE,
    state      TEXT NOT NULL CHECK (state IN ('pending', 'in_flight', 'acked')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    updated_at TEXT NOT NULL,
    acked_at   TEXT
) STRICT;

CREATE INDEX outbox_by_state ON outbox (state, seq);

-- The signed bytes of the current trust list and revocation data.
CREATE TABLE trust_documents (
    kind       TEXT PRIMARY KEY NOT NULL CHECK (kind IN ('trust_list', 'revocations')),
    seq        INTEGER NOT NULL,
    bytes      BLOB NOT NULL,
    fetched_at TEXT NOT NULL
) STRICT;

-- Small key/value settings (manager PIN hash, PIN lockout state, ...).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;
