-- Tallies kept by the database itself, in the transaction of every write to measures and
-- findings (whatever writes them: the API, an import, a restore, the synthetic ledger), so
-- that dashboards read numbers in O(groups) instead of counting the ledger:
--   measure_tallies  per lead unit × kind × status × has a due date: counts and sums;
--   open_tallies     per lead unit × due date × report due × quota light, of the open
--                    measures whose clock runs: today's lights are sums over due dates, so
--                    a new day needs no rewrite;
--   finding_tallies  findings per responsible unit.
-- `zhenggai check` recounts them from the rows and reports any drift.
CREATE TABLE measure_tallies (
    lead_unit_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    has_due BOOLEAN NOT NULL,
    measures BIGINT NOT NULL,
    extensions BIGINT NOT NULL,
    returns BIGINT NOT NULL,
    on_time BIGINT NOT NULL,
    days_to_close BIGINT NOT NULL,
    timed BIGINT NOT NULL,
    reminders BIGINT NOT NULL,
    rechecked BIGINT NOT NULL,
    relapsed BIGINT NOT NULL,
    PRIMARY KEY (lead_unit_id, kind, status, has_due)
);
-- report_due 9999-12-31: none; quota_light '': none.
CREATE TABLE open_tallies (
    lead_unit_id TEXT NOT NULL,
    due_sort DATE NOT NULL,
    report_due DATE NOT NULL,
    quota_light TEXT NOT NULL,
    measures BIGINT NOT NULL,
    PRIMARY KEY (lead_unit_id, due_sort, report_due, quota_light)
);
CREATE TABLE finding_tallies (
    responsible_unit_id TEXT PRIMARY KEY NOT NULL,
    findings BIGINT NOT NULL
);

INSERT INTO measure_tallies (lead_unit_id, kind, status, has_due, measures, extensions, returns, on_time, days_to_close, timed, reminders, rechecked, relapsed)
SELECT lead_unit_id, kind, status, due_date IS NOT NULL, COUNT(*), SUM(extension_count),
    SUM(return_count), SUM(CASE WHEN closed_on_time THEN 1 ELSE 0 END), COALESCE(SUM(days_to_close), 0),
    COUNT(days_to_close), SUM(reminder_count), SUM(recheck_count), SUM(relapse_count)
FROM measures GROUP BY lead_unit_id, kind, status, due_date IS NOT NULL;
INSERT INTO open_tallies (lead_unit_id, due_sort, report_due, quota_light, measures)
SELECT lead_unit_id, due_sort, COALESCE(report_due, DATE '9999-12-31'), COALESCE(quota_light, ''), COUNT(*)
FROM measures WHERE status <> 'closed' AND clock_stopped = FALSE
GROUP BY lead_unit_id, due_sort, COALESCE(report_due, DATE '9999-12-31'), COALESCE(quota_light, '');
INSERT INTO finding_tallies (responsible_unit_id, findings)
SELECT responsible_unit_id, COUNT(*) FROM findings GROUP BY responsible_unit_id;

