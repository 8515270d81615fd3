DROP TRIGGER IF EXISTS findings_tally ON findings;
DROP FUNCTION IF EXISTS findings_tally();
DROP TRIGGER IF EXISTS measures_tally ON measures;
DROP FUNCTION IF EXISTS measures_tally();
DROP TABLE finding_tallies;
DROP TABLE open_tallies;
DROP TABLE measure_tallies;
