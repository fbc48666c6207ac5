package clienttest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// Harness is what Check runs against.
type Harness struct {
	// Client is the implementation under test.
	Client stripeclient.Client
	// Browser plays the customer's part in 3-D Secure (a *stripetest.Fake
	// does); nil (real Stripe) skips the steps that need it, with the reason.
	Browser stripetest.Browser
	// NewCustomer returns a new, empty customer; nil skips the saved-card
	// scenarios (stripeclient.Client cannot create customers).
	NewCustomer func() (string, error)
	// NewConfirmationToken returns a new ConfirmationToken (ctoken_…) of
	// test card card (a pm_card_… ID), as Stripe.js's
	// createConfirmationToken or Stripe's test helper makes one
	// (stripetest.Fake.CreateConfirmationToken does); nil skips the
	// ConfirmationToken scenarios.
	NewConfirmationToken func(card string) (string, error)
	// ConnectedAccount returns a connected account (acct_…) of the
	// platform whose key Client holds, able to take direct charges and
	// receive destination charges (the card_payments and transfers
	// capabilities); nil, or a Client that does not implement
	// stripeclient.OnAccount, skips the Connect scenario.
	ConnectedAccount func() (string, error)
}

// scenarios are the suite, by name, in the order they run.
var scenarios = []struct {
	name string
	run  func(*suite, *checker)
}{
	{"FrictionlessSuccess", (*suite).frictionless},
	{"DeclineCarriesIntent", (*suite).decline},
	{"ThreeDSecureAuthenticated", (*suite).threeDS},
	{"ThreeDSecureFailed", (*suite).threeDSFailed},
	{"ManualCapturePartial", (*suite).manualCapture},
	{"Cancel", (*suite).cancel},
	{"IdempotentReplay", (*suite).replay},
	{"IdempotencyError", (*suite).idempotencyError},
	{"UnknownIDs", (*suite).unknownIDs},
	{"SavedCard", (*suite).savedCard},
	{"ReturnURLRequired", (*suite).returnURLRequired},
	{"ConfirmationToken", (*suite).confirmationToken},
	{"Refunds", (*suite).refunds},
	{"RefundRefusals", (*suite).refundRefusals},
	{"RefundPending", (*suite).refundPending},
	{"Connect", (*suite).connect},
}

// Check runs the suite against h.Client: the behaviour of Stripe test
// mode that cardconfirm relies on. It returns every difference found,
// joined, each naming its scenario, or nil. A scenario the Harness cannot
// run (no Browser, no NewCustomer …) is skipped, not failed.
//
// Idempotency keys are random per run, so the suite can be run against the
// same Stripe account repeatedly.
func Check(h Harness) error {
	if h.Client == nil {
		return errors.New("clienttest: Harness.Client is nil")
	}
	s := &suite{h: h, run: randomHex(8)}
	var errs []error
	for _, sc := range scenarios {
		r := runScenario(sc.name, func(c *checker) { sc.run(s, c) })
		errs = append(errs, r.errs...)
	}
	return errors.Join(errs...)
}

// Run is Check as a test: one subtest per scenario, failed with its
// differences or skipped with the reason.
func Run(t *testing.T, h Harness) {
	t.Helper()
	if h.Client == nil {
		t.Fatal("clienttest: Harness.Client is nil")
	}
	s := &suite{h: h, run: randomHex(8)}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			r := runScenario(sc.name, func(c *checker) { sc.run(s, c) })
			for _, err := range r.errs {
				t.Error(err)
			}
			if len(r.errs) == 0 && r.skipped != "" {
				t.Skip(r.skipped)
			}
		})
	}
}

type suite struct {
	h   Harness
	run string
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// key makes an idempotency key unique to this run and step.
func (s *suite) key(t *checker, step string) string {
	return "stripetest-conformance-" + s.run + "-" + strings.ReplaceAll(t.Name(), "/", ".") + "-" + step
}

func ctx(t *checker) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func (s *suite) create(t *checker, step, pm string, mod func(*stripeclient.CreateParams)) (*stripeclient.PaymentIntent, error) {
	t.Helper()
	p := stripeclient.CreateParams{
		IdempotencyKey:     s.key(t, step),
		Amount:             1000,
		Currency:           "usd",
		PaymentMethod:      pm,
		Confirm:            pm != "",
		ConfirmationMethod: "manual",
		PaymentMethodTypes: []string{"card"},
		Metadata:           map[string]string{"conformance": s.run},
	}
	if mod != nil {
		mod(&p)
	}
	return s.h.Client.CreatePaymentIntent(ctx(t), p)
}

func wantStatus(t *checker, pi *stripeclient.PaymentIntent, want string) {
	t.Helper()
	if pi == nil {
		t.Fatalf("intent is nil, want status %s", want)
	}
	if pi.Status != want {
		t.Fatalf("intent %s status %s, want %s", pi.ID, pi.Status, want)
	}
}

func wantErr(t *checker, err, target error) *stripeclient.Error {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error %v, want one matching %v", err, target)
	}
	var se *stripeclient.Error
	errors.As(err, &se)
	return se
}

