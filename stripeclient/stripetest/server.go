package stripetest

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest/internal/bodyrec"
)

// Server is a Fake served over HTTP with Stripe's REST surface, in the
// style of httptest.Server: NewServer starts it on a free loopback port,
// URL is its base URL, Close stops it.
//
// The server is a second door to the same Fake: a request over HTTP calls
// the Fake's stripeclient.Client methods, so both doors share its intents,
// customers, tokens, idempotency records, queued faults, fault hook and
// call log. A fault that drops the connection (FaultNetwork,
// FaultResponseLost) drops the HTTP connection.
//
// It serves, for any key starting with sk_test_ (Bearer or Basic auth):
//
//	POST /v1/payment_intents                      create (and confirm)
//	POST /v1/payment_intents/{id}/confirm         confirm
//	GET  /v1/payment_intents/{id}                 retrieve
//	POST /v1/payment_intents/{id}/capture         capture
//	POST /v1/payment_intents/{id}/cancel          cancel
//	GET  /v1/payment_intents/search               search by metadata['key']:'value'
//	GET  /v1/payment_methods/{id}                 retrieve a payment method
//	GET  /v1/customers/{id}/payment_methods       a customer's cards
//	GET  /v1/payment_intents                      list: customer, created, limit, starting_after, ending_before
//	GET  /v1/charges/{id}                         retrieve a charge
//	GET  /v1/charges                              list: payment_intent, customer, created, limit, starting_after, ending_before
//	POST /v1/tokens                               cvc_update[cvc]: a CVC token (pk_test_ keys too)
//	POST /v1/refunds                              refund a payment_intent (or charge), all or amount
//	GET  /v1/refunds/{id}                         retrieve a refund
//	GET  /v1/refunds                              refunds of a payment_intent or charge, newest first
//
// and, under /_stripetest/ (not Stripe's API; the browser's and the
// dashboard's part in a test):
//
//	POST /_stripetest/payment_intents/{id}/authenticate        pass 3-D Secure (Fake.Authenticate)
//	POST /_stripetest/payment_intents/{id}/fail_authentication fail 3-D Secure (Fake.FailAuthentication)
//	POST /_stripetest/customers                                a new customer (Fake.CreateCustomerOn the Stripe-Account)
//	POST /_stripetest/accounts                                 a new connected account (Fake.CreateAccount)
//	POST /_stripetest/customers/{id}/cards                     payment_method=pm_card_…: save a card (Fake.AttachCard)
//	GET  /_stripetest/charges                                  every charge attempt; metadata_key and value filter (Fake.ChargesWhere)
//	GET  /_stripetest/test_cards                               the test cards (TestCards)
//	POST /_stripetest/refunds/{id}/settle                      status=succeeded|failed: settle a pending refund (Fake.SettleRefund)
//
// The 3-D Secure endpoints also accept a pk_test_ key together with the
// intent's client_secret, as Stripe.js acts for the holder of the secret.
//
// Bodies are form-encoded as Stripe's SDKs send them (metadata[k]=v,
// payment_method_types[0]=card or [], expand[]=latest_charge, booleans as
// true or Python's True); every parameter Stripe's API takes at 2023-10-16
// on these endpoints is accepted, modelled or ignored (notModelled,
// FIDELITY.md), and any other is refused as unknown. Responses are JSON in
// the shape of API version 2023-10-16; the rules applied are those of the
// Stripe-Version a request names (or Config.APIVersion), which the answer's
// Stripe-Version echoes, and an answer to a later version says
// Stripetest-Object-Version: 2023-10-16. Fields the fake does not model
// carry fixed values (livemode false, payment_method_types ["card"], null
// where Stripe allows null).
//
// A Stripe-Account: acct_… header (Stripe Connect) makes any request act on
// that connected account, as Fake.OnAccount does in process; an account
// the fake does not know (see Fake.CreateAccount) is refused with 403.
//
// Where the HTTP door knowingly differs from Stripe:
//   - the ignored parameters change nothing (receipt_email, shipping,
//     error_on_requires_action, …), and only latest_charge can be
//     expanded;
//   - next_action.use_stripe_sdk names the fake's authenticate helper,
//     not Stripe.js's real dictionary;
//   - a POST without Idempotency-Key gets a unique key made up by the
//     server (so it is never replayed).
type Server struct {
	// URL is the base URL, "http://127.0.0.1:PORT", with no trailing slash:
	// stripeclient.Config.BaseURL.
	URL string
	// Listener is the server's listener.
	Listener net.Listener

	srv *http.Server
}

