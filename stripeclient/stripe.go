package stripeclient

// This is the only file in the module that imports stripe-go: moving to a
// newer major version of stripe-go touches this file alone.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/customer"
	"github.com/stripe/stripe-go/v76/paymentintent"
	"github.com/stripe/stripe-go/v76/paymentmethod"
	"github.com/stripe/stripe-go/v76/refund"
)

// APIVersion is the Stripe API version every request is pinned to. It is
// stripe-go v76's, sent as the Stripe-Version header; the field names and
// statuses in this package are those of that version.
const APIVersion = stripe.APIVersion

// DefaultHTTPTimeout is the timeout of the HTTP client New builds when
// Config.HTTPClient is nil. It is stripe-go's own default, chosen by Stripe
// to line up with the timeouts inside Stripe's infrastructure.
const DefaultHTTPTimeout = 80 * time.Second

// DefaultMaxNetworkRetries is stripe-go's default number of retries.
const DefaultMaxNetworkRetries int64 = stripe.DefaultMaxNetworkRetries

// Config configures a Stripe adapter. The zero value talks to Stripe's API
// with stripe-go's defaults and logs nothing.
type Config struct {
	// BaseURL replaces Stripe's API URL, e.g. with stripe-mock's
	// "http://127.0.0.1:12111". Empty means Stripe's API.
	BaseURL string

	// HTTPClient sends the requests. Nil means a new client with a
	// DefaultHTTPTimeout (80 s) timeout, stripe-go's default, built per
	// adapter rather than shared through stripe-go's package variable.
	HTTPClient *http.Client

	// MaxNetworkRetries is how many times stripe-go repeats a request that
	// failed in a way it deems retryable (network errors, 409, 429
	// lock_timeout, 503, non-POST 5xx, Stripe-Should-Retry: true), after a
	// 0.5–5 s backoff and with the same Idempotency-Key. It never retries
	// once ctx is done. Nil means DefaultMaxNetworkRetries (2); a pointer so
	// that 0, no retries, can be asked for.
	MaxNetworkRetries *int64

	// Logger receives stripe-go's own log lines: request and retry lines at
	// Debug and Warn, failures at Info (declines) and Error. Nil discards
	// them (stripe.LevelNull). Lines that would quote a response body — which
	// can hold a client secret — are dropped or redacted.
	Logger *slog.Logger
}

// Stripe is the real Client, over stripe-go v76. Build it with New. It holds
// its own backend and key: no stripe-go global (stripe.Key,
// stripe.SetBackend) is read or written, so several adapters with different
// keys can coexist in one process. It is safe for concurrent use.
type Stripe struct {
	intents   paymentintent.Client
	methods   paymentmethod.Client
	customers customer.Client
	refunds   refund.Client

	// account is the connected account (acct_…) every call acts on, sent
	// as the Stripe-Account header per request; "" for the platform.
	account string
}

var (
	_ Client    = (*Stripe)(nil)
	_ Refunder  = (*Stripe)(nil)
	_ OnAccount = (*Stripe)(nil)
)

// OnAccount implements OnAccount: the returned *Stripe shares s's backend
// and key and sets the Stripe-Account header on each request's own params
// (stripe-go's Params.SetStripeAccount), never through a global, so
// adapters on several accounts coexist. A malformed account makes every
// call fail with an error matching ErrInvalidParams before any request.
func (s *Stripe) OnAccount(account string) Client {
	cp := *s
	cp.account = account
	return &cp
}

// checkAccount refuses a malformed account before any request.
func (s *Stripe) checkAccount() error {
	if s.account == "" {
		return nil
	}
	return ValidateAccountID(s.account)
}

