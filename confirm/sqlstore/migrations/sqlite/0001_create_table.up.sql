-- The table as sqlstore first made it on PostgreSQL, in SQLite's types:
-- times are integers, microseconds since 1970 UTC (NULL for a zero time),
-- so that they sort as numbers and keep PostgreSQL's precision.
CREATE TABLE cardconfirm_payments (
	order_id              text    PRIMARY KEY NOT NULL,
	version               integer NOT NULL CHECK (version > 0),
	amount                integer NOT NULL,
	currency              text    NOT NULL,
	customer              text    NOT NULL,
	create_payment_method text    NOT NULL,
	create_cvc_token      text    NOT NULL,
	create_sent_at        integer,
	intent_id             text    NOT NULL,
	status                text    NOT NULL,
	payment_method        text    NOT NULL,
	cvc_token             text    NOT NULL,
	latest_charge         text    NOT NULL,
	captured              integer NOT NULL,
	updated               integer
);
