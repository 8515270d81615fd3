-- The ledger: units, inspections, findings (问题清单) and measures (任务清单/责任清单).
-- Ids are UUIDv7 text; timestamps are UTC in TIMESTAMP columns; enums are TEXT.
CREATE TABLE units (
    id          TEXT PRIMARY KEY NOT NULL,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    parent_id   TEXT REFERENCES units(id),
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    created_by  TEXT,
    updated_by  TEXT
);
CREATE INDEX units_parent_idx ON units(parent_id);

CREATE TABLE inspections (
    id                       TEXT PRIMARY KEY NOT NULL,
    code                     TEXT NOT NULL UNIQUE,
    source_type              TEXT NOT NULL,
    title                    TEXT NOT NULL,
    issuer                   TEXT NOT NULL,
    target_unit_id           TEXT REFERENCES units(id),
    feedback_date            DATE NOT NULL,
    concentrated_period_end  DATE,
    version                  INTEGER NOT NULL DEFAULT 1,
    created_at               TIMESTAMP NOT NULL,
    updated_at               TIMESTAMP NOT NULL,
    created_by               TEXT,
    updated_by               TEXT
);
CREATE INDEX inspections_created_idx ON inspections(created_at, id);

CREATE TABLE findings (
    id                   TEXT PRIMARY KEY NOT NULL,
    inspection_id        TEXT NOT NULL REFERENCES inspections(id),
    code                 TEXT NOT NULL,
    category             TEXT NOT NULL,
    level                TEXT NOT NULL,
    supervision_level    TEXT NOT NULL,
    title                TEXT NOT NULL,
    description          TEXT NOT NULL,
    responsible_unit_id  TEXT NOT NULL REFERENCES units(id),
    primary_accountable  TEXT,
    status               TEXT NOT NULL,
    closed_at            TIMESTAMP,
    version              INTEGER NOT NULL DEFAULT 1,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL,
    created_by           TEXT,
    updated_by           TEXT,
    UNIQUE (inspection_id, code)
);
CREATE INDEX findings_code_idx ON findings(code, id);
CREATE INDEX findings_unit_idx ON findings(responsible_unit_id);

CREATE TABLE measures (
    id                   TEXT PRIMARY KEY NOT NULL,
    finding_id           TEXT NOT NULL REFERENCES findings(id),
    inspection_id        TEXT NOT NULL REFERENCES inspections(id),
    code                 TEXT NOT NULL,
    content              TEXT NOT NULL,
    kind                 TEXT NOT NULL,
    lead_unit_id         TEXT NOT NULL REFERENCES units(id),
    accountable_leader   TEXT NOT NULL,
    responsible_person   TEXT,
    due_date             DATE,
    original_due_date    DATE,
    -- due_date, or 9999-12-31 when there is none: a NOT NULL key for keyset paging
    -- that sorts the same on both databases.
    due_sort             DATE NOT NULL,
    completion_criteria  TEXT,
    report_cycle         TEXT,
    quota_metric         TEXT,
    quota_min_count      INTEGER,
    quota_period         TEXT,
    status               TEXT NOT NULL,
    extension_count      INTEGER NOT NULL DEFAULT 0,
    closed_at            TIMESTAMP,
    version              INTEGER NOT NULL DEFAULT 1,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL,
    created_by           TEXT,
    updated_by           TEXT,
    UNIQUE (finding_id, code)
);
CREATE INDEX measures_due_idx ON measures(due_sort, id);
CREATE INDEX measures_created_idx ON measures(created_at, id);
CREATE INDEX measures_inspection_idx ON measures(inspection_id, due_sort);
CREATE INDEX measures_lead_unit_idx ON measures(lead_unit_id, due_sort);
CREATE INDEX measures_status_idx ON measures(status, due_sort);

CREATE TABLE measure_supporting_units (
    measure_id  TEXT NOT NULL REFERENCES measures(id) ON DELETE CASCADE,
    unit_id     TEXT NOT NULL REFERENCES units(id),
    PRIMARY KEY (measure_id, unit_id)
);
CREATE INDEX measure_supporting_units_unit_idx ON measure_supporting_units(unit_id, measure_id);