// New builds a Stripe adapter from a secret ("sk_…") or restricted
// ("rk_…") key. It returns an error matching ErrInvalidParams, which never
// quotes the key, when the key is empty or of another kind (a publishable
// "pk_…" key cannot create PaymentIntents), when BaseURL is not an absolute
// http(s) URL, or when MaxNetworkRetries is negative. New sends no request.
func New(secretKey string, cfg Config) (*Stripe, error) {
	if err := checkSecretKey(secretKey); err != nil {
		return nil, err
	}
	bc := &stripe.BackendConfig{
		HTTPClient:        cfg.HTTPClient,
		MaxNetworkRetries: cfg.MaxNetworkRetries,
		// Telemetry would send request IDs and timings of earlier calls
		// with later ones; the host did not ask for that.
		EnableTelemetry: stripe.Bool(false),
	}
	if bc.HTTPClient == nil {
		bc.HTTPClient = &http.Client{Timeout: DefaultHTTPTimeout}
	}
	if n := cfg.MaxNetworkRetries; n != nil {
		if *n < 0 {
			return nil, &ParamError{Op: "New", Param: "MaxNetworkRetries", Reason: "must not be negative"}
		}
		bc.MaxNetworkRetries = stripe.Int64(*n) // our own copy: the caller may reuse theirs
	}
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, &ParamError{Op: "New", Param: "BaseURL", Reason: "must be an absolute http or https URL"}
		}
		bc.URL = stripe.String(cfg.BaseURL)
	}
	if cfg.Logger != nil {
		bc.LeveledLogger = slogBridge{cfg.Logger}
	} else {
		// A nil LeveledLogger would mean stripe-go's default, which prints
		// to stderr; only LevelNull silences it.
		bc.LeveledLogger = &stripe.LeveledLogger{Level: stripe.LevelNull}
	}
	b := stripe.GetBackendWithConfig(stripe.APIBackend, bc)
	return &Stripe{
		intents:   paymentintent.Client{B: b, Key: secretKey},
		methods:   paymentmethod.Client{B: b, Key: secretKey},
		customers: customer.Client{B: b, Key: secretKey},
		refunds:   refund.Client{B: b, Key: secretKey},
	}, nil
}

func checkSecretKey(key string) error {
	const op, param = "New", "secret key"
	switch {
	case key == "":
		return &ParamError{Op: op, Param: param, Reason: "required"}
	case strings.HasPrefix(key, "pk_"):
		return &ParamError{Op: op, Param: param, Reason: "is a publishable key; a secret (sk_…) or restricted (rk_…) key is needed"}
	case !strings.HasPrefix(key, "sk_") && !strings.HasPrefix(key, "rk_"):
		return &ParamError{Op: op, Param: param, Reason: "must start with sk_ or rk_"}
	}
	for i := 0; i < len(key); i++ {
		// It goes into a header: a space or control byte would corrupt it.
		if c := key[i]; c <= ' ' || c >= 0x7f {
			return &ParamError{Op: op, Param: param, Reason: "contains a space, control or non-ASCII character"}
		}
	}
	return nil
}

// String keeps the key out of fmt's %v and %+v.
func (s *Stripe) String() string { return "stripeclient.Stripe{key: redacted}" }

// GoString keeps the key out of fmt's %#v.
func (s *Stripe) GoString() string { return s.String() }

// expandCharge asks for the latest charge in full on every PaymentIntent
// call: its CVC check lives at
// latest_charge.payment_method_details.card.checks.cvc_check.
func expandCharge() []*string { return []*string{stripe.String("latest_charge")} }

func (s *Stripe) baseParams(ctx context.Context, key string) stripe.Params {
	p := stripe.Params{Context: ctx}
	if key != "" {
		p.SetIdempotencyKey(key)
	}
	if s.account != "" {
		p.SetStripeAccount(s.account)
	}
	return p
}

func (s *Stripe) listParams(ctx context.Context) stripe.ListParams {
	p := stripe.ListParams{Context: ctx, Limit: stripe.Int64(listPageSize)}
	if s.account != "" {
		p.SetStripeAccount(s.account)
	}
	return p
}

