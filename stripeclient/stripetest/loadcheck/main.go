// Command loadcheck measures how many requests per second a Stripe-like
// server answers for the synchronous 3-D Secure flow at saturation: each
// worker creates an intent with confirm=true and a 3-D Secure card, passes
// 3-D Secure through the fake's helper (with -authenticate; stripe-mock has
// none and is stateless), and confirms it again, over keep-alive
// connections, for -duration. Run it against cmd/stripetest and against
// stripe-mock in one go to compare them on the same machine:
//
//	go run . -url http://127.0.0.1:12111 -authenticate -label stripetest
//	go run . -url "$STRIPE_MOCK_URL" -label stripe-mock
//
// It prints one line: label, flows/s, requests/s, errors.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	base := flag.String("url", "", "base URL of the server")
	workers := flag.Int("concurrency", 16, "concurrent flows")
	duration := flag.Duration("duration", 10*time.Second, "how long to run")
	authenticate := flag.Bool("authenticate", false, "pass 3-D Secure through /_stripetest/ (stripetest only)")
	label := flag.String("label", "server", "name printed with the figures")
	flag.Parse()
	if *base == "" {
		fmt.Fprintln(os.Stderr, "loadcheck: -url is required")
		os.Exit(2)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *workers, MaxConnsPerHost: *workers}}
	var flows, requests, errs atomic.Int64
	deadline := time.Now().Add(*duration)
	var wg sync.WaitGroup
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				key := fmt.Sprintf("load-%d-%d-%d", time.Now().UnixNano(), w, i)
				ok := flow(client, *base, key, *authenticate, &requests)
				if ok {
					flows.Add(1)
				} else {
					errs.Add(1)
				}
			}
		}(w)
	}
	start := time.Now()
	wg.Wait()
	secs := time.Since(start).Seconds()
	fmt.Printf("%s: %.0f flows/s, %.0f requests/s, %d failed flows (%d workers, %s)\n",
		*label, float64(flows.Load())/secs, float64(requests.Load())/secs, errs.Load(), *workers, *duration)
}

// flow runs one 3-D Secure payment and reports whether every step answered
// 200.
func flow(c *http.Client, base, key string, authenticate bool, requests *atomic.Int64) bool {
	form := url.Values{"amount": {"2000"}, "currency": {"usd"}, "confirm": {"true"}, "confirmation_method": {"manual"},
		"payment_method": {"pm_card_threeDSecure2Required"}, "payment_method_types[]": {"card"}}
	var pi struct {
		ID string `json:"id"`
	}
	if !call(c, base+"/v1/payment_intents", key+"-create", form, &pi, requests) || pi.ID == "" {
		return false
	}
	if authenticate && !call(c, base+"/_stripetest/payment_intents/"+pi.ID+"/authenticate", "", url.Values{}, nil, requests) {
		return false
	}
	return call(c, base+"/v1/payment_intents/"+pi.ID+"/confirm", key+"-confirm", url.Values{}, nil, requests)
}

func call(c *http.Client, u, key string, form url.Values, out any, requests *atomic.Int64) bool {
	req, err := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	if err != nil {
		return false
	}
	req.Header.Set("Authorization", "Bearer sk_test_loadcheck")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := c.Do(req)
	requests.Add(1)
	if err != nil {
		return false
	}
	defer res.Body.Close()
	if out != nil {
		if json.NewDecoder(res.Body).Decode(out) != nil {
			return false
		}
	}
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode == http.StatusOK
}
