package cvc_test

import (
	"os"
	"testing"

	"github.com/cardconfirm/cardconfirm/internal/fakesetting"
)

// TestMain runs the package's tests under both settings of the question
// Stripe's docs leave open, whether a refusal for an object's state is
// stored under its idempotency key (stripetest.Config.StoreStateErrors):
// the flow must be correct either way. CARDCONFIRM_FAKE_STORE_STATE_ERRORS
// pins one.
func TestMain(m *testing.M) { os.Exit(fakesetting.Main(m)) }
