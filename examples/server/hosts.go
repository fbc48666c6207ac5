package main

import (
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// DNS rebinding: a page on the attacker's site, whose name the attacker
// then points at 127.0.0.1, is same-origin with itself and reaches a
// server on the victim's loopback with the attacker's name in Host. A
// server that answers any Host, and checks Origin against that same Host,
// lets such a page read /orders and post to it. So wherever main knows
// the names the server is reached by (the listen address, localhost on
// loopback, -host), it answers those only, and the same-origin check
// compares Origin with them, never with the Host it is given.

// allowedHosts returns the Host values a server listening on addr
// (the listener's address, port resolved) answers, with the names in
// extra (host or host:port). A wildcard address (0.0.0.0, ::) contributes
// nothing: it names no host.
func allowedHosts(addr net.Addr, extra []string) []string {
	var out []string
	host, port, err := net.SplitHostPort(addr.String())
	if err == nil {
		if ip := net.ParseIP(host); ip != nil && !ip.IsUnspecified() {
			out = append(out, net.JoinHostPort(host, port))
			if ip.IsLoopback() {
				out = append(out, net.JoinHostPort("localhost", port))
			}
		}
	}
	for _, h := range extra {
		if h = strings.TrimSpace(h); h != "" {
			out = append(out, h)
		}
	}
	for i := range out {
		out[i] = strings.ToLower(out[i])
	}
	return out
}

// hostAllowed reports whether host (a Host header, or an Origin's host)
// is one of allowed. A default port (80, 443) may be written or left out
// on either side.
func hostAllowed(allowed []string, host string) bool {
	host = strings.ToLower(host)
	if slices.Contains(allowed, host) {
		return true
	}
	for _, port := range []string{":80", ":443"} {
		if h, ok := strings.CutSuffix(host, port); ok && slices.Contains(allowed, h) {
			return true
		}
		if _, _, err := net.SplitHostPort(host); err != nil && slices.Contains(allowed, host+port) {
			return true
		}
	}
	return false
}

// checkHost refuses a request whose Host is not allowed, when the app has
// an allow-list (AllowedHosts).
func (a *app) checkHost(next http.Handler) http.Handler {
	if len(a.hosts) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !hostAllowed(a.hosts, r.Host) {
			http.Error(w, "This server does not answer to that host name.", http.StatusMisdirectedRequest)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// sameOrigin refuses state-changing requests from other sites. The order
// cookie is SameSite=Lax, which already keeps it off cross-site POSTs in
// current browsers; checking Sec-Fetch-Site and Origin as well covers older
// ones, because a cross-site form could otherwise post to /pay or /orders.
// Origin is compared with the allow-list when there is one; without one
// (real mode behind names main was not told) with the request's Host.
func (a *app) sameOrigin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodOptions {
			if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
				http.Error(w, "cross-origin request refused", http.StatusForbidden)
				return
			}
			if origin := r.Header.Get("Origin"); origin != "" {
				u, err := url.Parse(origin)
				ok := err == nil && u.Host != ""
				if ok && len(a.hosts) > 0 {
					ok = hostAllowed(a.hosts, u.Host)
				} else if ok {
					ok = u.Host == r.Host
				}
				if !ok {
					http.Error(w, "cross-origin request refused", http.StatusForbidden)
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}
