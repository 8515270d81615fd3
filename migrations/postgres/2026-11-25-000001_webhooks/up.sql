-- Webhooks: subscriptions, and an outbox of deliveries written in the same transaction as
-- the change they announce; deadline notices remember which measure was announced due soon
-- or overdue for which due date, so the scanner announces each once.
CREATE TABLE webhooks (
    id             TEXT PRIMARY KEY NOT NULL,
    url            TEXT NOT NULL,
    events         TEXT NOT NULL,
    secret         TEXT NOT NULL,
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    created_by     TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    failing_since  TIMESTAMP,
    disabled_at    TIMESTAMP
);

CREATE TABLE webhook_deliveries (
    id               TEXT PRIMARY KEY NOT NULL,
    webhook_id       TEXT NOT NULL REFERENCES webhooks(id),
    event_type       TEXT NOT NULL,
    payload          TEXT NOT NULL,
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMP NOT NULL,
    last_status      INTEGER,
    last_error       TEXT,
    created_at       TIMESTAMP NOT NULL,
    delivered_at     TIMESTAMP
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries(status, next_attempt_at);
CREATE INDEX webhook_deliveries_hook_idx ON webhook_deliveries(webhook_id, created_at);

CREATE TABLE deadline_notices (
    measure_id  TEXT NOT NULL REFERENCES measures(id),
    kind        TEXT NOT NULL,
    due_date    DATE NOT NULL,
    PRIMARY KEY (measure_id, kind, due_date)
);
