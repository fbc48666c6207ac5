package confirm_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// One charge per order, whatever the client does.

func TestDoubleSubmit(t *testing.T) {
	e := newEnv(t)
	o := order("double")
	first := e.pay(o, byMethod("pm_card_visa"))
	second := e.pay(o, byMethod("pm_card_visa"))
	if first.IntentID != second.IntentID || second.Outcome != confirm.Succeeded {
		t.Errorf("second submit: %v on %s, want Succeeded on %s", second.Outcome, second.IntentID, first.IntentID)
	}
	if got := e.moneyMoved(o.ID); got != 1 {
		t.Errorf("%d charges, want 1", got)
	}
}

func TestRetryAfterLostResponse(t *testing.T) {
	for _, retryCard := range []string{"pm_card_visa", "pm_card_mastercard"} {
		t.Run(retryCard, func(t *testing.T) {
			e := newEnv(t)
			o := order("lost-" + retryCard)
			e.fake.InjectFault(stripetest.Fault{Op: stripetest.OpCreate, Kind: stripetest.FaultResponseLost})
			_, err := e.flow.Pay(context.Background(), o, byMethod("pm_card_visa"))
			if !errors.Is(err, confirm.ErrStripeUnavailable) || !confirm.RetrySafe(err) {
				t.Fatalf("lost response: %v, want retry-safe ErrStripeUnavailable", err)
			}
			if got := e.moneyMoved(o.ID); got != 1 {
				t.Fatalf("the lost call should have charged once, got %d", got)
			}
			// The browser retries, with the same card or (a fresh
			// createPaymentMethod) another one: the charge already made is
			// found and reported, nothing is charged again.
			res := e.pay(o, byMethod(retryCard))
			if res.Outcome != confirm.Succeeded {
				t.Fatalf("retry: %v", res.Outcome)
			}
			if got := e.moneyMoved(o.ID); got != 1 {
				t.Errorf("%d charges after the retry, want 1", got)
			}
			if n := len(e.fake.Intents()); n != 1 {
				t.Errorf("%d intents, want 1", n)
			}
		})
	}
}

func TestFaultsBeforeWorkAreRetrySafe(t *testing.T) {
	kinds := []stripetest.FaultKind{stripetest.FaultNetwork, stripetest.FaultAPIError500, stripetest.FaultAPIError503, stripetest.FaultRateLimit, stripetest.FaultLockTimeout}
	for _, k := range kinds {
		t.Run(fmt.Sprint(k), func(t *testing.T) {
			e := newEnv(t)
			o := order(fmt.Sprint("fault-", k))
			e.fake.InjectFault(stripetest.Fault{Op: stripetest.OpCreate, Kind: k})
			_, err := e.flow.Pay(context.Background(), o, byMethod("pm_card_visa"))
			if !errors.Is(err, confirm.ErrStripeUnavailable) || !confirm.RetrySafe(err) {
				t.Fatalf("got %v, want retry-safe ErrStripeUnavailable", err)
			}
			if resp := confirm.ErrorResponse(err); resp.HTTPStatus != 503 || strings.Contains(resp.Error, "stripeclient") {
				t.Errorf("response %+v", resp)
			}
			res := e.pay(o, byMethod("pm_card_mastercard"))
			if res.Outcome != confirm.Succeeded || e.moneyMoved(o.ID) != 1 {
				t.Errorf("retry: %v, %d charges", res.Outcome, e.moneyMoved(o.ID))
			}
		})
	}
}

func TestKeyInUseIsPaymentInProgress(t *testing.T) {
	e := newEnv(t)
	e.fake.InjectFault(stripetest.Fault{Op: stripetest.OpCreate, Kind: stripetest.FaultKeyInUse})
	_, err := e.flow.Pay(context.Background(), order("busy"), byMethod("pm_card_visa"))
	if !errors.Is(err, confirm.ErrPaymentInProgress) || !confirm.RetrySafe(err) {
		t.Fatalf("got %v, want ErrPaymentInProgress", err)
	}
	if resp := confirm.ErrorResponse(err); resp.HTTPStatus != 409 {
		t.Errorf("response %+v", resp)
	}
}

