package stripetest_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// tokenParams is params without a card, confirmed by a ConfirmationToken.
func tokenParams(token string) stripeclient.CreateParams {
	p := params("")
	p.Confirm, p.ConfirmationToken = true, token
	return p
}

func mustToken(t *testing.T, f *stripetest.Fake, card string) string {
	t.Helper()
	tok, err := f.CreateConfirmationToken(card)
	if err != nil {
		t.Fatal(err)
	}
	if !stripeclient.ValidID(tok, stripeclient.PrefixConfirmationToken) {
		t.Fatalf("token %q is not a ctoken_… ID", tok)
	}
	return tok
}

// TestConfirmationTokenBecomesPaymentMethod: a creation confirmed with a
// token pays with a new pm_… of the token's card, which the token's
// payment_method_preview described beforehand, and the token records the
// intent it confirmed.
func TestConfirmationTokenBecomesPaymentMethod(t *testing.T) {
	f, _ := newFake(t)
	tok := mustToken(t, f, "pm_card_mastercard")
	before, ok := f.ConfirmationTokenInfo(tok)
	if !ok || before.PaymentIntent != "" || before.PaymentMethodPreview.Type != "card" ||
		before.PaymentMethodPreview.Card.Brand != "mastercard" || before.PaymentMethodPreview.Card.Last4 != "4444" {
		t.Fatalf("fresh token %+v (card %+v), want an unused mastercard …4444 preview", before, before.PaymentMethodPreview.Card)
	}
	if got := before.ExpiresAt.Sub(before.Created); got != stripetest.DefaultConfirmationTokenLifetime {
		t.Errorf("token lives %v, want %v", got, stripetest.DefaultConfirmationTokenLifetime)
	}
	pi := mustCreate(t, f, tokenParams(tok))
	if pi.Status != stripeclient.StatusSucceeded || !stripeclient.ValidID(pi.PaymentMethod, stripeclient.PrefixPaymentMethod) || pi.PaymentMethod == "pm_card_mastercard" {
		t.Fatalf("intent %s with payment method %q, want succeeded with a new pm_…", pi.Status, pi.PaymentMethod)
	}
	pm, err := f.RetrievePaymentMethod(bg, pi.PaymentMethod)
	if err != nil || pm.Card.Last4 != "4444" {
		t.Fatalf("payment method %+v, %v: want the token's card", pm, err)
	}
	after, _ := f.ConfirmationTokenInfo(tok)
	if after.PaymentIntent != pi.ID || after.PaymentMethod != pi.PaymentMethod {
		t.Errorf("used token %+v, want payment intent %s and payment method %s", after, pi.ID, pi.PaymentMethod)
	}
}

