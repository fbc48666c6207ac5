package proof_test

import (
	"github.com/cardconfirm/cardconfirm/internal/campaign"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// The campaign's helpers, which the other tests share.
var (
	start      = campaign.Start
	newLogger  = campaign.NewLogger
	findSecret = campaign.FindSecret
	moneyMoved = campaign.MoneyMoved
	intentsOf  = campaign.IntentsOf
)

// allCards are the fake's test cards, by PaymentMethod.
var allCards = func() (all []string) {
	for _, c := range stripetest.TestCards() {
		all = append(all, c.PaymentMethod)
	}
	return all
}()

// writes counts the write calls that reached the fake.
func writes(fake *stripetest.Fake) int {
	return fake.CallCount(stripetest.OpCreate, stripetest.OpConfirm, stripetest.OpCapture, stripetest.OpCancel)
}
