// crosscheck.mjs runs Stripe's official Node SDK (stripe-node 14.25.0, the
// release line pinned to API version 2023-10-16, locked in package-lock.json)
// against cmd/stripetest, whose base URL is STRIPETEST_URL. The scenarios
// are this repository's own, written from Stripe's docs: the synchronous
// card flow (docs.stripe.com/payments/accept-a-payment-synchronously),
// declines (docs.stripe.com/declines/codes), idempotent requests
// (docs.stripe.com/api/idempotent_requests), manual capture
// (docs.stripe.com/payments/place-a-hold-on-a-payment-method) and refunds
// (docs.stripe.com/api/refunds, docs.stripe.com/testing#refunds).
//
// It prints one line per scenario and exits 1 when any fails. Run it with
// scripts/sdk-crosscheck.sh, which starts and stops the fake.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';

const API_VERSION = '2023-10-16';
const base = new URL(process.env.STRIPETEST_URL ?? '');
if (base.hostname !== '127.0.0.1') {
  console.error('crosscheck: STRIPETEST_URL must be the fake on 127.0.0.1, got', process.env.STRIPETEST_URL);
  process.exit(2);
}

const stripe = new Stripe('sk_test_node_crosscheck', {
  apiVersion: API_VERSION,
  protocol: 'http',
  host: base.hostname,
  port: Number(base.port),
  maxNetworkRetries: 0,
  telemetry: false,
  timeout: 10000,
});

const run = randomUUID().slice(0, 8);
const key = (step) => `node-crosscheck-${run}-${step}`;

// The customer's part in 3-D Secure: the fake's helper endpoint, called
// with a publishable key and the client secret, as Stripe.js's
// handleCardAction acts for the holder of the secret.
async function authenticate(pi) {
  const res = await fetch(new URL(`/_stripetest/payment_intents/${pi.id}/authenticate`, base), {
    method: 'POST',
    headers: {
      Authorization: 'Bearer pk_test_node_crosscheck',
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ client_secret: pi.client_secret }),
  });
  assert.equal(res.status, 200, `authenticate: ${await res.text()}`);
}

// The card network settling a pending refund (the fake's helper).
async function settleRefund(id, status) {
  const res = await fetch(new URL(`/_stripetest/refunds/${id}/settle`, base), {
    method: 'POST',
    headers: { Authorization: 'Bearer sk_test_node_crosscheck', 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ status }),
  });
  assert.equal(res.status, 200, `settle: ${await res.text()}`);
}

// pay creates and confirms a manual-confirmation intent of amount usd with
// pm, as the synchronous flow's server does.
function pay(step, pm, extra = {}) {
  return stripe.paymentIntents.create(
    {
      amount: 2000,
      currency: 'usd',
      payment_method: pm,
      payment_method_types: ['card'],
      confirm: true,
      confirmation_method: 'manual',
      metadata: { crosscheck: run, step },
      ...extra,
    },
    { idempotencyKey: key(step) },
  );
}

// rejects runs call and returns the error it throws.
async function rejects(call) {
  try {
    await call();
  } catch (err) {
    return err;
  }
  assert.fail('the call succeeded; an error was expected');
}