// NewServer starts serving fake on a free port of 127.0.0.1. Like
// httptest.NewServer it panics when it cannot listen. Call Close when done.
// Its http.Server has the timeouts below (ReadHeaderTimeout, BodyTimeout,
// ReadTimeout, WriteTimeout, IdleTimeout), so a slow client cannot hold a
// connection.
func NewServer(fake *Fake) *Server {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic("stripetest: NewServer: " + err.Error())
	}
	s := &Server{
		URL:      "http://" + ln.Addr().String(),
		Listener: ln,
		srv:      newHTTPServer(NewHandler(fake)),
	}
	go func() { _ = s.srv.Serve(ln) }()
	return s
}

// The timeouts of NewServer's http.Server and of cmd/stripetest: a client
// has ReadHeaderTimeout to send its headers, BodyTimeout more to send its
// body (and ReadTimeout for the whole request), WriteTimeout from the end
// of its headers for the answer, and an idle connection is closed after
// IdleTimeout. WriteTimeout is long so that an injected FaultLatency of up
// to a minute still answers.
const (
	ReadHeaderTimeout = 10 * time.Second
	BodyTimeout       = 30 * time.Second
	ReadTimeout       = time.Minute
	WriteTimeout      = 2 * time.Minute
	IdleTimeout       = 2 * time.Minute
)

func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: ReadHeaderTimeout, ReadTimeout: ReadTimeout,
		WriteTimeout: WriteTimeout, IdleTimeout: IdleTimeout}
}

// Close stops the server: it closes the listener and every connection.
// Requests still running (a FaultLatency sleep) see their context canceled.
func (s *Server) Close() { _ = s.srv.Close() }

// NewHandler returns the HTTP handler of NewServer, for serving fake on a
// listener of one's own.
func NewHandler(fake *Fake) http.Handler { return newHandler(fake, BodyTimeout) }

