package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
)

// The tests in this file each pin one finding of a review of the example
// tried as an attacker would (card testing, anonymous traffic, admin
// guessing, DNS rebinding, keys in clear text).

// clock is a settable time for the app's limits and expiry.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// limitedShop is a test shop with the default limits and retention, or
// those given, on a settable clock.
func limitedShop(t *testing.T, lim *limits, keep *retention) (*testShop, *clock) {
	t.Helper()
	s := newTestShop(t)
	c := &clock{t: time.Now()} // the Flow runs on the real clock: orders are made now
	a, err := newApp(appConfig{Client: s.fake, Fake: s.fake, Customer: s.customer, Logger: slog.New(slog.NewTextHandler(s.logs, nil)),
		AdminOpen: true, Limits: lim, Retention: keep, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	s.app, s.h = a, a.routes()
	return s, c
}

// from sets the request's client address.
func from(req *http.Request, addr string) *http.Request {
	req.RemoteAddr = addr + ":40000"
	return req
}

// retryAfter checks a 429 and returns its Retry-After in seconds.
func retryAfter(t *testing.T, rec *httptest.ResponseRecorder) int {
	t.Helper()
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429; body %s", rec.Code, rec.Body)
	}
	n, err := strconv.Atoi(rec.Header().Get("Retry-After"))
	if err != nil || n < 1 {
		t.Fatalf("Retry-After %q, want whole seconds ≥ 1", rec.Header().Get("Retry-After"))
	}
	return n
}

// TestCardTestingStoppedPerSession: one browser trying card after card,
// on one checkout and then on a new order (past confirm's limit per
// order), is stopped by the session's limit, with 429, Retry-After and a
// message the page shows, before any Stripe call; after the wait it may
// try again. "New order" keeps the session, so it does not refill it.
func TestCardTestingStoppedPerSession(t *testing.T) {
	s, c := limitedShop(t, nil, nil)
	first := s.newOrder()
	perOrder := confirm.DefaultMaxDeclines
	burst := defaultLimits.CardsPerSession.Burst
	if burst <= perOrder {
		t.Fatalf("the session's limit (%d) must exceed confirm's per order (%d) for this scenario", burst, perOrder)
	}
	for i := range perOrder {
		if a := decodeAnswer(t, s.post("/pay", first, `{"payment_method_id":"pm_card_visa_chargeDeclinedInsufficientFunds"}`)); a.Error == "" {
			t.Fatalf("attempt %d: %+v, want a decline", i+1, a)
		}
	}
	// "Start a new order" in the same browser: the same session.
	rec := s.postForm("/order/new", first, "")
	if rec.Code != http.StatusSeeOther || len(rec.Result().Cookies()) != 0 {
		t.Fatalf("POST /order/new: %d, cookies %v; want 303 and the session kept", rec.Code, rec.Result().Cookies())
	}
	o, err := s.app.currentOrder(withCookie(httptest.NewRequest(http.MethodGet, "/", nil), s.cookie(first)))
	if err != nil || o.ID == first {
		t.Fatalf("the session names %s (%v), want a new order", o.ID, err)
	}
	for i := perOrder; i < burst; i++ {
		if a := decodeAnswer(t, s.post("/pay", first, `{"payment_method_id":"pm_card_visa_chargeDeclined"}`)); a.Error == "" {
			t.Fatalf("attempt %d: %+v, want a decline", i+1, a)
		}
	}
	before := len(s.fake.Calls())
	rec = s.post("/pay", first, `{"payment_method_id":"pm_card_chargeDeclinedIncorrectCvc"}`)
	wait := retryAfter(t, rec)
	if a := decodeAnswer(t, rec); !strings.Contains(a.Error, "Too many card attempts") {
		t.Errorf("answer %q, want it to say too many card attempts", a.Error)
	}
	if n := len(s.fake.Calls()) - before; n != 0 {
		t.Errorf("%d Stripe calls past the limit, want none", n)
	}
	if got, want := time.Duration(wait)*time.Second, defaultLimits.CardsPerSession.Every; got != want {
		t.Errorf("Retry-After %v, want %v", got, want)
	}
	c.add(time.Duration(wait) * time.Second)
	if a := decodeAnswer(t, s.post("/pay", first, `{"payment_method_id":"pm_card_visa"}`)); !a.Success {
		t.Errorf("after Retry-After: %+v, want success", a)
	}
}

func withCookie(r *http.Request, c *http.Cookie) *http.Request {
	r.AddCookie(c)
	return r
}

// TestCardTestingStoppedPerAddress: a new session per card (a cookie-less
// GET / each) does not escape the limit: the client address has its own.
func TestCardTestingStoppedPerAddress(t *testing.T) {
	s, _ := limitedShop(t, nil, nil)
	for i := range defaultLimits.CardsPerAddress.Burst {
		id := s.newOrder()
		if a := decodeAnswer(t, s.post("/pay", id, `{"payment_method_id":"pm_card_visa_chargeDeclined"}`)); a.Error == "" {
			t.Fatalf("attempt %d: %+v, want a decline", i+1, a)
		}
	}
	id := s.newOrder()
	before := len(s.fake.Calls())
	retryAfter(t, s.post("/pay", id, `{"payment_method_id":"pm_card_visa"}`))
	if n := len(s.fake.Calls()) - before; n != 0 {
		t.Errorf("%d Stripe calls past the limit, want none", n)
	}
	// Another address is not affected.
	req := httptest.NewRequest(http.MethodPost, "/pay", strings.NewReader(`{"payment_method_id":"pm_card_visa"}`))
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(s.cookie(id))
	if a := decodeAnswer(t, s.do(from(req, "198.51.100.7"))); !a.Success {
		t.Errorf("from another address: %+v, want success", a)
	}
}

// TestThreeDSReturnIsNotACardAttempt: a customer at the session's limit
// who is in 3-D Secure can still finish: the return names an intent, not
// a new card.
func TestThreeDSReturnIsNotACardAttempt(t *testing.T) {
	lim := defaultLimits
	lim.CardsPerSession.Burst = 3 // below confirm's limit per order
	s, _ := limitedShop(t, &lim, nil)
	id := s.newOrder()
	for range lim.CardsPerSession.Burst - 1 {
		decodeAnswer(t, s.post("/pay", id, `{"payment_method_id":"pm_card_visa_chargeDeclined"}`))
	}
	a := decodeAnswer(t, s.post("/pay", id, `{"payment_method_id":"pm_card_authenticationRequired"}`))
	if !a.RequiresAction {
		t.Fatalf("%+v, want requires_action", a)
	}
	if err := s.fake.AuthenticateClientSecret(a.ClientSecret); err != nil {
		t.Fatal(err)
	}
	intent, _, _ := strings.Cut(a.ClientSecret, "_secret_")
	if a := decodeAnswer(t, s.post("/pay", id, `{"payment_intent_id":"`+intent+`"}`)); !a.Success {
		t.Errorf("return from 3-D Secure at the limit: %+v, want success", a)
	}
}

// TestNewCheckoutsLimitedPerAddress: cookie-less visits from one address
// open orders up to the limit, then get 429 with Retry-After and open
// none; "New order" is limited per session and per address too.
func TestNewCheckoutsLimitedPerAddress(t *testing.T) {
	s, _ := limitedShop(t, nil, nil)
	burst := defaultLimits.CheckoutsPerAddress.Burst
	for i := range burst + 5 {
		rec := s.do(from(httptest.NewRequest(http.MethodGet, "/", nil), "203.0.113.9"))
		if i < burst && rec.Code != http.StatusOK {
			t.Fatalf("visit %d: %d, want 200", i+1, rec.Code)
		}
		if i >= burst {
			retryAfter(t, rec)
		}
	}
	if n := s.app.shop.size(); n != burst {
		t.Errorf("%d orders after %d visits, want %d", n, burst+5, burst)
	}

	s2, _ := limitedShop(t, nil, nil)
	id := s2.newOrder()
	for i := range defaultLimits.CheckoutsPerSession.Burst + 1 {
		rec := s2.postForm("/order/new", id, "")
		if i < defaultLimits.CheckoutsPerSession.Burst && rec.Code != http.StatusSeeOther {
			t.Fatalf("new order %d: %d", i+1, rec.Code)
		}
		if i == defaultLimits.CheckoutsPerSession.Burst {
			retryAfter(t, rec)
		}
	}
}

// TestAnonymousVisitsLeaveBoundedState: 10,000 cookie-less GET /, each
// from its own address, leave at most the caps in orders, sessions and
// limiter buckets, and the newest visitor's order still works.
func TestAnonymousVisitsLeaveBoundedState(t *testing.T) {
	keep := defaultRetention
	keep.MaxCarts, keep.MaxSession = 500, 300
	s, _ := limitedShop(t, nil, &keep)
	s.app.limit.checkoutsAddress.max = 2000
	const visits = 10000
	var last *httptest.ResponseRecorder
	for i := range visits {
		last = s.do(from(httptest.NewRequest(http.MethodGet, "/", nil), fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)))
		if last.Code != http.StatusOK {
			t.Fatalf("visit %d: %d", i+1, last.Code)
		}
	}
	if n := s.app.shop.size(); n > keep.MaxCarts {
		t.Errorf("%d orders after %d visits, want at most %d", n, visits, keep.MaxCarts)
	}
	if n := s.app.sessions.size(); n > keep.MaxSession {
		t.Errorf("%d sessions after %d visits, want at most %d", n, visits, keep.MaxSession)
	}
	if n := s.app.limit.checkoutsAddress.size(); n > 2000 {
		t.Errorf("%d address buckets after %d visits, want at most 2000", n, visits)
	}
	req := httptest.NewRequest(http.MethodPost, "/pay", strings.NewReader(`{"payment_method_id":"pm_card_visa"}`))
	req.Header.Set("Content-Type", "application/json")
	for _, c := range last.Result().Cookies() {
		req.AddCookie(c)
	}
	if a := decodeAnswer(t, s.do(req)); !a.Success {
		t.Errorf("the newest visitor pays: %+v, want success", a)
	}
}

