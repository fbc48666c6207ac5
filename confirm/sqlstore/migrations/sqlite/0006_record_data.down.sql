-- Back to the bookkeeping columns, from data. What only data holds (the
-- creation's terms, refunds, …) and refunded and created are lost;
-- create_sent_at is read as UTC, as confirm writes it.
ALTER TABLE cardconfirm_payments ADD COLUMN create_payment_method text NOT NULL DEFAULT '';
ALTER TABLE cardconfirm_payments ADD COLUMN create_cvc_token text NOT NULL DEFAULT '';
ALTER TABLE cardconfirm_payments ADD COLUMN create_confirmation_token text NOT NULL DEFAULT '';
ALTER TABLE cardconfirm_payments ADD COLUMN create_sent_at integer;
ALTER TABLE cardconfirm_payments ADD COLUMN create_attempt integer NOT NULL DEFAULT 0;
ALTER TABLE cardconfirm_payments ADD COLUMN refused_payment_method text NOT NULL DEFAULT '';
ALTER TABLE cardconfirm_payments ADD COLUMN refused_cvc_token text NOT NULL DEFAULT '';
ALTER TABLE cardconfirm_payments ADD COLUMN refused_confirmation_token text NOT NULL DEFAULT '';
ALTER TABLE cardconfirm_payments ADD COLUMN payment_method text NOT NULL DEFAULT '';
ALTER TABLE cardconfirm_payments ADD COLUMN cvc_token text NOT NULL DEFAULT '';
ALTER TABLE cardconfirm_payments ADD COLUMN latest_charge text NOT NULL DEFAULT '';
UPDATE cardconfirm_payments SET
	create_payment_method = COALESCE(json_extract(CAST(data AS text), '$.create_pm'), ''),
	create_cvc_token = COALESCE(json_extract(CAST(data AS text), '$.create_cvc'), ''),
	create_confirmation_token = COALESCE(json_extract(CAST(data AS text), '$.create_ctoken'), ''),
	create_sent_at = (SELECT CASE WHEN t IS NOT NULL THEN
		CAST(strftime('%s', substr(t, 1, 19)) AS integer) * 1000000 +
		CASE WHEN substr(t, 20, 1) = '.' THEN CAST(substr(substr(t, 21, length(t) - 21) || '000000', 1, 6) AS integer) ELSE 0 END END
		FROM (SELECT json_extract(CAST(data AS text), '$.create_sent_at') AS t)),
	create_attempt = COALESCE(json_extract(CAST(data AS text), '$.create_attempt'), 0),
	refused_payment_method = COALESCE(json_extract(CAST(data AS text), '$.refused_pm'), ''),
	refused_cvc_token = COALESCE(json_extract(CAST(data AS text), '$.refused_cvc'), ''),
	refused_confirmation_token = COALESCE(json_extract(CAST(data AS text), '$.refused_ctoken'), ''),
	payment_method = COALESCE(json_extract(CAST(data AS text), '$.pm'), ''),
	cvc_token = COALESCE(json_extract(CAST(data AS text), '$.cvc'), ''),
	latest_charge = COALESCE(json_extract(CAST(data AS text), '$.charge'), '')
WHERE length(data) > 0;
ALTER TABLE cardconfirm_payments DROP COLUMN refunded;
ALTER TABLE cardconfirm_payments DROP COLUMN created;
ALTER TABLE cardconfirm_payments DROP COLUMN data;
