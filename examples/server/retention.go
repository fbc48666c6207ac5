package main

import (
	"slices"
	"sort"
	"time"
)

// Anonymous traffic must leave bounded state: every first visit opens an
// order and a session, so without limits a loop of cookie-less GET /
// grows memory for ever. The example keeps two kinds of order:
//
//   - carts, orders no payment was attempted on: they expire CartTTL after
//     they were opened, and past MaxCarts the oldest go first;
//   - orders with a payment attempt: paid, canceled and declined ones
//     expire OrderTTL after they were opened, and past MaxOrders the
//     oldest go first. Authorised orders (money held until the shop owner
//     captures or cancels) and those awaiting their customer are never
//     dropped: each cost a card attempt, which the limits bound.
//
// Sessions expire with SessionTTL, and with their order; past MaxSessions
// the oldest go first. A host keeps orders in its database and sessions
// in its session store, with the same expiry.

// retention is how long orders and sessions are kept, and how many.
type retention struct {
	CartTTL, OrderTTL, SessionTTL   time.Duration
	MaxCarts, MaxOrders, MaxSession int
}

var defaultRetention = retention{
	CartTTL:    2 * time.Hour,
	OrderTTL:   7 * 24 * time.Hour,
	SessionTTL: 24 * time.Hour,
	MaxCarts:   5000,
	MaxOrders:  5000,
	MaxSession: 10000,
}

// sweepEvery is how often expired entries are dropped even when no cap is
// reached.
const sweepEvery = time.Minute

// keepAlways reports whether an order is never dropped: money is held for
// it, or its customer has a link to pay it.
func (o *order) keepAlways() bool { return o.State == stateAuthorized || o.State == stateAwaiting }

// isCart reports whether no payment was attempted on the order.
func (o *order) isCart() bool { return o.State == stateOpen && !o.Locked }

// sweepLocked drops expired orders, and the oldest past the caps, when a
// cap is reached or sweepEvery has passed. A sweep past a cap trims to 90%
// of it, so that the next one is that many creations away: the cost per
// order stays small under a flood. s.mu must be held.
func (s *shop) sweepLocked(now time.Time) {
	// Orders other than carts grow only with card attempts, which the
	// limits bound; past the last sweep's count of them, what is more is
	// carts.
	full := len(s.orders) >= s.keep.MaxCarts+s.keptAtSweep
	if !full && now.Sub(s.lastSweep) < sweepEvery {
		return
	}
	s.lastSweep = now
	defer func() { s.keptAtSweep = len(s.orders) - s.cartsLeft }()
	var carts, kept []*order
	for id, o := range s.orders {
		switch {
		case o.keepAlways():
		case o.isCart():
			if now.Sub(o.Created) >= s.keep.CartTTL {
				delete(s.orders, id)
			} else {
				carts = append(carts, o)
			}
		default:
			if now.Sub(o.Created) >= s.keep.OrderTTL {
				delete(s.orders, id)
			} else {
				kept = append(kept, o)
			}
		}
	}
	s.cartsLeft = len(carts) - s.trimOldest(carts, s.keep.MaxCarts)
	s.trimOldest(kept, s.keep.MaxOrders)
}

// trimOldest drops the oldest of orders until 90% of limit are left, if
// there are limit or more, and returns how many it dropped.
func (s *shop) trimOldest(orders []*order, limit int) int {
	if len(orders) < limit {
		return 0
	}
	sort.Slice(orders, func(i, j int) bool { return orders[i].Created.Before(orders[j].Created) })
	drop := orders[:len(orders)-limit*9/10]
	for _, o := range drop {
		delete(s.orders, o.ID)
	}
	return len(drop)
}

// size is the number of orders held, for tests of bounded state.
func (s *shop) size() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.orders)
}

// ordersPerPage is the length of a page of /orders.
const ordersPerPage = 50

// page returns page n (from 1) of the orders, newest first, and the number
// of pages (at least 1).
func (s *shop) page(n int) (orders []order, pages int) {
	all := s.all()
	pages = max(1, (len(all)+ordersPerPage-1)/ordersPerPage)
	n = min(max(n, 1), pages)
	lo := (n - 1) * ordersPerPage
	return all[lo:min(lo+ordersPerPage, len(all))], pages
}

// sweep drops expired sessions and those whose order is gone, and the
// oldest past the cap, as shop.sweepLocked does for orders. s.mu must be
// held.
func (s *sessions) sweepLocked(now time.Time) {
	full := len(s.m) >= s.keep.MaxSession
	if !full && now.Sub(s.lastSweep) < sweepEvery {
		return
	}
	s.lastSweep = now
	type entry struct {
		id      string
		started time.Time
	}
	var live []entry
	for id, e := range s.m {
		if now.Sub(e.started) >= s.keep.SessionTTL || (s.exists != nil && !s.exists(e.order)) {
			delete(s.m, id)
			continue
		}
		live = append(live, entry{id, e.started})
	}
	if len(live) < s.keep.MaxSession {
		return
	}
	slices.SortFunc(live, func(a, b entry) int { return a.started.Compare(b.started) })
	for _, e := range live[:len(live)-s.keep.MaxSession*9/10] {
		delete(s.m, e.id)
	}
}

// size is the number of sessions held, for tests of bounded state.
func (s *sessions) size() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}

// has reports whether the shop still holds order id.
func (s *shop) has(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.orders[id]
	return ok
}
