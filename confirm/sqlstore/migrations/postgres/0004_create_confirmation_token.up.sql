-- The ConfirmationToken of the order's creation (Payment Element).
ALTER TABLE cardconfirm_payments ADD COLUMN create_confirmation_token text NOT NULL DEFAULT '';
