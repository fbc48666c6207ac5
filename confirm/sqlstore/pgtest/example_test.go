package pgtest_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/confirm/sqlstore"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// Two instances of a host share one PostgreSQL table: the customer starts
// paying on one and comes back from 3-D Secure to the other, which knows
// the order's intent from the shared record and confirms it in one Stripe
// call. (make postgres runs this against a real server.)
func Example_twoInstances() {
	ctx := context.Background()
	db, err := sql.Open("pgx", os.Getenv("CARDCONFIRM_PG_DSN"))
	if err != nil {
		panic(err)
	}
	defer db.Close()
	cfg := sqlstore.Config{Table: "example_payments"}
	// On start: bring the table to this sqlstore's schema (or run the
	// files of sqlstore.Migrations with the host's migration tool), then
	// open the Store, which refuses a table at any other version.
	if err := sqlstore.Migrate(ctx, db, cfg); err != nil {
		panic(err)
	}
	store, err := sqlstore.Open(ctx, db, cfg)
	if err != nil {
		panic(err)
	}

	fake := stripetest.New(stripetest.Config{}) // stands in for Stripe
	// In production each instance is its own process with its own *sql.DB.
	a := confirm.New(fake, confirm.Config{Store: store})
	b := confirm.New(fake, confirm.Config{Store: store})

	order := confirm.Order{ID: fmt.Sprintf("order-%d", time.Now().UnixNano()), Amount: 2000, Currency: "eur"}
	res, err := a.Pay(ctx, order, confirm.Request{PaymentMethodID: "pm_card_authenticationRequired"})
	if err != nil {
		panic(err)
	}
	fmt.Println("instance A:", res.Outcome)

	fake.Authenticate(res.IntentID) // what stripe.handleCardAction does in the browser

	res, err = b.Pay(ctx, order, confirm.Request{PaymentIntentID: res.IntentID})
	if err != nil {
		panic(err)
	}
	fmt.Println("instance B:", res.Outcome)

	rec, err := store.Load(ctx, order.ID)
	if err != nil {
		panic(err)
	}
	fmt.Println("record:", rec.Status, rec.IntentID == res.IntentID)
	fmt.Println("Stripe calls:", fake.CallCount())
	// Output:
	// instance A: requires_action
	// instance B: succeeded
	// record: succeeded true
	// Stripe calls: 2
}
