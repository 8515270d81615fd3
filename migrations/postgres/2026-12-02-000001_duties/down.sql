DROP TABLE activities;
DROP TABLE duties;
DROP TABLE activity_kinds;
