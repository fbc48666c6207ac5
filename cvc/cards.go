package cvc

import (
	"context"
	"errors"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/internal/flowaccess"
	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// Card is a saved card as it may be shown to its owner: never its number,
// CVC or fingerprint.
type Card struct {
	ID       string // pm_…, to send back as payment_method_id
	Brand    string // "visa", "mastercard", …
	Last4    string
	ExpMonth int // 1–12
	ExpYear  int // four digits
	// Expired says the expiry month is over by the Payments' clock. A card
	// is valid through the last day of its expiry month, so Expired turns
	// true at 00:00 UTC on the first day of the next month. It is for
	// display (grey the card out); Stripe decides at payment time
	// (expired_card).
	Expired bool
}

// Cards lists customerID's saved cards for display, newest first. One
// Stripe read, on the platform's account. An empty customerID is
// ErrNoCustomer; an unknown customer is an error matching
// stripeclient.ErrResourceMissing. For a direct charge, whose customer
// lives on a connected account, use CardsFor.
func (p *Payments) Cards(ctx context.Context, customerID string) ([]Card, error) {
	if customerID == "" {
		return nil, newError(ErrNoCustomer, "", nil)
	}
	return p.listCards(ctx, flowaccess.Client(p.flow), customerID)
}

// CardsFor lists the saved cards order may be paid with: order.Customer's,
// where Pay looks for them. For a direct charge (order.Account) that is the
// connected account, which holds the customer, its cards and the intent;
// otherwise the platform, as Cards. It takes the Order rather than an
// account ID so that the list and Pay's ownership check read the same
// account from the same value: the host cannot list one account's cards
// and pay on another's. One Stripe read. An order without a customer is
// ErrNoCustomer; a direct charge on a Flow whose Stripe client cannot act
// on a connected account (stripeclient.OnAccount) is an error matching
// confirm.ErrUnsupported, before any call.
func (p *Payments) CardsFor(ctx context.Context, order confirm.Order) ([]Card, error) {
	if order.Customer == "" {
		return nil, newError(ErrNoCustomer, "", nil)
	}
	if order.Account != "" {
		if _, ok := flowaccess.Client(p.flow).(stripeclient.OnAccount); !ok {
			return nil, &Error{Confirm: confirm.ErrUnsupported, Reason: "list cards: the Stripe client cannot act on a connected account"}
		}
	}
	return p.listCards(ctx, p.client(order), order.Customer)
}

func (p *Payments) listCards(ctx context.Context, client stripeclient.Client, customerID string) ([]Card, error) {
	pms, err := client.ListCards(ctx, customerID)
	if err != nil {
		if errors.Is(err, stripeclient.ErrInvalidParams) {
			return nil, &Error{Reason: "list cards", Err: err}
		}
		return nil, classifyStripe("list cards", err)
	}
	now := p.now()
	cards := make([]Card, 0, len(pms))
	for _, pm := range pms {
		if pm.Card == nil {
			continue // not a card: nothing to show on a card picker
		}
		cards = append(cards, Card{
			ID:       pm.ID,
			Brand:    pm.Card.Brand,
			Last4:    pm.Card.Last4,
			ExpMonth: pm.Card.ExpMonth,
			ExpYear:  pm.Card.ExpYear,
			Expired:  Expired(pm.Card.ExpMonth, pm.Card.ExpYear, now),
		})
	}
	return cards, nil
}

// Expired reports whether a card expiring in month/year is expired at now:
// cards are valid through the end of their expiry month (in UTC). An
// impossible month counts as expired, so it is never offered.
func Expired(month, year int, now time.Time) bool {
	if month < 1 || month > 12 {
		return true
	}
	// time.Date normalises month 13 to January of the next year.
	end := time.Date(year, time.Month(month)+1, 1, 0, 0, 0, 0, time.UTC)
	return !now.Before(end)
}
