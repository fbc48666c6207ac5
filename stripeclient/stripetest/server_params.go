package stripetest

// notModelled lists, per endpoint the Server serves, the parameters Stripe's
// API takes at version 2023-10-16 (its OpenAPI spec at 2022-11-15, as
// stripe-mock v0.162.0 ships it, plus what stripe-go v76, generated from the
// spec at 2023-10-16, adds) that the fake accepts and ignores: a request
// carrying one, or anything nested under it, is answered as if it did not.
// Every other parameter of these endpoints is modelled; a parameter in
// neither set is refused as unknown. FIDELITY.md lists them; openapicheck's
// TestEveryParameterIsAccepted holds this table to the specs.
var notModelled = map[string][]string{
	"create_payment_intent": {
		"error_on_requires_action", "mandate", "mandate_data",
		"payment_method_configuration", "payment_method_data", "payment_method_options", "radar_options",
		"receipt_email", "shipping", "statement_descriptor", "transfer_data[amount]", "transfer_group", "use_stripe_sdk",
	},
	"confirm_payment_intent": {
		"client_secret", "error_on_requires_action", "mandate", "mandate_data", "payment_method_data",
		"payment_method_options", "radar_options", "receipt_email", "shipping", "use_stripe_sdk",
	},
	"capture_payment_intent": {
		"application_fee_amount", "final_capture", "metadata", "statement_descriptor",
		"statement_descriptor_suffix", "transfer_data",
	},
	"retrieve_payment_intent": {"client_secret"},
	"create_refund":           {"currency", "customer", "instructions_email", "origin"},
	"list_refunds":            {"created"},
	"create_token":            {"account", "bank_account", "card", "customer", "person", "pii"},
}

// acceptNotModelled marks endpoint's not-modelled parameters as read.
func (f *form) acceptNotModelled(endpoint string) { f.accept(notModelled[endpoint]...) }
