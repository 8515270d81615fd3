-- The organisation: a people directory (who works where, which units a leader oversees),
-- a measure's accountable leader as a person, and recorded handovers (责任交接).
CREATE TABLE people (
    sub                TEXT PRIMARY KEY NOT NULL,
    name               TEXT NOT NULL,
    title              TEXT,
    unit_id            TEXT REFERENCES units(id),
    oversees_unit_ids  TEXT NOT NULL DEFAULT '[]',
    version            INTEGER NOT NULL DEFAULT 1,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL,
    created_by         TEXT,
    updated_by         TEXT
);
CREATE INDEX people_unit_idx ON people(unit_id);

ALTER TABLE measures ADD COLUMN accountable_leader_sub TEXT;
CREATE INDEX measures_leader_sub_idx ON measures(accountable_leader_sub);

CREATE TABLE handovers (
    id              TEXT PRIMARY KEY NOT NULL,
    role            TEXT NOT NULL,
    from_sub        TEXT,
    from_name       TEXT NOT NULL,
    to_sub          TEXT,
    to_name         TEXT NOT NULL,
    unit_id         TEXT REFERENCES units(id),
    reason          TEXT NOT NULL,
    effective_date  DATE NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    created_by      TEXT NOT NULL
);
CREATE INDEX handovers_date_idx ON handovers(effective_date);

CREATE TABLE handover_measures (
    handover_id  TEXT NOT NULL REFERENCES handovers(id),
    measure_id   TEXT NOT NULL REFERENCES measures(id),
    PRIMARY KEY (handover_id, measure_id)
);
CREATE INDEX handover_measures_measure_idx ON handover_measures(measure_id);

-- The name an event's author went by (the directory's, else the token's): sealed into the
-- event's hash when present.
ALTER TABLE events ADD COLUMN actor_name TEXT;
