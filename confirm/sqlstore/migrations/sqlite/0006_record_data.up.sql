-- The record's reshape: the columns the Store contract guards and an
-- operator queries stay; the Flow's bookkeeping moves into data, JSON
-- that confirm writes and reads ({"v":1, …}, empty strings, zero numbers
-- and zero times omitted: json_patch drops the NULL members), opaque to
-- the Store. refunded is new (0), and created, when the order was first
-- claimed, is its last write for rows older than the column (the zero
-- instant, -62135596800000000, for a row never stamped). Instances of an
-- older sqlstore cannot write to the table afterwards: run it when none
-- is serving.
ALTER TABLE cardconfirm_payments ADD COLUMN refunded integer NOT NULL DEFAULT 0;
ALTER TABLE cardconfirm_payments ADD COLUMN created integer NOT NULL DEFAULT -62135596800000000;
ALTER TABLE cardconfirm_payments ADD COLUMN data blob NOT NULL DEFAULT x'';
UPDATE cardconfirm_payments SET
	created = COALESCE(updated, -62135596800000000),
	data = CAST(json_patch('{}', json_object(
		'v', 1,
		'create_pm', NULLIF(create_payment_method, ''),
		'create_cvc', NULLIF(create_cvc_token, ''),
		'create_ctoken', NULLIF(create_confirmation_token, ''),
		'create_sent_at', CASE WHEN create_sent_at IS NOT NULL THEN
			strftime('%Y-%m-%dT%H:%M:%S', create_sent_at / 1000000, 'unixepoch') || '.' || printf('%06d', create_sent_at % 1000000) || 'Z' END,
		'create_attempt', NULLIF(create_attempt, 0),
		'refused_pm', NULLIF(refused_payment_method, ''),
		'refused_cvc', NULLIF(refused_cvc_token, ''),
		'refused_ctoken', NULLIF(refused_confirmation_token, ''),
		'pm', NULLIF(payment_method, ''),
		'cvc', NULLIF(cvc_token, ''),
		'charge', NULLIF(latest_charge, '')
	)) AS BLOB);
ALTER TABLE cardconfirm_payments DROP COLUMN create_payment_method;
ALTER TABLE cardconfirm_payments DROP COLUMN create_cvc_token;
ALTER TABLE cardconfirm_payments DROP COLUMN create_confirmation_token;
ALTER TABLE cardconfirm_payments DROP COLUMN create_sent_at;
ALTER TABLE cardconfirm_payments DROP COLUMN create_attempt;
ALTER TABLE cardconfirm_payments DROP COLUMN refused_payment_method;
ALTER TABLE cardconfirm_payments DROP COLUMN refused_cvc_token;
ALTER TABLE cardconfirm_payments DROP COLUMN refused_confirmation_token;
ALTER TABLE cardconfirm_payments DROP COLUMN payment_method;
ALTER TABLE cardconfirm_payments DROP COLUMN cvc_token;
ALTER TABLE cardconfirm_payments DROP COLUMN latest_charge;