// TestOrdersExpire: a cart no one paid goes after CartTTL, with its
// session; an authorised order (money held) stays; a paid one goes after
// OrderTTL.
func TestOrdersExpire(t *testing.T) {
	s, c := limitedShop(t, &roomyLimits, nil)
	cart := s.newOrder()
	held := s.authorizedOrder()
	paid := s.newOrder()
	decodeAnswer(t, s.post("/pay", paid, `{"payment_method_id":"pm_card_visa"}`))

	c.add(defaultRetention.CartTTL + sweepEvery)
	s.newOrder() // a sweep runs on creation
	if s.app.shop.has(cart) {
		t.Error("a cart outlived CartTTL")
	}
	if rec := s.post("/pay", cart, `{"payment_method_id":"pm_card_visa"}`); rec.Code != http.StatusBadRequest {
		t.Errorf("paying an expired cart: %d, want 400", rec.Code)
	}
	if !s.app.shop.has(paid) || !s.app.shop.has(held) {
		t.Error("an order with a payment went with the carts")
	}
	c.add(defaultRetention.OrderTTL)
	s.newOrder()
	if s.app.shop.has(paid) {
		t.Error("a paid order outlived OrderTTL")
	}
	if !s.app.shop.has(held) {
		t.Error("an authorised order was dropped: its money is held until capture or cancel")
	}
}

