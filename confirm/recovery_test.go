package confirm_test

import (
	"bytes"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/confirm"
)

var (
	recoverySecret = bytes.Repeat([]byte{0x5a}, 32)
	otherSecret    = bytes.Repeat([]byte{0xa5}, 32)
	recoveryNow    = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
)

func TestRecoveryLinkRoundTrip(t *testing.T) {
	for _, id := range []string{"o", "order-1042", "ordre/é.ü 7", strings.Repeat("x", 200)} {
		tok := confirm.SignRecovery(recoverySecret, id, recoveryNow.Add(72*time.Hour))
		if strings.ContainsAny(tok, "+/=?&#% ") || strings.Count(tok, ".") != 1 {
			t.Errorf("token %q is not URL-safe", tok)
		}
		got, err := confirm.VerifyRecovery(recoverySecret, tok, recoveryNow)
		if err != nil || got != id {
			t.Errorf("VerifyRecovery(SignRecovery(%q)) = %q, %v", id, got, err)
		}
	}
}

func TestRecoveryLinkExpiry(t *testing.T) {
	expires := recoveryNow.Add(time.Hour)
	tok := confirm.SignRecovery(recoverySecret, "o1", expires)
	tests := []struct {
		now  time.Time
		want error
	}{
		{recoveryNow, nil},
		{expires.Add(-time.Second), nil},
		{expires, confirm.ErrRecoveryExpired},
		{expires.Add(25 * time.Hour), confirm.ErrRecoveryExpired},
	}
	for _, tt := range tests {
		if _, err := confirm.VerifyRecovery(recoverySecret, tok, tt.now); !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("at %v: %v, want %v", tt.now, err, tt.want)
		}
	}
}

// TestRecoveryLinkForgery: another key, any altered character, a payload
// moved under another token's signature, truncation and junk are all
// ErrRecoveryInvalid, even past expiry (the signature is checked first).
func TestRecoveryLinkForgery(t *testing.T) {
	tok := confirm.SignRecovery(recoverySecret, "order-1", recoveryNow.Add(time.Hour))
	if _, err := confirm.VerifyRecovery(otherSecret, tok, recoveryNow); !errors.Is(err, confirm.ErrRecoveryInvalid) {
		t.Errorf("another key: %v", err)
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := range tok {
		if tok[i] == '.' {
			continue
		}
		for _, c := range []byte{alphabet[(strings.IndexByte(alphabet, tok[i])+1)%64], alphabet[(strings.IndexByte(alphabet, tok[i])+32)%64]} {
			bad := tok[:i] + string(c) + tok[i+1:]
			if id, err := confirm.VerifyRecovery(recoverySecret, bad, recoveryNow); !errors.Is(err, confirm.ErrRecoveryInvalid) {
				t.Errorf("altered at %d: %q, %v", i, id, err)
			}
		}
	}
	// Another order's payload under this token's signature, and the
	// reverse; a later expiry spliced in.
	other := confirm.SignRecovery(recoverySecret, "order-2", recoveryNow.Add(time.Hour))
	later := confirm.SignRecovery(recoverySecret, "order-1", recoveryNow.Add(1000*time.Hour))
	p1, m1, _ := strings.Cut(tok, ".")
	p2, m2, _ := strings.Cut(other, ".")
	p3, _, _ := strings.Cut(later, ".")
	past := recoveryNow.Add(2 * time.Hour)
	for _, bad := range []string{p2 + "." + m1, p1 + "." + m2, p3 + "." + m1, "", ".", p1, p1 + ".", "." + m1,
		tok + ".", tok + "=", p1 + "=." + m1, tok[:len(tok)-1], "a." + m1, strings.Repeat("A", 2000) + "." + m1} {
		for _, now := range []time.Time{recoveryNow, past} {
			if id, err := confirm.VerifyRecovery(recoverySecret, bad, now); !errors.Is(err, confirm.ErrRecoveryInvalid) {
				t.Errorf("VerifyRecovery(%.40q) = %q, %v; want ErrRecoveryInvalid", bad, id, err)
			}
		}
	}
	if tok == other || m1 == m2 {
		t.Error("two orders got the same signature")
	}
}

// TestRecoveryLinkCarriesNoSecret: the token holds the order ID, the
// expiry and a MAC; neither the key nor anything like a client secret.
func TestRecoveryLinkCarriesNoSecret(t *testing.T) {
	tok := confirm.SignRecovery(recoverySecret, "order-1", recoveryNow.Add(time.Hour))
	if strings.Contains(tok, string(recoverySecret)) || secretPattern.MatchString(tok) {
		t.Errorf("token %q carries a secret", tok)
	}
	// 8 bytes of expiry and 7 of order ID (20 characters of base64), a
	// dot, 32 bytes of MAC (43 characters).
	if want := 20 + 1 + 43; len(tok) != want {
		t.Errorf("token length %d, want %d", len(tok), want)
	}
}

// TestRecoveryLinkComparesInConstantTime reads recovery.go: the MAC is
// compared with hmac.Equal, never with == or bytes.Equal, whose time
// depends on the first differing byte and would let an attacker forge a
// signature byte by byte.
func TestRecoveryLinkComparesInConstantTime(t *testing.T) {
	src, err := os.ReadFile("recovery.go")
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	if !strings.Contains(s, "hmac.Equal(mac, recoveryMAC(secret, payload))") {
		t.Error("recovery.go does not compare the MAC with hmac.Equal")
	}
	if regexp.MustCompile(`bytes\.Equal|subtle\.ConstantTimeCompare|string\(mac\)|mac\s*==`).MatchString(s) {
		t.Error("recovery.go compares the MAC some other way too")
	}
}

func TestRecoveryLinkRefusesAShortSecret(t *testing.T) {
	for name, f := range map[string]func(){
		"sign":   func() { confirm.SignRecovery(make([]byte, 31), "o", recoveryNow) },
		"verify": func() { confirm.VerifyRecovery(nil, "x.y", recoveryNow) },
		"no id":  func() { confirm.SignRecovery(recoverySecret, "", recoveryNow) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
