-- The record's reshape: the columns the Store contract guards and an
-- operator queries stay; the Flow's bookkeeping moves into data, JSON
-- that confirm writes and reads ({"v":1, …}, empty strings, zero numbers
-- and zero times omitted), opaque to the Store. refunded is new (0), and
-- created, when the order was first claimed, is its last write for rows
-- older than the column (the zero instant for a row never stamped).
-- Instances of an older sqlstore cannot write to the table afterwards:
-- run it when none is serving.
ALTER TABLE cardconfirm_payments
	ADD COLUMN refunded bigint      NOT NULL DEFAULT 0,
	ADD COLUMN created  timestamptz,
	ADD COLUMN data     bytea       NOT NULL DEFAULT '';
UPDATE cardconfirm_payments SET
	created = COALESCE(updated, '0001-01-01 00:00:00+00'),
	data = convert_to(jsonb_strip_nulls(jsonb_build_object(
		'v', 1,
		'create_pm', NULLIF(create_payment_method, ''),
		'create_cvc', NULLIF(create_cvc_token, ''),
		'create_ctoken', NULLIF(create_confirmation_token, ''),
		'create_sent_at', to_char(create_sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
		'create_attempt', NULLIF(create_attempt, 0),
		'refused_pm', NULLIF(refused_payment_method, ''),
		'refused_cvc', NULLIF(refused_cvc_token, ''),
		'refused_ctoken', NULLIF(refused_confirmation_token, ''),
		'pm', NULLIF(payment_method, ''),
		'cvc', NULLIF(cvc_token, ''),
		'charge', NULLIF(latest_charge, '')
	))::text, 'UTF8');
ALTER TABLE cardconfirm_payments
	ALTER COLUMN created SET NOT NULL,
	DROP COLUMN create_payment_method,
	DROP COLUMN create_cvc_token,
	DROP COLUMN create_confirmation_token,
	DROP COLUMN create_sent_at,
	DROP COLUMN create_attempt,
	DROP COLUMN refused_payment_method,
	DROP COLUMN refused_cvc_token,
	DROP COLUMN refused_confirmation_token,
	DROP COLUMN payment_method,
	DROP COLUMN cvc_token,
	DROP COLUMN latest_charge;
