-- What the warning lights need in SQL: when a long-term measure owes its next report, and
-- whether its clock is stopped (a closure request submitted before the due date is under
-- review). Both are kept up to date by every write of the measure.
ALTER TABLE measures ADD COLUMN report_due DATE;
ALTER TABLE measures ADD COLUMN clock_stopped BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX measures_report_due_idx ON measures(report_due);
