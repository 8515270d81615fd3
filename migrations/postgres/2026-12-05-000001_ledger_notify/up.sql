-- Every committed write moves the chain's head; each instance LISTENs on `zhenggai_ledger`
-- and advances its ETags as soon as the commit is told (the payload: "head,shown,schema" —
-- the channel is the database's, and one database may hold several ledgers in schemas of
-- their own). A NOTIFY inside a transaction is delivered on its commit, never on a rollback.
CREATE FUNCTION zhenggai_ledger_notify() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('zhenggai_ledger', NEW.last_seq::text || ',' || NEW.shown_seq::text || ',' || current_schema());
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER event_head_notify AFTER UPDATE ON event_head
    FOR EACH ROW EXECUTE FUNCTION zhenggai_ledger_notify();
