package main

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"time"
)

// adminAccess decides who may use the shop owner's pages (/orders, capture,
// cancel, refund). A host puts them behind its own admin login; the example offers
// a password from the environment, or an explicit demo flag.
type adminAccess struct {
	password string // ADMIN_PASSWORD: HTTP Basic, any user name
	open     bool   // -demo-admin: anyone who can reach the server
}

// minAdminPasswordLen is the shortest ADMIN_PASSWORD accepted: with
// guesses throttled to a few a minute, 12 random characters are out of
// reach.
const minAdminPasswordLen = 12

// adminGlobal is the key of the bucket all wrong passwords share.
const adminGlobal = "all"

// requireAdmin guards an admin handler. With neither a password nor the
// demo flag the pages are off: capture, cancel and refund move or release
// real money, so they are never open by default.
//
// Wrong passwords are throttled per client address and in all: once
// either bucket is empty every attempt, the right password included, gets
// 429 until it refills, so guessing costs time rather than milliseconds.
// The shared bucket means a distributed guesser also locks the owner out
// for a while; a host with its own admin login has its own answer.
func (a *app) requireAdmin(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		switch {
		case a.admin.password != "":
			_, pw, ok := r.BasicAuth()
			if !ok {
				askPassword(w)
				return
			}
			addr := clientAddress(r)
			if blocked, wait := a.adminBlocked(addr); blocked {
				a.log.Warn("admin password attempts over the limit", "client", addr, "retry_after", wait.Round(time.Second))
				tooMany(w, wait)
				http.Error(w, "Too many wrong passwords. Please wait "+waitText(wait)+".", http.StatusTooManyRequests)
				return
			}
			// Compare digests in constant time, so neither the password's
			// length nor its prefix leaks through timing.
			want, got := sha256.Sum256([]byte(a.admin.password)), sha256.Sum256([]byte(pw))
			if subtle.ConstantTimeCompare(want[:], got[:]) != 1 {
				a.limit.adminAddress.allow(addr)
				a.limit.adminAll.allow(adminGlobal)
				a.log.Warn("wrong admin password", "client", addr)
				askPassword(w)
				return
			}
		case a.admin.open:
		default:
			http.Error(w, "The shop owner's pages are off. Set ADMIN_PASSWORD to protect them with a password, "+
				"or start the server with -demo-admin to open them to anyone who can reach it (a demo on your own machine only).",
				http.StatusForbidden)
			return
		}
		next(w, r)
	}
}

// adminBlocked reports whether the address's or the shared bucket of
// wrong passwords is empty, and the longer wait.
func (a *app) adminBlocked(addr string) (bool, time.Duration) {
	b1, d1 := a.limit.adminAddress.blocked(addr)
	b2, d2 := a.limit.adminAll.blocked(adminGlobal)
	return b1 || b2, max(d1, d2)
}

func askPassword(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", `Basic realm="shop owner", charset="UTF-8"`)
	http.Error(w, "The shop owner's pages need the password from ADMIN_PASSWORD.", http.StatusUnauthorized)
}
