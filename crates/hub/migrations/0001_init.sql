-- Passgate hub, schema version 1.
-- Append-only: never edit this file once released; add 0002_*.sql instead.

-- Enrolled kiosks.
CREATE TABLE devices (
    device_id      TEXT PRIMARY KEY NOT NULL,
    venue_id       TEXT NOT NULL,
    public_key     TEXT NOT NULL,            -- 64 hex digits, Ed25519
    enrolled_at    TEXT NOT NULL,
    last_upload_at TEXT,
    last_backlog   INTEGER
) STRICT;

-- One-time enrolment tokens, stored as SHA-256 of the token text.
CREATE TABLE enrol_tokens (
    token_hash BLOB PRIMARY KEY NOT NULL,
    venue_id   TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    used_by    TEXT
) STRICT;

-- Request nonces seen per device, kept for twice the clock window.
CREATE TABLE nonces (
    device_id TEXT NOT NULL,
    nonce     TEXT NOT NULL,
    seen_at   INTEGER NOT NULL,              -- Unix seconds
    PRIMARY KEY (device_id, nonce)
) STRICT, WITHOUT ROWID;

CREATE INDEX nonces_by_time ON nonces (seen_at);

-- Entries as uploaded: the JSON of the kiosk's entry, plus the columns
-- queries need. Each id once; never overwritten.
CREATE TABLE entries (
    id          TEXT PRIMARY KEY NOT NULL,
    venue_id    TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    local_day   TEXT NOT NULL,
    at_utc      TEXT NOT NULL,
    body        TEXT NOT NULL,
    received_at TEXT NOT NULL
) STRICT;

CREATE INDEX entries_by_venue_day ON entries (venue_id, local_day, at_utc);
CREATE INDEX entries_by_device ON entries (device_id);

-- The published trust list (one row) and revocation documents, as signed.
CREATE TABLE trust_list (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    seq          INTEGER NOT NULL,
    bytes        BLOB NOT NULL,
    published_at TEXT NOT NULL
) STRICT;

CREATE TABLE revocation_documents (
    seq          INTEGER PRIMARY KEY NOT NULL,
    base_seq     INTEGER NOT NULL CHECK (base_seq < seq),
    bytes        BLOB NOT NULL,
    published_at TEXT NOT NULL
) STRICT;
