package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"
)

// sessions maps a browser's session ID, the only thing its cookie holds, to
// the order it is paying. The session ID is random and never shown
// anywhere, unlike the order ID, which pages, receipts, logs and the
// shop owner's /orders list show: a cookie holding the order ID would let
// anyone who saw that ID take over the checkout. A host keeps this in its
// session store. Sessions expire and are capped (retention.go).
type sessions struct {
	now    func() time.Time
	keep   retention
	exists func(orderID string) bool // whether the shop still has the order

	mu        sync.Mutex
	m         map[string]session // session ID → its order
	lastSweep time.Time
}

type session struct {
	order   string
	started time.Time
}

func newSessions(now func() time.Time, keep retention, exists func(string) bool) *sessions {
	return &sessions{now: now, keep: keep, exists: exists, m: make(map[string]session)}
}

// start opens a session for orderID and returns its new ID.
func (s *sessions) start(orderID string) string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err)) // never fails on supported platforms
	}
	id := "sess_" + hex.EncodeToString(b[:])
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked(now)
	s.m[id] = session{order: orderID, started: now}
	return id
}

// order returns the order ID of session id, unless it has expired.
func (s *sessions) order(id string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[id]
	if !ok || s.now().Sub(e.started) >= s.keep.SessionTTL {
		return "", false
	}
	return e.order, true
}

// follow points the live session id at orderID, when the browser starts a
// new order: the session, and so its limits, carry over.
func (s *sessions) follow(id, orderID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[id]
	if !ok || s.now().Sub(e.started) >= s.keep.SessionTTL {
		return false
	}
	e.order = orderID
	s.m[id] = e
	return true
}
