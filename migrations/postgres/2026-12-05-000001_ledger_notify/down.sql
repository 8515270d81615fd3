DROP TRIGGER event_head_notify ON event_head;
DROP FUNCTION zhenggai_ledger_notify();
