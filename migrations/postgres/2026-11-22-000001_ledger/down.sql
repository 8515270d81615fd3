DROP TABLE measure_supporting_units;
DROP TABLE measures;
DROP TABLE findings;
DROP TABLE inspections;
DROP TABLE units;
