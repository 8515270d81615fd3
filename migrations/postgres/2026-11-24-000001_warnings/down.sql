DROP INDEX measures_report_due_idx;
ALTER TABLE measures DROP COLUMN clock_stopped;
ALTER TABLE measures DROP COLUMN report_due;
