-- PostgreSQL tells other instances of each commit (LISTEN/NOTIFY); an SQLite file has one
-- server, which knows its own writes. Kept so that both trees carry the same versions.
SELECT 1;
