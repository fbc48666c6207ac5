DROP INDEX IF EXISTS cardconfirm_payments_unsettled;