// TestConfirmationTokenBehavesAsItsCard: the token's card decides the
// payment, as its pm_card_… would: 3-D Secure, then the server confirms
// again (manual confirmation); a decline carries the intent.
func TestConfirmationTokenBehavesAsItsCard(t *testing.T) {
	f, _ := newFake(t)
	pi := mustCreate(t, f, tokenParams(mustToken(t, f, "pm_card_authenticationRequired")))
	if pi.Status != stripeclient.StatusRequiresAction || pi.NextAction == nil || pi.NextAction.Type != stripeclient.NextActionUseStripeSDK {
		t.Fatalf("status %s next action %+v, want requires_action use_stripe_sdk", pi.Status, pi.NextAction)
	}
	if err := f.Authenticate(pi.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.Intent(pi.ID); got.Status != stripeclient.StatusRequiresConfirmation {
		t.Fatalf("after authentication %s, want requires_confirmation (manual confirmation)", got.Status)
	}
	if done, err := confirm(f, pi.ID); err != nil || done.Status != stripeclient.StatusSucceeded {
		t.Fatalf("confirm after 3-D Secure: %v, %v", done, err)
	}

	_, err := f.CreatePaymentIntent(bg, tokenParams(mustToken(t, f, "pm_card_visa_chargeDeclinedInsufficientFunds")))
	declined := intentOf(t, nil, err)
	if !errors.Is(err, stripeclient.ErrCardDeclined) || declined.Status != stripeclient.StatusRequiresPaymentMethod ||
		declined.LastPaymentError == nil || declined.LastPaymentError.DeclineCode != "insufficient_funds" {
		t.Fatalf("got %v (intent %+v), want insufficient_funds carrying the intent", err, declined)
	}

	// Another card after the decline: a confirmation with a new token.
	again, err := f.ConfirmPaymentIntent(bg, declined.ID, stripeclient.ConfirmParams{IdempotencyKey: newKey(), ConfirmationToken: mustToken(t, f, "pm_card_visa")})
	if err != nil || again.Status != stripeclient.StatusSucceeded || again.PaymentMethod == declined.LastPaymentError.PaymentMethod {
		t.Fatalf("confirm with a new token: %+v, %v; want succeeded with a new card", again, err)
	}
}

// TestConfirmationTokenRefusals: a token is single-use, expires, and an
// unknown one is resource_missing; each is a 400 before anything is
// charged. A replay under the creation's key is not a second use.
func TestConfirmationTokenRefusals(t *testing.T) {
	f, clock := newFake(t)
	tok := mustToken(t, f, "pm_card_visa")
	p := tokenParams(tok)
	first := mustCreate(t, f, p)
	if replay := mustCreate(t, f, p); replay.ID != first.ID {
		t.Fatalf("replay under the same key made %s, want %s", replay.ID, first.ID)
	}

	reused := tokenParams(tok) // a new key
	_, err := f.CreatePaymentIntent(bg, reused)
	if se := asError(t, err); se.HTTPStatus != 400 || se.Param != "confirmation_token" || !strings.Contains(se.Message, "already been used") {
		t.Errorf("reused token: %v, want a 400 on confirmation_token", err)
	}

	stale := mustToken(t, f, "pm_card_visa")
	clock.Advance(stripetest.DefaultConfirmationTokenLifetime)
	_, err = f.CreatePaymentIntent(bg, tokenParams(stale))
	if se := asError(t, err); se.HTTPStatus != 400 || se.Param != "confirmation_token" || !strings.Contains(se.Message, "expired") {
		t.Errorf("expired token: %v, want a 400 on confirmation_token", err)
	}

	open := mustCreate(t, f, params(""))
	_, err = f.ConfirmPaymentIntent(bg, open.ID, stripeclient.ConfirmParams{IdempotencyKey: newKey(), ConfirmationToken: "ctoken_unknown"})
	if se := asError(t, err); se.HTTPStatus != 400 || !errors.Is(err, stripeclient.ErrResourceMissing) {
		t.Errorf("unknown token: %v, want 400 resource_missing", err)
	}

	if n := len(f.Charges()); n != 1 {
		t.Errorf("%d charges, want 1: refusals charge nothing", n)
	}
	if _, err := f.CreateConfirmationToken("pm_card_unknown"); err == nil {
		t.Error("CreateConfirmationToken accepted a card the fake does not know")
	}
}

// TestConfirmationTokenLifetime: Config.ConfirmationTokenLifetime
// shortens the window (Stripe's Android reference says 15 minutes).
func TestConfirmationTokenLifetime(t *testing.T) {
	f, clock := newFakeWith(t, func(c *stripetest.Config) { c.ConfirmationTokenLifetime = 15 * time.Minute })
	tok := mustToken(t, f, "pm_card_visa")
	clock.Advance(15*time.Minute - time.Second)
	if _, err := f.CreatePaymentIntent(bg, tokenParams(tok)); err != nil {
		t.Fatalf("token used a second before it expires: %v", err)
	}
	late := mustToken(t, f, "pm_card_visa")
	clock.Advance(15 * time.Minute)
	if _, err := f.CreatePaymentIntent(bg, tokenParams(late)); err == nil {
		t.Fatal("token used at its expiry was accepted")
	}
}
