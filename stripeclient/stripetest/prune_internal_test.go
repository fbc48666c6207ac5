package stripetest

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/cardconfirm/cardconfirm/stripeclient"
)

// TestIdempotencyRecordsPruned checks that memory for keys stays bounded:
// records older than 24 h are swept out as new keys arrive.
func TestIdempotencyRecordsPruned(t *testing.T) {
	clock := NewClock(time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC))
	f := New(Config{Now: clock.Now, Seed: 1})
	create := func(key string) {
		_, err := f.CreatePaymentIntent(context.Background(), stripeclient.CreateParams{
			IdempotencyKey: key, Amount: 1000, Currency: "usd",
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	count := func() int {
		f.idem.mu.Lock()
		defer f.idem.mu.Unlock()
		return len(f.idem.m)
	}
	for i := 0; i < 1000; i++ {
		create("old-" + strconv.Itoa(i))
	}
	if n := count(); n != 1000 {
		t.Fatalf("%d records, want 1000", n)
	}
	clock.Advance(25 * time.Hour)
	for i := 0; i < 1000; i++ {
		create("new-" + strconv.Itoa(i))
	}
	if n := count(); n != 1000 {
		t.Errorf("%d records after 25 h and 1000 new keys, want the 1000 new ones", n)
	}
}
