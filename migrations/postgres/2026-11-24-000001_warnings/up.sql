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
