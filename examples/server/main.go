// Command server is cardconfirm's example checkout: plain net/http handlers
// a host application can copy, on Stripe's synchronous card flow.
//
//	cd examples/server && go run .
//
// (examples/server is its own module, so that its dependencies stay out of
// the library's go.mod.)
//
// With no keys it runs offline on the stripetest fake and serves a small
// stand-in for Stripe.js (pick a test card, answer 3-D Secure in a dialog).
// The checkout at / takes the card through Stripe's Card Element (a
// PaymentMethod); /payment-element takes the same order through the Payment
// Element (a ConfirmationToken). Both post to the same /pay.
// With STRIPE_SECRET_KEY and STRIPE_PUBLISHABLE_KEY set it uses real Stripe
// and real Stripe.js; a live key needs HTTPS (-tls-cert and -tls-key).
//
// Flags:
//
//	-addr       listen address (env ADDR; default 127.0.0.1:4242; port 0 picks a free one)
//	-host       other host names (host or host:port, comma-separated) the
//	            server answers to besides the listen address, e.g. its
//	            public name behind a proxy (env PUBLIC_HOSTS)
//	-tls-cert   certificate file; with -tls-key, serve HTTPS
//	-tls-key    private key file
//	-customer   real mode: cus_… whose saved cards /saved offers (env STRIPE_CUSTOMER_ID)
//	-connect-account  real mode: a connected account (acct_…) of the
//	            platform whose keys are set; /connect takes direct charges
//	            on it (env STRIPE_CONNECT_ACCOUNT). Without it /connect is
//	            off in real mode; the offline demo has its own account
//	-stripe-api-base  real mode: Stripe API base URL, e.g. a stripetest server's (env STRIPE_API_BASE)
//	-database   PostgreSQL connection string (env DATABASE_URL): record payments
//	            there (confirm/sqlstore), shared by every instance given it;
//	            or sqlite:PATH, a SQLite file that keeps them across restarts
//	            of one instance; default in memory. Needs a driver: run
//	            examples/server/postgres/run.sh or examples/server/sqlite/run.sh
//	-debug      also log confirm's own per-step records
//	-session-card-limit, -address-card-limit  how many new cards one
//	            session, and one client address, may try at once before
//	            the limit (429) applies; defaults 6 and 12 (limits.go)
//	-demo-admin open the shop owner's pages (/orders: capture, cancel, refund) to
//	            anyone who can reach the server: on a loopback address and
//	            with test keys only; without it they need the password in
//	            env ADMIN_PASSWORD (12 characters or more; over HTTPS unless
//	            on loopback), or are off
//
// In demo mode and with -demo-admin, the server answers only the Host
// names it was given (the listen address, localhost on loopback, -host),
// so that a DNS-rebound page cannot reach it. A live secret key is sent
// only to an https:// -stripe-api-base.
//
// Env RECOVERY_SECRET (64+ hex digits) signs the links that bring a
// customer back to an off-session payment; without it a random key per
// process, so links die with a restart.
package main