// TestOrdersPages: /orders shows one page of orders, newest first, with
// links to the others.
func TestOrdersPages(t *testing.T) {
	s, c := limitedShop(t, &roomyLimits, nil)
	var ids []string
	for range ordersPerPage + 3 {
		ids = append(ids, s.newOrder())
		c.add(time.Second)
	}
	page1 := s.do(httptest.NewRequest(http.MethodGet, "/orders", nil)).Body.String()
	page2 := s.do(httptest.NewRequest(http.MethodGet, "/orders?page=2", nil)).Body.String()
	if n := strings.Count(page1, `<tr id="row-`); n != ordersPerPage {
		t.Errorf("page 1 lists %d orders, want %d", n, ordersPerPage)
	}
	if !strings.Contains(page1, ids[len(ids)-1]) || strings.Contains(page1, ids[0]) || !strings.Contains(page1, `href="/orders?page=2"`) {
		t.Error("page 1 must list the newest orders and link to page 2")
	}
	if n := strings.Count(page2, `<tr id="row-`); n != 3 || !strings.Contains(page2, ids[0]) {
		t.Errorf("page 2 lists %d orders, want the 3 oldest", n)
	}
}

// TestAdminGuessesThrottled: wrong passwords from one address are
// throttled (429, Retry-After), the right one included while throttled;
// a thousand guesses take the limiter's time, not milliseconds.
func TestAdminGuessesThrottled(t *testing.T) {
	s, c := limitedShop(t, nil, nil)
	s.app.admin = adminAccess{password: "correct horse battery"}
	get := func(pw string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/orders", nil)
		req.SetBasicAuth("owner", pw)
		return s.do(req)
	}
	refused := 0
	for i := range 1000 {
		rec := get(fmt.Sprintf("guess-%04d", i))
		switch rec.Code {
		case http.StatusUnauthorized:
		case http.StatusTooManyRequests:
			refused++
		default:
			t.Fatalf("guess %d: %d", i, rec.Code)
		}
	}
	if tried := 1000 - refused; tried != defaultLimits.AdminFailuresPerAddress.Burst {
		t.Errorf("%d of 1000 guesses were checked, want %d", tried, defaultLimits.AdminFailuresPerAddress.Burst)
	}
	wait := retryAfter(t, get("correct horse battery"))
	c.add(time.Duration(wait) * time.Second)
	if rec := get("correct horse battery"); rec.Code != http.StatusOK {
		t.Errorf("right password after Retry-After: %d, want 200", rec.Code)
	}
	// Guesses spread over addresses meet the shared bucket.
	s2, _ := limitedShop(t, nil, nil)
	s2.app.admin = adminAccess{password: "correct horse battery"}
	refused = 0
	for i := range 200 {
		req := from(httptest.NewRequest(http.MethodGet, "/orders", nil), fmt.Sprintf("192.0.2.%d", i))
		req.SetBasicAuth("owner", "wrong")
		if s2.do(req).Code == http.StatusTooManyRequests {
			refused++
		}
	}
	if tried := 200 - refused; tried != defaultLimits.AdminFailures.Burst {
		t.Errorf("%d of 200 guesses from 200 addresses were checked, want %d", tried, defaultLimits.AdminFailures.Burst)
	}
}

