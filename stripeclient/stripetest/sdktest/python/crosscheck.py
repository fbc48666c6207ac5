"""crosscheck.py runs Stripe's official Python SDK, as Debian packages it
(python3-stripe, stripe-python 5.0.0), against cmd/stripetest, whose base
URL is STRIPETEST_URL, at API version 2023-10-16.

The scenarios are this repository's own, written from Stripe's docs, the
same as sdktest/node's: the synchronous card flow
(docs.stripe.com/payments/accept-a-payment-synchronously), declines
(docs.stripe.com/declines/codes), idempotent requests
(docs.stripe.com/api/idempotent_requests), manual capture
(docs.stripe.com/payments/place-a-hold-on-a-payment-method) and refunds
(docs.stripe.com/api/refunds, docs.stripe.com/testing#refunds). This SDK
sends booleans as Python writes them (confirm=True), which Stripe's API
accepts.

It prints one line per scenario and exits 1 when any fails. Run it with
scripts/sdk-crosscheck.sh, which starts and stops the fake.
"""

import os
import sys
import traceback
import urllib.parse
import urllib.request
import uuid

import stripe
from stripe import version as stripe_version

API_VERSION = "2023-10-16"
BASE = os.environ.get("STRIPETEST_URL", "")
if urllib.parse.urlsplit(BASE).hostname != "127.0.0.1":
    print("crosscheck: STRIPETEST_URL must be the fake on 127.0.0.1, got", repr(BASE), file=sys.stderr)
    sys.exit(2)

# stripe-python 5 configures the client through module variables; this
# process talks to the fake alone.
stripe.api_key = "sk_test_python_crosscheck"
stripe.api_base = BASE
stripe.api_version = API_VERSION
stripe.max_network_retries = 0
stripe.enable_telemetry = False

RUN = uuid.uuid4().hex[:8]


def key(step):
    return "python-crosscheck-%s-%s" % (RUN, step)


