-- The index that serves listing records by status and age.
CREATE INDEX IF NOT EXISTS cardconfirm_payments_status_updated ON cardconfirm_payments (status, updated);