// TestAdminSettingsRefused: a short ADMIN_PASSWORD; ADMIN_PASSWORD over
// plain HTTP beyond loopback; -demo-admin beyond loopback or with live
// keys. None of the errors quotes the password.
func TestAdminSettingsRefused(t *testing.T) {
	const pw = "xyzzy-long-password"
	for _, tc := range []struct {
		name    string
		o       options
		live    bool
		wantErr string
	}{
		{"short password", options{addr: "127.0.0.1:0", adminPassword: "xyzzy"}, false, "at least 12"},
		{"password over HTTP beyond loopback", options{addr: "0.0.0.0:4242", adminPassword: pw}, false, "plain HTTP"},
		{"password over HTTP on every interface", options{addr: ":4242", adminPassword: pw}, false, "plain HTTP"},
		{"password over HTTPS beyond loopback", options{addr: "0.0.0.0:4242", adminPassword: pw, tlsCert: "c", tlsKey: "k"}, true, ""},
		{"password over HTTP on loopback", options{addr: "127.0.0.1:4242", adminPassword: pw}, false, ""},
		{"demo admin beyond loopback", options{addr: "0.0.0.0:4242", demoAdmin: true}, false, "loopback"},
		{"demo admin on localhost", options{addr: "localhost:4242", demoAdmin: true}, false, ""},
		{"demo admin on IPv6 loopback", options{addr: "[::1]:4242", demoAdmin: true}, false, ""},
		{"demo admin with live keys", options{addr: "127.0.0.1:4242", demoAdmin: true}, true, "live"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkAdmin(tc.o, tc.live)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("error %v, want none", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			case err != nil && strings.Contains(err.Error(), "xyzzy"):
				t.Fatalf("error quotes the password: %v", err)
			}
		})
	}
}

// TestRunRefusesDemoAdminBeyondLoopback: the program, not only the
// check, refuses to start -demo-admin on every interface.
func TestRunRefusesDemoAdminBeyondLoopback(t *testing.T) {
	err := run(t.Context(), []string{"-demo-admin", "-addr", "0.0.0.0:0"}, func(string) string { return "" }, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("run: %v, want a refusal naming loopback", err)
	}
}