const scenarios = {
  async 'create and confirm'() {
    const pi = await pay('visa', 'pm_card_visa');
    assert.equal(pi.object, 'payment_intent');
    assert.equal(pi.status, 'succeeded');
    assert.equal(pi.amount_received, 2000);
    assert.equal(pi.lastResponse.apiVersion, API_VERSION, 'Stripe-Version of the answer');
    assert.equal(typeof pi.latest_charge, 'string');
    const got = await stripe.paymentIntents.retrieve(pi.id, { expand: ['latest_charge'] });
    assert.equal(got.latest_charge.object, 'charge');
    assert.equal(got.latest_charge.amount_captured, 2000);
    assert.equal(got.latest_charge.paid, true);
    assert.deepEqual(got.metadata, { crosscheck: run, step: 'visa' });
  },

  async '3-D Secure'() {
    const pi = await pay('3ds', 'pm_card_authenticationRequired');
    assert.equal(pi.status, 'requires_action');
    assert.equal(pi.next_action.type, 'use_stripe_sdk');
    assert.ok(pi.client_secret.startsWith(`${pi.id}_secret_`));
    await authenticate(pi);
    const confirmed = await stripe.paymentIntents.confirm(pi.id, {}, { idempotencyKey: key('3ds-confirm') });
    assert.equal(confirmed.status, 'succeeded');
  },

  async '3-D Secure, then declined'() {
    const pi = await pay('3ds-declined', 'pm_card_authenticationRequiredChargeDeclinedInsufficientFunds');
    assert.equal(pi.status, 'requires_action');
    await authenticate(pi);
    const err = await rejects(() => stripe.paymentIntents.confirm(pi.id, {}, { idempotencyKey: key('3ds-declined-confirm') }));
    assert.equal(err.type, 'StripeCardError');
    assert.equal(err.decline_code, 'insufficient_funds');
    assert.equal(err.raw.payment_intent.status, 'requires_payment_method');
  },

  async declines() {
    for (const [pm, code, decline] of [
      ['pm_card_visa_chargeDeclined', 'card_declined', 'generic_decline'],
      ['pm_card_visa_chargeDeclinedInsufficientFunds', 'card_declined', 'insufficient_funds'],
      ['pm_card_chargeDeclinedExpiredCard', 'expired_card', 'expired_card'],
      ['pm_card_chargeDeclinedIncorrectCvc', 'incorrect_cvc', 'incorrect_cvc'],
    ]) {
      const err = await rejects(() => pay(`decline-${pm}`, pm));
      assert.equal(err.type, 'StripeCardError', pm);
      assert.equal(err.statusCode, 402, pm);
      assert.equal(err.code, code, pm);
      assert.equal(err.decline_code, decline, pm);
      assert.ok(err.requestId, pm);
      // The decline carries the intent, back in requires_payment_method.
      assert.equal(err.raw.payment_intent.status, 'requires_payment_method', pm);
      assert.equal(err.raw.payment_intent.last_payment_error.decline_code, decline, pm);
    }
  },

  async 'idempotent replays'() {
    const first = await pay('replay', 'pm_card_visa');
    const again = await pay('replay', 'pm_card_visa');
    assert.equal(again.id, first.id);
    assert.equal(again.lastResponse.headers['idempotent-replayed'], 'true');
    assert.notEqual(first.lastResponse.headers['idempotent-replayed'], 'true');
    // A decline is stored and replayed too.
    const d1 = await rejects(() => pay('replay-decline', 'pm_card_visa_chargeDeclined'));
    const d2 = await rejects(() => pay('replay-decline', 'pm_card_visa_chargeDeclined'));
    assert.equal(d2.raw.payment_intent.id, d1.raw.payment_intent.id);
    assert.equal(d2.headers['idempotent-replayed'], 'true');
    // The same key with other parameters.
    const err = await rejects(() => pay('replay', 'pm_card_mastercard'));
    assert.equal(err.type, 'StripeIdempotencyError');
  },

  async 'manual capture'() {
    const pi = await pay('capture', 'pm_card_visa', { capture_method: 'manual' });
    assert.equal(pi.status, 'requires_capture');
    assert.equal(pi.amount_capturable, 2000);
    const err = await rejects(() => stripe.paymentIntents.capture(pi.id, { amount_to_capture: 2001 }, { idempotencyKey: key('capture-too-much') }));
    assert.equal(err.code, 'amount_too_large');
    const captured = await stripe.paymentIntents.capture(pi.id, { amount_to_capture: 1500 }, { idempotencyKey: key('capture-part') });
    assert.equal(captured.status, 'succeeded');
    assert.equal(captured.amount_received, 1500);
    // At 2023-10-16 the released 500 is a refund of its own, listed with
    // the intent's (docs.stripe.com/changelog/basil/2025-03-31/remove-refund-from-partial-capture-and-payment-cancellation-flow).
    const released = await stripe.refunds.list({ payment_intent: pi.id });
    assert.deepEqual(released.data.map((r) => [r.amount, r.status]), [[500, 'succeeded']]);
    const again = await rejects(() => stripe.paymentIntents.capture(pi.id, {}, { idempotencyKey: key('capture-again') }));
    assert.equal(again.code, 'payment_intent_unexpected_state');
    // An authorisation is canceled, not refunded.
    const held = await pay('cancel', 'pm_card_visa', { capture_method: 'manual' });
    const refused = await rejects(() => stripe.refunds.create({ payment_intent: held.id }, { idempotencyKey: key('refund-held') }));
    assert.equal(refused.type, 'StripeInvalidRequestError');
    const canceled = await stripe.paymentIntents.cancel(held.id, { cancellation_reason: 'requested_by_customer' }, { idempotencyKey: key('cancel-held') });
    assert.equal(canceled.status, 'canceled');
  },

  async refunds() {
    const pi = await pay('refunds', 'pm_card_visa');
    const r1 = await stripe.refunds.create(
      { payment_intent: pi.id, amount: 500, reason: 'requested_by_customer', metadata: { refund: 'one' } },
      { idempotencyKey: key('refund-1') },
    );
    assert.equal(r1.object, 'refund');
    assert.equal(r1.status, 'succeeded');
    assert.equal(r1.amount, 500);
    assert.equal(r1.payment_intent, pi.id);
    assert.equal(r1.charge, pi.latest_charge);
    assert.deepEqual(r1.metadata, { refund: 'one' });
    // The same key replays the refund; a second key of the same amount is
    // a second refund.
    const replay = await stripe.refunds.create(
      { payment_intent: pi.id, amount: 500, reason: 'requested_by_customer', metadata: { refund: 'one' } },
      { idempotencyKey: key('refund-1') },
    );
    assert.equal(replay.id, r1.id);
    assert.equal(replay.lastResponse.headers['idempotent-replayed'], 'true');
    const r2 = await stripe.refunds.create({ payment_intent: pi.id, amount: 500 }, { idempotencyKey: key('refund-2') });
    assert.notEqual(r2.id, r1.id);
    const tooMuch = await rejects(() => stripe.refunds.create({ payment_intent: pi.id, amount: 1001 }, { idempotencyKey: key('refund-too-much') }));
    assert.equal(tooMuch.code, 'amount_too_large');
    const rest = await stripe.refunds.create({ payment_intent: pi.id }, { idempotencyKey: key('refund-rest') });
    assert.equal(rest.amount, 1000);
    const done = await rejects(() => stripe.refunds.create({ charge: pi.latest_charge }, { idempotencyKey: key('refund-more') }));
    assert.equal(done.code, 'charge_already_refunded');
    const list = await stripe.refunds.list({ payment_intent: pi.id, limit: 2 });
    assert.deepEqual(list.data.map((r) => r.id), [rest.id, r2.id]);
    assert.equal(list.has_more, true);
    const all = [];
    for await (const r of stripe.refunds.list({ charge: pi.latest_charge, limit: 2 })) all.push(r.id);
    assert.deepEqual(all, [rest.id, r2.id, r1.id]);
    assert.equal((await stripe.refunds.retrieve(r2.id)).amount, 500);
    const charge = (await stripe.paymentIntents.retrieve(pi.id, { expand: ['latest_charge'] })).latest_charge;
    assert.equal(charge.amount_refunded, 2000);
    assert.equal(charge.refunded, true);
    assert.equal(charge.refunds, undefined, 'charge.refunds is not expanded by default since 2022-11-15');
    const missing = await rejects(() => stripe.refunds.retrieve('re_missing'));
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.code, 'resource_missing');
  },

  async 'refund test cards'() {
    const pending = await pay('pending-refund', 'pm_card_pendingRefund');
    const r = await stripe.refunds.create({ payment_intent: pending.id }, { idempotencyKey: key('pending-refund-1') });
    assert.equal(r.status, 'pending');
    await settleRefund(r.id, 'succeeded');
    assert.equal((await stripe.refunds.retrieve(r.id)).status, 'succeeded');
    const failing = await pay('refund-fail', 'pm_card_refundFail');
    const f = await stripe.refunds.create({ payment_intent: failing.id }, { idempotencyKey: key('refund-fail-1') });
    assert.equal(f.status, 'succeeded');
    const later = await stripe.refunds.retrieve(f.id);
    assert.equal(later.status, 'failed');
    assert.equal(later.failure_reason, 'expired_or_canceled_card');
  },
};

let failed = 0;
for (const [name, scenario] of Object.entries(scenarios)) {
  try {
    await scenario();
    console.log(`node stripe ${Stripe.PACKAGE_VERSION ?? ''} ok   ${name}`);
  } catch (err) {
    failed++;
    console.log(`node stripe FAIL ${name}: ${err.stack ?? err}`);
  }
}
console.log(`node: ${Object.keys(scenarios).length - failed} of ${Object.keys(scenarios).length} scenarios passed against ${base.origin} at API version ${API_VERSION}`);
process.exit(failed ? 1 : 0);
