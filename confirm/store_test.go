package confirm

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestMemoryStorePrune(t *testing.T) {
	ctx := context.Background()
	s := NewMemoryStore()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 10; i++ {
		s.Claim(ctx, fmt.Sprint("o", i), Record{IntentID: "pi_1", Updated: t0.Add(time.Duration(i) * time.Hour)})
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
	if len(s.records) != 6 {
		t.Errorf("Len = %d, want 6", len(s.records))
	}
}