import (
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/stripeclient"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

// options are the command line and environment, parsed.
type options struct {
	addr     string
	hosts    []string // -host: names the server answers to besides addr
	tlsCert  string
	tlsKey   string
	customer string
	connect  string // real mode: the connected account of /connect
	apiBase  string // real mode: another Stripe API base URL
	database string // PostgreSQL DSN for confirm's Store; "" keeps it in memory
	debug    bool
	sk, pk   string
	// sessionCards and addressCards are the card limits' bursts.
	sessionCards, addressCards int
	// demoAdmin and adminPassword guard the shop owner's pages.
	demoAdmin     bool
	adminPassword string
	// recoverySecret signs recovery links (env RECOVERY_SECRET, hex).
	recoverySecret []byte
}

func parseOptions(args []string, getenv func(string) string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := getenv("ADDR")
	if addr == "" {
		addr = "127.0.0.1:4242"
	}
	fs.StringVar(&o.addr, "addr", addr, "listen address (env ADDR); port 0 picks a free port")
	hosts := fs.String("host", getenv("PUBLIC_HOSTS"), "other host names (host or host:port, comma-separated) the server answers to besides the listen address (env PUBLIC_HOSTS)")
	fs.StringVar(&o.tlsCert, "tls-cert", "", "TLS certificate file; with -tls-key, serve HTTPS")
	fs.StringVar(&o.tlsKey, "tls-key", "", "TLS private key file")
	fs.StringVar(&o.customer, "customer", getenv("STRIPE_CUSTOMER_ID"), "real mode: customer (cus_…) whose saved cards /saved offers (env STRIPE_CUSTOMER_ID)")
	fs.StringVar(&o.connect, "connect-account", getenv("STRIPE_CONNECT_ACCOUNT"), "real mode: connected account (acct_…) on which /connect takes direct charges (env STRIPE_CONNECT_ACCOUNT)")
	fs.StringVar(&o.apiBase, "stripe-api-base", getenv("STRIPE_API_BASE"), "real mode: Stripe API base URL, e.g. http://127.0.0.1:12111 for cmd/stripetest (env STRIPE_API_BASE)")
	fs.StringVar(&o.database, "database", getenv("DATABASE_URL"), "PostgreSQL connection string for the payments' Store, shared by instances, or sqlite:PATH (env DATABASE_URL); default in memory")
	fs.BoolVar(&o.debug, "debug", false, "also log confirm's per-step records")
	fs.IntVar(&o.sessionCards, "session-card-limit", defaultLimits.CardsPerSession.Burst, "new cards one session may try before 429 (then one more every "+defaultLimits.CardsPerSession.Every.String()+")")
	fs.IntVar(&o.addressCards, "address-card-limit", defaultLimits.CardsPerAddress.Burst, "new cards one client address may try before 429 (then one more every "+defaultLimits.CardsPerAddress.Every.String()+")")
	fs.BoolVar(&o.demoAdmin, "demo-admin", false, "open the shop owner's pages (/orders: capture, cancel, refund) to anyone; otherwise they need env ADMIN_PASSWORD")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if *hosts != "" {
		o.hosts = strings.Split(*hosts, ",")
	}
	if o.sessionCards < 1 || o.addressCards < 1 {
		return o, errors.New("-session-card-limit and -address-card-limit must be at least 1")
	}
	if (o.tlsCert == "") != (o.tlsKey == "") {
		return o, errors.New("-tls-cert and -tls-key go together")
	}
	o.sk, o.pk = getenv("STRIPE_SECRET_KEY"), getenv("STRIPE_PUBLISHABLE_KEY")
	if o.apiBase != "" && o.sk == "" {
		return o, errors.New("-stripe-api-base (STRIPE_API_BASE) is for real mode: set STRIPE_SECRET_KEY and STRIPE_PUBLISHABLE_KEY too")
	}
	if o.connect != "" {
		if o.sk == "" {
			return o, errors.New("-connect-account (STRIPE_CONNECT_ACCOUNT) is for real mode; the offline demo has its own connected account")
		}
		if err := stripeclient.ValidateAccountID(o.connect); err != nil {
			return o, errors.New("-connect-account (STRIPE_CONNECT_ACCOUNT) must be a connected account ID (acct_…)")
		}
	}
	o.adminPassword = getenv("ADMIN_PASSWORD")
	if v := getenv("RECOVERY_SECRET"); v != "" {
		b, err := hex.DecodeString(v)
		if err != nil || len(b) < confirm.MinRecoverySecretLen {
			return o, errors.New("RECOVERY_SECRET must be at least 32 random bytes in hex (64 hex digits)")
		}
		o.recoverySecret = b
	}
	return o, nil
}

// checkAdmin refuses admin settings that would expose the shop owner's
// pages: a short password, a password sent in clear text over a network
// (HTTP Basic sends it with every request), and -demo-admin anywhere but
// on loopback or beside live keys. Errors never quote the password.
func checkAdmin(o options, live bool) error {
	loopback := isLoopback(o.addr)
	if o.adminPassword != "" {
		if len(o.adminPassword) < minAdminPasswordLen {
			return fmt.Errorf("ADMIN_PASSWORD must be at least %d characters", minAdminPasswordLen)
		}
		if o.tlsCert == "" && !loopback {
			return errors.New("refusing ADMIN_PASSWORD over plain HTTP on a non-loopback address: browsers send it in clear text " +
				"with every request; pass -tls-cert and -tls-key, or listen on 127.0.0.1")
		}
	}
	if o.demoAdmin && !loopback {
		return errors.New("-demo-admin opens the shop owner's pages to anyone who can reach the server: " +
			"it is for a loopback address only (-addr 127.0.0.1:PORT); set ADMIN_PASSWORD instead")
	}
	if o.demoAdmin && live {
		return errors.New("-demo-admin is never allowed with live keys: set ADMIN_PASSWORD instead")
	}
	return nil
}

// isLoopback reports whether the listen address addr is on loopback only:
// an IP address that is a loopback address, or localhost. A wildcard
// (":4242", "0.0.0.0:4242") listens on every interface.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkKeys decides the mode. Errors name the variables, never their values.
func checkKeys(o options) (live bool, err error) {
	switch {
	case o.sk == "" && o.pk == "":
		return false, nil
	case o.sk == "" || o.pk == "":
		return false, errors.New("set both STRIPE_SECRET_KEY and STRIPE_PUBLISHABLE_KEY for real Stripe, or neither for the offline demo")
	case !strings.HasPrefix(o.pk, "pk_test_") && !strings.HasPrefix(o.pk, "pk_live_"):
		return false, errors.New("STRIPE_PUBLISHABLE_KEY is not a publishable key (pk_test_… or pk_live_…)")
	}
	skLive := strings.HasPrefix(o.sk, "sk_live_") || strings.HasPrefix(o.sk, "rk_live_")
	pkLive := strings.HasPrefix(o.pk, "pk_live_")
	if skLive != pkLive {
		return false, errors.New("STRIPE_SECRET_KEY and STRIPE_PUBLISHABLE_KEY are from different modes (one live, one test)")
	}
	if skLive && o.apiBase != "" {
		// The key travels in every request's Authorization header.
		if u, err := url.Parse(o.apiBase); err != nil || u.Scheme != "https" || u.Host == "" {
			return false, errors.New("refusing to send a live Stripe key to a -stripe-api-base (STRIPE_API_BASE) that is not https://: " +
				"anyone on the network could read it; use https://, or sk_test_ keys")
		}
	}
	if skLive && o.tlsCert == "" {
		return false, errors.New("refusing a live Stripe key without HTTPS: real card data would be entered on a " +
			"plain-HTTP page (Stripe.js refuses live payments outside https:// and anyone on the network could " +
			"tamper with the page and its script); pass -tls-cert and -tls-key, or use sk_test_/pk_test_ keys")
	}
	return skLive, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	o, err := parseOptions(args, getenv, stderr)
	if err != nil {
		return err
	}
	live, err := checkKeys(o)
	if err != nil {
		return err
	}
	if err := checkAdmin(o, live); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	cfg := appConfig{Logger: logger, SecureCookies: o.tlsCert != "", AdminPassword: o.adminPassword, AdminOpen: o.demoAdmin,
		RecoverySecret: o.recoverySecret}
	if o.debug {
		cfg.FlowLogger = logger.With("component", "confirm")
	}
	lim := defaultLimits
	lim.CardsPerSession.Burst, lim.CardsPerAddress.Burst = o.sessionCards, o.addressCards
	cfg.Limits = &lim

	var mode string
	if o.sk == "" {
		fake, customer, account, err := newDemoStripe()
		if err != nil {
			return err
		}
		cfg.Client, cfg.Fake, cfg.Customer, cfg.ConnectAccount = fake, fake, customer, account
		mode = "offline demo: in-memory Stripe fake and a Stripe.js stand-in (no keys, no network; pick a test card on the page)"
	} else {
		client, err := stripeclient.New(o.sk, stripeclient.Config{
			// Below paymentTimeout, so a slow Stripe call ends before the
			// handler gives up on it.
			HTTPClient: &http.Client{Timeout: 20 * time.Second},
			Logger:     logger.With("component", "stripe-go"),
			BaseURL:    o.apiBase,
		})
		if err != nil {
			return err // stripeclient never quotes the key
		}
		cfg.Client, cfg.PublishableKey, cfg.Customer, cfg.ConnectAccount = client, o.pk, o.customer, o.connect
		mode = "Stripe test mode (keys from STRIPE_SECRET_KEY and STRIPE_PUBLISHABLE_KEY)"
		if live {
			mode = "Stripe LIVE mode: real cards are charged"
		}
		if o.apiBase != "" {
			mode += "; API at " + o.apiBase
		}
		if o.customer == "" {
			mode += "; no -customer, so /saved has no saved cards"
		}
	}
	store, closeDB, err := openStore(ctx, o.database)
	if err != nil {
		return err
	}
	defer closeDB()
	if store != nil {
		cfg.Store = store
		mode += "; payments recorded in the database (-database)"
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	if o.sk == "" || o.demoAdmin || len(o.hosts) > 0 {
		// The offline demo and -demo-admin answer the names they were
		// given only (hosts.go).
		cfg.AllowedHosts = allowedHosts(ln.Addr(), o.hosts)
		if len(cfg.AllowedHosts) == 0 {
			return errors.New("-addr names no host (a wildcard address): name the host the demo is reached by with -host")
		}
	}
	a, err := newApp(cfg)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler: a.routes(),
		// Slow clients must not hold connections: headers and bodies are
		// small here. WriteTimeout leaves room for paymentTimeout.
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      paymentTimeout + 10*time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	scheme := "http"
	if o.tlsCert != "" {
		scheme = "https"
	}
	fmt.Fprintf(stdout, "cardconfirm example, mode: %s\n", mode)
	fmt.Fprintf(stdout, "Open %s://%s/\n", scheme, ln.Addr())

	errc := make(chan error, 1)
	go func() {
		if o.tlsCert != "" {
			errc <- srv.ServeTLS(ln, o.tlsCert, o.tlsKey)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Let payment steps in flight finish: a step cut off may have charged
	// the card without the shop recording it.
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), paymentTimeout+5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newDemoStripe returns the fake and a signed-in demo customer with saved
// cards, for /saved: one whose bank asks for 3-D Secure on every payment
// (so an off-session charge needs the customer), one that asks for it only
// when the customer is present, one that fails its CVC check and two plain
// ones. Cards list newest first, so the plain Visa, saved last, is the one
// the page preselects. And a connected account, for /connect's direct
// charges.
func newDemoStripe() (fake *stripetest.Fake, customer, account string, err error) {
	fake = stripetest.New(stripetest.Config{})
	customer = fake.CreateCustomer()
	saved := []string{"pm_card_authenticationRequired", "pm_card_authenticationRequiredSetupForOffSession", "pm_card_cvcCheckFail", "pm_card_mastercard", "pm_card_visa"}
	for _, pm := range saved {
		if _, err := fake.AttachCard(customer, pm); err != nil {
			return nil, "", "", fmt.Errorf("demo customer: %w", err)
		}
	}
	return fake, customer, fake.CreateAccount(), nil
}