func (s *suite) frictionless(t *checker) {
	pi, err := s.create(t, "create", "pm_card_visa", nil)
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, pi, stripeclient.StatusSucceeded)
	if pi.AmountReceived != 1000 || pi.Currency != "usd" || !strings.HasPrefix(pi.PaymentMethod, "pm_") {
		t.Errorf("got amount received %d, currency %q, payment method %q", pi.AmountReceived, pi.Currency, pi.PaymentMethod)
	}
	if pi.Metadata["conformance"] != s.run {
		t.Errorf("metadata %v, want conformance=%s", pi.Metadata, s.run)
	}
	got, err := s.h.Client.RetrievePaymentIntent(ctx(t), pi.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, got, stripeclient.StatusSucceeded)
	if got.LatestCharge == nil || got.LatestCharge.Status != "succeeded" || !got.LatestCharge.Captured {
		t.Errorf("latest charge %+v, want a captured, succeeded charge", got.LatestCharge)
	}
}

func (s *suite) decline(t *checker) {
	for _, tc := range []struct{ pm, code, decline string }{
		{"pm_card_visa_chargeDeclined", "card_declined", "generic_decline"},
		{"pm_card_visa_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds"},
		{"pm_card_chargeDeclinedExpiredCard", "expired_card", "expired_card"},
	} {
		t.Run(tc.pm, func(t *checker) {
			_, err := s.create(t, "create", tc.pm, nil)
			se := wantErr(t, err, stripeclient.ErrCardDeclined)
			if se.HTTPStatus != 402 || se.Type != "card_error" || se.Code != tc.code || se.DeclineCode != tc.decline || se.Message == "" {
				t.Errorf("got %d %s %s/%s %q, want 402 card_error %s/%s and a message",
					se.HTTPStatus, se.Type, se.Code, se.DeclineCode, se.Message, tc.code, tc.decline)
			}
			wantStatus(t, se.PaymentIntent, stripeclient.StatusRequiresPaymentMethod)
			lpe := se.PaymentIntent.LastPaymentError
			if lpe == nil || lpe.Code != tc.code || lpe.DeclineCode != tc.decline {
				t.Errorf("last_payment_error %+v, want %s/%s", lpe, tc.code, tc.decline)
			}
			got, err := s.h.Client.RetrievePaymentIntent(ctx(t), se.PaymentIntent.ID)
			if err != nil {
				t.Fatal(err)
			}
			wantStatus(t, got, stripeclient.StatusRequiresPaymentMethod)
		})
	}
}

// requiresAction creates a 3-D Secure intent and checks what the browser
// needs to handle it.
func (s *suite) requiresAction(t *checker) *stripeclient.PaymentIntent {
	t.Helper()
	pi, err := s.create(t, "create", "pm_card_authenticationRequired", nil)
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, pi, stripeclient.StatusRequiresAction)
	if pi.NextAction == nil || pi.NextAction.Type != stripeclient.NextActionUseStripeSDK {
		t.Errorf("next_action %+v, want use_stripe_sdk", pi.NextAction)
	}
	if !strings.HasPrefix(pi.ClientSecret, pi.ID+"_secret_") {
		t.Error("client secret is not of the form pi_…_secret_…")
	}
	return pi
}

func (s *suite) threeDS(t *checker) {
	s.authenticateAndConfirm(t, s.requiresAction(t))
}

// authenticateAndConfirm plays the customer passing 3-D Secure on pi, which
// must then await the server (requires_confirmation), and confirms it to
// succeeded.
func (s *suite) authenticateAndConfirm(t *checker, pi *stripeclient.PaymentIntent) {
	t.Helper()
	if s.h.Browser == nil {
		t.Skip("completing 3-D Secure needs a browser running Stripe.js; no Browser in the Harness")
	}
	if err := s.h.Browser.Authenticate(pi.ID); err != nil {
		t.Fatal(err)
	}
	got, err := s.h.Client.RetrievePaymentIntent(ctx(t), pi.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, got, stripeclient.StatusRequiresConfirmation)
	got, err = s.h.Client.ConfirmPaymentIntent(ctx(t), pi.ID, stripeclient.ConfirmParams{IdempotencyKey: s.key(t, "confirm")})
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, got, stripeclient.StatusSucceeded)
}