CREATE FUNCTION measures_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NOT (
        OLD.lead_unit_id IS DISTINCT FROM NEW.lead_unit_id
        OR OLD.kind IS DISTINCT FROM NEW.kind
        OR OLD.status IS DISTINCT FROM NEW.status
        OR OLD.due_date IS DISTINCT FROM NEW.due_date
        OR OLD.extension_count IS DISTINCT FROM NEW.extension_count
        OR OLD.return_count IS DISTINCT FROM NEW.return_count
        OR OLD.closed_on_time IS DISTINCT FROM NEW.closed_on_time
        OR OLD.days_to_close IS DISTINCT FROM NEW.days_to_close
        OR OLD.reminder_count IS DISTINCT FROM NEW.reminder_count
        OR OLD.recheck_count IS DISTINCT FROM NEW.recheck_count
        OR OLD.relapse_count IS DISTINCT FROM NEW.relapse_count
        OR OLD.due_sort IS DISTINCT FROM NEW.due_sort
        OR OLD.report_due IS DISTINCT FROM NEW.report_due
        OR OLD.quota_light IS DISTINCT FROM NEW.quota_light
        OR OLD.clock_stopped IS DISTINCT FROM NEW.clock_stopped
    ) THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO measure_tallies (lead_unit_id, kind, status, has_due, measures, extensions, returns, on_time, days_to_close, timed, reminders, rechecked, relapsed)
    VALUES (OLD.lead_unit_id, OLD.kind, OLD.status, OLD.due_date IS NOT NULL, -1, -OLD.extension_count, -OLD.return_count,
        -(CASE WHEN OLD.closed_on_time THEN 1 ELSE 0 END), -COALESCE(OLD.days_to_close, 0),
        -(CASE WHEN OLD.days_to_close IS NULL THEN 0 ELSE 1 END), -OLD.reminder_count, -OLD.recheck_count,
        -OLD.relapse_count)
    ON CONFLICT (lead_unit_id, kind, status, has_due) DO UPDATE SET
        measures = measure_tallies.measures + excluded.measures, extensions = measure_tallies.extensions + excluded.extensions,
        returns = measure_tallies.returns + excluded.returns, on_time = measure_tallies.on_time + excluded.on_time,
        days_to_close = measure_tallies.days_to_close + excluded.days_to_close, timed = measure_tallies.timed + excluded.timed,
        reminders = measure_tallies.reminders + excluded.reminders, rechecked = measure_tallies.rechecked + excluded.rechecked,
        relapsed = measure_tallies.relapsed + excluded.relapsed;
        INSERT INTO open_tallies (lead_unit_id, due_sort, report_due, quota_light, measures)
    SELECT OLD.lead_unit_id, OLD.due_sort, COALESCE(OLD.report_due, DATE '9999-12-31'), COALESCE(OLD.quota_light, ''), -1
    WHERE OLD.status <> 'closed' AND OLD.clock_stopped = FALSE
    ON CONFLICT (lead_unit_id, due_sort, report_due, quota_light) DO UPDATE SET
        measures = open_tallies.measures + excluded.measures;
        DELETE FROM measure_tallies WHERE measures = 0 AND lead_unit_id = OLD.lead_unit_id
        AND kind = OLD.kind AND status = OLD.status;
    DELETE FROM open_tallies WHERE measures = 0 AND lead_unit_id = OLD.lead_unit_id
        AND due_sort = OLD.due_sort;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO measure_tallies (lead_unit_id, kind, status, has_due, measures, extensions, returns, on_time, days_to_close, timed, reminders, rechecked, relapsed)
    VALUES (NEW.lead_unit_id, NEW.kind, NEW.status, NEW.due_date IS NOT NULL, 1, NEW.extension_count, NEW.return_count,
        (CASE WHEN NEW.closed_on_time THEN 1 ELSE 0 END), COALESCE(NEW.days_to_close, 0),
        (CASE WHEN NEW.days_to_close IS NULL THEN 0 ELSE 1 END), NEW.reminder_count, NEW.recheck_count,
        NEW.relapse_count)
    ON CONFLICT (lead_unit_id, kind, status, has_due) DO UPDATE SET
        measures = measure_tallies.measures + excluded.measures, extensions = measure_tallies.extensions + excluded.extensions,
        returns = measure_tallies.returns + excluded.returns, on_time = measure_tallies.on_time + excluded.on_time,
        days_to_close = measure_tallies.days_to_close + excluded.days_to_close, timed = measure_tallies.timed + excluded.timed,
        reminders = measure_tallies.reminders + excluded.reminders, rechecked = measure_tallies.rechecked + excluded.rechecked,
        relapsed = measure_tallies.relapsed + excluded.relapsed;
        INSERT INTO open_tallies (lead_unit_id, due_sort, report_due, quota_light, measures)
    SELECT NEW.lead_unit_id, NEW.due_sort, COALESCE(NEW.report_due, DATE '9999-12-31'), COALESCE(NEW.quota_light, ''), 1
    WHERE NEW.status <> 'closed' AND NEW.clock_stopped = FALSE
    ON CONFLICT (lead_unit_id, due_sort, report_due, quota_light) DO UPDATE SET
        measures = open_tallies.measures + excluded.measures;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER measures_tally AFTER INSERT OR UPDATE OR DELETE ON measures
    FOR EACH ROW EXECUTE FUNCTION measures_tally();

CREATE FUNCTION findings_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.responsible_unit_id IS NOT DISTINCT FROM NEW.responsible_unit_id THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO finding_tallies (responsible_unit_id, findings) VALUES (OLD.responsible_unit_id, -1)
    ON CONFLICT (responsible_unit_id) DO UPDATE SET findings = finding_tallies.findings + excluded.findings;
        DELETE FROM finding_tallies WHERE findings = 0 AND responsible_unit_id = OLD.responsible_unit_id;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO finding_tallies (responsible_unit_id, findings) VALUES (NEW.responsible_unit_id, 1)
    ON CONFLICT (responsible_unit_id) DO UPDATE SET findings = finding_tallies.findings + excluded.findings;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER findings_tally AFTER INSERT OR UPDATE OR DELETE ON findings
    FOR EACH ROW EXECUTE FUNCTION findings_tally();
