// Command stripetest serves the stripetest fake over HTTP on its own: a
// stateful stand-in for Stripe test mode's API for the synchronous card
// flow, which tests in any language can point their Stripe SDK at.
//
//	go run ./stripeclient/stripetest/cmd/stripetest -addr 127.0.0.1:12111
//
// Point an SDK at http://127.0.0.1:12111 with any sk_test_ key. The fake
// keeps its state until the command stops (SIGINT or SIGTERM). See
// stripetest.Server for the endpoints, including the /_stripetest/ ones
// that play the customer's part (3-D Secure) and set up customers.
//
// Flags:
//
//	-addr          listen address (default 127.0.0.1:12111; port 0 picks a free one)
//	-allow-remote  allow a non-loopback address: anyone who can reach it can use the fake
//	-seed          make generated IDs deterministic (0: random)
//	-read-timeout  time to read a whole request, body included (default 1m)
//	-write-timeout time to answer, from the end of the request's headers (default 2m)
//	-idle-timeout  time an idle keep-alive connection stays open (default 2m)
//
// Headers must arrive within 10 seconds and a POST's body within 30
// seconds of its headers (stripetest.ReadHeaderTimeout, BodyTimeout), so
// that a client trickling bytes cannot hold a connection.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "stripetest:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("stripetest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:12111", "listen address; port 0 picks a free port")
	allowRemote := fs.Bool("allow-remote", false, "allow a non-loopback listen address")
	seed := fs.Int64("seed", 0, "seed for deterministic IDs (0: random)")
	readTimeout := fs.Duration("read-timeout", stripetest.ReadTimeout, "time to read a whole request, body included")
	writeTimeout := fs.Duration("write-timeout", stripetest.WriteTimeout, "time to answer, from the end of the request's headers")
	idleTimeout := fs.Duration("idle-timeout", stripetest.IdleTimeout, "time an idle keep-alive connection stays open")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if err := checkAddr(*addr, *allowRemote); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           stripetest.NewHandler(stripetest.New(stripetest.Config{Seed: *seed})),
		ReadHeaderTimeout: stripetest.ReadHeaderTimeout,
		ReadTimeout:       *readTimeout,
		WriteTimeout:      *writeTimeout,
		IdleTimeout:       *idleTimeout,
	}
	fmt.Fprintf(stdout, "stripetest: serving the fake at http://%s (any sk_test_ key)\n", ln.Addr())

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		// A request still sleeping in an injected latency fault: cut it.
		_ = srv.Close()
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// checkAddr refuses a listen address that is not loopback, unless allowed:
// the fake has no real authentication, and an empty host means every
// interface.
func checkAddr(addr string, allowRemote bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-addr %q: %w", addr, err)
	}
	if allowRemote {
		return nil
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("-addr %q is not a loopback address: anyone who can reach it could use the fake; pass -allow-remote to mean it", addr)
}
