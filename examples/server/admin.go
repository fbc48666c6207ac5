package main

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
)

// adminAccess decides who may use the shop owner's pages (/orders, capture,
// cancel). A host puts them behind its own admin login; the example offers
// a password from the environment, or an explicit demo flag.
type adminAccess struct {
	password string // ADMIN_PASSWORD: HTTP Basic, any user name
	open     bool   // -demo-admin: anyone who can reach the server
}

// requireAdmin guards an admin handler. With neither a password nor the
// demo flag the pages are off: capture and cancel move or release real
// money, so they are never open by default.
func (a *app) requireAdmin(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		switch {
		case a.admin.password != "":
			_, pw, ok := r.BasicAuth()
			// Compare digests in constant time, so neither the password's
			// length nor its prefix leaks through timing.
			want, got := sha256.Sum256([]byte(a.admin.password)), sha256.Sum256([]byte(pw))
			if !ok || subtle.ConstantTimeCompare(want[:], got[:]) != 1 {
				w.Header().Set("WWW-Authenticate", `Basic realm="shop owner", charset="UTF-8"`)
				http.Error(w, "The shop owner's pages need the password from ADMIN_PASSWORD.", http.StatusUnauthorized)
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