func TestSecondCardAfterDecline(t *testing.T) {
	e := newEnv(t)
	o := order("redo")
	declined := e.pay(o, byMethod("pm_card_visa_chargeDeclinedInsufficientFunds"))
	if declined.Outcome != confirm.Failed || declined.Message == "" || declined.IntentID == "" {
		t.Fatalf("decline: %+v", declined)
	}
	paid := e.pay(o, byMethod("pm_card_visa"))
	again := e.pay(o, byMethod("pm_card_mastercard"))
	if paid.Outcome != confirm.Succeeded || paid.IntentID != declined.IntentID || again.IntentID != declined.IntentID {
		t.Fatalf("paid %v on %s, again on %s; want one intent %s", paid.Outcome, paid.IntentID, again.IntentID, declined.IntentID)
	}
	if got := e.moneyMoved(o.ID); got != 1 {
		t.Errorf("%d charges, want 1", got)
	}
}

func TestReplayedIntentID(t *testing.T) {
	e := newEnv(t)
	o := order("replay")
	res := e.pay(o, byMethod("pm_card_authenticationRequired"))
	e.fake.Authenticate(res.IntentID)
	for i := 0; i < 3; i++ {
		if got := e.pay(o, byIntent(res.IntentID)); got.Outcome != confirm.Succeeded {
			t.Fatalf("post %d: %v", i, got.Outcome)
		}
	}
	// Another Flow (another instance, no shared Store) sees the same.
	other := confirm.New(e.fake, confirm.Config{})
	if got, err := other.Pay(context.Background(), o, byIntent(res.IntentID)); err != nil || got.Outcome != confirm.Succeeded {
		t.Fatalf("other instance: %v, %v", got.Outcome, err)
	}
	if got := e.moneyMoved(o.ID); got != 1 {
		t.Errorf("%d charges, want 1", got)
	}
}

func TestConcurrentSubmissions(t *testing.T) {
	e := newEnv(t)
	o := order("rush")
	cards := []string{"pm_card_visa", "pm_card_mastercard", "pm_card_visa_chargeDeclined", "pm_card_authenticationRequired"}
	var wg sync.WaitGroup
	results := make([]confirm.Result, 100)
	errs := make([]error, 100)
	for i := range results {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results[i], errs[i] = e.flow.Pay(context.Background(), o, byMethod(cards[i%len(cards)]))
		}(i)
	}
	wg.Wait()
	intents := map[string]bool{}
	for i, err := range errs {
		switch {
		case err == nil:
			intents[results[i].IntentID] = true
		case errors.Is(err, confirm.ErrPaymentInProgress):
		default:
			t.Errorf("submission %d: unexpected error %v", i, err)
		}
	}
	if len(intents) > 1 {
		t.Errorf("%d intents for one order: %v", len(intents), intents)
	}
	if got := e.moneyMoved(o.ID); got > 1 {
		t.Errorf("%d charges, want at most 1", got)
	}
	if n := len(e.fake.Intents()); n != 1 {
		t.Errorf("fake holds %d intents, want 1", n)
	}
}

// The server decides the amount.

