-- The creation key's attempt number and the card Stripe last refused
-- under it.
ALTER TABLE cardconfirm_payments
	ADD COLUMN create_attempt         integer NOT NULL DEFAULT 0,
	ADD COLUMN refused_payment_method text    NOT NULL DEFAULT '',
	ADD COLUMN refused_cvc_token      text    NOT NULL DEFAULT '';
