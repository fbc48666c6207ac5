package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestCheckKeys(t *testing.T) {
	const (
		skTest = "sk_test_xyzzy42"
		skLive = "sk_live_xyzzy42"
		rkLive = "rk_live_xyzzy42"
		pkTest = "pk_test_PUBLIC"
		pkLive = "pk_live_PUBLIC"
	)
	for _, tc := range []struct {
		name    string
		o       options
		wantErr string // "" for no error
		live    bool
	}{
		{"no keys: demo", options{}, "", false},
		{"test keys", options{sk: skTest, pk: pkTest}, "", false},
		{"only the secret key", options{sk: skTest}, "set both", false},
		{"only the publishable key", options{pk: pkTest}, "set both", false},
		{"publishable key is a secret key", options{sk: skTest, pk: skTest}, "not a publishable key", false},
		{"live key over HTTP", options{sk: skLive, pk: pkLive}, "without HTTPS", false},
		{"restricted live key over HTTP", options{sk: rkLive, pk: pkLive}, "without HTTPS", false},
		{"live key over HTTPS", options{sk: skLive, pk: pkLive, tlsCert: "c.pem", tlsKey: "k.pem"}, "", true},
		{"mixed modes", options{sk: skTest, pk: pkLive}, "different modes", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			live, err := checkKeys(tc.o)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("error %v, want none", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			case err != nil && strings.Contains(err.Error(), "xyzzy42"):
				t.Fatalf("error quotes the key: %v", err)
			}
			if live != tc.live {
				t.Errorf("live = %v, want %v", live, tc.live)
			}
		})
	}
}

// TestRunServesAndShutsDown starts the program as main does, on a free
// port, reads the URL it prints, pays through it, and stops it the way
// SIGTERM would (by ending the context).
func TestRunServesAndShutsDown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	errc := make(chan error, 1)
	getenv := func(k string) string { return map[string]string{"ADDR": "127.0.0.1:0"}[k] }
	go func() {
		errc <- run(ctx, nil, getenv, outW, io.Discard)
		outW.Close()
	}()

	sc := bufio.NewScanner(outR)
	var url, mode string
	for url == "" && sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "Open "); ok {
			url = rest
		} else if strings.Contains(line, "mode:") {
			mode = line
		}
	}
	go func() { _, _ = io.Copy(io.Discard, outR) }()
	if url == "" {
		t.Fatal("run printed no URL")
	}
	if !strings.HasPrefix(url, "http://127.0.0.1:") || strings.HasSuffix(url, ":0/") {
		t.Fatalf("printed URL %q, want the real loopback port", url)
	}
	if !strings.Contains(mode, "offline demo") {
		t.Errorf("mode line %q, want it to say offline demo", mode)
	}

	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("GET %s: %d", url, res.StatusCode)
	}

	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Errorf("run returned %v after shutdown, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after its context ended")
	}
}

func TestRunRefusesLiveKeyWithoutTLS(t *testing.T) {
	env := map[string]string{"STRIPE_SECRET_KEY": "sk_live_xyzzy42", "STRIPE_PUBLISHABLE_KEY": "pk_live_PUBLIC", "ADDR": "127.0.0.1:0"}
	var out strings.Builder
	err := run(context.Background(), nil, func(k string) string { return env[k] }, &out, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "HTTPS") {
		t.Fatalf("run: %v, want a refusal that explains HTTPS", err)
	}
	if strings.Contains(err.Error()+out.String(), "xyzzy42") {
		t.Errorf("the key was printed")
	}
}

// TestConnectAccountOption: -connect-account is for real mode, and only an
// account ID; errors never quote the secret key.
func TestConnectAccountOption(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	keys := map[string]string{"STRIPE_SECRET_KEY": "sk_test_abc123", "STRIPE_PUBLISHABLE_KEY": "pk_test_abc123"}
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		ok   bool
	}{
		{"demo mode", []string{"-connect-account", "acct_123"}, nil, false},
		{"not an account", []string{"-connect-account", "cus_123"}, keys, false},
		{"real mode", []string{"-connect-account", "acct_123"}, keys, true},
		{"from the environment", nil, map[string]string{"STRIPE_SECRET_KEY": "sk_test_abc123", "STRIPE_PUBLISHABLE_KEY": "pk_test_abc123", "STRIPE_CONNECT_ACCOUNT": "acct_9"}, true},
	} {
		o, err := parseOptions(tc.args, env(tc.env), io.Discard)
		if (err == nil) != tc.ok {
			t.Errorf("%s: %v, want ok=%v", tc.name, err, tc.ok)
		}
		if err != nil && strings.Contains(err.Error(), "sk_test_abc123") {
			t.Errorf("%s: error quotes the secret key", tc.name)
		}
		if err == nil && o.connect == "" {
			t.Errorf("%s: no account kept", tc.name)
		}
	}
}