func TestIntentBinding(t *testing.T) {
	e := newEnv(t)
	cus := e.fake.CreateCustomer()
	other := e.fake.CreateCustomer()
	mine := order("mine")
	mine.Customer = cus

	// An intent that paused for 3-D Secure, created for a different order…
	theirs := order("theirs")
	theirs.Customer = cus
	foreign := e.pay(theirs, byMethod("pm_card_authenticationRequired"))
	e.fake.Authenticate(foreign.IntentID)
	// …a cheaper one created for "mine" directly at Stripe…
	cheap, err := e.fake.CreatePaymentIntent(context.Background(), stripeclient.CreateParams{
		IdempotencyKey: "cheap", Amount: 100, Currency: "usd", Customer: cus,
		PaymentMethod: "pm_card_authenticationRequired", Confirm: true, ConfirmationMethod: "manual",
		PaymentMethodTypes: []string{"card"}, Metadata: map[string]string{confirm.DefaultMetadataKey: "mine"},
	})
	if err != nil {
		t.Fatal(err)
	}
	e.fake.Authenticate(cheap.ID)
	// …and one of another customer.
	elsewhere, err := e.fake.CreatePaymentIntent(context.Background(), stripeclient.CreateParams{
		IdempotencyKey: "elsewhere", Amount: mine.Amount, Currency: "usd", Customer: other,
		PaymentMethod: "pm_card_authenticationRequired", Confirm: true, ConfirmationMethod: "manual",
		PaymentMethodTypes: []string{"card"}, Metadata: map[string]string{confirm.DefaultMetadataKey: "mine"},
	})
	if err != nil {
		t.Fatal(err)
	}
	e.fake.Authenticate(elsewhere.ID)
	eur, err := e.fake.CreatePaymentIntent(context.Background(), stripeclient.CreateParams{
		IdempotencyKey: "eur", Amount: mine.Amount, Currency: "eur", Customer: cus,
		PaymentMethod: "pm_card_authenticationRequired", Confirm: true, ConfirmationMethod: "manual",
		PaymentMethodTypes: []string{"card"}, Metadata: map[string]string{confirm.DefaultMetadataKey: "mine"},
	})
	if err != nil {
		t.Fatal(err)
	}
	e.fake.Authenticate(eur.ID)

	for name, id := range map[string]string{"other order": foreign.IntentID, "cheaper": cheap.ID, "other customer": elsewhere.ID, "other currency": eur.ID, "unknown": "pi_doesnotexist"} {
		before := e.writes()
		_, err := e.flow.Pay(context.Background(), mine, byIntent(id))
		if !errors.Is(err, confirm.ErrOrderMismatch) || confirm.RetrySafe(err) {
			t.Errorf("%s: got %v, want ErrOrderMismatch", name, err)
		}
		if e.writes() != before {
			t.Errorf("%s: a write was made", name)
		}
	}
	// Once "mine" has its own intent, any other intent is refused without a call.
	own := e.pay(mine, byMethod("pm_card_visa"))
	calls := len(e.fake.Calls())
	if _, err := e.flow.Pay(context.Background(), mine, byIntent(foreign.IntentID)); !errors.Is(err, confirm.ErrOrderMismatch) {
		t.Errorf("foreign intent after own %s: %v", own.IntentID, err)
	}
	if len(e.fake.Calls()) != calls {
		t.Error("refusing a foreign intent cost a Stripe call")
	}
	// The order's terms cannot change under its intent.
	dearer := mine
	dearer.Amount = 5000
	if _, err := e.flow.Pay(context.Background(), dearer, byMethod("pm_card_visa")); !errors.Is(err, confirm.ErrOrderMismatch) {
		t.Errorf("changed amount: %v", err)
	}
	for _, id := range []string{foreign.IntentID, cheap.ID, elsewhere.ID, eur.ID} {
		if pi, _ := e.fake.Intent(id); pi.Status == stripeclient.StatusSucceeded {
			t.Errorf("intent %s was confirmed", id)
		}
	}
}

// Bad input costs nothing.

func TestBadInputCostsNothing(t *testing.T) {
	good := order("bad-input")
	tests := []struct {
		name  string
		order confirm.Order
		req   confirm.Request
		want  error
	}{
		{"no id", confirm.Order{Amount: 2000, Currency: "usd"}, byMethod("pm_card_visa"), confirm.ErrInvalidOrder},
		{"zero amount", confirm.Order{ID: "x", Currency: "usd"}, byMethod("pm_card_visa"), confirm.ErrInvalidOrder},
		{"negative amount", confirm.Order{ID: "x", Amount: -2000, Currency: "usd"}, byMethod("pm_card_visa"), confirm.ErrInvalidOrder},
		{"upper currency", confirm.Order{ID: "x", Amount: 2000, Currency: "USD"}, byMethod("pm_card_visa"), confirm.ErrInvalidOrder},
		{"too small", confirm.Order{ID: "x", Amount: 10, Currency: "usd"}, byMethod("pm_card_visa"), confirm.ErrInvalidOrder},
		{"empty request", good, confirm.Request{}, confirm.ErrInvalidRequest},
		{"both ids", good, confirm.Request{PaymentMethodID: "pm_card_visa", PaymentIntentID: "pi_1"}, confirm.ErrInvalidRequest},
		{"bad pm", good, byMethod("card_visa"), confirm.ErrInvalidRequest},
		{"secret as intent", good, byIntent("pi_1_secret_2"), confirm.ErrInvalidRequest},
		{"bad token", good, confirm.Request{PaymentMethodID: "pm_card_visa", CVCToken: "tok_1"}, confirm.ErrInvalidRequest},
	}
	for _, tt := range tests {
		e := newEnv(t)
		_, err := e.flow.Pay(context.Background(), tt.order, tt.req)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.want)
		}
		if n := len(e.fake.Calls()); n != 0 {
			t.Errorf("%s: %d Stripe calls, want 0", tt.name, n)
		}
		if resp := confirm.ErrorResponse(err); resp.HTTPStatus < 400 || resp.Error == "" {
			t.Errorf("%s: response %+v", tt.name, resp)
		}
	}
}

