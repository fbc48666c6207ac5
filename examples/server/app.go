package main

import (
	"embed"
	"errors"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/cvc"
	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest/stripejs"
)

// The pages and the page's own payment code (and, through stripejs, the
// offline Stripe.js stand-in) are compiled into the binary, so `go run .` in examples/server needs no files
// beside it and no network.
//
//go:embed web
var webFiles embed.FS

// sessionCookie holds this browser's random session ID, which names its
// server-side order. It is the only thing that ties a POST /pay to what is
// being paid for: the body carries a card or intent ID and nothing else.
const sessionCookie = "cardconfirm_session"

// paymentTimeout bounds one payment step, Stripe's round trips included,
// and stays below the server's WriteTimeout so the browser always gets an
// answer rather than a dropped connection.
const paymentTimeout = 25 * time.Second

// appConfig is what main decides before the handlers exist.
type appConfig struct {
	// Client is the Stripe client: the fake in demo mode, the real adapter
	// with keys.
	Client stripeclient.Client
	// Fake is set in demo mode only; it enables the /demo/ endpoints that
	// stand in for Stripe.js's calls to Stripe.
	Fake *stripetest.Fake
	// PublishableKey is the pk_… for real Stripe.js; empty in demo mode.
	PublishableKey string
	// ConnectAccount is the connected account (acct_…) the Connect page
	// takes direct charges on (connect.go); empty turns the page off. The
	// client must implement stripeclient.OnAccount.
	ConnectAccount string
	// Customer is the signed-in customer whose saved cards /saved lists;
	// empty when there is none.
	Customer string
	// SecureCookies marks cookies Secure (served over HTTPS).
	SecureCookies bool
	// AdminPassword, when set, guards the shop owner's pages (/orders,
	// capture, cancel, refund) with HTTP Basic authentication (env ADMIN_PASSWORD).
	AdminPassword string
	// AdminOpen opens those pages to anyone without a password
	// (-demo-admin), for a demo on the developer's own machine. With
	// neither, they answer 403.
	AdminOpen bool
	// RecoverySecret signs the links that bring a customer back to an
	// off-session payment that needs them (confirm.SignRecovery), at least
	// 32 bytes. Default: random per process, so links die with a restart;
	// a host loads one key, shared by its instances, from its secrets.
	RecoverySecret []byte
	Logger         *slog.Logger
	// FlowLogger, when set, receives confirm's own per-step records.
	FlowLogger *slog.Logger
	Now        func() time.Time
	// Store records the payments; nil keeps them in the Flow's memory.
	Store confirm.Store
	// Limits are the rate limits (limits.go); nil means defaultLimits.
	Limits *limits
	// Retention bounds the orders and sessions kept (retention.go); nil
	// means defaultRetention.
	Retention *retention
	// AllowedHosts, when set, are the only Host headers the server
	// answers (hosts.go): main sets them to the listen address in demo
	// mode and with -demo-admin, so that a DNS-rebound page cannot reach
	// the server.
	AllowedHosts []string
}

// app holds the handlers' dependencies. A host has the same pieces: a Flow
// shared by every request, its order book, and a session.
type app struct {
	flow     *confirm.Flow
	cards    *cvc.Payments
	shop     *shop
	sessions *sessions
	admin    adminAccess
	recovery []byte // RecoverySecret
	limit    appLimiters
	hosts    []string // AllowedHosts
	fake     *stripetest.Fake
	pk       string
	customer string
	// connect is ConnectAccount; connectCards is a Flow on that account's
	// client, used only for RefuseSavedCard, which reads the card where
	// Stripe.js made it.
	connect      string
	connectCards *confirm.Flow
	secure       bool
	log          *slog.Logger
	pages        *template.Template
	static       fs.FS
}

