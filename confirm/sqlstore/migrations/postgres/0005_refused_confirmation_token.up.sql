-- The ConfirmationToken of the latest creation Stripe refused.
ALTER TABLE cardconfirm_payments ADD COLUMN refused_confirmation_token text NOT NULL DEFAULT '';
