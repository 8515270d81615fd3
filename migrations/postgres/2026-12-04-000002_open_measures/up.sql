-- Whether a measure is open with its clock running: where every light, the overdue list and
-- the dashboards start. Generated from the row (never written by anyone), and indexed with
-- the due date, so that "the open ones, earliest due first" reads only open rows instead of
-- walking past every closed measure that was due earlier.
ALTER TABLE measures ADD COLUMN is_open BOOLEAN GENERATED ALWAYS AS
    (status <> 'closed' AND NOT clock_stopped) STORED;
CREATE INDEX measures_open_due_idx ON measures(is_open, due_sort, id);
