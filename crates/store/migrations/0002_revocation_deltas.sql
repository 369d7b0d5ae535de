-- Passgate kiosk store, schema version 2.
-- Revocation data arrives as signed deltas (base_seq..seq, base_seq 0 = a
-- full list). Keep every document since the last full list, in seq order;
-- the set is rebuilt (and every signature checked again) on load.
CREATE TABLE revocation_documents (
    seq        INTEGER PRIMARY KEY NOT NULL,
    base_seq   INTEGER NOT NULL CHECK (base_seq < seq),
    bytes      BLOB NOT NULL,
    fetched_at TEXT NOT NULL
) STRICT;

-- Version 1 kept a single revocation document without its base, which
-- cannot be placed in a chain: drop it. The kiosk then has revocation seq 0
-- and the sync client fetches a full list.
DELETE FROM trust_documents WHERE kind = 'revocations';