func newApp(cfg appConfig) (*app, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	// HideDeclineReasons (the default, written out): the browser hears one
	// text for every decline, so a card tester learns nothing from the
	// reason; the log line of each payment keeps Stripe's codes.
	flow := confirm.New(cfg.Client, confirm.Config{Logger: cfg.FlowLogger, Store: cfg.Store, DeclineMessages: confirm.HideDeclineReasons})
	pages, err := template.New("").Funcs(template.FuncMap{
		"money": formatMoney,
		"seq":   seq,
		// The reasons Stripe accepts for a refund, for /orders' form.
		"refundReasons": func() []refundReason { return refundReasons },
	}).ParseFS(webFiles, "web/*.html")
	if err != nil {
		return nil, err
	}
	static, err := fs.Sub(webFiles, "web/static")
	if err != nil {
		return nil, err
	}
	if cfg.RecoverySecret == nil {
		cfg.RecoverySecret = newRecoverySecret()
	}
	lim, keep := defaultLimits, defaultRetention
	if cfg.Limits != nil {
		lim = *cfg.Limits
	}
	if cfg.Retention != nil {
		keep = *cfg.Retention
	}
	shop := newShop(cfg.Now, keep)
	var connectCards *confirm.Flow
	if cfg.ConnectAccount != "" {
		if err := stripeclient.ValidateAccountID(cfg.ConnectAccount); err != nil {
			return nil, err
		}
		on, ok := cfg.Client.(stripeclient.OnAccount)
		if !ok {
			return nil, errors.New("the Stripe client cannot act on a connected account (stripeclient.OnAccount)")
		}
		connectCards = confirm.New(on.OnAccount(cfg.ConnectAccount), confirm.Config{Logger: cfg.FlowLogger})
	}
	return &app{
		flow:         flow,
		cards:        cvc.New(flow, cvc.Config{}),
		shop:         shop,
		sessions:     newSessions(cfg.Now, keep, shop.has),
		limit:        newAppLimiters(lim, cfg.Now),
		hosts:        cfg.AllowedHosts,
		admin:        adminAccess{password: cfg.AdminPassword, open: cfg.AdminOpen},
		recovery:     cfg.RecoverySecret,
		fake:         cfg.Fake,
		pk:           cfg.PublishableKey,
		customer:     cfg.Customer,
		connect:      cfg.ConnectAccount,
		connectCards: connectCards,
		secure:       cfg.SecureCookies,
		log:          cfg.Logger,
		pages:        pages,
		static:       static,
	}, nil
}

// demo reports whether the app runs on the fake.
func (a *app) demo() bool { return a.fake != nil }

// routes returns the app's handler. Method patterns (Go 1.22) answer
// 405 Method Not Allowed, with an Allow header, for the wrong method.
func (a *app) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.checkoutPage)
	mux.HandleFunc("GET /payment-element", a.paymentElementPage)
	mux.HandleFunc("POST /cart", a.updateCart)
	mux.HandleFunc("POST /order/new", a.newOrder)
	mux.HandleFunc("POST /pay", a.pay)
	mux.HandleFunc("GET /saved", a.savedPage)
	mux.HandleFunc("POST /pay-saved", a.paySaved)
	mux.HandleFunc("GET /connect", a.connectPage)          // connect.go
	mux.HandleFunc("POST /connect/new", a.newConnectOrder) // connect.go
	mux.HandleFunc("GET /orders", a.requireAdmin(a.ordersPage))
	mux.HandleFunc("POST /orders/{id}/capture", a.requireAdmin(a.capture))
	mux.HandleFunc("POST /orders/{id}/cancel", a.requireAdmin(a.cancel))
	mux.HandleFunc("POST /orders/{id}/refund", a.requireAdmin(a.refundOrder))
	mux.HandleFunc("POST /orders/{id}/refunds/{refund}/check", a.requireAdmin(a.checkRefund))
	a.offSessionRoutes(mux) // offsession.go
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(a.static)))
	if a.demo() {
		// Stand-ins for Stripe's servers, reachable only in demo mode: with
		// real keys these paths do not exist.
		// The stand-in and its endpoints are stripetest's, which any host
		// can mount the same way.
		mux.Handle("/demo/", http.StripPrefix("/demo", stripejs.Handler(a.fake)))
		mux.HandleFunc("GET /demo/charges", a.demoCharges)
	}
	return a.checkHost(a.secureHeaders(a.sameOrigin(mux)))
}

// secureHeaders sets the headers every response gets. The Content Security
// Policy allows exactly what Stripe documents for Stripe.js (script and frames
// from js.stripe.com, frames from hooks.stripe.com, calls to api.stripe.com),
// and in demo mode only this origin.
func (a *app) secureHeaders(next http.Handler) http.Handler {
	csp := "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
	if !a.demo() {
		csp = "default-src 'self'; script-src 'self' https://js.stripe.com https://*.js.stripe.com; " +
			"frame-src https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com; " +
			"connect-src 'self' https://api.stripe.com; style-src 'self' 'unsafe-inline'; " +
			"img-src 'self' data: https://*.stripe.com; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		if a.secure {
			h.Set("Strict-Transport-Security", "max-age=63072000")
		}
		next.ServeHTTP(w, r)
	})
}
