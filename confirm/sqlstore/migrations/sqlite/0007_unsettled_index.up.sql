-- The index a sweep pages through: the unsettled orders in the order they
-- were first claimed (sqlstore's ListUnsettled), the settled ones left out.
CREATE INDEX IF NOT EXISTS cardconfirm_payments_unsettled ON cardconfirm_payments (created, order_id)
	WHERE NOT (intent_id <> '' AND status IN ('succeeded', 'canceled'));
