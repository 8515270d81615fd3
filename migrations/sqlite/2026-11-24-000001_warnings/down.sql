DROP INDEX measures_stats_idx;
DROP INDEX measures_light_idx;
DROP INDEX measures_report_due_idx;
ALTER TABLE measures DROP COLUMN days_to_close;
ALTER TABLE measures DROP COLUMN closed_on_time;
ALTER TABLE measures DROP COLUMN return_count;
ALTER TABLE measures DROP COLUMN clock_stopped;
ALTER TABLE measures DROP COLUMN report_due;
