package cvc_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/cvc"
)

// TestConcurrentTokenRace: one token sent for several orders at once is
// spent by exactly one of them.
func TestConcurrentTokenRace(t *testing.T) {
	e := newEnv(t, cvc.AllowFailedCVC)
	pm := e.card(t, "pm_card_visa")
	tok := e.token(t)
	const n = 8
	var wg sync.WaitGroup
	var mu sync.Mutex
	paid, reused := 0, 0
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			res, err := e.payments.Pay(context.Background(), e.order("order-"+string(rune('a'+i))), confirm.Request{PaymentMethodID: pm, CVCToken: tok})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && res.Outcome == confirm.Succeeded:
				paid++
			case errors.Is(err, cvc.ErrCVCTokenReused):
				reused++
			default:
				t.Errorf("Pay = %v, %v", res.Outcome, err)
			}
		}(i)
	}
	wg.Wait()
	if paid != 1 || reused != n-1 {
		t.Errorf("paid %d, refused %d; want 1 and %d", paid, reused, n-1)
	}
	if got := moneyMoved(e.fake.Charges()); got != 1 {
		t.Errorf("%d charges moved money, want 1", got)
	}
}

// TestLogsHoldNoSecrets: the log records name orders, intents and checks,
// never the CVC token or the client secret ("Secrets stay secret").
func TestLogsHoldNoSecrets(t *testing.T) {
	var buf bytes.Buffer
	e := newEnv(t, cvc.RefuseFailedCVC)
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	p := cvc.New(e.flow, cvc.Config{Policy: cvc.RefuseFailedCVC, Now: e.clock.Now, Logger: log})
	ctx := context.Background()

	tok := e.token(t)
	res, err := p.Pay(ctx, e.order("order-3ds"), confirm.Request{PaymentMethodID: e.card(t, "pm_card_authenticationRequired"), CVCToken: tok})
	if err != nil || res.ClientSecret == "" {
		t.Fatalf("Pay = %v, %v; want RequiresAction", res.Outcome, err)
	}
	secret := res.ClientSecret
	_, _ = p.Pay(ctx, e.order("order-other"), confirm.Request{PaymentMethodID: e.card(t, "pm_card_visa"), CVCToken: tok}) // reused: an error record
	tok2 := e.token(t)
	_, _ = p.Pay(ctx, e.order("order-fail"), confirm.Request{PaymentMethodID: e.card(t, "pm_card_cvcCheckFail"), CVCToken: tok2})

	out := buf.String()
	for _, s := range []string{tok, tok2, secret} {
		if strings.Contains(out, s) {
			t.Errorf("log holds a secret or token:\n%s", out)
		}
	}
	if !strings.Contains(out, `"policy_action":"canceled"`) || !strings.Contains(out, `"cvc_check":"fail"`) {
		t.Errorf("log does not record the policy's cancel:\n%s", out)
	}
}
