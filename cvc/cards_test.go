package cvc_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/cvc"
	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

func TestCards(t *testing.T) {
	e := newEnv(t, cvc.AllowFailedCVC)
	visa := e.card(t, "pm_card_visa")
	amex := e.card(t, "pm_card_amex")
	detached := e.card(t, "pm_card_mastercard")
	if err := e.fake.DetachPaymentMethod(detached); err != nil {
		t.Fatal(err)
	}
	// The fake's cards expire three years after it started, in its month.
	exp := start.AddDate(3, 0, 0)
	lastDay := time.Date(exp.Year(), exp.Month()+1, 1, 0, 0, 0, 0, time.UTC).Add(-time.Nanosecond)

	tests := []struct {
		name    string
		now     time.Time
		expired bool
	}{
		{name: "today", now: start, expired: false},
		{name: "last instant of the expiry month", now: lastDay, expired: false},
		{name: "first instant after it", now: lastDay.Add(time.Nanosecond), expired: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := cvc.New(e.flow, cvc.Config{Now: func() time.Time { return tt.now }})
			mark := len(e.fake.Calls())
			cards, err := p.Cards(context.Background(), e.customer)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := e.ops(mark), []stripetest.Op{stripetest.OpListCards}; !sameOps(got, want) {
				t.Errorf("calls = %v, want %v", got, want)
			}
			want := []cvc.Card{
				{ID: amex, Brand: "amex", Last4: "0005", ExpMonth: int(exp.Month()), ExpYear: exp.Year(), Expired: tt.expired},
				{ID: visa, Brand: "visa", Last4: "4242", ExpMonth: int(exp.Month()), ExpYear: exp.Year(), Expired: tt.expired},
			}
			if len(cards) != len(want) {
				t.Fatalf("Cards = %+v, want %+v", cards, want)
			}
			for i := range want {
				if cards[i] != want[i] {
					t.Errorf("card %d = %+v, want %+v", i, cards[i], want[i])
				}
			}
		})
	}
}

func TestCardsErrors(t *testing.T) {
	e := newEnv(t, cvc.AllowFailedCVC)
	ctx := context.Background()
	if _, err := e.payments.Cards(ctx, ""); !errors.Is(err, cvc.ErrNoCustomer) {
		t.Errorf("Cards(\"\") = %v, want ErrNoCustomer", err)
	}
	if _, err := e.payments.Cards(ctx, "cus_NoSuchCustomer1"); !errors.Is(err, stripeclient.ErrResourceMissing) {
		t.Errorf("unknown customer = %v, want ErrResourceMissing", err)
	}
	if _, err := e.payments.Cards(ctx, "not-a-customer"); !errors.Is(err, stripeclient.ErrInvalidParams) {
		t.Errorf("malformed customer = %v, want ErrInvalidParams", err)
	}
	e.fake.InjectFault(stripetest.Fault{Op: stripetest.OpListCards, Kind: stripetest.FaultAPIError503})
	_, err := e.payments.Cards(ctx, e.customer)
	if !errors.Is(err, confirm.ErrStripeUnavailable) || !confirm.RetrySafe(err) {
		t.Errorf("Stripe down = %v, want retry-safe ErrStripeUnavailable", err)
	}
}

func TestExpired(t *testing.T) {
	at := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		month, year int
		now         time.Time
		want        bool
	}{
		{3, 2024, at(2024, time.March, 31).Add(23 * time.Hour), false},
		{3, 2024, at(2024, time.April, 1), true},
		{12, 2024, at(2024, time.December, 31), false},
		{12, 2024, at(2025, time.January, 1), true},
		{1, 2030, at(2024, time.June, 1), false},
		{6, 2020, at(2024, time.June, 1), true},
		{0, 2030, at(2024, time.June, 1), true},
		{13, 2030, at(2024, time.June, 1), true},
	}
	for _, tt := range tests {
		if got := cvc.Expired(tt.month, tt.year, tt.now); got != tt.want {
			t.Errorf("Expired(%d, %d, %v) = %v, want %v", tt.month, tt.year, tt.now, got, tt.want)
		}
	}
}

// TestCardsForDirectCharge: a direct charge's customer and cards live on
// the connected account (Order.Account). CardsFor lists them there, as Pay
// finds them; Cards, which reads the platform, does not know the customer.
func TestCardsForDirectCharge(t *testing.T) {
	e := newEnv(t, cvc.AllowFailedCVC)
	acct := e.fake.CreateAccount()
	e.customer = e.fake.CreateCustomerOn(acct)
	visa := e.card(t, "pm_card_visa")
	order := e.order("direct-cards")
	order.Account = acct

	mark := len(e.fake.Calls())
	cards, err := e.payments.CardsFor(context.Background(), order)
	if err != nil {
		t.Fatalf("CardsFor: %v", err)
	}
	if len(cards) != 1 || cards[0].ID != visa {
		t.Errorf("CardsFor = %+v; want the account customer's %s", cards, visa)
	}
	if got, want := e.ops(mark), []stripetest.Op{stripetest.OpListCards}; !sameOps(got, want) {
		t.Errorf("calls = %v, want %v", got, want)
	}
	// The card listed is one Pay takes for the order.
	res, err := e.payments.Pay(context.Background(), order, confirm.Request{PaymentMethodID: cards[0].ID, CVCToken: e.token(t)})
	if err != nil || res.Outcome != confirm.Succeeded {
		t.Errorf("Pay with the listed card: %v, %v; want Succeeded", res.Outcome, err)
	}

	if _, err := e.payments.Cards(context.Background(), e.customer); !errors.Is(err, stripeclient.ErrResourceMissing) {
		t.Errorf("Cards on the platform: %v; want ErrResourceMissing (the customer lives on the account)", err)
	}
	// A platform order: CardsFor is Cards.
	platform := newEnv(t, cvc.AllowFailedCVC)
	pm := platform.card(t, "pm_card_visa")
	if cards, err := platform.payments.CardsFor(context.Background(), platform.order("platform-cards")); err != nil || len(cards) != 1 || cards[0].ID != pm {
		t.Errorf("CardsFor a platform order: %+v, %v; want [%s]", cards, err, pm)
	}
	noCustomer := order
	noCustomer.Customer = ""
	if _, err := e.payments.CardsFor(context.Background(), noCustomer); !errors.Is(err, cvc.ErrNoCustomer) {
		t.Errorf("CardsFor without a customer: %v; want ErrNoCustomer", err)
	}
}

// platformOnly is a Client that cannot act on a connected account.
type platformOnly struct{ stripeclient.Client }

func TestCardsForNeedsOnAccount(t *testing.T) {
	e := newEnv(t, cvc.AllowFailedCVC)
	p := cvc.New(confirm.New(platformOnly{e.fake}, confirm.Config{Now: e.clock.Now}), cvc.Config{Now: e.clock.Now})
	order := e.order("direct-unsupported")
	order.Account = e.fake.CreateAccount()
	mark := len(e.fake.Calls())
	if _, err := p.CardsFor(context.Background(), order); !errors.Is(err, confirm.ErrUnsupported) {
		t.Errorf("CardsFor a direct charge without OnAccount: %v; want ErrUnsupported", err)
	}
	if got := e.ops(mark); len(got) != 0 {
		t.Errorf("calls = %v, want none", got)
	}
}