// newHandler is NewHandler with the body deadline bodyTimeout.
func newHandler(fake *Fake, bodyTimeout time.Duration) http.Handler {
	h := &handler{fake: fake, rec: bodyrec.New(), bodyTimeout: bodyTimeout}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/payment_intents", h.api(h.createIntent))
	mux.HandleFunc("GET /v1/payment_intents/search", h.api(h.searchIntents))
	mux.HandleFunc("GET /v1/payment_intents/{id}", h.api(h.retrieveIntent))
	mux.HandleFunc("POST /v1/payment_intents/{id}/confirm", h.api(h.confirmIntent))
	mux.HandleFunc("POST /v1/payment_intents/{id}/capture", h.api(h.captureIntent))
	mux.HandleFunc("POST /v1/payment_intents/{id}/cancel", h.api(h.cancelIntent))
	mux.HandleFunc("GET /v1/payment_methods/{id}", h.api(h.retrieveMethod))
	mux.HandleFunc("GET /v1/customers/{id}/payment_methods", h.api(h.listMethods))
	mux.HandleFunc("POST /v1/tokens", h.publishable(h.createToken))
	mux.HandleFunc("POST /v1/test_helpers/confirmation_tokens", h.publishable(h.createConfirmationToken))
	mux.HandleFunc("GET /v1/confirmation_tokens/{id}", h.api(h.retrieveConfirmationToken))
	// Lists and charges (server_charges.go).
	mux.HandleFunc("GET /v1/payment_intents", h.api(h.listIntents))
	mux.HandleFunc("GET /v1/charges", h.api(h.listStripeCharges))
	mux.HandleFunc("GET /v1/charges/{id}", h.api(h.retrieveCharge))

	// Refunds (server_refunds.go).
	mux.HandleFunc("POST /v1/refunds", h.api(h.createRefund))
	mux.HandleFunc("GET /v1/refunds", h.api(h.listRefunds))
	mux.HandleFunc("GET /v1/refunds/{id}", h.api(h.retrieveRefund))
	mux.HandleFunc("POST /_stripetest/refunds/{id}/settle", h.api(h.settleRefund))

	mux.HandleFunc("POST /_stripetest/payment_intents/{id}/authenticate", h.publishable(h.authenticate))
	mux.HandleFunc("POST /_stripetest/payment_intents/{id}/fail_authentication", h.publishable(h.failAuthentication))
	mux.HandleFunc("POST /_stripetest/customers", h.api(h.createCustomer))
	mux.HandleFunc("POST /_stripetest/accounts", h.api(h.createAccount))
	mux.HandleFunc("POST /_stripetest/customers/{id}/cards", h.api(h.attachCard))
	mux.HandleFunc("GET /_stripetest/charges", h.api(h.listCharges))
	mux.HandleFunc("GET /_stripetest/test_cards", h.api(h.testCards))
	// Other paths, and other methods on these paths, get Stripe's JSON 404
	// rather than net/http's plain-text 404 and 405.
	notFound := h.api(h.notFound)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern == "" {
			notFound(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// handler serves one Fake.
type handler struct {
	fake  *Fake
	rec   *bodyrec.Recorder // nil unless bodyrec.Env is set
	reqID atomic.Uint64     // request IDs of answers the fake did not give one
	auto  atomic.Uint64     // idempotency keys for POSTs sent without one
	// bodyTimeout bounds the time a POST's body takes to arrive after its
	// headers (0: no bound).
	bodyTimeout time.Duration
}

// call is one request being answered.
type call struct {
	w          http.ResponseWriter
	r          *http.Request
	form       *form
	key        string // the sk_test_/pk_test_ key
	idemKey    string
	publicAuth bool            // authenticated with a publishable key
	context    context.Context // r's, carrying the API version and meta
	meta       requestMeta
}

// endpoint answers one call: a status and a JSON-marshalable body, or an
// error (*stripeclient.Error, *stripeclient.ParamError or *requestError).
type endpoint func(c *call) (int, any, error)

// maxBody bounds a request body; the flow's requests are a few hundred
// bytes.
const maxBody = 1 << 20

// api wraps an endpoint that needs a secret test key.
func (h *handler) api(e endpoint) http.HandlerFunc { return h.serve(e, false) }

// publishable wraps an endpoint that a browser may call with a
// publishable test key.
func (h *handler) publishable(e endpoint) http.HandlerFunc { return h.serve(e, true) }

func (h *handler) serve(e endpoint, allowPublishable bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		c := &call{w: w, r: r, context: r.Context()}
		version := h.fake.apiVersion(c.context)
		hd.Set("Stripe-Version", version)
		key, err := authenticate(r, allowPublishable)
		if err != nil {
			h.writeError(c, err)
			return
		}
		c.key, c.publicAuth = key, publicKey(key)
		if v := r.Header.Get("Stripe-Version"); v != "" {
			if !validAPIVersion(v) {
				h.writeError(c, &requestError{status: http.StatusBadRequest, msg: "Invalid Stripe API version: " + v})
				return
			}
			// The rules of the version asked for apply; the objects keep
			// the shape of stripeclient.APIVersion, and a client asking
			// for a later one is told so.
			version = v
			hd.Set("Stripe-Version", version)
			c.context = withAPIVersion(c.context, version)
		}
		if laterShape(version) {
			hd.Set(shapeHeader, stripeclient.APIVersion)
		}
		if acct := r.Header.Get("Stripe-Account"); acct != "" {
			// Every endpoint acts on the connected account the header
			// names (docs.stripe.com/connect/authentication).
			c.context = withAccount(c.context, acct)
			if err := h.fake.checkAccount(c.context); err != nil {
				var pe *stripeclient.ParamError
				if errors.As(err, &pe) {
					err = h.fake.unknownAccount(acct)
				}
				h.writeError(c, err)
				return
			}
		}
		c.meta.reqID = fmt.Sprintf("req_stripetest%010d", h.reqID.Add(1))
		c.context = withRequestMeta(c.context, &c.meta)
		if d := h.bodyDeadline(r); d > 0 {
			// Headers are in; the body must follow within bodyTimeout, so
			// that a client trickling its body cannot hold a connection.
			_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(d))
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		err = r.ParseForm()
		if h.bodyDeadline(r) > 0 {
			// The body is read: lift the deadline, so that the server's
			// watch for a closed connection does not end a slow answer
			// (a FaultLatency sleep) early.
			_ = http.NewResponseController(w).SetReadDeadline(time.Time{})
		}
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				dropConnection(w) // too slow to answer: Stripe's servers cut such clients off too
				return
			}
			h.writeError(c, &requestError{status: http.StatusBadRequest, msg: "Invalid request body: could not parse it as application/x-www-form-urlencoded."})
			return
		}
		c.form = newForm(r.Form)
		if r.Method == http.MethodPost {
			c.idemKey = r.Header.Get("Idempotency-Key")
			if c.idemKey == "" {
				// Stripe runs a POST without a key once, unprotected; the
				// fake needs a key, so it makes up a unique one.
				c.idemKey = "stripetest-auto-" + strconv.FormatUint(h.auto.Add(1), 10)
			}
			hd.Set("Idempotency-Key", c.idemKey)
		}
		status, body, err := e(c)
		if err != nil {
			h.writeError(c, err)
			return
		}
		if c.meta.original != "" {
			hd.Set(originalRequestHeader, c.meta.original)
		}
		h.writeJSON(c, status, c.meta.reqID, body)
	}
}

