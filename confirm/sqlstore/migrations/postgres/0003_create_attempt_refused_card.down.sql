ALTER TABLE cardconfirm_payments
	DROP COLUMN create_attempt,
	DROP COLUMN refused_payment_method,
	DROP COLUMN refused_cvc_token;