func (s *suite) threeDSFailed(t *checker) {
	pi := s.requiresAction(t)
	if s.h.Browser == nil {
		t.Skip("failing 3-D Secure needs a browser running Stripe.js; no Browser in the Harness")
	}
	if err := s.h.Browser.FailAuthentication(pi.ID); err != nil {
		t.Fatal(err)
	}
	got, err := s.h.Client.RetrievePaymentIntent(ctx(t), pi.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, got, stripeclient.StatusRequiresPaymentMethod)
	if got.LastPaymentError == nil || got.LastPaymentError.Code != stripeclient.CodeAuthenticationFailure {
		t.Errorf("last_payment_error %+v, want %s", got.LastPaymentError, stripeclient.CodeAuthenticationFailure)
	}
}

func (s *suite) manualCapture(t *checker) {
	pi, err := s.create(t, "create", "pm_card_visa", func(p *stripeclient.CreateParams) { p.CaptureMethod = "manual" })
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, pi, stripeclient.StatusRequiresCapture)
	if pi.AmountCapturable != 1000 {
		t.Errorf("amount capturable %d, want 1000", pi.AmountCapturable)
	}
	_, err = s.h.Client.CapturePaymentIntent(ctx(t), pi.ID, stripeclient.CaptureParams{IdempotencyKey: s.key(t, "capture-too-much"), AmountToCapture: 1001})
	if se := wantErr(t, err, stripeclient.ErrInvalidRequest); se.Code != stripeclient.CodeAmountTooLarge {
		t.Errorf("capturing more than authorised: code %q, want %s", se.Code, stripeclient.CodeAmountTooLarge)
	}
	got, err := s.h.Client.CapturePaymentIntent(ctx(t), pi.ID, stripeclient.CaptureParams{IdempotencyKey: s.key(t, "capture"), AmountToCapture: 600})
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, got, stripeclient.StatusSucceeded)
	if got.AmountReceived != 600 {
		t.Errorf("amount received %d, want 600", got.AmountReceived)
	}
	_, err = s.h.Client.CapturePaymentIntent(ctx(t), pi.ID, stripeclient.CaptureParams{IdempotencyKey: s.key(t, "capture-again")})
	wantErr(t, err, stripeclient.ErrUnexpectedState)
}

func (s *suite) cancel(t *checker) {
	pi, err := s.create(t, "create", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, pi, stripeclient.StatusRequiresPaymentMethod)
	got, err := s.h.Client.CancelPaymentIntent(ctx(t), pi.ID, stripeclient.CancelParams{IdempotencyKey: s.key(t, "cancel"), CancellationReason: "abandoned"})
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, got, stripeclient.StatusCanceled)
	_, err = s.h.Client.CancelPaymentIntent(ctx(t), pi.ID, stripeclient.CancelParams{IdempotencyKey: s.key(t, "cancel-again")})
	wantErr(t, err, stripeclient.ErrUnexpectedState)
	_, err = s.h.Client.ConfirmPaymentIntent(ctx(t), pi.ID, stripeclient.ConfirmParams{IdempotencyKey: s.key(t, "confirm"), PaymentMethod: "pm_card_visa"})
	wantErr(t, err, stripeclient.ErrUnexpectedState)

	// A succeeded intent cannot be canceled.
	paid, err := s.create(t, "create-paid", "pm_card_visa", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.h.Client.CancelPaymentIntent(ctx(t), paid.ID, stripeclient.CancelParams{IdempotencyKey: s.key(t, "cancel-paid")})
	wantErr(t, err, stripeclient.ErrUnexpectedState)
}

