package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
)

// sessions maps a browser's session ID, the only thing its cookie holds, to
// the order it is paying. The session ID is random and never shown
// anywhere, unlike the order ID, which pages, receipts, logs and the
// shop owner's /orders list show: a cookie holding the order ID would let
// anyone who saw that ID take over the checkout. A host keeps this in its
// session store.
type sessions struct {
	mu sync.Mutex
	m  map[string]string // session ID → order ID
}

func newSessions() *sessions { return &sessions{m: make(map[string]string)} }

// start opens a session for orderID and returns its new ID.
func (s *sessions) start(orderID string) string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err)) // never fails on supported platforms
	}
	id := "sess_" + hex.EncodeToString(b[:])
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[id] = orderID
	return id
}

// order returns the order ID of session id.
func (s *sessions) order(id string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.m[id]
	return o, ok
}