func cardOptions(cvcToken string) *stripe.PaymentIntentPaymentMethodOptionsParams {
	if cvcToken == "" {
		return nil
	}
	return &stripe.PaymentIntentPaymentMethodOptionsParams{
		Card: &stripe.PaymentIntentPaymentMethodOptionsCardParams{CVCToken: stripe.String(cvcToken)},
	}
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return stripe.String(s)
}

func optTrue(b bool) *bool {
	if !b {
		return nil
	}
	return stripe.Bool(true)
}

// CreatePaymentIntent implements Client.
func (s *Stripe) CreatePaymentIntent(ctx context.Context, p CreateParams) (*PaymentIntent, error) {
	if err := p.ValidateOnAccount(s.account); err != nil {
		return nil, err
	}
	params := &stripe.PaymentIntentParams{
		Params:                    s.baseParams(ctx, p.IdempotencyKey),
		Amount:                    stripe.Int64(p.Amount),
		Currency:                  stripe.String(p.Currency),
		Customer:                  optString(p.Customer),
		PaymentMethod:             optString(p.PaymentMethod),
		ConfirmationToken:         optString(p.ConfirmationToken),
		Confirm:                   optTrue(p.Confirm),
		ConfirmationMethod:        optString(p.ConfirmationMethod),
		CaptureMethod:             optString(p.CaptureMethod),
		SetupFutureUsage:          optString(p.SetupFutureUsage),
		OffSession:                optTrue(p.OffSession),
		PaymentMethodOptions:      cardOptions(p.CVCToken),
		Description:               optString(p.Description),
		StatementDescriptorSuffix: optString(p.StatementDescriptorSuffix),
		OnBehalfOf:                optString(p.OnBehalfOf),
		Expand:                    expandCharge(),
	}
	if p.TransferDestination != "" {
		params.TransferData = &stripe.PaymentIntentTransferDataParams{Destination: stripe.String(p.TransferDestination)}
	}
	if p.ApplicationFeeAmount > 0 {
		params.ApplicationFeeAmount = stripe.Int64(p.ApplicationFeeAmount)
	}
	if len(p.PaymentMethodTypes) > 0 {
		params.PaymentMethodTypes = stripe.StringSlice(p.PaymentMethodTypes)
	}
	if len(p.Metadata) > 0 {
		params.Metadata = make(map[string]string, len(p.Metadata))
		for k, v := range p.Metadata {
			params.Metadata[k] = v
		}
	}
	pi, err := s.intents.New(params)
	return intentResult(ctx, pi, err)
}

// ConfirmPaymentIntent implements Client.
func (s *Stripe) ConfirmPaymentIntent(ctx context.Context, id string, p ConfirmParams) (*PaymentIntent, error) {
	if err := s.checkAccount(); err != nil {
		return nil, err
	}
	if err := p.Validate(id); err != nil {
		return nil, err
	}
	params := &stripe.PaymentIntentConfirmParams{
		Params:               s.baseParams(ctx, p.IdempotencyKey),
		PaymentMethod:        optString(p.PaymentMethod),
		ConfirmationToken:    optString(p.ConfirmationToken),
		PaymentMethodOptions: cardOptions(p.CVCToken),
		OffSession:           optTrue(p.OffSession),
		CaptureMethod:        optString(p.CaptureMethod),
		SetupFutureUsage:     optString(p.SetupFutureUsage),
		Expand:               expandCharge(),
	}
	pi, err := s.intents.Confirm(id, params)
	return intentResult(ctx, pi, err)
}

// RetrievePaymentIntent implements Client.
func (s *Stripe) RetrievePaymentIntent(ctx context.Context, id string) (*PaymentIntent, error) {
	if err := s.checkAccount(); err != nil {
		return nil, err
	}
	if err := ValidateIntentID(id); err != nil {
		return nil, err
	}
	params := &stripe.PaymentIntentParams{Params: s.baseParams(ctx, ""), Expand: expandCharge()}
	pi, err := s.intents.Get(id, params)
	return intentResult(ctx, pi, err)
}

