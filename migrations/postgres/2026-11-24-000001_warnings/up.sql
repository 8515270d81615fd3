-- What the warning lights and statistics need in SQL, kept up to date by every write of
-- the measure: when a long-term measure owes its next report, whether its clock is stopped
-- (a closure request submitted before the due date is under review), how often it was
-- returned, whether it closed on time, and in how many working days.
ALTER TABLE measures ADD COLUMN report_due DATE;
ALTER TABLE measures ADD COLUMN clock_stopped BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE measures ADD COLUMN return_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE measures ADD COLUMN closed_on_time BOOLEAN;
ALTER TABLE measures ADD COLUMN days_to_close INTEGER;
CREATE INDEX measures_report_due_idx ON measures(report_due);
-- Covering indexes: the lights and the statistics read these columns of every measure in
-- scope, and a narrow index is far cheaper to scan than the wide rows.
CREATE INDEX measures_light_idx ON measures(due_sort, status, clock_stopped, report_due);
CREATE INDEX measures_stats_idx ON measures(lead_unit_id, kind, inspection_id, status, due_date,
    clock_stopped, report_due, extension_count, return_count, closed_on_time, days_to_close,
    finding_id);
