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
    -- The duty it was recorded for, when it was; it counts toward every quota of its kind.
    duty_id         TEXT REFERENCES duties(id),
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

-- The kinds the plans name; the office adds more (POST /api/v1/activity-kinds).
INSERT INTO activity_kinds (code, name, created_at, created_by) VALUES
    ('party_group_meeting', '党组会议', CURRENT_TIMESTAMP, 'migration'),
    ('center_group_study', '党组理论学习中心组集中学习', CURRENT_TIMESTAMP, 'migration'),
    ('democratic_life', '民主生活会', CURRENT_TIMESTAMP, 'migration'),
    ('org_life', '组织生活会', CURRENT_TIMESTAMP, 'migration'),
    ('typical_education', '先进典型教育、优良传统作风教育', CURRENT_TIMESTAMP, 'migration'),
    ('leader_lecture', '领导干部上讲堂', CURRENT_TIMESTAMP, 'migration'),
    ('theory_talk', '理论宣讲、形势报告', CURRENT_TIMESTAMP, 'migration'),
    ('ideology_study', '专题研究意识形态工作', CURRENT_TIMESTAMP, 'migration'),
    ('report_upward', '向上级专题报告', CURRENT_TIMESTAMP, 'migration'),
    ('responsibility_report', '履行全面从严治党主体责任情况专题报告', CURRENT_TIMESTAMP, 'migration'),
    ('branch_work', '研究部署党支部工作', CURRENT_TIMESTAMP, 'migration'),
    ('study_hours', '集中学习培训', CURRENT_TIMESTAMP, 'migration'),
    ('member_admission', '发展党员', CURRENT_TIMESTAMP, 'migration'),
    ('heart_talk', '谈心谈话', CURRENT_TIMESTAMP, 'migration'),
    ('integrity_study', '专题研究党风廉政建设', CURRENT_TIMESTAMP, 'migration'),
    ('discipline_study', '党规党纪主题学习', CURRENT_TIMESTAMP, 'migration'),
    ('integrity_education', '廉政纪律教育', CURRENT_TIMESTAMP, 'migration'),
    ('integrity_talk', '党风廉政谈话、提醒谈话', CURRENT_TIMESTAMP, 'migration'),
    ('integrity_lesson', '廉政党课', CURRENT_TIMESTAMP, 'migration'),
    ('joint_building', '联建活动', CURRENT_TIMESTAMP, 'migration'),
    ('research', '调研活动', CURRENT_TIMESTAMP, 'migration'),
    ('party_building_report', '党建工作汇报', CURRENT_TIMESTAMP, 'migration');

-- A long-term measure's quota becomes a duty of its lead unit, linked to it, for the year
-- it was set up; what counts toward it (activity_kinds) is for the office to name.
INSERT INTO duties (id, code, title, year, unit_id, source, measure_id, quotas, version,
                    created_at, updated_at, created_by, updated_by)
SELECT md5(random()::text || m.id), m.code || '-Q', m.content,
       CAST(EXTRACT(YEAR FROM m.created_at) AS INTEGER), m.lead_unit_id, '整改措施 ' || m.code, m.id,
       json_build_array(json_build_object('metric', m.quota_metric, 'min', m.quota_min_count,
                              'unit', 'times', 'period', m.quota_period, 'per', 'unit',
                              'persons', json_build_array(), 'activity_kinds', json_build_array()))::text,
       1, m.created_at, m.created_at, 'migration', 'migration'
FROM measures m WHERE m.quota_metric IS NOT NULL AND m.quota_min_count IS NOT NULL
                  AND m.quota_period IS NOT NULL;
