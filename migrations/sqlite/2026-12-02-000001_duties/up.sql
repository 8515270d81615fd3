-- Annual duties (年度任务) with their quotas ("不少于X次"), the activities (开展情况) that
-- count toward them, and the kinds of activity (data the office extends).
CREATE TABLE activity_kinds (
    code        TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    created_by  TEXT NOT NULL
);

CREATE TABLE duties (
    id          TEXT PRIMARY KEY NOT NULL,
    code        TEXT NOT NULL UNIQUE,
    title       TEXT NOT NULL,
    year        INTEGER NOT NULL,
    unit_id     TEXT NOT NULL REFERENCES units(id),
    source      TEXT,
    measure_id  TEXT REFERENCES measures(id),
    -- The quotas, as JSON: [{metric, min, unit, period, per, persons, activity_kinds, ...}].
    quotas      TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    created_by  TEXT,
    updated_by  TEXT
);
CREATE INDEX duties_year_unit_idx ON duties(year, unit_id);
CREATE INDEX duties_measure_idx ON duties(measure_id);

CREATE TABLE activities (
    id              TEXT PRIMARY KEY NOT NULL,
    kind            TEXT NOT NULL REFERENCES activity_kinds(code),
    title           TEXT NOT NULL,
    held_on         DATE NOT NULL,
    unit_id         TEXT NOT NULL REFERENCES units(id),
    -- Who took part, as JSON: logins or names.
    persons         TEXT NOT NULL DEFAULT '[]',
    hours           DOUBLE PRECISION,
    count           INTEGER,
    note            TEXT,
    evidence_ids    TEXT NOT NULL DEFAULT '[]',
    withdrawn_at    TIMESTAMP,
    withdrawn_by    TEXT,
    withdraw_reason TEXT,
    created_at      TIMESTAMP NOT NULL,
    created_by      TEXT NOT NULL
);
CREATE INDEX activities_unit_day_idx ON activities(unit_id, held_on);
CREATE INDEX activities_kind_day_idx ON activities(kind, held_on);

-- A long-term measure's quota becomes a duty of its lead unit, linked to it, for the year
-- it was set up; what counts toward it (activity_kinds) is for the office to name.
INSERT INTO duties (id, code, title, year, unit_id, source, measure_id, quotas, version,
                    created_at, updated_at, created_by, updated_by)
SELECT lower(hex(randomblob(16))), m.code || '-Q', m.content,
       CAST(strftime('%Y', m.created_at) AS INTEGER), m.lead_unit_id, '整改措施 ' || m.code, m.id,
       json_array(json_object('metric', m.quota_metric, 'min', m.quota_min_count,
                              'unit', 'times', 'period', m.quota_period, 'per', 'unit',
                              'persons', json_array(), 'activity_kinds', json_array())),
       1, m.created_at, m.created_at, 'migration', 'migration'
FROM measures m WHERE m.quota_metric IS NOT NULL AND m.quota_min_count IS NOT NULL
                  AND m.quota_period IS NOT NULL;
