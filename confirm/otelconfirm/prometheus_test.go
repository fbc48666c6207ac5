package otelconfirm_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/cardconfirm/cardconfirm/confirm"
	"github.com/cardconfirm/cardconfirm/confirm/otelconfirm"
	"github.com/cardconfirm/cardconfirm/stripeclient/stripetest"
)

// TestPrometheusHandler runs three payments (frictionless, 3-D Secure,
// decline) through a Flow observed by PrometheusHandler's Observer and
// reads the counts back from its /metrics text.
func TestPrometheusHandler(t *testing.T) {
	handler, obs, err := otelconfirm.PrometheusHandler(nil)
	if err != nil {
		t.Fatal(err)
	}
	clock := stripetest.NewClock(start)
	fake := stripetest.New(stripetest.Config{Seed: 1, Now: clock.Now})
	flow := confirm.New(fake, confirm.Config{Now: clock.Now, Observer: obs})
	order := func(id string) confirm.Order { return confirm.Order{ID: id, Amount: 2500, Currency: "usd"} }

	payCard(t, flow, order("frictionless"), "pm_card_visa", confirm.Succeeded)
	res := payCard(t, flow, order("3ds"), "pm_card_authenticationRequired", confirm.RequiresAction)
	if err := fake.Authenticate(res.IntentID); err != nil {
		t.Fatal(err)
	}
	payIntent(t, flow, order("3ds"), res.IntentID, confirm.Succeeded)
	payCard(t, flow, order("decline"), "pm_card_visa_chargeDeclined", confirm.Failed)

	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics: %d %s", rec.Code, rec.Body)
	}
	text := rec.Body.String()
	for _, c := range []struct {
		name   string
		labels string // the sample's labels, besides the scope's
		want   float64
	}{
		{"cardconfirm_payments_total", `cardconfirm_outcome="succeeded"`, 2},
		{"cardconfirm_payments_total", `cardconfirm_outcome="requires_action"`, 1},
		{"cardconfirm_payments_total", `cardconfirm_outcome="failed"`, 1},
		{"cardconfirm_declines_total", `stripe_decline_code="generic_decline"`, 1},
		{"cardconfirm_three_d_secure_required_total", ``, 1},
		{"cardconfirm_three_d_secure_completed_total", ``, 1},
		{"cardconfirm_stripe_call_duration_seconds_count", `stripe_operation="create"`, 2},
		{"cardconfirm_stripe_call_duration_seconds_count", `error_type="card_declined",stripe_operation="create"`, 1},
		{"cardconfirm_stripe_call_duration_seconds_count", `stripe_operation="confirm"`, 1},
	} {
		got, ok := sample(text, c.name, c.labels)
		if !ok || got != c.want {
			t.Errorf("%s{%s} = %v (found: %v), want %v", c.name, c.labels, got, ok, c.want)
		}
	}
	for _, absent := range []string{"cardconfirm_three_d_secure_abandoned_total", "cardconfirm_stripe_read_backs_total", "cardconfirm_stripe_replayed_total"} {
		if strings.Contains(text, absent+"{") {
			t.Errorf("%s recorded, but nothing was abandoned, read back or replayed", absent)
		}
	}
	if secretLike.MatchString(text) {
		t.Errorf("a secret in /metrics: %s", secretLike.FindString(text))
	}
	if t.Failed() {
		t.Log(text)
	}
}

var sampleLine = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\} (\S+)$`)

// sample returns the value of name's sample whose labels, without the
// otel_scope_* ones, are exactly labels.
func sample(text, name, labels string) (float64, bool) {
	for _, line := range strings.Split(text, "\n") {
		m := sampleLine.FindStringSubmatch(line)
		if m == nil || m[1] != name {
			continue
		}
		var own []string
		for _, l := range strings.Split(m[2], ",") {
			if l != "" && !strings.HasPrefix(l, "otel_scope_") {
				own = append(own, l)
			}
		}
		if strings.Join(own, ",") != labels {
			continue
		}
		v, err := strconv.ParseFloat(m[3], 64)
		return v, err == nil
	}
	return 0, false
}
