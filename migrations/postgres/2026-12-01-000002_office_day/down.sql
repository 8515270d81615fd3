ALTER TABLE findings DROP COLUMN source_ref;
ALTER TABLE findings DROP COLUMN source_type;
DROP TABLE rechecks;
ALTER TABLE measures DROP COLUMN relapse_count;
ALTER TABLE measures DROP COLUMN recheck_count;
ALTER TABLE measures DROP COLUMN last_reminded_at;
ALTER TABLE measures DROP COLUMN reminder_count;
ALTER TABLE measures DROP COLUMN pending_extension_due;
ALTER TABLE measures DROP COLUMN pending_extension_id;
