package pgtest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/confirm/sqlstore"
	"github.com/cardconfirm/cardconfirm/confirm/storetest"
)

// TestStricterIsolation runs the Store under REPEATABLE READ and
// SERIALIZABLE, set as the connections' default (as a host's DSN or role
// would): the contract holds, and contended claims and updates, which
// PostgreSQL refuses with 40001 under these levels, end as under READ
// COMMITTED, since the Store runs a refused statement again.
func TestStricterIsolation(t *testing.T) {
	for _, level := range []string{"repeatable read", "serializable"} {
		t.Run(level, func(t *testing.T) {
			cfg, err := pgx.ParseConfig(dsn(t))
			if err != nil {
				t.Fatal(err)
			}
			cfg.RuntimeParams["default_transaction_isolation"] = level
			cfg.RuntimeParams["application_name"] = "isolation"
			db := stdlib.OpenDB(*cfg)
			db.SetMaxOpenConns(16)
			t.Cleanup(func() { db.Close() })
			var got string
			if err := db.QueryRow("SHOW transaction_isolation").Scan(&got); err != nil || got != level {
				t.Fatalf("transaction_isolation = %q, %v; want %q", got, err, level)
			}
			s := newStore(t, db, newTable("iso"))
			if err := storetest.TestStore(func() confirm.Store { return s }); err != nil {
				t.Fatal(err)
			}
			contend(t, s)
		})
	}
}

// contend races 16 goroutines on each of 4 orders: all claim it, then
// each moves it one version on, reading again after a stale answer,
// until every goroutine has written once. No error but ErrStaleRecord
// may surface, and the final version counts every write.
func contend(t *testing.T, s *sqlstore.Store) {
	const orders, writers = 4, 16
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for o := 0; o < orders; o++ {
		order := fmt.Sprintf("contend-%d-%d", time.Now().UnixNano(), o)
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			claimed int
			errs    []error
		)
		start := make(chan struct{})
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, won, err := s.Claim(ctx, order, confirm.Record{Amount: 100, Currency: "usd"})
				if err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("claim: %w", err))
					mu.Unlock()
					return
				}
				if won {
					mu.Lock()
					claimed++
					mu.Unlock()
				}
				for {
					rec, err := s.Load(ctx, order)
					if err == nil {
						rec.Status = confirm.StatusRequiresPaymentMethod
						_, err = s.Update(ctx, order, rec)
					}
					if errors.Is(err, confirm.ErrStaleRecord) {
						continue
					}
					if err != nil {
						mu.Lock()
						errs = append(errs, fmt.Errorf("update: %w", err))
						mu.Unlock()
					}
					return
				}
			}()
		}
		close(start)
		wg.Wait()
		if len(errs) > 0 {
			t.Fatalf("order %d: %d errors, the first: %v", o, len(errs), errs[0])
		}
		rec, err := s.Load(ctx, order)
		if claimed != 1 || err != nil || rec.Version != writers+1 {
			t.Fatalf("order %d: %d claims won, version %d (%v); want 1 and %d", o, claimed, rec.Version, err, writers+1)
		}
	}
}
