ALTER TABLE events DROP COLUMN actor_name;
DROP TABLE handover_measures;
DROP TABLE handovers;
DROP INDEX measures_leader_sub_idx;
ALTER TABLE measures DROP COLUMN accountable_leader_sub;
DROP TABLE people;