def helper(path, api_key, **form):
    """POSTs to one of the fake's /_stripetest/ helper endpoints."""
    req = urllib.request.Request(
        BASE + path,
        data=urllib.parse.urlencode(form).encode(),
        headers={"Authorization": "Bearer " + api_key, "Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=10) as res:
        assert res.status == 200, res.status


def authenticate(pi):
    # The customer's part in 3-D Secure, with a publishable key and the
    # client secret, as Stripe.js's handleCardAction acts for its holder.
    helper("/_stripetest/payment_intents/%s/authenticate" % pi.id, "pk_test_python_crosscheck", client_secret=pi.client_secret)


def pay(step, pm, **extra):
    params = dict(
        amount=2000,
        currency="usd",
        payment_method=pm,
        payment_method_types=["card"],
        confirm=True,
        confirmation_method="manual",
        metadata={"crosscheck": RUN, "step": step},
    )
    params.update(extra)
    return stripe.PaymentIntent.create(idempotency_key=key(step), **params)


def raises(call, kind):
    try:
        call()
    except kind as err:
        return err
    raise AssertionError("no %s raised" % kind.__name__)


def replayed(obj):
    return obj.last_response.headers.get("Idempotent-Replayed") == "true"


def create_and_confirm():
    pi = pay("visa", "pm_card_visa")
    assert pi.status == "succeeded", pi.status
    assert pi.amount_received == 2000
    assert pi.last_response.headers.get("Stripe-Version") == API_VERSION
    got = stripe.PaymentIntent.retrieve(pi.id, expand=["latest_charge"])
    assert got.latest_charge.object == "charge"
    assert got.latest_charge.amount_captured == 2000
    assert got.metadata.to_dict() == {"crosscheck": RUN, "step": "visa"}


def three_d_secure():
    pi = pay("3ds", "pm_card_authenticationRequired")
    assert pi.status == "requires_action", pi.status
    assert pi.next_action.type == "use_stripe_sdk"
    authenticate(pi)
    done = stripe.PaymentIntent.confirm(pi.id, idempotency_key=key("3ds-confirm"))
    assert done.status == "succeeded", done.status


def three_d_secure_then_declined():
    pi = pay("3ds-declined", "pm_card_authenticationRequiredChargeDeclinedInsufficientFunds")
    assert pi.status == "requires_action", pi.status
    authenticate(pi)
    err = raises(lambda: stripe.PaymentIntent.confirm(pi.id, idempotency_key=key("3ds-declined-confirm")), stripe.error.CardError)
    assert err.error.decline_code == "insufficient_funds", err.error.decline_code
    assert err.error.payment_intent.status == "requires_payment_method"


def declines():
    for pm, code, decline in [
        ("pm_card_visa_chargeDeclined", "card_declined", "generic_decline"),
        ("pm_card_visa_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds"),
        ("pm_card_chargeDeclinedExpiredCard", "expired_card", "expired_card"),
    ]:
        err = raises(lambda: pay("decline-" + pm, pm), stripe.error.CardError)
        assert err.http_status == 402, pm
        assert err.code == code, (pm, err.code)
        assert err.error.decline_code == decline, (pm, err.error.decline_code)
        assert err.error.payment_intent.status == "requires_payment_method", pm


def idempotent_replays():
    first = pay("replay", "pm_card_visa")
    again = pay("replay", "pm_card_visa")
    assert again.id == first.id
    assert replayed(again) and not replayed(first)
    # A decline is stored and replayed too.
    d1 = raises(lambda: pay("replay-decline", "pm_card_visa_chargeDeclined"), stripe.error.CardError)
    d2 = raises(lambda: pay("replay-decline", "pm_card_visa_chargeDeclined"), stripe.error.CardError)
    assert d2.error.payment_intent.id == d1.error.payment_intent.id
    assert d2.headers.get("Idempotent-Replayed") == "true"
    raises(lambda: pay("replay", "pm_card_mastercard"), stripe.error.IdempotencyError)


def manual_capture():
    pi = pay("capture", "pm_card_visa", capture_method="manual")
    assert pi.status == "requires_capture", pi.status
    err = raises(lambda: stripe.PaymentIntent.capture(pi.id, idempotency_key=key("capture-too-much"), amount_to_capture=2001),
                 stripe.error.InvalidRequestError)
    assert err.code == "amount_too_large", err.code
    done = stripe.PaymentIntent.capture(pi.id, idempotency_key=key("capture-part"), amount_to_capture=1500)
    assert done.status == "succeeded" and done.amount_received == 1500
    # At 2023-10-16 the released 500 is a refund of its own, listed with the
    # intent's (docs.stripe.com/changelog/basil/2025-03-31/...).
    released = stripe.Refund.list(payment_intent=pi.id)
    assert [(r.amount, r.status) for r in released.data] == [(500, "succeeded")], released
    held = pay("cancel", "pm_card_visa", capture_method="manual")
    raises(lambda: stripe.Refund.create(idempotency_key=key("refund-held"), payment_intent=held.id), stripe.error.InvalidRequestError)
    canceled = stripe.PaymentIntent.cancel(held.id, idempotency_key=key("cancel-held"))
    assert canceled.status == "canceled"


def refunds():
    pi = pay("refunds", "pm_card_visa")
    r1 = stripe.Refund.create(idempotency_key=key("refund-1"), payment_intent=pi.id, amount=500,
                              reason="requested_by_customer", metadata={"refund": "one"})
    assert r1.status == "succeeded" and r1.amount == 500 and r1.payment_intent == pi.id and r1.charge == pi.latest_charge
    again = stripe.Refund.create(idempotency_key=key("refund-1"), payment_intent=pi.id, amount=500,
                                 reason="requested_by_customer", metadata={"refund": "one"})
    assert again.id == r1.id and replayed(again)
    r2 = stripe.Refund.create(idempotency_key=key("refund-2"), payment_intent=pi.id, amount=500)
    assert r2.id != r1.id
    err = raises(lambda: stripe.Refund.create(idempotency_key=key("refund-too-much"), payment_intent=pi.id, amount=1001),
                 stripe.error.InvalidRequestError)
    assert err.code == "amount_too_large", err.code
    rest = stripe.Refund.create(idempotency_key=key("refund-rest"), payment_intent=pi.id)
    assert rest.amount == 1000
    err = raises(lambda: stripe.Refund.create(idempotency_key=key("refund-more"), charge=pi.latest_charge),
                 stripe.error.InvalidRequestError)
    assert err.code == "charge_already_refunded", err.code
    ids = [r.id for r in stripe.Refund.list(payment_intent=pi.id, limit=2).auto_paging_iter()]
    assert ids == [rest.id, r2.id, r1.id], ids
    assert stripe.Refund.retrieve(r2.id).amount == 500
    charge = stripe.PaymentIntent.retrieve(pi.id, expand=["latest_charge"]).latest_charge
    assert charge.amount_refunded == 2000 and charge.refunded is True


def refund_test_cards():
    pending = pay("pending-refund", "pm_card_pendingRefund")
    r = stripe.Refund.create(idempotency_key=key("pending-refund-1"), payment_intent=pending.id)
    assert r.status == "pending", r.status
    helper("/_stripetest/refunds/%s/settle" % r.id, stripe.api_key, status="succeeded")
    assert stripe.Refund.retrieve(r.id).status == "succeeded"
    failing = pay("refund-fail", "pm_card_refundFail")
    f = stripe.Refund.create(idempotency_key=key("refund-fail-1"), payment_intent=failing.id)
    assert f.status == "succeeded"
    later = stripe.Refund.retrieve(f.id)
    assert later.status == "failed" and later.failure_reason == "expired_or_canceled_card", later


SCENARIOS = [
    ("create and confirm", create_and_confirm),
    ("3-D Secure", three_d_secure),
    ("3-D Secure, then declined", three_d_secure_then_declined),
    ("declines", declines),
    ("idempotent replays", idempotent_replays),
    ("manual capture", manual_capture),
    ("refunds", refunds),
    ("refund test cards", refund_test_cards),
]


def main():
    failed = 0
    for name, scenario in SCENARIOS:
        try:
            scenario()
            print("python stripe %s ok   %s" % (stripe_version.VERSION, name))
        except Exception:
            failed += 1
            print("python stripe FAIL %s:\n%s" % (name, traceback.format_exc()))
    print("python: %d of %d scenarios passed against %s at API version %s" % (len(SCENARIOS) - failed, len(SCENARIOS), BASE, API_VERSION))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
