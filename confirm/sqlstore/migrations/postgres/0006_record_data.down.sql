-- Back to the bookkeeping columns, from data. What only data holds (the
-- creation's terms, refunds, …) and refunded and created are lost.
ALTER TABLE cardconfirm_payments
	ADD COLUMN create_payment_method      text NOT NULL DEFAULT '',
	ADD COLUMN create_cvc_token           text NOT NULL DEFAULT '',
	ADD COLUMN create_confirmation_token  text NOT NULL DEFAULT '',
	ADD COLUMN create_sent_at             timestamptz,
	ADD COLUMN create_attempt             integer NOT NULL DEFAULT 0,
	ADD COLUMN refused_payment_method     text NOT NULL DEFAULT '',
	ADD COLUMN refused_cvc_token          text NOT NULL DEFAULT '',
	ADD COLUMN refused_confirmation_token text NOT NULL DEFAULT '',
	ADD COLUMN payment_method             text NOT NULL DEFAULT '',
	ADD COLUMN cvc_token                  text NOT NULL DEFAULT '',
	ADD COLUMN latest_charge              text NOT NULL DEFAULT '';
UPDATE cardconfirm_payments SET
	create_payment_method = COALESCE(j->>'create_pm', ''),
	create_cvc_token = COALESCE(j->>'create_cvc', ''),
	create_confirmation_token = COALESCE(j->>'create_ctoken', ''),
	create_sent_at = (j->>'create_sent_at')::timestamptz,
	create_attempt = COALESCE((j->>'create_attempt')::integer, 0),
	refused_payment_method = COALESCE(j->>'refused_pm', ''),
	refused_cvc_token = COALESCE(j->>'refused_cvc', ''),
	refused_confirmation_token = COALESCE(j->>'refused_ctoken', ''),
	payment_method = COALESCE(j->>'pm', ''),
	cvc_token = COALESCE(j->>'cvc', ''),
	latest_charge = COALESCE(j->>'charge', '')
FROM (SELECT order_id AS id, convert_from(NULLIF(data, ''), 'UTF8')::jsonb AS j FROM cardconfirm_payments) AS book
WHERE order_id = book.id;
ALTER TABLE cardconfirm_payments
	DROP COLUMN refunded,
	DROP COLUMN created,
	DROP COLUMN data;
