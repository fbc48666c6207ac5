package cvc

import (
	"errors"
	"testing"
)

// TestErrorText: an Error's text joins what it holds with ": " and never
// leaves an empty part ("cvc: : list cards").
func TestErrorText(t *testing.T) {
	tests := []struct {
		err  *Error
		want string
	}{
		{&Error{Err: errors.New("list cards: timeout")}, "cvc: list cards: timeout"},
		{&Error{Reason: "no customer"}, "cvc: no customer"},
		{&Error{Sentinel: ErrNoCustomer, Reason: "order has none"}, ErrNoCustomer.Error() + ": order has none"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%#v: %q, want %q", tt.err, got, tt.want)
		}
	}
}
