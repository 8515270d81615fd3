-- A long-term measure kept by a duty shows the duty's quota light beside its own, and its
-- warning is the worse of the two: the scanner and every activity or duty written keep
-- `quota_light` (null when no duty of the year keeps the measure).
ALTER TABLE measures ADD COLUMN quota_light TEXT;
DROP INDEX measures_light_idx;
CREATE INDEX measures_light_idx ON measures(due_sort, status, clock_stopped, report_due, quota_light);
DROP INDEX measures_stats_idx;
CREATE INDEX measures_stats_idx ON measures(lead_unit_id, kind, inspection_id, status, due_date,
    clock_stopped, report_due, extension_count, return_count, closed_on_time, days_to_close,
    finding_id, quota_light);

-- What the scanner announced of duties, once each: `duty.behind` for a running period
-- behind pace, `duty.missed` for a period that ended short (per quota, by its metric).
CREATE TABLE duty_notices (
    duty_id     TEXT NOT NULL REFERENCES duties(id),
    metric      TEXT NOT NULL,
    period      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    noticed_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (duty_id, metric, period, kind)
);
