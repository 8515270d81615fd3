DROP INDEX measures_open_due_idx;
ALTER TABLE measures DROP COLUMN is_open;
