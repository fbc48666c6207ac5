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

// naiveStore is what a first attempt on a database often looks like: a
// plain upsert. It forgets and replaces intents, so TestStore must fail it.
type naiveStore struct {
	mu sync.Mutex
	m  map[string]confirm.Record
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

func (s *naiveStore) Save(_ context.Context, id string, rec confirm.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[id] = rec
	return nil
}

func TestNaiveStoreFails(t *testing.T) {
	err := storetest.TestStore(func() confirm.Store { return &naiveStore{m: map[string]confirm.Record{}} })
	if err == nil {
		t.Fatal("TestStore accepted a store that replaces intents")
	}
	for _, want := range []string{"write-ahead after the intent ignored", "another intent refused", "concurrent saves"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("TestStore's error does not report %q:\n%v", want, err)
		}
	}
}
