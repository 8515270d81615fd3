DROP TABLE deadline_notices;
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
