package confirm_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/internal/fakesetting"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// TestRefusedCreationsThenAGoodCard: the order's creation is refused twice
// (a card of another customer: Stripe looks at the PaymentMethod and
// refuses it, making no intent), then a good card pays. Whether Stripe
// stores those refusals under the creation key is left open by its docs
// (stripetest.Config.StoreStateErrors; TestMain runs both settings). Not
// stored: the key is free and every creation goes out under CreateKey.
// Stored: the key answers any other creation idempotency_error for 24
// hours; the Flow replays the refused creation, gets the same refusal, and
// only then moves to the next attempt's key. Either way one intent, one
// charge, and an instance that lost its record finds that intent rather
// than making a second.
func TestRefusedCreationsThenAGoodCard(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	o := order("refused-twice")
	o.Customer = e.fake.CreateCustomer()
	other := e.fake.CreateCustomer()
	var foreign []string
	for range 2 {
		pm, err := e.fake.AttachCard(other, "pm_card_visa")
		if err != nil {
			t.Fatal(err)
		}
		foreign = append(foreign, pm.ID)
	}
	for _, pm := range foreign {
		if _, err := e.flow.Pay(ctx, o, byMethod(pm)); !errors.Is(err, confirm.ErrInvalidRequest) {
			t.Fatalf("another customer's card: %v, want ErrInvalidRequest", err)
		}
	}
	res := e.pay(o, byMethod("pm_card_visa"))
	if res.Outcome != confirm.Succeeded || e.moneyMoved(o.ID) != 1 {
		t.Fatalf("good card after two refused ones: %v, %d charges", res.Outcome, e.moneyMoved(o.ID))
	}

	k := func(n int) string { return confirm.CreateAttemptKey(confirm.DefaultNamespace, o.ID, n) }
	want := []string{k(0), k(0), k(0)} // refused, refused again, created
	if fakesetting.StoreStateErrors() {
		want = []string{
			k(0),             // refused, and stored
			k(0), k(0), k(1), // the next card: idempotency_error, the refusal replayed, attempt 1 refused and stored
			k(1), k(1), k(2), // the good card: idempotency_error, the refusal replayed, attempt 2 created
		}
	}
	var got []string
	for _, c := range e.fake.Calls() {
		if c.Op == stripetest.OpCreate {
			got = append(got, c.IdempotencyKey)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("creation keys (StoreStateErrors=%v):\n got %q\nwant %q", fakesetting.StoreStateErrors(), got, want)
	}

	// An instance whose Store lost the record starts over at CreateKey:
	// Stripe refuses its creation there (idempotency_error), and its
	// search finds the order's one intent.
	lost := confirm.New(e.fake, confirm.Config{Now: e.clock.Now})
	again := e.payWith(lost, o, byMethod("pm_card_mastercard"))
	if again.Outcome != confirm.Succeeded || again.IntentID != res.IntentID || e.moneyMoved(o.ID) != 1 {
		t.Fatalf("instance without the record: %v %s (want %s), %d charges", again.Outcome, again.IntentID, res.IntentID, e.moneyMoved(o.ID))
	}
	n := 0
	for _, pi := range e.fake.Intents() {
		if pi.Metadata[confirm.DefaultMetadataKey] == o.ID {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d intents for the order, want 1", n)
	}
}

// TestSameCardAuthenticatedAgainAfterTheHourRanOut: the customer
// authenticates a card, comes back after Stripe's hour (the confirmation
// is refused: payment_intent_unexpected_state, no charge), then tries the
// same card again and authenticates in time. Both returns derive the same
// ConfirmActionKey (same intent, card and latest charge). Where Stripe
// stores the first refusal under it, the second return replays it; the
// Flow reads the intent back, sees it waiting for this confirmation, and
// confirms under the next key of the chain. The payment goes through
// under both settings.
func TestSameCardAuthenticatedAgainAfterTheHourRanOut(t *testing.T) {
	e := newEnv(t)
	o := order("same-card-twice")
	pm := "pm_card_authenticationRequired"
	res := e.pay(o, byMethod(pm))
	if res.Outcome != confirm.RequiresAction {
		t.Fatalf("first attempt: %v, want RequiresAction", res.Outcome)
	}
	if err := e.fake.Authenticate(res.IntentID); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(61 * time.Minute)
	if late := e.pay(o, byIntent(res.IntentID)); late.Outcome != confirm.Failed {
		t.Fatalf("return after the hour: %v, want Failed", late.Outcome)
	}
	card := e.fake.Intents()[0].LastPaymentError.PaymentMethod // the card as Stripe knows it
	if again := e.pay(o, byMethod(card)); again.Outcome != confirm.RequiresAction {
		t.Fatalf("same card again: %v, want RequiresAction", again.Outcome)
	}
	if err := e.fake.Authenticate(res.IntentID); err != nil {
		t.Fatal(err)
	}
	if done := e.pay(o, byIntent(res.IntentID)); done.Outcome != confirm.Succeeded || e.moneyMoved(o.ID) != 1 {
		t.Fatalf("return in time: %v, %d charges; want Succeeded, 1", done.Outcome, e.moneyMoved(o.ID))
	}
}
