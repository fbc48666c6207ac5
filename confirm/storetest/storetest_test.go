package storetest_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/confirm/storetest"
)

func TestMemoryStore(t *testing.T) {
	if err := storetest.TestStore(func() confirm.Store { return confirm.NewMemoryStore() }); err != nil {
		t.Fatal(err)
	}
}

// naiveStore is what a first attempt on a database often looks like. Each
// flaw can be switched on alone, and TestStore must name the clause it
// breaks.
type naiveStore struct {
	lastWriterWins bool // Claim overwrites (a plain upsert)
	lostUpdate     bool // Update ignores the Version
	backwards      bool // Update lets the status fall
	claimEcho      bool // a Claim that finds a record returns the one it was given

	mu sync.Mutex
	m  map[string]confirm.Record
}

func (s *naiveStore) Claim(_ context.Context, id string, rec confirm.Record) (confirm.Record, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.m[id]; ok && !s.lastWriterWins {
		if s.claimEcho {
			rec.Version = old.Version
			return rec, false, nil
		}
		return old, false, nil
	}
	rec.Version = 1
	s.m[id] = rec
	return rec, true, nil
}

func (s *naiveStore) Load(_ context.Context, id string) (confirm.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.m[id]
	if !ok {
		return rec, confirm.ErrNotFound
	}
	return rec, nil
}

func (s *naiveStore) Update(_ context.Context, id string, rec confirm.Record) (confirm.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.m[id]
	switch {
	case !ok:
		return confirm.Record{}, confirm.ErrNotFound
	case old.Version != rec.Version && !s.lostUpdate:
		return confirm.Record{}, confirm.ErrStaleRecord
	case old.IntentID != "" && rec.IntentID != old.IntentID:
		return confirm.Record{}, confirm.ErrIntentConflict
	case rec.Status.Rank() < old.Status.Rank() && !s.backwards:
		return confirm.Record{}, confirm.ErrStaleRecord
	}
	rec.Version = old.Version + 1
	s.m[id] = rec
	return rec, nil
}

func TestNaiveStoresFail(t *testing.T) {
	for _, tc := range []struct {
		name  string
		store func() *naiveStore
		want  []string
	}{
		{"last writer wins", func() *naiveStore { return &naiveStore{lastWriterWins: true} }, []string{"claim never overwrites", "concurrent claims"}},
		{"lost update", func() *naiveStore { return &naiveStore{lostUpdate: true} }, []string{"update refuses a stale version", "concurrent updates"}},
		{"status backwards", func() *naiveStore { return &naiveStore{backwards: true} }, []string{"update refuses a status moving backwards"}},
		{"claim echoes", func() *naiveStore { return &naiveStore{claimEcho: true} }, []string{"Claim of an updated record"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := storetest.TestStore(func() confirm.Store { s := tc.store(); s.m = map[string]confirm.Record{}; return s })
			if err == nil {
				t.Fatal("TestStore accepted the store")
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("TestStore's error does not name %q:\n%v", want, err)
				}
			}
		})
	}
}

// TestSweepMemoryStore: a Sweep over MemoryStore reaches the order behind
// 100 that never change, and a pass racing inserts visits each order once.
func TestSweepMemoryStore(t *testing.T) {
	if err := storetest.TestSweep(func() storetest.ListingStore { return confirm.NewMemoryStore() }); err != nil {
		t.Fatal(err)
	}
}
