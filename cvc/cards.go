package cvc

import (
	"context"
	"errors"
	"time"

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
// Stripe read. An empty customerID is ErrNoCustomer; an unknown customer is
// an error matching stripeclient.ErrResourceMissing.
func (p *Payments) Cards(ctx context.Context, customerID string) ([]Card, error) {
	if customerID == "" {
		return nil, newError(ErrNoCustomer, "", nil)
	}
	pms, err := flowaccess.Client(p.flow).ListCards(ctx, customerID)
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
