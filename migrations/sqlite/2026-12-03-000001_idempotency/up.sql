-- Retried POSTs (Idempotency-Key): a caller's key, claimed in the same transaction as the
-- write it guards, so that a key is kept exactly when its request changed the ledger;
-- the first answer (status, the headers that matter, body) is kept beside it for 24 hours.
-- Bookkeeping of the API, not of the ledger: not in backups, not in the audit trail.
CREATE TABLE idempotency_keys (
    caller       TEXT NOT NULL,
    idem_key     TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    method       TEXT NOT NULL,
    path         TEXT NOT NULL,
    claimed_at   TIMESTAMP NOT NULL,
    status       INTEGER,
    headers      TEXT,
    body         BLOB,
    answered_at  TIMESTAMP,
    PRIMARY KEY (caller, idem_key)
);
CREATE INDEX idempotency_keys_claimed_idx ON idempotency_keys(claimed_at);