func (s *suite) replay(t *checker) {
	first, err := s.create(t, "create", "pm_card_visa", nil)
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.create(t, "create", "pm_card_visa", nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != first.ID || again.Status != first.Status {
		t.Errorf("replay gave %s %s, want %s %s", again.ID, again.Status, first.ID, first.Status)
	}
	// A stored decline is replayed too, with the same intent.
	_, err1 := s.create(t, "declined", "pm_card_visa_chargeDeclined", nil)
	_, err2 := s.create(t, "declined", "pm_card_visa_chargeDeclined", nil)
	se1 := wantErr(t, err1, stripeclient.ErrCardDeclined)
	se2 := wantErr(t, err2, stripeclient.ErrCardDeclined)
	if se1.PaymentIntent == nil || se2.PaymentIntent == nil || se1.PaymentIntent.ID != se2.PaymentIntent.ID {
		t.Error("a replayed decline does not carry the same intent")
	}
}

func (s *suite) idempotencyError(t *checker) {
	if _, err := s.create(t, "create", "pm_card_visa", nil); err != nil {
		t.Fatal(err)
	}
	_, err := s.create(t, "create", "pm_card_visa", func(p *stripeclient.CreateParams) { p.Amount = 1001 })
	se := wantErr(t, err, stripeclient.ErrIdempotency)
	if se.HTTPStatus != 400 || se.Type != "idempotency_error" {
		t.Errorf("got %d %s, want 400 idempotency_error", se.HTTPStatus, se.Type)
	}
}

func (s *suite) unknownIDs(t *checker) {
	_, err := s.h.Client.RetrievePaymentIntent(ctx(t), "pi_stripetestDoesNotExist")
	wantErr(t, err, stripeclient.ErrResourceMissing)
	_, err = s.h.Client.ConfirmPaymentIntent(ctx(t), "pi_stripetestDoesNotExist", stripeclient.ConfirmParams{IdempotencyKey: s.key(t, "confirm")})
	wantErr(t, err, stripeclient.ErrResourceMissing)
	_, err = s.h.Client.RetrievePaymentMethod(ctx(t), "pm_stripetestDoesNotExist")
	wantErr(t, err, stripeclient.ErrResourceMissing)
	_, err = s.create(t, "create", "pm_stripetestDoesNotExist", nil)
	if se := wantErr(t, err, stripeclient.ErrResourceMissing); se.Param != "payment_method" {
		t.Errorf("param %q, want payment_method", se.Param)
	}
	_, err = s.h.Client.ListCards(ctx(t), "cus_stripetestDoesNotExist")
	wantErr(t, err, stripeclient.ErrResourceMissing)
}

func (s *suite) savedCard(t *checker) {
	if s.h.NewCustomer == nil {
		t.Skip("no NewCustomer in the Harness: saved-card scenarios need a customer")
	}
	cus, err := s.h.NewCustomer()
	if err != nil {
		t.Fatalf("NewCustomer: %v", err)
	}
	pi, err := s.create(t, "create", "pm_card_visa", func(p *stripeclient.CreateParams) {
		p.Customer = cus
		p.SetupFutureUsage = "off_session"
	})
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, pi, stripeclient.StatusSucceeded)
	cards, err := s.h.Client.ListCards(ctx(t), cus)
	if err != nil {
		t.Fatal(err)
	}
	if len(cards) != 1 || cards[0].ID != pi.PaymentMethod || cards[0].Card == nil || cards[0].Card.Last4 != "4242" {
		t.Fatalf("cards %+v, want the one card %s ending 4242", cards, pi.PaymentMethod)
	}
	pm, err := s.h.Client.RetrievePaymentMethod(ctx(t), pi.PaymentMethod)
	if err != nil {
		t.Fatal(err)
	}
	if pm.Customer != cus {
		t.Errorf("payment method's customer %q, want %q", pm.Customer, cus)
	}
	// The saved card pays off-session without the customer.
	again, err := s.create(t, "off-session", pm.ID, func(p *stripeclient.CreateParams) {
		p.Customer = cus
		p.OffSession = true
	})
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, again, stripeclient.StatusSucceeded)
}

// returnURLRequired: since API version 2023-08-16 an intent created without
// payment_method_types has automatic payment methods on, and confirming it
// on-session without a return_url is refused
// (docs.stripe.com/changelog/2023-08-16/automatic-payment-methods).
func (s *suite) returnURLRequired(t *checker) {
	_, err := s.create(t, "create", "pm_card_visa", func(p *stripeclient.CreateParams) { p.PaymentMethodTypes = nil })
	se := wantErr(t, err, stripeclient.ErrInvalidRequest)
	if se.HTTPStatus != 400 || se.Type != "invalid_request_error" || !strings.Contains(se.Message, "return_url") {
		t.Errorf("got %d %s %q, want 400 invalid_request_error naming return_url", se.HTTPStatus, se.Type, se.Message)
	}
}
