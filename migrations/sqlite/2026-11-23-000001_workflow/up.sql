-- The closing workflow (对账销号): progress reports, evidence, extension requests, and the
-- append-only, hash-chained event log.

ALTER TABLE measures ADD COLUMN progress_percent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE measures ADD COLUMN last_report_at TIMESTAMP;
ALTER TABLE measures ADD COLUMN closing_statement TEXT;
ALTER TABLE measures ADD COLUMN submitted_by TEXT;
ALTER TABLE measures ADD COLUMN submitted_at TIMESTAMP;
ALTER TABLE measures ADD COLUMN endorsed_by TEXT;
ALTER TABLE measures ADD COLUMN verified_by TEXT;

CREATE TABLE progress_reports (
    id            TEXT PRIMARY KEY NOT NULL,
    measure_id    TEXT NOT NULL REFERENCES measures(id),
    text          TEXT NOT NULL,
    percent       INTEGER NOT NULL,
    evidence_ids  TEXT NOT NULL,
    reported_by   TEXT NOT NULL,
    reported_at   TIMESTAMP NOT NULL
);
CREATE INDEX progress_reports_measure_idx ON progress_reports(measure_id, reported_at);

CREATE TABLE evidence (
    id              TEXT PRIMARY KEY NOT NULL,
    measure_id      TEXT NOT NULL REFERENCES measures(id),
    sha256          TEXT NOT NULL,
    size            BIGINT NOT NULL,
    media_type      TEXT NOT NULL,
    file_name       TEXT NOT NULL,
    description     TEXT,
    effective_date  DATE,
    uploaded_by     TEXT NOT NULL,
    uploaded_at     TIMESTAMP NOT NULL,
    frozen_at       TIMESTAMP,
    deleted_at      TIMESTAMP,
    deleted_by      TEXT
);
CREATE INDEX evidence_measure_idx ON evidence(measure_id, uploaded_at);

CREATE TABLE extensions (
    id                  TEXT PRIMARY KEY NOT NULL,
    measure_id          TEXT NOT NULL REFERENCES measures(id),
    requested_due_date  DATE NOT NULL,
    previous_due_date   DATE,
    reason              TEXT NOT NULL,
    status              TEXT NOT NULL,
    requested_by        TEXT NOT NULL,
    requested_at        TIMESTAMP NOT NULL,
    decided_by          TEXT,
    decided_at          TIMESTAMP,
    decision_note       TEXT,
    version             INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX extensions_measure_idx ON extensions(measure_id, requested_at);

CREATE TABLE events (
    seq          BIGINT PRIMARY KEY NOT NULL,
    id           TEXT NOT NULL UNIQUE,
    at           TIMESTAMP NOT NULL,
    actor        TEXT NOT NULL,
    role         TEXT NOT NULL,
    action       TEXT NOT NULL,
    object_type  TEXT NOT NULL,
    object_id    TEXT NOT NULL,
    before_json  TEXT,
    after_json   TEXT,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);
CREATE INDEX events_object_idx ON events(object_type, object_id, seq);

-- The chain's head: one row, updated with every append, so appends take turns.
CREATE TABLE event_head (
    id        INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    last_seq  BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO event_head (id, last_seq, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
