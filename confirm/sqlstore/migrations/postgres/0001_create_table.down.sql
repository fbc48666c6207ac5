DROP TABLE cardconfirm_payments;
