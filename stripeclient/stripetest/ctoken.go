package stripetest

import (
	"fmt"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// DefaultConfirmationTokenLifetime is how long a ConfirmationToken can be
// used when Config.ConfirmationTokenLifetime is zero: 12 hours, the
// distance between created and expires_at in the API reference's example
// object (docs.stripe.com/api/confirmation_tokens/object: created
// 1694025025, expires_at 1694068225). Stripe's prose does not state a
// lifetime, and its Android SDK reference says 15 minutes; set the Config
// field to test a flow against the shorter one.
const DefaultConfirmationTokenLifetime = 12 * time.Hour

// ConfirmationToken is a ConfirmationToken (ctoken_…) as a test sees it:
// what Stripe.js's createConfirmationToken made from the Payment Element,
// and what became of it.
type ConfirmationToken struct {
	ID        string
	Created   time.Time
	ExpiresAt time.Time
	// PaymentMethodPreview is the card the token carries (payment_method_preview):
	// type and card details, no ID, as no PaymentMethod exists yet.
	PaymentMethodPreview stripeclient.PaymentMethod
	// PaymentIntent is the intent the token confirmed, once used.
	PaymentIntent string
	// PaymentMethod is the pm_… Stripe made from the token when it was
	// used: the intent's payment_method.
	PaymentMethod string
}

// ctoken is a ConfirmationToken and the test card it stands for. Its
// fields change only under the table's mutex.
type ctoken struct {
	tok  ConfirmationToken
	card int // index in testCards
}

// CreateConfirmationToken stands in for Stripe.js's createConfirmationToken
// with the Payment Element filled in with test card card (a magic ID such as
// pm_card_visa, see TestCards), as stripe-go's test helper
// testhelpers/confirmationtoken.New does against test mode. It returns the
// ctoken_…: single-use, expiring after Config.ConfirmationTokenLifetime,
// turned into a fresh pm_… of that card's behaviour by the create or
// confirm that uses it.
func (f *Fake) CreateConfirmationToken(card string) (string, error) {
	for i := range testCards {
		if testCards[i].PaymentMethod != card {
			continue
		}
		now := f.now()
		t := &ctoken{card: i, tok: ConfirmationToken{
			ID:                   f.newID(stripeclient.PrefixConfirmationToken, 24),
			Created:              now.Truncate(time.Second),
			ExpiresAt:            now.Add(f.cfg.confirmationTokenLifetime()).Truncate(time.Second),
			PaymentMethodPreview: stripeclient.PaymentMethod{Type: "card", Card: cardFor(&testCards[i], now)},
		}}
		f.ctokens.put(t.tok.ID, t)
		return t.tok.ID, nil
	}
	return "", fmt.Errorf("stripetest: CreateConfirmationToken: %q is not a test card the fake knows (see TestCards)", card)
}

// ConfirmationTokenInfo returns the ConfirmationToken id as it stands now.
func (f *Fake) ConfirmationTokenInfo(id string) (ConfirmationToken, bool) {
	s := &f.ctokens
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.m[id]
	if !ok {
		return ConfirmationToken{}, false
	}
	out := t.tok
	c := *out.PaymentMethodPreview.Card
	out.PaymentMethodPreview.Card = &c
	return out, true
}

const ctokenParam = "confirmation_token"

// spendConfirmationToken uses the token id to pay for intentID: it must
// exist, be unused and unexpired; it is then used up and becomes a fresh
// PaymentMethod of its card, which it returns. Called only once a write
// runs, so that a replay under the same idempotency key (served from the
// key's record) never spends it twice.
func (f *Fake) spendConfirmationToken(id, intentID string, now time.Time) (*method, *stripeclient.Error, bool) {
	s := &f.ctokens
	s.mu.Lock()
	t, ok := s.m[id]
	var card int
	var used, expired bool
	if ok {
		used = t.tok.PaymentIntent != ""
		expired = !now.Before(t.tok.ExpiresAt)
		card = t.card
	}
	if ok && !used && !expired {
		t.tok.PaymentIntent = intentID // claimed under the lock: single use
	}
	s.mu.Unlock()
	switch {
	case !ok:
		return nil, f.missingParam(ctokenParam, "confirmation_token", id), false
	case used:
		return nil, f.invalid("", ctokenParam, "This ConfirmationToken has already been used to confirm a PaymentIntent or SetupIntent."), true
	case expired:
		return nil, f.invalid("", ctokenParam, "This ConfirmationToken has expired. Create a new ConfirmationToken."), true
	}
	m := f.cloneTestCard(card, now)
	s.mu.Lock()
	t.tok.PaymentMethod = m.pm.ID
	s.mu.Unlock()
	return m, nil, false
}
