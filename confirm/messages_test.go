package confirm_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/internal/fakesetting"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// TestDeclineMessages: by default every decline a card tester learns from
// reaches the customer as one text, and the Result keeps Stripe's codes
// for the log; ShowDeclineReasons passes Stripe's message on. A failed
// 3-D Secure and a processing error keep their own texts either way.
func TestDeclineMessages(t *testing.T) {
	declines := []struct{ pm, code, declineCode, stripeWords string }{
		{"pm_card_visa_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds", "insufficient funds"},
		{"pm_card_chargeDeclinedIncorrectCvc", "incorrect_cvc", "incorrect_cvc", "security code"},
		{"pm_card_chargeDeclinedExpiredCard", "expired_card", "expired_card", "expired"},
		{"pm_card_visa_chargeDeclinedLostCard", "card_declined", "lost_card", "declined"},
		{"pm_card_visa_chargeDeclinedStolenCard", "card_declined", "stolen_card", "declined"},
		{"pm_card_visa_chargeDeclined", "card_declined", "generic_decline", "declined"},
		{"pm_card_radarBlock", "card_declined", "fraudulent", "declined"},
	}
	for _, mode := range []confirm.DeclineMessages{confirm.HideDeclineReasons, confirm.ShowDeclineReasons} {
		texts := map[string]bool{}
		for i, tc := range declines {
			t.Run(fmt.Sprint(mode, "/", tc.pm), func(t *testing.T) {
				fake := fakesetting.New(stripetest.Config{})
				cfg := confirm.Config{}
				if mode == confirm.ShowDeclineReasons {
					cfg.DeclineMessages = mode // the zero Config hides
				}
				flow := confirm.New(fake, cfg)
				order := confirm.Order{ID: fmt.Sprint("order-", i), Amount: 1000, Currency: "usd"}
				res, err := flow.Pay(context.Background(), order, confirm.Request{PaymentMethodID: tc.pm})
				if err != nil || res.Outcome != confirm.Failed {
					t.Fatalf("Pay: %v %v, want Failed", res.Outcome, err)
				}
				if res.Code != tc.code || res.DeclineCode != tc.declineCode {
					t.Errorf("codes %q/%q, want %q/%q kept for the log", res.Code, res.DeclineCode, tc.code, tc.declineCode)
				}
				msg := res.Response().Error
				texts[msg] = true
				if mode == confirm.ShowDeclineReasons && !strings.Contains(strings.ToLower(msg), tc.stripeWords) {
					t.Errorf("shown %q, want Stripe's message (%q)", msg, tc.stripeWords)
				}
				if mode == confirm.HideDeclineReasons {
					for _, leak := range []string{"funds", "security code", "expired", "lost", "stolen", "fraud"} {
						if strings.Contains(strings.ToLower(msg), leak) {
							t.Errorf("shown %q: reveals %q", msg, leak)
						}
					}
				}
			})
		}
		if mode == confirm.HideDeclineReasons && len(texts) != 1 {
			t.Errorf("hidden reasons: %d different texts %v, want 1", len(texts), texts)
		}
	}
}

// TestDeclineMessagesKeepOwnTexts: a failed 3-D Secure tells the customer
// to choose another method, and a processing error to try again, whatever
// the option: neither says anything about the card.
func TestDeclineMessagesKeepOwnTexts(t *testing.T) {
	fake := fakesetting.New(stripetest.Config{})
	flow := confirm.New(fake, confirm.Config{})
	order := confirm.Order{ID: "order-3ds", Amount: 1000, Currency: "usd"}
	res, err := flow.Pay(context.Background(), order, confirm.Request{PaymentMethodID: "pm_card_authenticationRequired"})
	if err != nil || res.Outcome != confirm.RequiresAction {
		t.Fatalf("Pay: %v %v", res.Outcome, err)
	}
	if err := fake.FailAuthenticationClientSecret(res.ClientSecret); err != nil {
		t.Fatal(err)
	}
	res, err = flow.Pay(context.Background(), order, confirm.Request{PaymentIntentID: res.IntentID})
	if err != nil || res.Outcome != confirm.Failed || !strings.Contains(res.Message, "authenticate") {
		t.Errorf("after failed 3-D Secure: %v %q %v, want the authentication text", res.Outcome, res.Message, err)
	}

	res, err = flow.Pay(context.Background(), confirm.Order{ID: "order-proc", Amount: 1000, Currency: "usd"},
		confirm.Request{PaymentMethodID: "pm_card_chargeDeclinedProcessingError"})
	if err != nil || res.Outcome != confirm.Failed || res.Code != "processing_error" || !strings.Contains(strings.ToLower(res.Message), "processing") {
		t.Errorf("processing error: %v %q %q %v, want Stripe's processing text", res.Outcome, res.Code, res.Message, err)
	}
}
