ALTER TABLE event_head DROP COLUMN shown_seq;