// CapturePaymentIntent implements Client.
func (s *Stripe) CapturePaymentIntent(ctx context.Context, id string, p CaptureParams) (*PaymentIntent, error) {
	if err := s.checkAccount(); err != nil {
		return nil, err
	}
	if err := p.Validate(id); err != nil {
		return nil, err
	}
	params := &stripe.PaymentIntentCaptureParams{Params: s.baseParams(ctx, p.IdempotencyKey), Expand: expandCharge()}
	if p.AmountToCapture > 0 {
		params.AmountToCapture = stripe.Int64(p.AmountToCapture)
	}
	pi, err := s.intents.Capture(id, params)
	return intentResult(ctx, pi, err)
}

// CancelPaymentIntent implements Client.
func (s *Stripe) CancelPaymentIntent(ctx context.Context, id string, p CancelParams) (*PaymentIntent, error) {
	if err := s.checkAccount(); err != nil {
		return nil, err
	}
	if err := p.Validate(id); err != nil {
		return nil, err
	}
	params := &stripe.PaymentIntentCancelParams{
		Params:             s.baseParams(ctx, p.IdempotencyKey),
		CancellationReason: optString(p.CancellationReason),
		Expand:             expandCharge(),
	}
	pi, err := s.intents.Cancel(id, params)
	return intentResult(ctx, pi, err)
}

// RetrievePaymentMethod implements Client.
func (s *Stripe) RetrievePaymentMethod(ctx context.Context, id string) (*PaymentMethod, error) {
	if err := s.checkAccount(); err != nil {
		return nil, err
	}
	if err := ValidatePaymentMethodID(id); err != nil {
		return nil, err
	}
	pm, err := s.methods.Get(id, &stripe.PaymentMethodParams{Params: s.baseParams(ctx, "")})
	if err != nil {
		var resp *stripe.APIResponse
		if pm != nil {
			resp = pm.LastResponse
		}
		return nil, mapError(ctx, err, resp)
	}
	m := convertMethod(pm)
	return &m, nil
}

// listPageSize is Stripe's largest page: one request for nearly every
// customer; the iterator fetches further pages when has_more is set.
const listPageSize = 100

// ListCards implements Client.
func (s *Stripe) ListCards(ctx context.Context, customerID string) ([]PaymentMethod, error) {
	if err := s.checkAccount(); err != nil {
		return nil, err
	}
	if err := ValidateCustomerID(customerID); err != nil {
		return nil, err
	}
	params := &stripe.CustomerListPaymentMethodsParams{
		ListParams: s.listParams(ctx),
		Customer:   stripe.String(customerID),
		Type:       stripe.String(string(stripe.PaymentMethodTypeCard)),
	}
	it := s.customers.ListPaymentMethods(params)
	cards := []PaymentMethod{} // empty, not nil, for a customer without cards
	for it.Next() {
		cards = append(cards, convertMethod(it.PaymentMethod()))
	}
	if err := it.Err(); err != nil {
		var resp *stripe.APIResponse
		if l := it.PaymentMethodList(); l != nil {
			resp = l.LastResponse
		}
		return nil, mapError(ctx, err, resp)
	}
	return cards, nil
}

// SearchPaymentIntents implements Client.
func (s *Stripe) SearchPaymentIntents(ctx context.Context, p SearchParams) ([]PaymentIntent, error) {
	if err := s.checkAccount(); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	params := &stripe.PaymentIntentSearchParams{
		SearchParams: stripe.SearchParams{Context: ctx, Query: p.Query(), Limit: stripe.Int64(listPageSize)},
		Expand:       []*string{stripe.String("data.latest_charge")},
	}
	if s.account != "" {
		params.SetStripeAccount(s.account)
	}
	it := s.intents.Search(params)
	out := []PaymentIntent{} // empty, not nil, when nothing matches
	for it.Next() {
		out = append(out, *convertIntent(it.PaymentIntent()))
	}
	if err := it.Err(); err != nil {
		var resp *stripe.APIResponse
		if r := it.PaymentIntentSearchResult(); r != nil {
			resp = r.LastResponse
		}
		return nil, mapError(ctx, err, resp)
	}
	return out, nil
}

