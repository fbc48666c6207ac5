package campaign

import (
	"context"
	"errors"

	"github.com/cardconfirm/cardconfirm/confirm"
)

// errStoreDown is what the campaign's own Store faults return: a database
// that could not be reached, or did not answer.
var errStoreDown = errors.New("campaign: injected store failure")

// campaignStore is the campaign's hand on an instance's Store: pause
// points around each operation, Store faults while faults are on, and a
// watch on the Store's answers.
type campaignStore struct {
	confirm.Store
	s    *scenario
	w    *storeWatch
	inst int
}

// storeWatch holds what one Store (shared or not) has answered about the
// order, to check its contract clauses the flow relies on: a claim is
// inserted once and then kept, and an intent, once bound, is never
// replaced or forgotten.
type storeWatch struct {
	claimed bool
	intent  string
}

// watch checks the Store's answer to op: written is the record the flow
// sent (Claim, Update), answered the record the Store returned.
func (c *campaignStore) watch(op string, written, answered confirm.Record, claimed bool, err error) {
	w, s := c.w, c.s
	switch {
	case op == "claim" && err == nil && claimed && w.claimed:
		s.fail(probStore, "Claim inserted a record over the order's existing one")
	case op == "load" && errors.Is(err, confirm.ErrNotFound) && w.claimed:
		s.fail(probStore, "Load found no record after a Claim inserted one")
	case err == nil && w.intent != "" && answered.IntentID != w.intent:
		s.fail(probStore, "%s answered a record bound to %q; the order's intent %s was bound before", op, answered.IntentID, w.intent)
	case err == nil && (claimed || op == "update") && answered.IntentID != written.IntentID:
		s.fail(probStore, "%s stored intent %q; the flow wrote %q", op, answered.IntentID, written.IntentID)
	}
	if err == nil && op != "load" {
		w.claimed = true
		if w.intent == "" {
			w.intent = answered.IntentID
		}
	}
}

// fault draws a Store fault for op; load errors are never "answer lost".
// A request whose context has ended reaches no database: that is a
// not-reached fault too, as a driver honouring ctx would return.
func (c *campaignStore) fault(ctx context.Context, op string) (storeFault, bool) {
	s := c.s
	s.stats.storeOps++
	rc, _ := ctx.Value(requestKey{}).(*requestCtx)
	if ctx.Err() != nil {
		if rc != nil {
			rc.storeFaulted = true
		}
		return storeNotReached, true
	}
	if k, ok := s.forcedSaveFault(rc, op); ok {
		return k, true
	}
	if !s.faultsOn || s.storeRate == 0 || s.rng.Float64() >= s.storeRate {
		return 0, false
	}
	kinds := numStoreFaults
	if s.opts.Database != nil {
		kinds += storeFault(len(s.opts.Database.Faults))
	}
	k := storeFault(s.rng.IntN(int(kinds)))
	if op == "load" && k == storeAnswerLost {
		k = storeNotReached
	}
	s.stats.storeFaults[k]++
	s.tracef("    store fault %s on %s@%d", storeFaultNames(s.opts)[k], op, c.inst)
	if rc != nil {
		rc.storeFaulted = true
	}
	return k, true
}

// do performs one Store operation, call, between its pause points and
// under the fault drawn for it. injected reports that err is the fault's,
// not the Store's answer.
func (c *campaignStore) do(ctx context.Context, op, pause string, call func(context.Context, confirm.Store) error) (injected bool, err error) {
	c.s.point(ctx, "before a Store "+pause)
	k, faulty := c.fault(ctx, op)
	switch {
	case faulty && k == storeNotReached:
		return true, errStoreDown
	case faulty && k >= numStoreFaults:
		err := c.s.opts.Database.Fault(ctx, c.s.worker, c.inst, int(k-numStoreFaults), call)
		name := storeFaultNames(c.s.opts)[k]
		c.s.tracef("    %s on store %s@%d -> %v", name, op, c.inst, err)
		if err == nil {
			c.s.fail(probStore, "store %s@%d under %s: no error", op, c.inst, name)
		} else if errors.Is(err, confirm.ErrNotFound) || !errors.Is(err, confirm.ErrStore) {
			c.s.fail(probStore, "store %s@%d under %s: %v, want an error matching ErrStore and not ErrNotFound", op, c.inst, name, err)
		}
		return true, err
	}
	err = call(ctx, c.Store)
	if op != "load" {
		c.s.point(ctx, "after a Store "+op)
	}
	if faulty { // the answer is lost
		return true, errStoreDown
	}
	return false, err
}

func (c *campaignStore) Claim(ctx context.Context, orderID string, rec confirm.Record) (confirm.Record, bool, error) {
	var stored confirm.Record
	var claimed bool
	injected, err := c.do(ctx, "claim", "claim", func(ctx context.Context, st confirm.Store) error {
		var err error
		stored, claimed, err = st.Claim(ctx, orderID, rec)
		c.s.tracef("    store claim intent=%s -> claimed=%v v%d err=%v", rec.IntentID, claimed, stored.Version, err)
		c.watch("claim", rec, stored, claimed, err)
		return err
	})
	if injected {
		return confirm.Record{}, false, err
	}
	return stored, claimed, err
}

func (c *campaignStore) Load(ctx context.Context, orderID string) (confirm.Record, error) {
	var rec confirm.Record
	injected, err := c.do(ctx, "load", "load", func(ctx context.Context, st confirm.Store) error {
		var err error
		rec, err = st.Load(ctx, orderID)
		c.watch("load", confirm.Record{}, rec, false, err)
		return err
	})
	if injected {
		return confirm.Record{}, err
	}
	return rec, err
}

func (c *campaignStore) Update(ctx context.Context, orderID string, rec confirm.Record) (confirm.Record, error) {
	var stored confirm.Record
	injected, err := c.do(ctx, "update", "update (a slow save)", func(ctx context.Context, st confirm.Store) error {
		var err error
		stored, err = st.Update(ctx, orderID, rec)
		c.s.tracef("    store update v%d intent=%s status=%s -> err=%v", rec.Version, rec.IntentID, rec.Status, err)
		c.watch("update", rec, stored, false, err)
		return err
	})
	if injected {
		return confirm.Record{}, err
	}
	return stored, err
}
