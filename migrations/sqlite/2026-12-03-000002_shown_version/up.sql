-- The version cached answers follow: the last event that changed something an answer
-- shows. Announcements (measure.due_soon, measure.overdue, duty.behind, duty.missed)
-- lengthen the chain, and the history and the change feed that show them, but leave
-- every list, number and dashboard as it was: their ETags and shared answers stay valid.
ALTER TABLE event_head ADD COLUMN shown_seq BIGINT NOT NULL DEFAULT 0;
UPDATE event_head SET shown_seq = last_seq;
