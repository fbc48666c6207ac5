DROP INDEX IF EXISTS cardconfirm_payments_status_updated;