// CreateRefund implements Refunder.
func (s *Stripe) CreateRefund(ctx context.Context, p RefundParams) (*Refund, error) {
	if err := s.checkAccount(); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	params := &stripe.RefundParams{
		Params:               s.baseParams(ctx, p.IdempotencyKey),
		PaymentIntent:        stripe.String(p.PaymentIntent),
		Reason:               optString(p.Reason),
		RefundApplicationFee: optTrue(p.RefundApplicationFee),
		ReverseTransfer:      optTrue(p.ReverseTransfer),
	}
	if p.Amount > 0 {
		params.Amount = stripe.Int64(p.Amount)
	}
	if len(p.Metadata) > 0 {
		params.Metadata = make(map[string]string, len(p.Metadata))
		for k, v := range p.Metadata {
			params.Metadata[k] = v
		}
	}
	r, err := s.refunds.New(params)
	return refundResult(ctx, r, err)
}

// RetrieveRefund implements Refunder.
func (s *Stripe) RetrieveRefund(ctx context.Context, id string) (*Refund, error) {
	if err := s.checkAccount(); err != nil {
		return nil, err
	}
	if err := ValidateRefundID(id); err != nil {
		return nil, err
	}
	r, err := s.refunds.Get(id, &stripe.RefundParams{Params: s.baseParams(ctx, "")})
	return refundResult(ctx, r, err)
}

// ListRefunds implements Refunder.
func (s *Stripe) ListRefunds(ctx context.Context, p ListRefundsParams) ([]Refund, error) {
	if err := s.checkAccount(); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	params := &stripe.RefundListParams{
		ListParams:    s.listParams(ctx),
		PaymentIntent: optString(p.PaymentIntent),
		Charge:        optString(p.Charge),
	}
	it := s.refunds.List(params)
	out := []Refund{} // empty, not nil, when there is none
	for it.Next() {
		out = append(out, convertRefund(it.Refund()))
	}
	if err := it.Err(); err != nil {
		var resp *stripe.APIResponse
		if l := it.RefundList(); l != nil {
			resp = l.LastResponse
		}
		return nil, mapError(ctx, err, resp)
	}
	return out, nil
}

func refundResult(ctx context.Context, r *stripe.Refund, err error) (*Refund, error) {
	if err != nil {
		var resp *stripe.APIResponse
		if r != nil {
			resp = r.LastResponse
		}
		return nil, mapError(ctx, err, resp)
	}
	out := convertRefund(r)
	out.Replayed = replayed(r.LastResponse)
	return &out, nil
}

// convertRefund maps a stripe-go Refund to ours. charge and payment_intent
// arrive unexpanded, as IDs.
func convertRefund(r *stripe.Refund) Refund {
	out := Refund{
		ID:            r.ID,
		Amount:        r.Amount,
		Currency:      string(r.Currency),
		Status:        RefundStatus(r.Status),
		Reason:        string(r.Reason),
		FailureReason: string(r.FailureReason),
		Created:       r.Created,
	}
	if r.Charge != nil {
		out.Charge = r.Charge.ID
	}
	if r.PaymentIntent != nil {
		out.PaymentIntent = r.PaymentIntent.ID
	}
	if len(r.Metadata) > 0 {
		out.Metadata = make(map[string]string, len(r.Metadata))
		for k, v := range r.Metadata {
			out.Metadata[k] = v
		}
	}
	return out
}

func intentResult(ctx context.Context, pi *stripe.PaymentIntent, err error) (*PaymentIntent, error) {
	if err != nil {
		var resp *stripe.APIResponse
		if pi != nil {
			resp = pi.LastResponse
		}
		return nil, mapError(ctx, err, resp)
	}
	out := convertIntent(pi)
	out.Replayed = replayed(pi.LastResponse)
	return out, nil
}