// bodyDeadline is how long a POST's body may take after its headers:
// bodyTimeout, or the server's ReadTimeout when shorter (a read deadline
// set here replaces the server's). 0 means none.
func (h *handler) bodyDeadline(r *http.Request) time.Duration {
	if r.Method != http.MethodPost || h.bodyTimeout <= 0 {
		return 0
	}
	d := h.bodyTimeout
	if srv, ok := r.Context().Value(http.ServerContextKey).(*http.Server); ok && srv.ReadTimeout > 0 {
		d = min(d, srv.ReadTimeout)
	}
	return d
}

// replayedHeader marks an answer replayed from the idempotency store, as
// Stripe marks it; originalRequestHeader names the request ID of the answer
// replayed, as Stripe's replays do.
const (
	replayedHeader        = "Idempotent-Replayed"
	originalRequestHeader = "Original-Request"
)

// shapeHeader says, on an answer to a client that asked for an API version
// later than stripeclient.APIVersion, which version's object shape the
// answer has: the fake applies the later version's rules (version.go) but
// not its object changes. Not a Stripe header.
const shapeHeader = "Stripetest-Object-Version"

// authenticate reads the API key from the Authorization header (Bearer,
// or Basic with the key as user name, as curl -u sends it).
func authenticate(r *http.Request, allowPublishable bool) (string, error) {
	auth := r.Header.Get("Authorization")
	var key string
	switch {
	case auth == "":
		return "", &requestError{status: http.StatusUnauthorized, msg: "You did not provide an API key. You need to provide your API key in the Authorization header, " +
			"using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY')."}
	case strings.HasPrefix(auth, "Bearer "):
		key = strings.TrimSpace(strings.TrimPrefix(auth, "Bearer "))
	case strings.HasPrefix(auth, "Basic "):
		raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(auth, "Basic "))
		if err == nil {
			key, _, _ = strings.Cut(string(raw), ":")
		}
	}
	ok := len(key) > len("sk_test_") && strings.HasPrefix(key, "sk_test_") ||
		allowPublishable && len(key) > len("pk_test_") && strings.HasPrefix(key, "pk_test_")
	if !ok {
		// Stripe quotes a masked key; the fake quotes none of it.
		msg := "Invalid API Key provided: the stripetest server accepts any key starting with sk_test_"
		if allowPublishable {
			msg += " (or pk_test_ here)"
		}
		return "", &requestError{status: http.StatusUnauthorized, msg: msg + "."}
	}
	return key, nil
}

// requestError is a refusal of the HTTP layer itself: authentication, a
// malformed body or parameter, an unknown URL.
type requestError struct {
	status int
	typ    string // "" means invalid_request_error
	code   string
	param  string
	msg    string
}

func (e *requestError) Error() string { return e.msg }

func unknownParam(name string) *requestError {
	return &requestError{status: http.StatusBadRequest, code: "parameter_unknown", param: name,
		msg: "Received unknown parameter: " + name + " (the stripetest server models only the parameters of the synchronous card flow)"}
}

func missingParam(name string) *requestError {
	return &requestError{status: http.StatusBadRequest, code: "parameter_missing", param: name,
		msg: "Missing required param: " + name + "."}
}

