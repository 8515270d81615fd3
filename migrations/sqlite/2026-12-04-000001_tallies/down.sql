DROP TRIGGER IF EXISTS findings_tally_update;
DROP TRIGGER IF EXISTS findings_tally_delete;
DROP TRIGGER IF EXISTS findings_tally_insert;
DROP TRIGGER IF EXISTS measures_tally_update;
DROP TRIGGER IF EXISTS measures_tally_delete;
DROP TRIGGER IF EXISTS measures_tally_insert;
DROP TABLE finding_tallies;
DROP TABLE open_tallies;
DROP TABLE measure_tallies;
