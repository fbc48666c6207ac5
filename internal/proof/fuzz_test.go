package proof_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/cvc"
	"github.com/cardconfirm/cardconfirm/internal/fakesetting"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// succeedingCards are the magic IDs that pay without 3-D Secure: the only
// thing a request may name and get charged in one step.
var succeedingCards = func() []string {
	var out []string
	for _, c := range stripetest.TestCards() {
		if c.Outcome == stripetest.OutcomeSucceeded {
			out = append(out, c.PaymentMethod)
		}
	}
	return out
}()

// checkAnswer holds for every answer of Pay: no secret in an error string,
// a client secret only with RequiresAction.
func checkAnswer(t *testing.T, res confirm.Result, err error) {
	t.Helper()
	if err != nil {
		if m := findSecret(err.Error()); m != "" {
			t.Fatalf("error string holds %q: %v", m, err)
		}
		return
	}
	if (res.Outcome == confirm.RequiresAction) != (res.ClientSecret != "") {
		t.Fatalf("%v with client secret %v", res.Outcome, res.ClientSecret != "")
	}
}

// FuzzPayRequest feeds a request body, decoded as a host's handler does,
// and an order into Flow.Pay on the fake. Input that DecodeRequest or
// validation refuses must be a typed error and cost no Stripe call; no
// input may panic, move money twice, or move money unless it names a card
// that pays.
func FuzzPayRequest(f *testing.F) {
	f.Add([]byte(`{"payment_method_id":"pm_card_visa"}`), "order-1", int64(2000), "usd")
	f.Add([]byte(`{"payment_method_id":"pm_card_visa_chargeDeclined"}`), "order-1", int64(2000), "usd")
	f.Add([]byte(`{"payment_method_id":"pm_card_authenticationRequired"}`), "o", int64(50), "eur")
	f.Add([]byte(`{"payment_intent_id":"pi_123"}`), "order-1", int64(2000), "usd")
	f.Add([]byte(`{"payment_method_id":"pm_card_visa","cvc_token":"cvctok_1"}`), "order-1", int64(2000), "usd")
	f.Add([]byte(`{"payment_method_id":"pm_card_visa"}`), "order\u200b", int64(-1), "USD")
	f.Add([]byte(`{"payment_method_id":"pm_card_visa"}`), "x", int64(99_999_999), "jpy")
	f.Add([]byte(`{"payment_method_id":"pm_card_visa"}`), "x", int64(100_000_000), "usd")
	f.Add([]byte(`{"payment_intent_id":"pi_1_secret_2"}`), "order-1", int64(2000), "usd")
	f.Add([]byte(`[{"payment_method_id":"pm_card_visa"}]`), "order-1", int64(2000), "usd")
	f.Add([]byte(`{"payment_method_id":"pm_card_visa","payment_method_id":"pm_card_visa"}`), "order-1", int64(2000), "usd")
	f.Fuzz(func(t *testing.T, body []byte, orderID string, amount int64, currency string) {
		fake := fakesetting.New(stripetest.Config{Seed: 1, Now: stripetest.NewClock(start).Now})
		flow := confirm.New(fake, confirm.Config{})
		order := confirm.Order{ID: orderID, Amount: amount, Currency: currency}

		req, decodeErr := confirm.DecodeRequest(bytes.NewReader(body))
		if decodeErr != nil && !errors.Is(decodeErr, confirm.ErrInvalidRequest) {
			t.Fatalf("DecodeRequest: untyped error %v", decodeErr)
		}
		// A handler that forgot to stop after a decoding error passes the
		// zero Request on: Pay must refuse it too.
		res, err := flow.Pay(context.Background(), order, req)
		checkAnswer(t, res, err)

		refused := decodeErr != nil || order.Validate(confirm.DefaultMetadataKey) != nil || req.Validate() != nil
		if refused {
			if !errors.Is(err, confirm.ErrInvalidRequest) && !errors.Is(err, confirm.ErrInvalidOrder) {
				t.Fatalf("invalid input: Pay returned %v, %v; want ErrInvalidRequest or ErrInvalidOrder", res.Outcome, err)
			}
			if n := fake.CallCount(); n != 0 {
				t.Fatalf("invalid input cost %d Stripe calls", n)
			}
			return
		}
		moved := moneyMoved(fake, order.ID)
		if moved > 1 {
			t.Fatalf("%d charges moved money", moved)
		}
		if moved == 1 && !slices.Contains(succeedingCards, req.PaymentMethodID) {
			t.Fatalf("money moved for %+v", req)
		}
		if moved == 1 && (err != nil || !res.Outcome.Paid()) {
			t.Fatalf("money moved, host told %v, %v", res.Outcome, err)
		}
	})
}

