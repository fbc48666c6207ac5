package shop_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/confirm/sqlstore"
	"github.com/cardconfirm/cardconfirm/examples/newcomer"
	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest/conformance"
	_ "modernc.org/sqlite"
)

var order = confirm.Order{ID: "order-7", Amount: 2500, Currency: "eur"}

func orders(session string) (confirm.Order, bool) { return order, session == "sess-7" }

// post sends body to the handler with the shop's session cookie and
// decodes the JSON it answers.
func post(t *testing.T, h http.Handler, body string) (int, confirm.Response) {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/pay", strings.NewReader(body))
	r.AddCookie(&http.Cookie{Name: "session", Value: "sess-7"})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var resp confirm.Response
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatalf("response %q: %v", w.Body.String(), err)
	}
	return w.Code, resp
}

// sqliteStore opens a SQLite file as sqlstore's doc says: a busy timeout
// and WAL, then Migrate and Open.
func sqliteStore(t *testing.T) confirm.Store {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shop.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(wal)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := sqlstore.Migrate(ctx, db, sqlstore.Config{}); err != nil {
		t.Fatal(err)
	}
	store, err := sqlstore.Open(ctx, db, sqlstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return store
}

// TestPayWithThreeDSecure pays the order with a card that asks for 3-D
// Secure, through the handler, on the fake and a SQLite Store.
func TestPayWithThreeDSecure(t *testing.T) {
	fake := stripetest.New(stripetest.Config{})
	h := shop.PayHandler(confirm.New(fake, confirm.Config{Store: sqliteStore(t)}), orders)

	code, resp := post(t, h, `{"payment_method_id":"pm_card_authenticationRequired"}`)
	if code != http.StatusOK || !resp.RequiresAction || resp.ClientSecret == "" {
		t.Fatalf("first post: %d %+v, want 200 requires_action with a client secret", code, resp)
	}
	// The page runs stripe.handleCardAction with the client secret; the
	// fake answers the bank's challenge from the same secret, and the
	// page posts back the intent's ID that handleCardAction returns.
	if err := fake.AuthenticateClientSecret(resp.ClientSecret); err != nil {
		t.Fatalf("AuthenticateClientSecret: %v", err)
	}
	var intentID string
	for _, pi := range fake.Intents() {
		if pi.ClientSecret == resp.ClientSecret {
			intentID = pi.ID
		}
	}
	code, resp = post(t, h, `{"payment_intent_id":"`+intentID+`"}`)
	if code != http.StatusOK || !resp.Success {
		t.Fatalf("after 3-D Secure: %d %+v, want 200 success", code, resp)
	}
	if n := len(fake.Charges()); n != 1 || !fake.Charges()[0].MoneyMoved() {
		t.Errorf("charges %+v, want one that moved money", fake.Charges())
	}

	// The order is paid: posting again pays nothing more.
	code, resp = post(t, h, `{"payment_intent_id":"`+intentID+`"}`)
	if code != http.StatusOK || !resp.Success || len(fake.Charges()) != 1 {
		t.Errorf("again: %d %+v with %d charges, want success and still one charge", code, resp, len(fake.Charges()))
	}
}

// mock is a hand-written stripeclient.Client, as stripeclient's "Mocking
// Client" section describes: it answers each call from what the test set.
type mock struct {
	create error                                 // CreatePaymentIntent's error
	saved  map[string]stripeclient.PaymentMethod // RetrievePaymentMethod's answers
	calls  int
}

func (m *mock) CreatePaymentIntent(_ context.Context, p stripeclient.CreateParams) (*stripeclient.PaymentIntent, error) {
	m.calls++
	return nil, m.create
}
func (m *mock) ConfirmPaymentIntent(context.Context, string, stripeclient.ConfirmParams) (*stripeclient.PaymentIntent, error) {
	return nil, errors.New("mock: not used")
}
func (m *mock) RetrievePaymentIntent(context.Context, string) (*stripeclient.PaymentIntent, error) {
	return nil, stripeclient.InvalidRequestError(404, stripeclient.CodeResourceMissing, "intent", "No such payment_intent")
}
func (m *mock) CapturePaymentIntent(context.Context, string, stripeclient.CaptureParams) (*stripeclient.PaymentIntent, error) {
	return nil, errors.New("mock: not used")
}
func (m *mock) CancelPaymentIntent(context.Context, string, stripeclient.CancelParams) (*stripeclient.PaymentIntent, error) {
	return nil, errors.New("mock: not used")
}
func (m *mock) RetrievePaymentMethod(_ context.Context, id string) (*stripeclient.PaymentMethod, error) {
	pm, ok := m.saved[id]
	if !ok {
		return nil, stripeclient.InvalidRequestError(404, stripeclient.CodeResourceMissing, "payment_method", "No such PaymentMethod")
	}
	return &pm, nil
}
func (m *mock) ListCards(context.Context, string) ([]stripeclient.PaymentMethod, error) {
	return nil, nil
}
func (m *mock) SearchPaymentIntents(context.Context, stripeclient.SearchParams) ([]stripeclient.PaymentIntent, error) {
	return nil, nil
}

// TestHandlerWithMock drives the handler with a hand-written mock, one
// answer per case, checking each answer first with the conformance checks.
func TestHandlerWithMock(t *testing.T) {
	declined := &stripeclient.PaymentIntent{ID: "pi_mock1", Status: stripeclient.StatusRequiresPaymentMethod,
		Amount: order.Amount, Currency: order.Currency}
	decline := stripeclient.DeclineError(declined, stripeclient.CodeCardDeclined, "insufficient_funds", "Your card has insufficient funds.")
	network := stripeclient.NetworkError(errors.New("connection reset"))
	if err := conformance.CheckDecline(decline); err != nil {
		t.Fatal(err)
	}
	if err := conformance.CheckNetworkError(network); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		card      string
		create    error
		wantCode  int
		wantError string
		wantCalls int // CreatePaymentIntent calls
	}{
		{"decline", "pm_new", decline, http.StatusPaymentRequired, "", 1}, // the text follows Config.DeclineMessages
		{"network", "pm_new", network, http.StatusServiceUnavailable, "The payment service is temporarily unavailable. Please try again.", 1},
		{"saved card refused before any creation", "pm_saved", decline, http.StatusBadRequest, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &mock{create: tc.create, saved: map[string]stripeclient.PaymentMethod{
				"pm_new":   {ID: "pm_new"},
				"pm_saved": {ID: "pm_saved", Customer: "cus_1"},
			}}
			h := shop.PayHandler(confirm.New(m, confirm.Config{}), orders)
			code, resp := post(t, h, `{"payment_method_id":"`+tc.card+`"}`)
			if code != tc.wantCode || (tc.wantError != "" && resp.Error != tc.wantError) || m.calls != tc.wantCalls {
				t.Errorf("%d %q after %d creations, want %d %q after %d", code, resp.Error, m.calls, tc.wantCode, tc.wantError, tc.wantCalls)
			}
		})
	}
}
