package browsertest

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// payPaths are the endpoints a page posts a payment step to.
var payPaths = []string{"/pay", "/pay-saved"}

// posts records every body a tab posts to payPaths, across navigations,
// from the browser's network events: what the page really sent, whatever
// code sent it.
type posts struct {
	mu    sync.Mutex
	posts []post
	bad   []string // bodies that are not one JSON object
}

// post is one body and the path it went to.
type post struct {
	path string
	body map[string]any
}

// recordPosts starts recording tab's posts; call it before the tab's
// first action.
func recordPosts(t *testing.T, tab context.Context) *posts {
	t.Helper()
	p := &posts{}
	err := chromedp.Listen(tab, func(ev any) {
		e, ok := ev.(*network.EventRequestWillBeSent)
		if !ok || e.Request == nil || e.Request.Method != "POST" {
			return
		}
		u, err := url.Parse(e.Request.URL)
		if err != nil || !slices.Contains(payPaths, u.Path) {
			return
		}
		var raw []byte
		for _, entry := range e.Request.PostDataEntries {
			raw = append(raw, entry.Bytes...)
		}
		var body map[string]any
		p.mu.Lock()
		defer p.mu.Unlock()
		if err := json.Unmarshal(raw, &body); err != nil {
			p.bad = append(p.bad, u.Path+" "+string(raw))
			return
		}
		p.posts = append(p.posts, post{path: u.Path, body: body})
	})
	if err != nil {
		t.Fatalf("recording posts: %v", err)
	}
	return p
}

// The bodies a page posts, one per user action, by the fields they carry
// (no other field, no amount): a new card by the Card Element, a new card
// by the Payment Element, a saved card with its re-collected CVC, and the
// return from 3-D Secure.
const (
	postCard      = "payment_method_id"
	postToken     = "confirmation_token"
	postSavedCard = "cvc_token+payment_method_id"
	postIntent    = "payment_intent_id"
)

// prefixes are what each field's value must start with.
var prefixes = map[string]string{
	"payment_method_id":  "pm_",
	"confirmation_token": "ctoken_",
	"cvc_token":          "cvctok_",
	"payment_intent_id":  "pi_",
}

// expect checks that the tab posted exactly want, in order: each body with
// exactly the fields named, each value of its kind, saved cards to
// /pay-saved and the rest to /pay.
func (p *posts) expect(t *testing.T, want ...string) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, b := range p.bad {
		t.Errorf("the page posted a body that is not a JSON object: %s", b)
	}
	var got []string
	for _, ps := range p.posts {
		path := ps.path
		var fields []string
		for f, v := range ps.body {
			fields = append(fields, f)
			if s, _ := v.(string); !strings.HasPrefix(s, prefixes[f]) || prefixes[f] == "" {
				t.Errorf("posted %s=%v to %s: want a %s… value of a known field", f, v, path, prefixes[f])
			}
		}
		slices.Sort(fields)
		shape := strings.Join(fields, "+")
		if (shape == postSavedCard) != (path == "/pay-saved") && shape != postIntent {
			t.Errorf("posted %s to %s", shape, path)
		}
		got = append(got, shape)
	}
	if !slices.Equal(got, want) {
		t.Errorf("the page posted %q to /pay and /pay-saved, want exactly %q (one body per user action)", got, want)
	}
}
