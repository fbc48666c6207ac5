package sqlitetest_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // registers the "sqlite" driver, pure Go

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/confirm/sqlstore"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// One host keeps its orders in a SQLite file across restarts: the
// payment begun before the restart completes after it, on the same
// intent.
func Example_restart() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "shop")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	// Every connection waits for another's write (busy_timeout), and WAL
	// lets reads run beside the writer.
	dsn := "file:" + filepath.Join(dir, "shop.db") + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(wal)"
	fake := stripetest.New(stripetest.Config{}) // stands in for Stripe
	order := confirm.Order{ID: "order-1", Amount: 2000, Currency: "eur"}

	start := func() (*confirm.Flow, func() error) {
		db, err := sql.Open("sqlite", dsn)
		if err != nil {
			panic(err)
		}
		if err := sqlstore.Migrate(ctx, db, sqlstore.Config{}); err != nil {
			panic(err)
		}
		store, err := sqlstore.Open(ctx, db, sqlstore.Config{})
		if err != nil {
			panic(err)
		}
		return confirm.New(fake, confirm.Config{Store: store}), db.Close
	}

	flow, stop := start()
	res, err := flow.Pay(ctx, order, confirm.Request{PaymentMethodID: "pm_card_authenticationRequired"})
	if err != nil {
		panic(err)
	}
	fmt.Println("before the restart:", res.Outcome)
	stop()

	fake.Authenticate(res.IntentID) // the customer, meanwhile, in the browser

	flow, stop = start()
	defer stop()
	res, err = flow.Pay(ctx, order, confirm.Request{PaymentIntentID: res.IntentID})
	if err != nil {
		panic(err)
	}
	fmt.Println("after the restart:", res.Outcome)
	fmt.Println("intents:", len(fake.Intents()))
	// Output:
	// before the restart: requires_action
	// after the restart: succeeded
	// intents: 1
}
