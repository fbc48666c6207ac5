package confirm

import (
	"errors"
	"testing"
)

func TestParseStatusAndNext(t *testing.T) {
	tests := []struct {
		in      string
		want    Status
		step    statusStep
		outcome Outcome
	}{
		{"succeeded", StatusSucceeded, stepFinish, Succeeded},
		{"requires_capture", StatusRequiresCapture, stepFinish, Authorized},
		{"processing", StatusProcessing, stepFinish, Processing},
		{"requires_action", StatusRequiresAction, stepFinish, RequiresAction},
		{"requires_source_action", StatusRequiresAction, stepFinish, RequiresAction},
		{"requires_confirmation", StatusRequiresConfirmation, stepConfirm, 0},
		{"requires_payment_method", StatusRequiresPaymentMethod, stepFinish, Failed},
		{"requires_source", StatusRequiresPaymentMethod, stepFinish, Failed},
		{"canceled", StatusCanceled, stepFinish, Canceled},
	}
	for _, tt := range tests {
		got, err := ParseStatus(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseStatus(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			continue
		}
		step, outcome, err := got.next()
		if err != nil || step != tt.step || outcome != tt.outcome {
			t.Errorf("%q.next() = %v, %v, %v; want %v, %v", got, step, outcome, err, tt.step, tt.outcome)
		}
	}
}

func TestEveryStatusHasOneOutcome(t *testing.T) {
	// Every status has one outcome: the table is exhaustive over the statuses the package names, and
	// no two statuses finish with the same outcome.
	seen := map[Outcome]Status{}
	for _, s := range []Status{StatusRequiresPaymentMethod, StatusRequiresConfirmation, StatusRequiresAction, StatusProcessing, StatusRequiresCapture, StatusCanceled, StatusSucceeded} {
		step, outcome, err := s.next()
		if err != nil {
			t.Fatalf("%q has no transition: %v", s, err)
		}
		if step == stepConfirm {
			continue
		}
		if prev, dup := seen[outcome]; dup {
			t.Errorf("%q and %q both finish as %v", prev, s, outcome)
		}
		seen[outcome] = s
	}
	if len(transitions) != 7 {
		t.Errorf("transition table has %d rows, want 7", len(transitions))
	}
}

func TestUnknownStatusIsAnError(t *testing.T) {
	for _, s := range []string{"", "Succeeded", "SUCCEEDED", "succeeded ", "paid", "requires_more", "requires_"} {
		if got, err := ParseStatus(s); !errors.Is(err, ErrUnknownStatus) {
			t.Errorf("ParseStatus(%q) = %q, %v; want ErrUnknownStatus", s, got, err)
		}
		if _, _, err := Status(s).next(); !errors.Is(err, ErrUnknownStatus) {
			t.Errorf("Status(%q).next() error = %v; want ErrUnknownStatus", s, err)
		}
	}
}

func TestOutcomeString(t *testing.T) {
	if got := RequiresAction.String(); got != "requires_action" {
		t.Errorf("RequiresAction.String() = %q", got)
	}
	// The zero value has a name; only values past the table print as numbers.
	for o, want := range map[Outcome]string{0: "unset", RequiresCustomer: "requires_customer", RequiresCustomer + 1: "Outcome(9)", -1: "Outcome(-1)"} {
		if got := o.String(); got != want {
			t.Errorf("Outcome(%d).String() = %q, want %q", int(o), got, want)
		}
	}
	if !Succeeded.Paid() || !Authorized.Paid() || Failed.Paid() || Processing.Paid() || RequiresCustomer.Paid() {
		t.Error("Paid() wrong")
	}
}
