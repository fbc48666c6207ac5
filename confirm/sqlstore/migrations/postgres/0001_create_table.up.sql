-- The table as sqlstore first made it: one row per order, every record
-- field a column, times as timestamptz (NULL for a zero time).
CREATE TABLE cardconfirm_payments (
	order_id              text        PRIMARY KEY,
	version               bigint      NOT NULL CHECK (version > 0),
	amount                bigint      NOT NULL,
	currency              text        NOT NULL,
	customer              text        NOT NULL,
	create_payment_method text        NOT NULL,
	create_cvc_token      text        NOT NULL,
	create_sent_at        timestamptz,
	intent_id             text        NOT NULL,
	status                text        NOT NULL,
	payment_method        text        NOT NULL,
	cvc_token             text        NOT NULL,
	latest_charge         text        NOT NULL,
	captured              bigint      NOT NULL,
	updated               timestamptz
);