// TestDNSRebindingRefused: with an allow-list (demo mode, -demo-admin) a
// request naming another host gets 421 and does nothing, whatever its
// Origin; the listen address and localhost work.
func TestDNSRebindingRefused(t *testing.T) {
	s := newTestShop(t)
	id := s.authorizedOrder()
	a, err := newApp(appConfig{Client: s.fake, Fake: s.fake, Customer: s.customer, AdminOpen: true, Limits: &roomyLimits,
		AllowedHosts: allowedHosts(&fakeAddr{"127.0.0.1:4242"}, nil)})
	if err != nil {
		t.Fatal(err)
	}
	a.shop, a.sessions = s.app.shop, s.app.sessions
	h := a.routes()
	do := func(method, host, origin string) int {
		req := httptest.NewRequest(method, "http://"+host+"/orders/"+id+"/cancel", nil)
		if method == http.MethodGet {
			req = httptest.NewRequest(method, "http://"+host+"/orders", nil)
		}
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	if got := do(http.MethodGet, "rebound.example:4242", ""); got != http.StatusMisdirectedRequest {
		t.Errorf("GET /orders via a rebound name: %d, want 421", got)
	}
	if got := do(http.MethodPost, "rebound.example:4242", "http://rebound.example:4242"); got != http.StatusMisdirectedRequest {
		t.Errorf("POST cancel via a rebound name: %d, want 421", got)
	}
	if s.state(id) != stateAuthorized {
		t.Fatalf("state %s, want still authorized", s.state(id))
	}
	for _, host := range []string{"127.0.0.1:4242", "localhost:4242", "LOCALHOST:4242"} {
		if got := do(http.MethodGet, host, ""); got != http.StatusOK {
			t.Errorf("GET /orders at %s: %d, want 200", host, got)
		}
	}
	if got := do(http.MethodPost, "127.0.0.1:4242", "http://127.0.0.1:4242"); got != http.StatusSeeOther || s.state(id) != stateCanceled {
		t.Errorf("same-origin cancel: %d, state %s; want 303 and canceled", got, s.state(id))
	}
}

// TestHostAllowed: names match case-insensitively, with or without a
// default port; nothing else matches.
func TestHostAllowed(t *testing.T) {
	allowed := allowedHosts(&fakeAddr{"127.0.0.1:80"}, []string{"Shop.example", "[::1]:4242"})
	for host, want := range map[string]bool{
		"127.0.0.1:80": true, "127.0.0.1": true, "localhost": true, "LOCALHOST:80": true,
		"shop.example": true, "shop.example:443": true, "shop.example:80": true, "[::1]:4242": true,
		"127.0.0.1:8080": false, "shop.example:8443": false, "rebound.example": false, "": false,
		"shop.example.rebound.example": false, "127.0.0.1.nip.io": false,
	} {
		if got := hostAllowed(allowed, host); got != want {
			t.Errorf("hostAllowed(%q) = %v, want %v", host, got, want)
		}
	}
	if got := allowedHosts(&fakeAddr{"0.0.0.0:4242"}, nil); len(got) != 0 {
		t.Errorf("a wildcard address allows %v, want nothing", got)
	}
}

// TestSameOriginDoesNotTrustHost: with an allow-list, an Origin equal to
// the request's own Host is not enough: it must be an allowed name.
func TestSameOriginDoesNotTrustHost(t *testing.T) {
	a := &app{hosts: []string{"127.0.0.1:4242"}}
	h := a.sameOrigin(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	for _, tc := range []struct {
		host, origin string
		want         int
	}{
		{"rebound.example:4242", "http://rebound.example:4242", http.StatusForbidden},
		{"127.0.0.1:4242", "http://rebound.example:4242", http.StatusForbidden},
		{"127.0.0.1:4242", "http://127.0.0.1:4242", http.StatusNoContent},
		{"127.0.0.1:4242", "null", http.StatusForbidden},
	} {
		req := httptest.NewRequest(http.MethodPost, "http://"+tc.host+"/pay", nil)
		req.Header.Set("Origin", tc.origin)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tc.want {
			t.Errorf("Host %s, Origin %s: %d, want %d", tc.host, tc.origin, rec.Code, tc.want)
		}
	}
}

// TestRunAnswersOnlyItsHost: the program in demo mode refuses a request
// naming another host (a DNS-rebound page's), and answers its own.
func TestRunAnswersOnlyItsHost(t *testing.T) {
	base, stop := startRun(t, []string{"-demo-admin"}, nil)
	defer stop()
	req, _ := http.NewRequest(http.MethodGet, base+"orders", nil)
	req.Host = "rebound.example"
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("GET /orders with Host rebound.example: %d, want 421", res.StatusCode)
	}
	res, err = http.Get(base + "orders")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("GET /orders at the listen address: %d, want 200", res.StatusCode)
	}
}

