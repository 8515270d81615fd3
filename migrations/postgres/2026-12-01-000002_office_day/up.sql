-- The office's working day: a measure shows its pending extension request, counts the
-- reminders (催办) it got and the re-checks (回头看) it went through; re-checks are kept.
ALTER TABLE measures ADD COLUMN pending_extension_id TEXT;
ALTER TABLE measures ADD COLUMN pending_extension_due DATE;
ALTER TABLE measures ADD COLUMN reminder_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE measures ADD COLUMN last_reminded_at TIMESTAMP;
ALTER TABLE measures ADD COLUMN recheck_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE measures ADD COLUMN relapse_count INTEGER NOT NULL DEFAULT 0;

UPDATE measures SET
    pending_extension_id = (SELECT e.id FROM extensions e
                            WHERE e.measure_id = measures.id AND e.status = 'pending'),
    pending_extension_due = (SELECT e.requested_due_date FROM extensions e
                             WHERE e.measure_id = measures.id AND e.status = 'pending');

CREATE TABLE rechecks (
    id            TEXT PRIMARY KEY NOT NULL,
    measure_id    TEXT NOT NULL REFERENCES measures(id),
    result        TEXT NOT NULL,
    note          TEXT NOT NULL,
    checked_on    DATE NOT NULL,
    evidence_ids  TEXT NOT NULL DEFAULT '[]',
    created_at    TIMESTAMP NOT NULL,
    created_by    TEXT NOT NULL
);
CREATE INDEX rechecks_measure_idx ON rechecks(measure_id, checked_on);

-- One ledger of several sources: a finding may name its own (a 考核 finding in a 巡察's
-- ledger); absent, it is its inspection's.
ALTER TABLE findings ADD COLUMN source_type TEXT;
ALTER TABLE findings ADD COLUMN source_ref TEXT;
