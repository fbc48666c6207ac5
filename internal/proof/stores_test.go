package proof_test

import (
	"context"
	"errors"

	"github.com/cardconfirm/cardconfirm/confirm"
)

// storeOp names a Store method, for the hooks of hookedStore.
type storeOp string

const (
	opClaim  storeOp = "claim"
	opLoad   storeOp = "load"
	opUpdate storeOp = "update"
)

// errStoreDown is what an injected Store fault returns: a database that
// could not be reached, or did not answer.
var errStoreDown = errors.New("proof: injected store failure")

// hookedStore stands between a Flow and its Store, so that a test can make
// an operation fail, run another attempt in the middle of one (a slow
// save racing another request), or sabotage the Store's contract.
//
// before runs before the operation; an error it returns is returned
// without touching the Store (the database was not reached). after runs
// once the Store answered; the error it returns replaces the Store's (an
// answer lost after the write). rec is the record written (Claim, Update)
// or read (Load). Either hook may be nil.
type hookedStore struct {
	confirm.Store
	before func(ctx context.Context, op storeOp, orderID string, rec confirm.Record) error
	after  func(ctx context.Context, op storeOp, orderID string, rec confirm.Record, err error) error
}

func (s *hookedStore) Claim(ctx context.Context, orderID string, rec confirm.Record) (confirm.Record, bool, error) {
	if err := s.hookBefore(ctx, opClaim, orderID, rec); err != nil {
		return confirm.Record{}, false, err
	}
	stored, claimed, err := s.Store.Claim(ctx, orderID, rec)
	if err = s.hookAfter(ctx, opClaim, orderID, stored, err); err != nil {
		return confirm.Record{}, false, err
	}
	return stored, claimed, nil
}

func (s *hookedStore) Load(ctx context.Context, orderID string) (confirm.Record, error) {
	if err := s.hookBefore(ctx, opLoad, orderID, confirm.Record{}); err != nil {
		return confirm.Record{}, err
	}
	rec, err := s.Store.Load(ctx, orderID)
	if err = s.hookAfter(ctx, opLoad, orderID, rec, err); err != nil {
		return confirm.Record{}, err
	}
	return rec, nil
}

func (s *hookedStore) Update(ctx context.Context, orderID string, rec confirm.Record) (confirm.Record, error) {
	if err := s.hookBefore(ctx, opUpdate, orderID, rec); err != nil {
		return confirm.Record{}, err
	}
	stored, err := s.Store.Update(ctx, orderID, rec)
	if err = s.hookAfter(ctx, opUpdate, orderID, rec, err); err != nil {
		return confirm.Record{}, err
	}
	return stored, nil
}

func (s *hookedStore) hookBefore(ctx context.Context, op storeOp, orderID string, rec confirm.Record) error {
	if s.before == nil {
		return nil
	}
	return s.before(ctx, op, orderID, rec)
}

func (s *hookedStore) hookAfter(ctx context.Context, op storeOp, orderID string, rec confirm.Record, err error) error {
	if s.after == nil {
		return err
	}
	return s.after(ctx, op, orderID, rec, err)
}
