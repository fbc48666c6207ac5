package confirm

import (
	"testing"

	"github.com/google/uuid"
)

// TestKeysPinned fails if a key changes between releases: a changed key lets
// a retry that straddles an upgrade create a second PaymentIntent. The
// namespace, create (attempts 0 and 1), cancel and refund values were cross-checked with Python's
// uuid.uuid5 over the documented identity encoding.
func TestKeysPinned(t *testing.T) {
	ns := DefaultNamespace
	tests := []struct{ name, got, want string }{
		{"namespace", DefaultNamespace.String(), "2a98b86b-7369-57eb-ad30-ff8c74712590"},
		{"create", keyCreate(ns, "order-1"), "83aed4d1-4a4f-5a4b-833d-0fa7631a41be"},
		{"create attempt 0", keyCreateAttempt(ns, "order-1", 0), "83aed4d1-4a4f-5a4b-833d-0fa7631a41be"},
		{"create attempt 1", keyCreateAttempt(ns, "order-1", 1), "f0d3d838-29ed-51ff-ad4d-9ebb59928dda"},
		{"confirm", keyConfirm(ns, "order-1", "pi_1", "pm_card_visa", ""), "19541c8f-cef8-544a-8183-1c8f04b47594"},
		{"confirm cvc", keyConfirm(ns, "order-1", "pi_1", "pm_1", "cvctok_1"), "f6a1097a-eb33-5a78-a810-f492dd815656"},
		{"confirm action", keyConfirmAction(ns, "order-1", "pi_1", "pm_1", ""), "67013519-2582-560e-a763-5cbe4fa8ce21"},
		{"confirm action link 0", keyConfirmActionAttempt(ns, "order-1", "pi_1", "pm_1", "", 0), "67013519-2582-560e-a763-5cbe4fa8ce21"},
		{"capture", keyCapture(ns, "order-1", "pi_1", 0), "33f414fa-27bf-5aa3-9b76-00f4cc8961d9"},
		{"cancel", keyCancel(ns, "order-1", "pi_1"), "4791c242-ebcd-56a1-82ae-f78619cac9d0"},
		{"refund link 0", keyRefund(ns, "order-1", "r1", 0), "1eea28d5-065b-5c5a-91ee-93afa80d7661"},
		{"refund link 1", keyRefund(ns, "order-1", "r1", 1), "3fe44228-fe1e-5589-871e-b5ab86180532"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s key = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

func TestKeysDistinct(t *testing.T) {
	ns := DefaultNamespace
	other := uuid.NewSHA1(uuid.NameSpaceURL, []byte("another environment"))
	keys := []string{
		keyCreate(ns, "o1"), keyCreate(ns, "o2"), keyCreate(other, "o1"),
		keyCreateAttempt(ns, "o1", 1), keyCreateAttempt(ns, "o1", 2), keyCreateAttempt(ns, "o2", 1),
		keyConfirm(ns, "o1", "pi_1", "pm_a", ""), keyConfirm(ns, "o1", "pi_1", "pm_b", ""),
		keyConfirm(ns, "o1", "pi_1", "pm_a", "cvctok_1"), keyConfirm(ns, "o1", "pi_1", "pm_a", "cvctok_2"),
		keyConfirmAction(ns, "o1", "pi_1", "pm_a", ""), keyConfirmAction(ns, "o1", "pi_1", "pm_b", ""),
		keyConfirmActionAttempt(ns, "o1", "pi_1", "pm_a", "", 1), keyConfirmActionAttempt(ns, "o1", "pi_1", "pm_a", "", 2),
		keyCapture(ns, "o1", "pi_1", 0), keyCapture(ns, "o1", "pi_1", 100),
		keyCancel(ns, "o1", "pi_1"), keyCancel(ns, "o1", "pi_2"),
		keyRefund(ns, "o1", "r1", 0), keyRefund(ns, "o1", "r2", 0), keyRefund(ns, "o1", "r1", 1), keyRefund(ns, "o2", "r1", 0),
		// Length prefixes keep shifted boundaries apart.
		keyConfirm(ns, "o1/1:x", "pi_1", "pm_a", ""), keyConfirm(ns, "o1", "1:x/pi_1", "pm_a", ""),
	}
	seen := map[string]int{}
	for i, k := range keys {
		if len(k) == 0 || len(k) > 255 {
			t.Errorf("key %d has length %d", i, len(k))
		}
		if j, dup := seen[k]; dup {
			t.Errorf("keys %d and %d collide: %s", j, i, k)
		}
		seen[k] = i
	}
}