// replayed reports whether resp came from Stripe's idempotency store: Stripe
// marks a replayed answer with the header Idempotent-Replayed: true.
func replayed(resp *stripe.APIResponse) bool {
	return resp != nil && resp.Header.Get("Idempotent-Replayed") == "true"
}

// convertIntent maps a stripe-go PaymentIntent to ours.
//
// Two fields are kept only where they can be true, because stripe-mock
// (v0.203.0) returns canned values on every intent — last_payment_error
// {"type":"idempotency_error"} and next_action {"type":"type"} with status
// requires_payment_method — and a mapping that copied them would report a
// failure or a 3-D Secure step that never happened:
//
//   - NextAction only when Status is requires_action, the only status in
//     which Stripe has the customer act;
//   - LastPaymentError only when Status is requires_payment_method (Stripe
//     clears it when the intent later moves on), its type is not
//     idempotency_error (a request error, never a payment attempt's), and it
//     carries a code or a message, as every real one does.
func convertIntent(pi *stripe.PaymentIntent) *PaymentIntent {
	out := &PaymentIntent{
		ID:                        pi.ID,
		Status:                    string(pi.Status),
		Amount:                    pi.Amount,
		AmountCapturable:          pi.AmountCapturable,
		AmountReceived:            pi.AmountReceived,
		Currency:                  string(pi.Currency),
		CaptureMethod:             string(pi.CaptureMethod),
		ConfirmationMethod:        string(pi.ConfirmationMethod),
		SetupFutureUsage:          string(pi.SetupFutureUsage),
		ClientSecret:              pi.ClientSecret,
		Description:               pi.Description,
		StatementDescriptorSuffix: pi.StatementDescriptorSuffix,
		CancellationReason:        string(pi.CancellationReason),
		Created:                   unixTime(pi.Created),
		ApplicationFeeAmount:      pi.ApplicationFeeAmount,
	}
	if pi.TransferData != nil && pi.TransferData.Destination != nil {
		out.TransferDestination = pi.TransferData.Destination.ID
	}
	if pi.OnBehalfOf != nil {
		out.OnBehalfOf = pi.OnBehalfOf.ID
	}
	if pi.Customer != nil {
		out.Customer = pi.Customer.ID
	}
	if pi.PaymentMethod != nil {
		out.PaymentMethod = pi.PaymentMethod.ID
	}
	if len(pi.Metadata) > 0 {
		out.Metadata = make(map[string]string, len(pi.Metadata))
		for k, v := range pi.Metadata {
			out.Metadata[k] = v
		}
	}
	if na := pi.NextAction; na != nil && out.Status == StatusRequiresAction {
		out.NextAction = &NextAction{Type: string(na.Type)}
		if na.RedirectToURL != nil {
			out.NextAction.RedirectURL = na.RedirectToURL.URL
		}
	}
	if le := pi.LastPaymentError; le != nil && out.Status == StatusRequiresPaymentMethod &&
		le.Type != stripe.ErrorTypeIdempotency && (le.Code != "" || le.Msg != "") {
		out.LastPaymentError = &PaymentError{
			Type:        string(le.Type),
			Code:        string(le.Code),
			DeclineCode: string(le.DeclineCode),
			Message:     redactSecrets(le.Msg),
		}
		if le.PaymentMethod != nil {
			out.LastPaymentError.PaymentMethod = le.PaymentMethod.ID
		}
	}
	if ch := pi.LatestCharge; ch != nil && ch.ID != "" {
		// Without expansion only the ID arrives; the rest stays zero.
		out.LatestCharge = &Charge{
			ID:             ch.ID,
			Amount:         ch.Amount,
			AmountCaptured: ch.AmountCaptured,
			Captured:       ch.Captured,
			Paid:           ch.Paid,
			Status:         string(ch.Status),
			AmountRefunded: ch.AmountRefunded,
			Refunded:       ch.Refunded,
		}
		if d := ch.PaymentMethodDetails; d != nil && d.Card != nil && d.Card.Checks != nil {
			out.LatestCharge.CVCCheck = string(d.Card.Checks.CVCCheck)
		}
	}
	return out
}

