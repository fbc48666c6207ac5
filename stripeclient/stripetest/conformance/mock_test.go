package conformance_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest/conformance"
)

// keyedMock is the smallest hand-written Client the checks accept: it
// remembers each creation by its idempotency key and replays it. Calls it
// does not implement panic through the nil embedded Client.
type keyedMock struct {
	stripeclient.Client
	byKey      map[string]stripeclient.PaymentIntent
	created    int
	loseFirst  bool // the first creation runs but its answer is lost
	noReplayed bool // a broken mock: forgets to mark a replay
	noKeys     bool // a broken mock: a new intent per call
}

func (m *keyedMock) CreatePaymentIntent(_ context.Context, p stripeclient.CreateParams) (*stripeclient.PaymentIntent, error) {
	if pi, ok := m.byKey[p.IdempotencyKey]; ok && !m.noKeys {
		pi.Replayed = !m.noReplayed
		return &pi, nil
	}
	m.created++
	pi := stripeclient.PaymentIntent{ID: fmt.Sprintf("pi_mock%d", m.created), Status: stripeclient.StatusRequiresConfirmation,
		Amount: p.Amount, Currency: p.Currency}
	m.byKey[p.IdempotencyKey] = pi
	if m.loseFirst {
		m.loseFirst = false
		return nil, stripeclient.NetworkError(errors.New("connection reset"))
	}
	return &pi, nil
}

func TestCheckReplay(t *testing.T) {
	p := stripeclient.CreateParams{Amount: 2000, Currency: "usd", IdempotencyKey: "k1"}
	for _, tc := range []struct {
		name    string
		mock    *keyedMock
		wantErr string // "" for a mock the check accepts
	}{
		{"replays", &keyedMock{}, ""},
		{"lost answer then replay", &keyedMock{loseFirst: true}, ""},
		{"no Replayed", &keyedMock{noReplayed: true}, "Replayed false"},
		{"no keys", &keyedMock{noKeys: true}, "a second intent"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.mock.byKey = map[string]stripeclient.PaymentIntent{}
			err := conformance.CheckReplay(context.Background(), tc.mock, p)
			if (err == nil) != (tc.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("CheckReplay: %v, want an error containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestCheckErrors(t *testing.T) {
	declined := &stripeclient.PaymentIntent{ID: "pi_1", Status: stripeclient.StatusRequiresPaymentMethod}
	for _, tc := range []struct {
		name    string
		check   func(error) error
		err     error
		wantErr string
	}{
		{"decline", conformance.CheckDecline, stripeclient.DeclineError(declined, stripeclient.CodeCardDeclined, "generic_decline", "Your card was declined."), ""},
		{"decline without intent", conformance.CheckDecline, stripeclient.DeclineError(nil, stripeclient.CodeCardDeclined, "", "Your card was declined."), "no PaymentIntent"},
		{"bare sentinel decline", conformance.CheckDecline, stripeclient.ErrCardDeclined, "500"},
		{"decline as an API error", conformance.CheckDecline, stripeclient.APIError(500, "", ""), "does not match"},
		{"declined intent in the wrong status", conformance.CheckDecline,
			stripeclient.DeclineError(&stripeclient.PaymentIntent{ID: "pi_1", Status: stripeclient.StatusSucceeded}, stripeclient.CodeCardDeclined, "", "x"), "status"},
		{"network", conformance.CheckNetworkError, stripeclient.NetworkError(errors.New("reset")), ""},
		{"bare ErrNetwork", conformance.CheckNetworkError, stripeclient.ErrNetwork, "not 503"},
		{"network as a refusal", conformance.CheckNetworkError, stripeclient.InvalidRequestError(400, "", "", ""), "does not match"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.check(tc.err)
			if (err == nil) != (tc.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("check: %v, want an error containing %q", err, tc.wantErr)
			}
		})
	}
}

// A mock's author runs the checks on the answers the mock is programmed
// to give.
func ExampleCheckDecline() {
	pi := &stripeclient.PaymentIntent{ID: "pi_mock1", Status: stripeclient.StatusRequiresPaymentMethod}
	fmt.Println(conformance.CheckDecline(stripeclient.DeclineError(pi, stripeclient.CodeCardDeclined, "insufficient_funds", "Your card has insufficient funds.")))
	fmt.Println(conformance.CheckNetworkError(stripeclient.ErrNetwork) != nil)
	// Output:
	// <nil>
	// true
}