// FuzzSavedCardPay does the same for the saved-card path: a customer with
// saved cards (pm_… IDs that the seeded fake always gives the same values,
// so the seed corpus can name them) and a fresh CVC token. Only the
// customer's own card with a well-formed token may be charged; a card that
// is not the customer's costs no write.
func FuzzSavedCardPay(f *testing.F) {
	type env struct {
		fake     *stripetest.Fake
		payments *cvc.Payments
		order    confirm.Order
		mine     []string // the customer's cards: one that pays, one that declines
		other    string   // another customer's card
		tok      string
	}
	newEnv := func() env {
		fake := fakesetting.New(stripetest.Config{Seed: 2, Now: stripetest.NewClock(start).Now})
		flow := confirm.New(fake, confirm.Config{})
		e := env{fake: fake, payments: cvc.New(flow, cvc.Config{})}
		cus, other := fake.CreateCustomer(), fake.CreateCustomer()
		for _, c := range []string{"pm_card_visa", "pm_card_visa_chargeDeclined"} {
			pm, _ := fake.AttachCard(cus, c)
			e.mine = append(e.mine, pm.ID)
		}
		pm, _ := fake.AttachCard(other, "pm_card_visa")
		e.other = pm.ID
		e.tok, _ = fake.CreateCVCToken("123")
		e.order = confirm.Order{ID: "saved", Amount: 2000, Currency: "usd", Customer: cus}
		return e
	}
	seed := newEnv()
	for _, pm := range append(seed.mine, seed.other) {
		f.Add([]byte(`{"payment_method_id":"` + pm + `","cvc_token":"` + seed.tok + `"}`))
		f.Add([]byte(`{"payment_method_id":"` + pm + `"}`))
	}
	f.Add([]byte(`{"payment_method_id":"pm_card_visa","cvc_token":"` + seed.tok + `"}`))
	f.Add([]byte(`{"payment_intent_id":"pi_1"}`))
	f.Add([]byte(`{"payment_method_id":"` + seed.mine[0] + `","cvc_token":"cvctok_x"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		e := newEnv()
		req, decodeErr := confirm.DecodeRequest(bytes.NewReader(body))
		res, err := e.payments.Pay(context.Background(), e.order, req)
		checkAnswer(t, res, err)
		if decodeErr != nil {
			if !errors.Is(err, confirm.ErrInvalidRequest) {
				t.Fatalf("undecodable body: Pay returned %v, %v", res.Outcome, err)
			}
			if n := e.fake.CallCount(); n != 0 {
				t.Fatalf("undecodable body cost %d Stripe calls", n)
			}
			return
		}
		if errors.Is(err, confirm.ErrInvalidRequest) && !errors.Is(err, cvc.ErrInvalidCVCToken) && !errors.Is(err, cvc.ErrCVCTokenReused) {
			if n := e.fake.CallCount(); n != 0 {
				t.Fatalf("invalid request cost %d Stripe calls", n)
			}
		}
		if errors.Is(err, cvc.ErrNotCustomersCard) && writes(e.fake) != 0 {
			t.Fatalf("a card that is not the customer's cost %d writes", writes(e.fake))
		}
		moved := moneyMoved(e.fake, e.order.ID)
		if moved > 1 {
			t.Fatalf("%d charges moved money", moved)
		}
		if moved == 1 && (req.PaymentMethodID != e.mine[0] || req.CVCToken != e.tok) {
			t.Fatalf("money moved for %+v", req)
		}
		if moved == 1 && (err != nil || !res.Outcome.Paid()) {
			t.Fatalf("money moved, host told %v, %v", res.Outcome, err)
		}
	})
}
