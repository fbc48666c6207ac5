package pgtest

import (
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/confirm/storetest"
)

// TestStoreContract runs the Store contract's check on PostgreSQL.
func TestStoreContract(t *testing.T) {
	db := open(t, pool{name: "contract"})
	s := newStore(t, db, newTable("contract"))
	if err := storetest.TestStore(func() confirm.Store { return s }); err != nil {
		t.Fatal(err)
	}
}