func (h *handler) notFound(c *call) (int, any, error) {
	return 0, nil, &requestError{status: http.StatusNotFound,
		msg: fmt.Sprintf("Unrecognized request URL (%s: %s). The stripetest server serves only the endpoints of the synchronous card flow.", c.r.Method, c.r.URL.Path)}
}

// errorBody is Stripe's error envelope.
type errorBody struct {
	Error apiError `json:"error"`
}

// writeError answers err as Stripe does: the error envelope with the HTTP
// status of the error. An error without a response — a dropped connection,
// or the caller's context ending — drops the connection.
func (h *handler) writeError(c *call, err error) {
	var (
		se *stripeclient.Error
		pe *stripeclient.ParamError
		re *requestError
	)
	switch {
	case errors.As(err, &se):
		if errors.Is(se, stripeclient.ErrNetwork) || se.HTTPStatus == 0 {
			dropConnection(c.w)
			return
		}
		if se.Replayed {
			c.w.Header().Set(replayedHeader, "true")
			c.w.Header().Set(originalRequestHeader, se.RequestID)
		}
		h.writeJSON(c, se.HTTPStatus, se.RequestID, errorBody{h.renderError(c, se)})
	case errors.As(err, &pe):
		// Bad input the Client would have refused before sending; Stripe
		// refuses it too, as a 404 for an ID in the path.
		if pe.Param == "id" || pe.Param == "customer" && c.r.PathValue("id") != "" {
			h.writeJSON(c, http.StatusNotFound, "", errorBody{apiError{Type: "invalid_request_error", Code: stripeclient.CodeResourceMissing,
				Param: "id", Message: "No such object: '" + c.r.PathValue("id") + "'"}})
			return
		}
		code := "parameter_invalid"
		if pe.Reason == "required" {
			code = "parameter_missing"
		}
		h.writeJSON(c, http.StatusBadRequest, "", errorBody{apiError{Type: "invalid_request_error", Code: code,
			Param: stripeParam(pe.Param), Message: "Invalid " + stripeParam(pe.Param) + ": " + pe.Reason + "."}})
	case errors.As(err, &re):
		typ := re.typ
		if typ == "" {
			typ = "invalid_request_error"
		}
		h.writeJSON(c, re.status, "", errorBody{apiError{Type: typ, Code: re.code, Param: re.param, Message: re.msg}})
	default:
		h.writeJSON(c, http.StatusInternalServerError, "", errorBody{apiError{Type: "api_error", Message: "stripetest: " + err.Error()}})
	}
}

// stripeParam names a ParamError's parameter as Stripe's form does.
func stripeParam(p string) string {
	switch p {
	case "cvc_token":
		return cvcTokenParam
	case "metadata key", "value":
		return "query"
	}
	return p
}

// dropConnection ends the exchange without a response. It writes the first
// bytes of a status line before closing: a connection closed before any
// byte of the response would make Go's HTTP client silently resend a POST
// that carries an Idempotency-Key on a reused connection, and the caller
// would never see the fault it was meant to see.
func dropConnection(w http.ResponseWriter) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // closes the connection without a log line
	}
	_, _ = buf.WriteString("HTTP/1.1 ")
	_ = buf.Flush()
	_ = conn.Close()
}

// writeJSON writes body with Stripe's headers.
func (h *handler) writeJSON(c *call, status int, reqID string, body any) {
	if reqID == "" {
		reqID = fmt.Sprintf("req_stripetest%010d", h.reqID.Add(1))
	}
	hd := c.w.Header()
	if status == http.StatusUnauthorized {
		hd.Set("WWW-Authenticate", `Basic realm="Stripe"`)
	}
	hd.Set("Content-Type", "application/json")
	hd.Set("Request-Id", reqID)
	hd.Set("Cache-Control", "no-cache, no-store")
	b, err := marshal(body)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"type":"api_error","message":"stripetest: could not encode the response"}}`)
	}
	hd.Set("Content-Length", strconv.Itoa(len(b)))
	c.w.WriteHeader(status)
	_, _ = c.w.Write(b)
	h.rec.Record(c.r.Method, c.r.URL.Path, status, b)
}

// ctx is the request's context: it ends when the client goes away, which
// ends a FaultLatency sleep as the caller's own context would in process.
func (c *call) ctx() context.Context { return c.context }