// Secrets stay secret: a client secret leaves the library only inside a RequiresAction result.
func TestSecretsOnlyInRequiresAction(t *testing.T) {
	e := newEnv(t)
	o := order("secret")
	res := e.pay(o, byMethod("pm_card_threeDSecureRequiredChargeDeclined"))
	secret := res.ClientSecret
	e.fake.Authenticate(res.IntentID)
	res = e.pay(o, byIntent(res.IntentID))
	if res.ClientSecret != "" || strings.Contains(fmt.Sprintf("%+v", res.Response()), secret) {
		t.Errorf("secret in a %v result", res.Outcome)
	}
	_, err := e.flow.Pay(context.Background(), order("secret-2"), byIntent(res.IntentID))
	if err == nil || strings.Contains(err.Error(), "_secret_") {
		t.Errorf("error %v", err)
	}
}

// TestInstancesWithoutSharedStore shows the order-derived creation key at
// work where no Store can help: each instance has its own MemoryStore, so
// only Stripe's idempotency stands between them and a second charge.
func TestInstancesWithoutSharedStore(t *testing.T) {
	e := newEnv(t)
	o := order("instances")
	a := confirm.New(e.fake, confirm.Config{})
	b := confirm.New(e.fake, confirm.Config{})
	res, err := a.Pay(context.Background(), o, byMethod("pm_card_visa"))
	if err != nil || res.Outcome != confirm.Succeeded {
		t.Fatalf("instance a: %v, %v", res.Outcome, err)
	}
	// Same card on b: Stripe replays a's creation.
	if res, err := b.Pay(context.Background(), o, byMethod("pm_card_visa")); err != nil || res.IntentID == "" {
		t.Fatalf("instance b, same card: %+v, %v", res, err)
	}
	// Another card on a third instance: Stripe refuses the key (it holds
	// a's creation), the instance has no record, so it asks Stripe's search
	// and finds the order's intent, paid: no second intent.
	c := confirm.New(e.fake, confirm.Config{})
	if res, err := c.Pay(context.Background(), o, byMethod("pm_card_mastercard")); err != nil || res.Outcome != confirm.Succeeded {
		t.Fatalf("instance c, other card: %+v, %v, want Succeeded", res, err)
	}
	if got := e.moneyMoved(o.ID); got != 1 {
		t.Errorf("%d charges, want 1", got)
	}
	if n := len(e.fake.Intents()); n != 1 {
		t.Errorf("%d intents, want 1", n)
	}
}

// TestConcurrentInstances submits one order from many goroutines spread
// over several instances that share nothing but Stripe.
func TestConcurrentInstances(t *testing.T) {
	e := newEnv(t)
	o := order("stampede")
	flows := make([]*confirm.Flow, 8)
	for i := range flows {
		flows[i] = confirm.New(e.fake, confirm.Config{})
	}
	cards := []string{"pm_card_visa", "pm_card_mastercard", "pm_card_amex"}
	var wg sync.WaitGroup
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, err := flows[i%len(flows)].Pay(context.Background(), o, byMethod(cards[i%len(cards)]))
			if err != nil && !errors.Is(err, confirm.ErrPaymentInProgress) {
				t.Errorf("submission %d: %v", i, err)
			}
		}(i)
	}
	wg.Wait()
	if got := e.moneyMoved(o.ID); got != 1 {
		t.Errorf("%d charges, want 1", got)
	}
	if n := len(e.fake.Intents()); n != 1 {
		t.Errorf("%d intents, want 1", n)
	}
}

// TestRefusedFirstAttemptIsForgotten: Stripe stores nothing for a request it
// refuses before running it, so the Flow must not keep replaying it.
func TestRefusedFirstAttemptIsForgotten(t *testing.T) {
	e := newEnv(t)
	o := order("refused")
	_, err := e.flow.Pay(context.Background(), o, byMethod("pm_doesnotexist"))
	if !errors.Is(err, confirm.ErrInvalidRequest) {
		t.Fatalf("unknown card: %v, want ErrInvalidRequest", err)
	}
	res := e.pay(o, byMethod("pm_card_visa"))
	if res.Outcome != confirm.Succeeded || e.moneyMoved(o.ID) != 1 {
		t.Fatalf("good card after a refused one: %v, %d charges", res.Outcome, e.moneyMoved(o.ID))
	}
}
