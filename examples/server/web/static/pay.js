// pay.js is the checkout page's own payment code. It is the same whether
// window.Stripe is real Stripe.js or the example's offline stand-in: the loop
// below is stripePaymentMethodHandler / handleServerResponse from Stripe's
// "accept card payments without webhooks" guide, plus what the guide asks
// for around it: disable the form and show a spinner while a request runs,
// show errors, re-enable the form after one.
//
// On the Payment Element page (data-element="payment") the same loop runs
// with the Payment Element's calls, from Stripe's "finalize payments on the
// server" guide: elements.submit() and createConfirmationToken instead of
// createPaymentMethod, handleNextAction instead of handleCardAction.
//
// A direct charge on a connected account (Stripe Connect) needs Stripe.js
// initialised with that account, Stripe(pk, {stripeAccount}): the card is
// made there (the form's data-stripe-account), and the intent that asks for
// 3-D Secure lives there (the server's requires_action answer names it in
// stripe_account; handleCardAction cannot find the intent without it).
// For any other order the page and its JSON are as in Stripe's guide.
//
// The browser sends only {"payment_method_id"}, {"confirmation_token"},
// {"payment_intent_id"} or, for a saved card, {"payment_method_id",
// "cvc_token"}. Never an amount: the server finds the order from its own
// cookie (the Payment Element's amount is for its display only).
(function () {
  'use strict';

  const form = document.getElementById('payment-form');
  if (!form) {
    return; // nothing to pay on this page
  }
  const publishableKey = document.body.dataset.publishableKey;
  const pageAccount = form.dataset.stripeAccount || '';
  const stripe = pageAccount ? Stripe(publishableKey, { stripeAccount: pageAccount }) : Stripe(publishableKey);
  // stripeOn is Stripe.js on account ('' for the platform): the page's own
  // when it is the page's account.
  function stripeOn(account) {
    if (!account || account === pageAccount) {
      return stripe;
    }
    return Stripe(publishableKey, { stripeAccount: account });
  }
  const endpoint = form.dataset.endpoint;
  const savedCard = form.dataset.savedCard === 'true';
  const paymentElement = form.dataset.element === 'payment';
  // The Payment Element is created before the server makes a PaymentIntent,
  // so it is told what it will pay: cards only, this amount and currency.
  const elementsOptions = paymentElement ? {
    mode: 'payment',
    amount: Number(form.dataset.amount),
    currency: form.dataset.currency,
    paymentMethodTypes: ['card'],
  } : undefined;
  if (paymentElement && form.dataset.setupFutureUsage) {
    elementsOptions.setupFutureUsage = form.dataset.setupFutureUsage;
  }
  const elements = stripe.elements(elementsOptions);

  const submitButton = document.getElementById('submit');
  const spinner = document.getElementById('spinner');
  const message = document.getElementById('payment-message');
  const result = document.getElementById('payment-result');

  // A new card goes into the Card Element or the Payment Element; a saved
  // card only needs its CVC.
  const element = elements.create(paymentElement ? 'payment' : savedCard ? 'cardCvc' : 'card');
  element.mount(paymentElement ? '#payment-element' : savedCard ? '#cvc-element' : '#card-element');
  element.on('change', (event) => {
    if (event.error) {
      showError(event.error.message);
    } else {
      hideError();
    }
  });

  let busy = false;

  function setLoading(on) {
    busy = on;
    submitButton.disabled = on;
    spinner.hidden = !on;
    document.body.classList.toggle('paying', on);
  }

  function showError(text) {
    message.textContent = text;
    message.hidden = false;
  }

  function hideError() {
    message.textContent = '';
    message.hidden = true;
  }

  // fail shows an error and gives the form back to the customer.
  function fail(text) {
    showError(text);
    setLoading(false);
  }

  function succeed() {
    hideError();
    form.hidden = true;
    result.textContent = 'Thank you! Your payment was accepted.';
    result.hidden = false;
    document.body.classList.add('paid');
    // {"success":true} does not say paid or authorised (the JSON stays the
    // guide's); the server's /orders page has the exact state.
    const state = document.getElementById('order-state');
    if (state) {
      state.textContent = 'accepted';
    }
    setLoading(false);
  }

  // postToServer sends one step to the server and returns its JSON answer.
  // A network failure is reported as an error: retrying is safe because the
  // server charges an order at most once.
  async function postToServer(body) {
    let res;
    try {
      res = await fetch(endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        credentials: 'same-origin',
        body: JSON.stringify(body),
      });
    } catch (e) {
      return { error: 'The server could not be reached. Please try again.' };
    }
    try {
      return await res.json();
    } catch (e) {
      return { error: 'Unexpected answer from the server (HTTP ' + res.status + '). Please try again.' };
    }
  }

  // From Stripe's guide: send the PaymentMethod's ID to the server.
  const stripePaymentMethodHandler = async (result, extra) => {
    if (result.error) {
      // Show error in payment form
      fail(result.error.message);
    } else {
      // Otherwise send paymentMethod.id to your server
      const paymentResponse = await postToServer(Object.assign(
        { payment_method_id: result.paymentMethod.id }, extra || {}));
      // Handle server response
      await handleServerResponse(paymentResponse);
    }
  };

  // From Stripe's "finalize payments on the server" guide: validate the
  // Payment Element, turn it into a ConfirmationToken and send its ID to
  // the server. A token is single-use: a new one for every attempt.
  const confirmationTokenHandler = async () => {
    const { error: submitError } = await elements.submit();
    if (submitError) {
      fail(submitError.message);
      return;
    }
    const { error, confirmationToken } = await stripe.createConfirmationToken({ elements });
    if (error) {
      // Only an immediate error (details incomplete, network) ends here.
      fail(error.message);
      return;
    }
    const response = await postToServer({ confirmation_token: confirmationToken.id });
    await handleServerResponse(response);
  };

  // From Stripe's guide: act on {"error"}, {"requires_action"} or {"success"}.
  const handleServerResponse = async (response) => {
    if (response.error) {
      // Show error from server on payment form
      fail(response.error);
    } else if (response.requires_action) {
      // Use Stripe.js to handle the required card action, on the account
      // the intent lives on (stripe_account, for a direct charge)
      const actionStripe = stripeOn(response.stripe_account);
      const { error: errorAction, paymentIntent } = paymentElement
        ? await actionStripe.handleNextAction({ clientSecret: response.payment_intent_client_secret })
        : await actionStripe.handleCardAction(response.payment_intent_client_secret);
      if (errorAction) {
        // Show error from Stripe.js in payment form
        fail(errorAction.message);
      } else {
        // The card action has been handled; the PaymentIntent can be
        // confirmed again on the server
        const serverResponse = await postToServer({ payment_intent_id: paymentIntent.id });
        await handleServerResponse(serverResponse);
      }
    } else {
      // Show success message
      succeed();
    }
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    // The disabled button stops a second click; this stops a second submit
    // by other means (Enter key) while the first one runs.
    if (busy) {
      return;
    }
    setLoading(true);
    hideError();
    if (savedCard) {
      const chosen = form.querySelector('input[name="saved-card"]:checked');
      if (!chosen) {
        fail('Choose one of your cards.');
        return;
      }
      // A CVC token is single-use: a new one for every attempt.
      const { token, error } = await stripe.createToken('cvc_update', element);
      if (error) {
        fail(error.message);
        return;
      }
      await stripePaymentMethodHandler({ paymentMethod: { id: chosen.value } }, { cvc_token: token.id });
    } else if (paymentElement) {
      await confirmationTokenHandler();
    } else {
      const result = await stripe.createPaymentMethod({ type: 'card', card: element });
      await stripePaymentMethodHandler(result);
    }
  });
})();