func convertMethod(pm *stripe.PaymentMethod) PaymentMethod {
	out := PaymentMethod{ID: pm.ID, Type: string(pm.Type), Created: unixTime(pm.Created)}
	if pm.Customer != nil {
		out.Customer = pm.Customer.ID
	}
	if c := pm.Card; c != nil {
		out.Card = &Card{
			Brand:    string(c.Brand),
			Last4:    c.Last4,
			ExpMonth: int(c.ExpMonth),
			ExpYear:  int(c.ExpYear),
			Funding:  string(c.Funding),
			Country:  c.Country,
		}
	}
	return out
}

func unixTime(sec int64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}

// errBodyWithheld stands in for stripe-go's decoding errors, whose text
// quotes up to 500 bytes of the response body — for a PaymentIntent, its
// client secret.
var errBodyWithheld = errors.New("stripe-go could not decode the response body (details withheld: they quote the body)")

// deserializeStatusRE reads the HTTP status out of the text of stripe-go
// v76's UnmarshalJSONVerbose error, "Couldn't deserialize JSON (response
// status: 502, body sample: '…'): …", the only place it keeps the status of
// an error response whose body is not JSON.
var deserializeStatusRE = regexp.MustCompile(`^Couldn't deserialize JSON \(response status: (\d+),`)

// mapError turns what stripe-go returned into an *Error.
//
// stripe-go v76 reports failures in these shapes:
//   - an HTTP status ≥ 400 whose body holds {"error": {…}}: a *stripe.Error
//     with HTTPStatusCode and RequestID filled from the response, and Err a
//     *stripe.CardError, *InvalidRequestError, *IdempotencyError or
//     *APIError by type; on a decline during confirmation it carries the
//     intent in PaymentIntent;
//   - a body that is not JSON, on any status: a plain error from
//     fmt.Errorf("Couldn't deserialize JSON (response status: …, body
//     sample: …)"); for a 2xx, resp (the object's LastResponse) still holds
//     the status and Request-Id;
//   - an error status with valid JSON but no "error" object: a plain error
//     whose text is the whole body;
//   - no response: the *url.Error of http.Client.Do (dial, reset, the
//     client's Timeout, ctx canceled or past its deadline), or, for a
//     connection cut mid-body, the read error (io.ErrUnexpectedEOF or a
//     net.Error);
//
// after retrying, per Config.MaxNetworkRetries, those it deems retryable.
func mapError(ctx context.Context, err error, resp *stripe.APIResponse) error {
	var se *stripe.Error
	if errors.As(err, &se) {
		return fromStripeError(se)
	}
	// Checked before the network case: a request cut short by ctx surfaces
	// as a *url.Error, and the caller wants to know it was their ctx.
	if ctxErr := ctx.Err(); ctxErr != nil {
		return &Error{kind: kindContext, Err: ctxErr}
	}
	var urlErr *url.Error
	var netErr net.Error
	if errors.As(err, &urlErr) || errors.As(err, &netErr) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return &Error{kind: kindNetwork, Err: err}
	}
	e := &Error{kind: kindMalformed, Err: errBodyWithheld}
	if resp != nil {
		e.HTTPStatus, e.RequestID = resp.StatusCode, resp.RequestID
	} else if m := deserializeStatusRE.FindStringSubmatch(err.Error()); m != nil {
		e.HTTPStatus, _ = strconv.Atoi(m[1])
	}
	return e
}

