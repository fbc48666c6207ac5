package stripetest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// intentIn builds an intent in the given status.
func intentIn(t *testing.T, f *stripetest.Fake, status string) string {
	t.Helper()
	p := params("pm_card_visa")
	switch status {
	case stripeclient.StatusRequiresPaymentMethod:
		p = params("")
	case stripeclient.StatusRequiresConfirmation:
		p.Confirm = false
	case stripeclient.StatusRequiresAction:
		p = params("pm_card_authenticationRequired")
	case stripeclient.StatusRequiresCapture:
		p.CaptureMethod = "manual"
	}
	pi := mustCreate(t, f, p)
	if status == stripeclient.StatusCanceled {
		pi = mustCreate(t, f, params(""))
		if _, err := f.CancelPaymentIntent(bg, pi.ID, stripeclient.CancelParams{IdempotencyKey: newKey()}); err != nil {
			t.Fatal(err)
		}
	}
	return pi.ID
}

// TestTransitions tries confirm, capture and cancel from every status the
// fake produces: allowed ones lead to the status shown, forbidden ones are
// payment_intent_unexpected_state and change nothing.
func TestTransitions(t *testing.T) {
	const forbidden = "forbidden"
	for _, tc := range []struct {
		from                     string
		confirm, capture, cancel string
	}{
		{stripeclient.StatusRequiresPaymentMethod, stripeclient.StatusSucceeded, forbidden, stripeclient.StatusCanceled},
		{stripeclient.StatusRequiresConfirmation, stripeclient.StatusSucceeded, forbidden, stripeclient.StatusCanceled},
		{stripeclient.StatusRequiresAction, stripeclient.StatusRequiresAction, forbidden, stripeclient.StatusCanceled},
		{stripeclient.StatusRequiresCapture, forbidden, stripeclient.StatusSucceeded, stripeclient.StatusCanceled},
		{stripeclient.StatusSucceeded, forbidden, forbidden, forbidden},
		{stripeclient.StatusCanceled, forbidden, forbidden, forbidden},
	} {
		ops := map[string]func(f *stripetest.Fake, id string) (*stripeclient.PaymentIntent, error){
			"confirm": func(f *stripetest.Fake, id string) (*stripeclient.PaymentIntent, error) {
				p := stripeclient.ConfirmParams{IdempotencyKey: newKey()}
				if tc.from == stripeclient.StatusRequiresPaymentMethod {
					p.PaymentMethod = "pm_card_visa"
				}
				return f.ConfirmPaymentIntent(bg, id, p)
			},
			"capture": func(f *stripetest.Fake, id string) (*stripeclient.PaymentIntent, error) {
				return f.CapturePaymentIntent(bg, id, stripeclient.CaptureParams{IdempotencyKey: newKey()})
			},
			"cancel": func(f *stripetest.Fake, id string) (*stripeclient.PaymentIntent, error) {
				return f.CancelPaymentIntent(bg, id, stripeclient.CancelParams{IdempotencyKey: newKey()})
			},
		}
		for op, want := range map[string]string{"confirm": tc.confirm, "capture": tc.capture, "cancel": tc.cancel} {
			t.Run(tc.from+"/"+op, func(t *testing.T) {
				f, _ := newFake(t)
				id := intentIn(t, f, tc.from)
				if before, _ := f.Intent(id); before.Status != tc.from {
					t.Fatalf("setup gave %s, want %s", before.Status, tc.from)
				}
				pi, err := ops[op](f, id)
				if want == forbidden {
					se := asError(t, err)
					if !errors.Is(err, stripeclient.ErrUnexpectedState) || se.HTTPStatus != 400 || se.PaymentIntent == nil || se.PaymentIntent.Status != tc.from {
						t.Fatalf("got %v, want 400 payment_intent_unexpected_state carrying the %s intent", err, tc.from)
					}
					if after, _ := f.Intent(id); after.Status != tc.from {
						t.Errorf("status changed to %s", after.Status)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if pi.Status != want {
					t.Errorf("status %s, want %s", pi.Status, want)
				}
			})
		}
	}
}

func TestCancelReleasesAuthorisation(t *testing.T) {
	f, _ := newFake(t)
	id := intentIn(t, f, stripeclient.StatusRequiresCapture)
	if ch := f.Charges()[0]; !ch.MoneyMoved() || ch.Captured {
		t.Fatalf("authorisation: money moved %v, captured %v; want held, uncaptured", ch.MoneyMoved(), ch.Captured)
	}
	pi, err := f.CancelPaymentIntent(bg, id, stripeclient.CancelParams{IdempotencyKey: newKey(), CancellationReason: "requested_by_customer"})
	if err != nil {
		t.Fatal(err)
	}
	if pi.CancellationReason != "requested_by_customer" || pi.AmountCapturable != 0 {
		t.Errorf("got reason %q capturable %d", pi.CancellationReason, pi.AmountCapturable)
	}
	if ch := f.Charges()[0]; !ch.Released || ch.MoneyMoved() {
		t.Errorf("charge released %v, money moved %v; want released, no money moved", ch.Released, ch.MoneyMoved())
	}
}

func TestCapture(t *testing.T) {
	for _, tc := range []struct {
		amount       int64
		wantReceived int64
		wantErr      error
	}{
		{0, 1000, nil},
		{1000, 1000, nil},
		{400, 400, nil},
		{1001, 0, stripeclient.ErrInvalidRequest},
	} {
		f, _ := newFake(t)
		id := intentIn(t, f, stripeclient.StatusRequiresCapture)
		pi, err := f.CapturePaymentIntent(bg, id, stripeclient.CaptureParams{IdempotencyKey: newKey(), AmountToCapture: tc.amount})
		if tc.wantErr != nil {
			if se := asError(t, err); !errors.Is(err, tc.wantErr) || se.Code != stripeclient.CodeAmountTooLarge {
				t.Errorf("capture %d: %v, want amount_too_large", tc.amount, err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		ch := f.Charges()[0]
		if pi.AmountReceived != tc.wantReceived || ch.AmountCaptured != tc.wantReceived || !ch.Captured || !pi.LatestCharge.Captured {
			t.Errorf("capture %d: received %d, charge captured %d; want %d", tc.amount, pi.AmountReceived, ch.AmountCaptured, tc.wantReceived)
		}
	}
}

func TestOneHourLimit(t *testing.T) {
	for _, tc := range []struct {
		name         string
		authenticate bool
		wait         time.Duration
		wantOK       bool
	}{
		{"authenticated, confirmed at 59m", true, 59 * time.Minute, true},
		{"authenticated, confirmed at exactly 1h", true, time.Hour, true},
		{"authenticated, confirmed at 61m", true, 61 * time.Minute, false},
		{"never authenticated, 61m", false, 61 * time.Minute, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, clock := newFake(t)
			id := intentIn(t, f, stripeclient.StatusRequiresAction)
			if tc.authenticate {
				clock.Advance(tc.wait / 2)
				if err := f.Authenticate(id); err != nil {
					t.Fatal(err)
				}
				clock.Advance(tc.wait - tc.wait/2)
			} else {
				clock.Advance(tc.wait)
				if err := f.Authenticate(id); err == nil {
					t.Error("Authenticate after the window succeeded")
				}
			}
			pi, err := confirm(f, id)
			if tc.wantOK {
				if err != nil || pi.Status != stripeclient.StatusSucceeded {
					t.Fatalf("got %v, want success", err)
				}
				return
			}
			se := asError(t, err)
			if !errors.Is(err, stripeclient.ErrUnexpectedState) || se.PaymentIntent.Status != stripeclient.StatusRequiresPaymentMethod ||
				se.PaymentIntent.LastPaymentError.Code != stripeclient.CodeAuthenticationFailure {
				t.Fatalf("got %v, want unexpected_state with the intent back in requires_payment_method", err)
			}
			if len(f.Charges()) != 0 {
				t.Error("an expired attempt made a charge")
			}
			// A new card starts a new attempt.
			pi, err = f.ConfirmPaymentIntent(bg, id, stripeclient.ConfirmParams{IdempotencyKey: newKey(), PaymentMethod: "pm_card_visa"})
			if err != nil || pi.Status != stripeclient.StatusSucceeded {
				t.Fatalf("confirm with a new card: %v", err)
			}
		})
	}
}

func TestReconfirmRequiresActionRestartsWindow(t *testing.T) {
	f, clock := newFake(t)
	id := intentIn(t, f, stripeclient.StatusRequiresAction)
	clock.Advance(50 * time.Minute)
	pi, err := confirm(f, id)
	if err != nil || pi.Status != stripeclient.StatusRequiresAction {
		t.Fatalf("got %v, want requires_action again", err)
	}
	clock.Advance(50 * time.Minute)
	if err := f.Authenticate(id); err != nil {
		t.Fatalf("Authenticate 50m into the second attempt: %v", err)
	}
}

func TestFailAuthentication(t *testing.T) {
	f, _ := newFake(t)
	id := intentIn(t, f, stripeclient.StatusRequiresAction)
	if err := f.FailAuthentication(id); err != nil {
		t.Fatal(err)
	}
	pi, _ := f.Intent(id)
	if pi.Status != stripeclient.StatusRequiresPaymentMethod || pi.LastPaymentError.Code != stripeclient.CodeAuthenticationFailure || pi.PaymentMethod != "" {
		t.Errorf("got %s %+v", pi.Status, pi.LastPaymentError)
	}
	if err := f.FailAuthentication(id); err == nil {
		t.Error("FailAuthentication outside requires_action succeeded")
	}
	if err := f.Authenticate("pi_unknown"); !errors.Is(err, stripeclient.ErrResourceMissing) {
		t.Errorf("Authenticate(unknown) = %v, want resource_missing", err)
	}
	// Confirming without a new card is refused; with one it proceeds.
	if _, err := confirm(f, id); !errors.Is(err, stripeclient.ErrUnexpectedState) {
		t.Errorf("confirm without payment method: %v, want unexpected_state", err)
	}
}

func TestAutomaticConfirmationAuthenticates(t *testing.T) {
	f, _ := newFake(t)
	p := params("pm_card_authenticationRequired")
	p.ConfirmationMethod = ""
	pi := mustCreate(t, f, p)
	if pi.ConfirmationMethod != "automatic" || pi.Status != stripeclient.StatusRequiresAction {
		t.Fatalf("got %s %s", pi.ConfirmationMethod, pi.Status)
	}
	if err := f.Authenticate(pi.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.Intent(pi.ID); got.Status != stripeclient.StatusSucceeded {
		t.Errorf("status %s, want succeeded without a server confirm", got.Status)
	}
}

func TestCVCTokens(t *testing.T) {
	f, _ := newFake(t)
	cus := f.CreateCustomer()
	saved, err := f.AttachCard(cus, "pm_card_visa")
	if err != nil {
		t.Fatal(err)
	}
	failing, _ := f.AttachCard(cus, "pm_card_cvcCheckFail")
	pay := func(pm, token string) (*stripeclient.PaymentIntent, error) {
		p := params(pm)
		p.Customer, p.CVCToken = cus, token
		return f.CreatePaymentIntent(bg, p)
	}
	for _, bad := range []string{"", "12", "12345", "12a"} {
		if _, err := f.CreateCVCToken(bad); err == nil {
			t.Errorf("CreateCVCToken(%q) succeeded", bad)
		}
	}
	tok, err := f.CreateCVCToken("123")
	if err != nil {
		t.Fatal(err)
	}
	pi, err := pay(saved.ID, tok)
	if err != nil || pi.LatestCharge.CVCCheck != stripeclient.CVCCheckPass {
		t.Fatalf("with token: %v, cvc %q; want pass", err, pi.LatestCharge.CVCCheck)
	}
	_, err = pay(saved.ID, tok)
	if se := asError(t, err); se.Code != "token_already_used" || se.HTTPStatus != 400 {
		t.Errorf("second use: %v, want 400 token_already_used", err)
	}
	_, err = pay(saved.ID, "cvctok_unknown")
	if !errors.Is(err, stripeclient.ErrResourceMissing) {
		t.Errorf("unknown token: %v, want resource_missing", err)
	}
	pi, err = pay(saved.ID, "")
	if err != nil || pi.LatestCharge.CVCCheck != "" {
		t.Errorf("saved card without token: %v, cvc %q; want unchecked", err, pi.LatestCharge.CVCCheck)
	}
	tok2, _ := f.CreateCVCToken("1234")
	pi, err = pay(failing.ID, tok2)
	if err != nil || pi.Status != stripeclient.StatusSucceeded || pi.LatestCharge.CVCCheck != stripeclient.CVCCheckFail {
		t.Errorf("cvcCheckFail with token: %v, cvc %q; want succeeded with fail", err, pi.LatestCharge.CVCCheck)
	}
	// A token given to a create without confirm is used by the confirm.
	tok3, _ := f.CreateCVCToken("321")
	p := params(saved.ID)
	p.Customer, p.CVCToken, p.Confirm = cus, tok3, false
	pi = mustCreate(t, f, p)
	pi, err = confirm(f, pi.ID)
	if err != nil || pi.LatestCharge.CVCCheck != stripeclient.CVCCheckPass {
		t.Errorf("deferred token: %v, want pass", err)
	}
}

func TestSavedCards(t *testing.T) {
	f, _ := newFake(t)
	cus := f.CreateCustomer()
	offSession := func(pm string) (*stripeclient.PaymentIntent, error) {
		p := params(pm)
		p.Customer, p.OffSession = cus, true
		return f.CreatePaymentIntent(bg, p)
	}
	onSetup, _ := f.AttachCard(cus, "pm_card_authenticationRequiredOnSetup")
	if pi, err := offSession(onSetup.ID); err != nil || pi.Status != stripeclient.StatusSucceeded {
		t.Errorf("onSetup card set up, off-session: %v", err)
	}
	p := params(onSetup.ID)
	p.Customer = cus
	if pi := mustCreate(t, f, p); pi.Status != stripeclient.StatusRequiresAction {
		t.Errorf("onSetup card on-session: %s, want requires_action", pi.Status)
	}
	always, _ := f.AttachCard(cus, "pm_card_authenticationRequired")
	_, err := offSession(always.ID)
	if se := asError(t, err); se.Code != "authentication_required" || se.DeclineCode != "authentication_required" || !errors.Is(err, stripeclient.ErrCardDeclined) {
		t.Errorf("3DS card off-session: %v, want authentication_required decline", err)
	}
	if pi, err := offSession("pm_card_authenticationRequiredSetupForOffSession"); err != nil || pi.Status != stripeclient.StatusSucceeded {
		t.Errorf("SetupForOffSession card off-session: %v", err)
	}
	if _, err := offSession("pm_card_authenticationRequiredOnSetup"); !errors.Is(err, stripeclient.ErrCardDeclined) {
		t.Errorf("onSetup card never set up, off-session: %v, want authentication_required", err)
	}

	// setup_future_usage saves the card after the payment succeeds.
	p = params("pm_card_authenticationRequiredOnSetup")
	p.Customer, p.SetupFutureUsage = cus, "off_session"
	pi := mustCreate(t, f, p)
	if cards, _ := f.ListCards(bg, cus); len(cards) != 2 {
		t.Errorf("%d cards before the payment completed, want 2", len(cards))
	}
	_ = f.Authenticate(pi.ID)
	pi, err = confirm(f, pi.ID)
	if err != nil {
		t.Fatal(err)
	}
	cards, err := f.ListCards(bg, cus)
	if err != nil || len(cards) != 3 || cards[0].ID != pi.PaymentMethod || cards[2].ID != onSetup.ID {
		t.Fatalf("ListCards: %v %v, want newest (%s) first", err, cards, pi.PaymentMethod)
	}
	if pi, err := offSession(pi.PaymentMethod); err != nil || pi.Status != stripeclient.StatusSucceeded {
		t.Errorf("card saved with setup_future_usage, off-session: %v", err)
	}

	// Another customer's card is refused; detaching removes it from the list.
	other := f.CreateCustomer()
	p = params(onSetup.ID)
	p.Customer = other
	if _, err := f.CreatePaymentIntent(bg, p); !errors.Is(err, stripeclient.ErrInvalidRequest) {
		t.Errorf("another customer's card: %v, want invalid_request", err)
	}
	if err := f.DetachPaymentMethod(onSetup.ID); err != nil {
		t.Fatal(err)
	}
	if pm, _ := f.RetrievePaymentMethod(bg, onSetup.ID); pm.Customer != "" {
		t.Errorf("detached card still shows customer %s", pm.Customer)
	}
	if cards, _ := f.ListCards(bg, cus); len(cards) != 2 {
		t.Errorf("%d cards after detach, want 2", len(cards))
	}
	if cards, err := f.ListCards(bg, other); err != nil || len(cards) != 0 {
		t.Errorf("empty customer: %v %v", cards, err)
	}
	if _, err := f.AttachCard("cus_unknown", "pm_card_visa"); !errors.Is(err, stripeclient.ErrResourceMissing) {
		t.Errorf("AttachCard(unknown customer): %v", err)
	}
}

func TestServerSideValidation(t *testing.T) {
	f, _ := newFake(t)
	for _, tc := range []struct {
		amount             int64
		currency, customer string
		wantCode, param    string
	}{
		{100_000_000, "usd", "", stripeclient.CodeAmountTooLarge, "amount"},
		{99_999_999, "usd", "", "", ""},
		{1000, "USD", "", "", "currency"},
		{1000, "xyz", "", "", "currency"},
		{49, "usd", "", stripeclient.CodeAmountTooSmall, "amount"},
		{50, "usd", "", "", ""},
		{29, "gbp", "", stripeclient.CodeAmountTooSmall, "amount"},
		{30, "gbp", "", "", ""},
		{49, "jpy", "", stripeclient.CodeAmountTooSmall, "amount"},
		{50, "jpy", "", "", ""},
		{249, "dkk", "", stripeclient.CodeAmountTooSmall, "amount"},
		{299, "sek", "", stripeclient.CodeAmountTooSmall, "amount"},
		{999, "mxn", "", stripeclient.CodeAmountTooSmall, "amount"},
		{399, "hkd", "", stripeclient.CodeAmountTooSmall, "amount"},
		{1000, "usd", "cus_unknown", stripeclient.CodeResourceMissing, "customer"},
	} {
		p := params("pm_card_visa")
		p.Amount, p.Currency, p.Customer = tc.amount, tc.currency, tc.customer
		calls := f.CallCount()
		_, err := f.CreatePaymentIntent(bg, p)
		if f.CallCount() != calls+1 {
			t.Errorf("%d %s: not logged as a call", tc.amount, tc.currency)
		}
		if tc.param == "" {
			if err != nil {
				t.Errorf("%d %s: %v, want success", tc.amount, tc.currency, err)
			}
			continue
		}
		se := asError(t, err)
		if !errors.Is(se, stripeclient.ErrInvalidRequest) || se.HTTPStatus != 400 || se.Code != tc.wantCode || se.Param != tc.param {
			t.Errorf("%d %s %s: %v (code %q param %q), want 400 %q on %s", tc.amount, tc.currency, tc.customer, err, se.Code, se.Param, tc.wantCode, tc.param)
		}
	}
}

// TestClientValidationFirst: bad params return the *ParamError unchanged and
// never reach "Stripe".
func TestClientValidationFirst(t *testing.T) {
	f, _ := newFake(t)
	p := params("pm_card_visa")
	p.IdempotencyKey = ""
	_, err := f.CreatePaymentIntent(bg, p)
	var pe *stripeclient.ParamError
	if !errors.As(err, &pe) || !errors.Is(err, stripeclient.ErrInvalidParams) {
		t.Errorf("keyless create: %v, want *ParamError", err)
	}
	_, err1 := f.ConfirmPaymentIntent(bg, "pi_x", stripeclient.ConfirmParams{})
	_, err2 := f.CapturePaymentIntent(bg, "ch_x", stripeclient.CaptureParams{IdempotencyKey: "k"})
	_, err3 := f.CancelPaymentIntent(bg, "", stripeclient.CancelParams{IdempotencyKey: "k"})
	_, err4 := f.RetrievePaymentIntent(bg, "pi_x_secret_y")
	_, err5 := f.RetrievePaymentMethod(bg, "card_x")
	_, err6 := f.ListCards(bg, "")
	for i, err := range []error{err1, err2, err3, err4, err5, err6} {
		if !errors.Is(err, stripeclient.ErrInvalidParams) {
			t.Errorf("case %d: %v, want ErrInvalidParams", i+1, err)
		}
	}
	if n := f.CallCount(); n != 0 {
		t.Errorf("%d calls logged, want 0", n)
	}
}

func TestSnapshotsAreCopies(t *testing.T) {
	f, _ := newFake(t)
	p := params("pm_card_visa")
	pi := mustCreate(t, f, p)
	p.Metadata["order_id"] = "changed by caller"
	pi.Metadata["order_id"] = "changed too"
	pi.LatestCharge.Status = "x"
	got, _ := f.RetrievePaymentIntent(bg, pi.ID)
	if got.Metadata["order_id"] != "o-1" || got.LatestCharge.Status != "succeeded" {
		t.Errorf("stored intent changed through a returned copy: %v %s", got.Metadata, got.LatestCharge.Status)
	}
	f.Charges()[0].Metadata["order_id"] = "x"
	if ch := f.ChargesWhere("order_id", "o-1"); len(ch) != 1 {
		t.Errorf("ChargesWhere: %d, want 1", len(ch))
	}
	if ch := f.ChargesWhere("order_id", "o-2"); len(ch) != 0 {
		t.Errorf("ChargesWhere other order: %d, want 0", len(ch))
	}
}

func TestSeedIsDeterministicAndResetForgets(t *testing.T) {
	run := func(f *stripetest.Fake) string {
		pi, _ := f.CreatePaymentIntent(bg, stripeclient.CreateParams{IdempotencyKey: "k", Amount: 1000, Currency: "usd", PaymentMethod: "pm_card_visa", Confirm: true, PaymentMethodTypes: []string{"card"}})
		return pi.ID + pi.PaymentMethod + pi.LatestCharge.ID + pi.ClientSecret
	}
	a, b := stripetest.New(stripetest.Config{Seed: 3}), stripetest.New(stripetest.Config{Seed: 3})
	first := run(a)
	if first != run(b) {
		t.Error("same seed, different IDs")
	}
	if first == run(stripetest.New(stripetest.Config{Seed: 4})) {
		t.Error("different seeds, same IDs")
	}
	a.InjectFault(stripetest.Fault{Kind: stripetest.FaultNetwork})
	a.Reset()
	if len(a.Intents()) != 0 || a.CallCount() != 0 || len(a.Charges()) != 0 {
		t.Error("Reset kept state")
	}
	if run(a) != first {
		t.Error("after Reset the same seed gave other IDs, or a fault survived Reset")
	}
}

// TestConfirmChangesCaptureMethod: Stripe's confirm takes capture_method, so
// a later attempt on an intent can authorise only.
func TestConfirmChangesCaptureMethod(t *testing.T) {
	f := stripetest.New(stripetest.Config{Seed: 3})
	ctx := context.Background()
	_, err := f.CreatePaymentIntent(ctx, stripeclient.CreateParams{IdempotencyKey: "c", Amount: 1000, Currency: "usd", PaymentMethod: "pm_card_visa_chargeDeclined", Confirm: true, ConfirmationMethod: "manual", PaymentMethodTypes: []string{"card"}})
	var se *stripeclient.Error
	if !errors.As(err, &se) || se.PaymentIntent == nil {
		t.Fatalf("decline: %v", err)
	}
	pi, err := f.ConfirmPaymentIntent(ctx, se.PaymentIntent.ID, stripeclient.ConfirmParams{IdempotencyKey: "k", PaymentMethod: "pm_card_visa", CaptureMethod: "manual"})
	if err != nil || pi.Status != stripeclient.StatusRequiresCapture || pi.CaptureMethod != "manual" {
		t.Fatalf("confirm with capture_method manual: %+v, %v", pi, err)
	}
	_, err = f.ConfirmPaymentIntent(ctx, pi.ID, stripeclient.ConfirmParams{IdempotencyKey: "k", PaymentMethod: "pm_card_visa"})
	if !errors.Is(err, stripeclient.ErrIdempotency) {
		t.Errorf("same key without capture_method: %v, want idempotency_error", err)
	}
}

// TestZeroFakeWorks: a zero Fake behaves as New(Config{}).
func TestZeroFakeWorks(t *testing.T) {
	var f stripetest.Fake
	pi, err := f.CreatePaymentIntent(bg, params("pm_card_authenticationRequired"))
	if err != nil || pi.Status != stripeclient.StatusRequiresAction {
		t.Fatalf("create on a zero Fake: %v", err)
	}
	if err := f.Authenticate(pi.ID); err != nil {
		t.Fatal(err)
	}
	if pi, err = confirm(&f, pi.ID); err != nil || pi.Status != stripeclient.StatusSucceeded {
		t.Fatalf("confirm on a zero Fake: %v", err)
	}
	cus := f.CreateCustomer()
	if _, err := f.AttachCard(cus, "pm_card_visa"); err != nil {
		t.Fatal(err)
	}
	if len(f.Intents()) != 1 || len(f.Charges()) != 1 || f.CallCount() != 2 {
		t.Errorf("zero Fake: %d intents, %d charges, %d calls; want 1, 1, 2", len(f.Intents()), len(f.Charges()), f.CallCount())
	}
	f.Reset()
	if len(f.Intents()) != 0 {
		t.Error("Reset kept intents")
	}
}
