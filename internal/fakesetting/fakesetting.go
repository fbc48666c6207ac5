// Package fakesetting runs a package's tests under every setting of the
// question Stripe's docs leave open and the stripetest fake makes an
// option: whether refusals that Stripe raises after looking at the objects
// a request names (payment_intent_unexpected_state, a foreign or spent
// PaymentMethod, a used CVC token) are stored under the idempotency key
// (stripetest.Config.StoreStateErrors). The flow must be correct under
// both, so its tests build their fakes through [Config] and run under both
// settings from a TestMain that calls [Main].
//
// The environment variable named by [Env] pins one setting: "1" (or
// "true") stores the refusals, "0" (or "false") does not; unset, Main runs
// the package once under each. Packages without such a TestMain (the
// example server, the benchmarks) run under the pinned setting, false when
// unset.
//
// It is for tests only: the package state below is the current run's
// setting, as stripetest's own tests keep it.
package fakesetting

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// Env is the environment variable that pins StoreStateErrors for a test
// run.
const Env = "CARDCONFIRM_FAKE_STORE_STATE_ERRORS"

// pinned is Env's setting; ok false when Env is unset or empty.
func pinned() (store, ok bool) {
	v := os.Getenv(Env)
	if v == "" {
		return false, false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		panic(fmt.Sprintf("fakesetting: %s=%q is not a boolean", Env, v))
	}
	return b, true
}

// storeStateErrors is the setting of the current run: Env's, or the one
// Main is running.
var storeStateErrors, _ = pinned()

// StoreStateErrors reports the StoreStateErrors setting of the current run.
func StoreStateErrors() bool { return storeStateErrors }

// Config returns cfg with StoreStateErrors set for the current run.
func Config(cfg stripetest.Config) stripetest.Config {
	cfg.StoreStateErrors = storeStateErrors
	return cfg
}

// New returns a fake configured by Config(cfg).
func New(cfg stripetest.Config) *stripetest.Fake { return stripetest.New(Config(cfg)) }

// Or returns Env's setting when it is pinned, else choice: a test that
// draws the setting itself (the fault campaign, per scenario) still obeys
// a pinned run.
func Or(choice bool) bool {
	if store, ok := pinned(); ok {
		return store
	}
	return choice
}

// Main runs m's tests under StoreStateErrors false, then true, and returns
// the exit code for os.Exit; under the setting Env pins, once. A run with
// benchmarks (-test.bench), a fuzz target (-test.fuzz) or a listing
// (-test.list, which make fuzz reads) runs once too,
// under the pinned setting (false when unset): a benchmark measures one
// configuration, and a fuzzer runs for as long as it is told.
func Main(m *testing.M) int {
	if _, ok := pinned(); ok {
		fmt.Printf("fakesetting: StoreStateErrors = %v (%s)\n", storeStateErrors, Env)
		return m.Run()
	}
	storeStateErrors = false
	code := m.Run()
	if code != 0 || flagSet("test.bench") || flagSet("test.fuzz") || flagSet("test.list") {
		return code
	}
	fmt.Println("fakesetting: running the tests again with stripetest.Config.StoreStateErrors = true")
	storeStateErrors = true
	return m.Run()
}

func flagSet(name string) bool {
	f := flag.Lookup(name)
	return f != nil && f.Value.String() != ""
}
