package confirm

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestMemoryStoreContract(t *testing.T) {
	ctx := context.Background()
	var s MemoryStore // the zero value works
	if _, err := s.Load(ctx, "o1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Load of a new order: %v, want ErrNotFound", err)
	}
	steps := []struct {
		rec        Record
		wantErr    error
		wantIntent string
		wantPM     string
	}{
		{Record{PaymentMethod: "pm_a"}, nil, "", "pm_a"}, // write-ahead
		{Record{PaymentMethod: "pm_b"}, nil, "", "pm_b"}, // pending replaced by pending
		{Record{IntentID: "pi_1", PaymentMethod: "pm_b"}, nil, "pi_1", "pm_b"},
		{Record{PaymentMethod: "pm_c"}, nil, "pi_1", "pm_b"},          // intent never forgotten
		{Record{IntentID: "pi_2"}, ErrIntentConflict, "pi_1", "pm_b"}, // never replaced
		{Record{IntentID: "pi_1", PaymentMethod: "pm_d", Status: StatusSucceeded}, nil, "pi_1", "pm_d"},
	}
	for i, st := range steps {
		if err := s.Save(ctx, "o1", st.rec); !errors.Is(err, st.wantErr) {
			t.Errorf("step %d: Save error %v, want %v", i, err, st.wantErr)
		}
		got, err := s.Load(ctx, "o1")
		if err != nil || got.IntentID != st.wantIntent || got.PaymentMethod != st.wantPM {
			t.Errorf("step %d: Load = %+v, %v; want intent %q, pm %q", i, got, err, st.wantIntent, st.wantPM)
		}
	}
}

func TestMemoryStoreConcurrentFirstIntentWins(t *testing.T) {
	ctx := context.Background()
	s := NewMemoryStore()
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			err := s.Save(ctx, "o", Record{IntentID: fmt.Sprintf("pi_%d", i)})
			if err == nil {
				mu.Lock()
				won++
				mu.Unlock()
			}
		}(i)
	}
	wg.Wait()
	if won != 1 {
		t.Errorf("%d saves of different intents succeeded, want 1", won)
	}
	if s.Len() != 1 {
		t.Errorf("Len = %d", s.Len())
	}
}

func TestMemoryStorePrune(t *testing.T) {
	ctx := context.Background()
	s := NewMemoryStore()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 10; i++ {
		s.Save(ctx, fmt.Sprint("o", i), Record{IntentID: "pi_1", Updated: t0.Add(time.Duration(i) * time.Hour)})
	}
	if n := s.Prune(t0.Add(4 * time.Hour)); n != 4 {
		t.Errorf("Prune removed %d, want 4", n)
	}
	if _, err := s.Load(ctx, "o3"); !errors.Is(err, ErrNotFound) {
		t.Errorf("o3 still there: %v", err)
	}
	if _, err := s.Load(ctx, "o4"); err != nil {
		t.Errorf("o4 gone: %v", err)
	}
	if s.Len() != 6 {
		t.Errorf("Len = %d, want 6", s.Len())
	}
}
