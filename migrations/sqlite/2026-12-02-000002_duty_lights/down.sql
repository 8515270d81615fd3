DROP TABLE duty_notices;
DROP INDEX measures_stats_idx;
CREATE INDEX measures_stats_idx ON measures(lead_unit_id, kind, inspection_id, status, due_date,
    clock_stopped, report_due, extension_count, return_count, closed_on_time, days_to_close,
    finding_id);
DROP INDEX measures_light_idx;
CREATE INDEX measures_light_idx ON measures(due_sort, status, clock_stopped, report_due);
ALTER TABLE measures DROP COLUMN quota_light;