func fromStripeError(se *stripe.Error) *Error {
	scrubStripeError(se)
	e := &Error{
		Type:        string(se.Type),
		Code:        string(se.Code),
		DeclineCode: string(se.DeclineCode),
		Param:       se.Param,
		Message:     se.Msg,
		HTTPStatus:  se.HTTPStatusCode,
		RequestID:   se.RequestID,
		Replayed:    replayed(se.LastResponse),
		Err:         se,
	}
	if se.PaymentIntent != nil {
		e.PaymentIntent = convertIntent(se.PaymentIntent)
		e.PaymentIntent.Replayed = e.Replayed
		// *stripe.Error's Error() is its JSON, client secret included.
		// The error is this call's alone, so blank the secret in place:
		// then printing the unwrapped error (or its typed Err, which
		// points back to it) cannot leak it. Ours keeps it, marked secret.
		redacted := *se.PaymentIntent
		redacted.ClientSecret = ""
		se.PaymentIntent = &redacted
	}
	e.kind = classify(string(se.Type), string(se.Code), se.HTTPStatusCode)
	return e
}

// scrubStripeError removes, in place, what se can quote of a key, a client
// secret or a CVC token, before se becomes our Error's Err: a host that
// unwraps it with errors.As reads the same redacted text as Error.Message.
// Stripe's messages can quote what the request carried (a wrong key, an ID
// that was really a client secret); stripe-go also keeps the whole response
// body in LastResponse.RawJSON, the intent's client secret included, which
// nothing here needs, so it is dropped.
func scrubStripeError(se *stripe.Error) {
	se.Msg = redactSecrets(se.Msg)
	se.DocURL = redactSecrets(se.DocURL)
	se.OAuthErrorDescription = redactSecrets(se.OAuthErrorDescription)
	if se.LastResponse != nil {
		lr := *se.LastResponse
		lr.RawJSON = nil
		se.LastResponse = &lr
	}
	if pi := se.PaymentIntent; pi != nil && pi.LastPaymentError != nil {
		le := *pi.LastPaymentError
		le.Msg = redactSecrets(le.Msg)
		cp := *pi
		cp.LastPaymentError = &le
		se.PaymentIntent = &cp
	}
	if si := se.SetupIntent; si != nil {
		cp := *si
		cp.ClientSecret = ""
		se.SetupIntent = &cp
	}
}

// slogBridge passes stripe-go's log lines to a *slog.Logger, keeping
// response bodies out: stripe-go logs every response body at debug level and
// quotes bodies when it cannot decode one, and a body can hold a client
// secret.
type slogBridge struct{ l *slog.Logger }

// Debugf drops the line: stripe-go's only debug line is "Response: <body>".
func (slogBridge) Debugf(string, ...interface{}) {}

// Infof logs stripe-go's per-request lines at Debug: they are one per call.
func (b slogBridge) Infof(format string, v ...interface{}) { b.log(slog.LevelDebug, format, v) }

// Warnf logs retries at Warn.
func (b slogBridge) Warnf(format string, v ...interface{}) { b.log(slog.LevelWarn, format, v) }

// Errorf logs failed requests at Error.
func (b slogBridge) Errorf(format string, v ...interface{}) { b.log(slog.LevelError, format, v) }

func (b slogBridge) log(level slog.Level, format string, v []interface{}) {
	if !b.l.Enabled(context.Background(), level) {
		return
	}
	safe := make([]interface{}, len(v))
	for i, a := range v {
		safe[i] = safeLogArg(a)
	}
	b.l.Log(context.Background(), level, fmt.Sprintf(format, safe...), "component", "stripe-go")
}

func safeLogArg(a interface{}) interface{} {
	switch x := a.(type) {
	case *stripe.Error:
		// Its JSON would include the intent and payment method; the
		// classification is what a log reader needs.
		return fmt.Sprintf("type=%s code=%s decline_code=%s status=%d request=%s",
			x.Type, x.Code, x.DeclineCode, x.HTTPStatusCode, x.RequestID)
	case *url.Error:
		return x // method, URL (no key: it travels in a header) and cause
	case error:
		return "[withheld: may quote the response body]"
	case string:
		if strings.Contains(x, "body sample") {
			return "[withheld: quotes the response body]"
		}
	}
	return a
}