// TestLiveKeyNeverToPlainHTTPAPIBase: a live key is refused with an
// http:// API base (it would travel in clear text) and accepted with
// https://; test keys may use a local http:// fake.
func TestLiveKeyNeverToPlainHTTPAPIBase(t *testing.T) {
	tls := options{sk: "sk_live_xyzzy42", pk: "pk_live_PUBLIC", tlsCert: "c.pem", tlsKey: "k.pem"}
	for _, tc := range []struct {
		base    string
		sk      string
		wantErr bool
	}{
		{"http://127.0.0.1:12111", "sk_live_xyzzy42", true},
		{"http://stripe.internal", "rk_live_xyzzy42", true},
		{"HTTPS://", "sk_live_xyzzy42", true},
		{"https://stripe.internal", "sk_live_xyzzy42", false},
		{"http://127.0.0.1:12111", "sk_test_xyzzy42", false},
	} {
		o := tls
		o.apiBase, o.sk = tc.base, tc.sk
		if strings.HasPrefix(tc.sk, "sk_test_") {
			o.pk = "pk_test_PUBLIC"
		}
		_, err := checkKeys(o)
		if (err != nil) != tc.wantErr {
			t.Errorf("%s with %s…: %v, want error %v", tc.base, tc.sk[:8], err, tc.wantErr)
		}
		if err != nil && strings.Contains(err.Error(), "xyzzy42") {
			t.Errorf("error quotes the key: %v", err)
		}
	}
}

// TestDeclineReasonHidden: the browser hears one generic text for every
// decline reason a card tester learns from; the host's log keeps the
// code.
func TestDeclineReasonHidden(t *testing.T) {
	s := newTestShop(t)
	var texts []string
	for _, pm := range []string{"pm_card_visa_chargeDeclinedInsufficientFunds", "pm_card_chargeDeclinedIncorrectCvc",
		"pm_card_chargeDeclinedExpiredCard", "pm_card_visa_chargeDeclinedLostCard", "pm_card_visa_chargeDeclined"} {
		id := s.newOrder()
		rec := s.post("/pay", id, `{"payment_method_id":"`+pm+`"}`)
		a := decodeAnswer(t, rec)
		if rec.Code != http.StatusPaymentRequired || a.Error == "" {
			t.Fatalf("%s: %d %+v, want 402", pm, rec.Code, a)
		}
		texts = append(texts, a.Error)
	}
	for _, text := range texts[1:] {
		if text != texts[0] {
			t.Errorf("decline texts differ: %q", texts)
			break
		}
	}
	for _, leak := range []string{"funds", "security code", "expired", "lost"} {
		if strings.Contains(strings.ToLower(texts[0]), leak) {
			t.Errorf("the browser's text %q reveals %q", texts[0], leak)
		}
	}
	for _, code := range []string{"insufficient_funds", "incorrect_cvc", "expired_card", "lost_card"} {
		if !strings.Contains(s.logs.String(), code) {
			t.Errorf("the log lacks %s", code)
		}
	}
}

type fakeAddr struct{ s string }

func (a *fakeAddr) Network() string { return "tcp" }
func (a *fakeAddr) String() string  { return a.s }

// startRun runs the program as main does on a free loopback port, with
// args and env, and returns its URL and a function that stops it.
func startRun(t *testing.T, args []string, env map[string]string) (base string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	outR, outW := io.Pipe()
	errc := make(chan error, 1)
	getenv := func(k string) string {
		if k == "ADDR" {
			return "127.0.0.1:0"
		}
		return env[k]
	}
	go func() {
		errc <- run(ctx, args, getenv, outW, io.Discard)
		outW.Close()
	}()
	sc := bufio.NewScanner(outR)
	for base == "" && sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "Open "); ok {
			base = rest
		}
	}
	go func() { _, _ = io.Copy(io.Discard, outR) }()
	if base == "" {
		cancel()
		t.Fatalf("run printed no URL: %v", <-errc)
	}
	return base, func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("run: %v", err)
		}
	}
}
