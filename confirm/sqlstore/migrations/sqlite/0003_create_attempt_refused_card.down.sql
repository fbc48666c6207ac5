ALTER TABLE cardconfirm_payments DROP COLUMN create_attempt;
ALTER TABLE cardconfirm_payments DROP COLUMN refused_payment_method;
ALTER TABLE cardconfirm_payments DROP COLUMN refused_cvc_token;
