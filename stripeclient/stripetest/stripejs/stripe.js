// Offline stand-in for Stripe.js v3, served by package stripejs (from the
// stripetest tree) with the endpoints it calls, beside it under the same
// path: a host mounts that handler in its tests or dev server, and its
// page loads this script instead of https://js.stripe.com/v3/. It
// implements just what a page following Stripe's guides calls, with
// Stripe.js's shapes, so that the page's code runs unchanged on it:
//
//   Stripe(pk) or, for a direct charge on a connected account (Stripe
//   Connect), Stripe(pk, {stripeAccount: 'acct_…'}): every call then carries
//   the Stripe-Account header, as Stripe.js's do
//   (docs.stripe.com/connect/direct-charges).
//
//   Card Element (Stripe's guide to this flow):
//   Stripe(pk).elements().create('card' | 'cardCvc').mount(selector)
//   stripe.createPaymentMethod({type: 'card', card})  -> {paymentMethod} | {error}
//   stripe.handleCardAction(clientSecret)             -> {paymentIntent} | {error}
//   stripe.createToken('cvc_update', cardCvcElement)  -> {token} | {error}
//
//   Payment Element, finalized on the server:
//   Stripe(pk).elements({mode: 'payment', amount, currency, ...}).create('payment').mount(selector)
//   elements.submit()                                 -> {} | {error}
//   stripe.createConfirmationToken({elements})        -> {confirmationToken} | {error}
//   stripe.handleNextAction({clientSecret})           -> {paymentIntent} | {error}
//
// Instead of a card number field, the 'card' element and the 'payment'
// element's card tab are a picker of Stripe's test cards (their "magic"
// pm_card_… IDs, which test-mode Stripe and the fake both accept).
// handleCardAction and handleNextAction show a 3-D Secure dialog whose
// "Complete" and "Fail" buttons call the handler's 3ds endpoint, which
// plays the customer's bank on the in-memory fake; createConfirmationToken
// calls its confirmation-token endpoint, which makes a ctoken_… on the
// fake. The endpoints are found next to this script's own URL, so the
// handler may be mounted under any path. Like
// Stripe.js, it refuses a Payment Element without mode, amount and currency
// (docs.stripe.com/js/elements_object/create_without_intent), and a
// ConfirmationToken before elements.submit() ("Before confirming a payment,
// call elements.submit()", docs.stripe.com/js/elements/submit). Nothing
// here talks to Stripe and no real card can be entered.
(function () {
  'use strict';

  // The endpoints sit beside this script: document.currentScript is set
  // only while the script first runs, so its URL is read now.
  const base = new URL('.', document.currentScript.src);
  const endpoint = (name) => new URL(name, base);

  // postJSON posts body to the endpoint name, on the connected account
  // stripeAccount when one was given to Stripe().
  async function postJSON(name, body, stripeAccount) {
    const headers = { 'Content-Type': 'application/json' };
    if (stripeAccount) {
      headers['Stripe-Account'] = stripeAccount;
    }
    try {
      const res = await fetch(endpoint(name), {
        method: 'POST',
        headers: headers,
        credentials: 'same-origin',
        body: JSON.stringify(body),
      });
      const data = await res.json();
      return { ok: res.ok, data: data };
    } catch (e) {
      return { ok: false, data: { error: { type: 'api_connection_error', message: 'Could not reach the demo server.' } } };
    }
  }

  let testCards = null;
  function loadTestCards() {
    if (!testCards) {
      testCards = fetch(endpoint('test-cards'), { credentials: 'same-origin' }).then((r) => r.json());
    }
    return testCards;
  }

  const groups = [
    ['succeeded', 'Succeeds'],
    ['requires_action', 'Asks for 3-D Secure'],
    ['declined', 'Declined'],
  ];

  function el(tag, props, children) {
    const node = document.createElement(tag);
    Object.assign(node, props || {});
    (children || []).forEach((c) => node.append(c));
    return node;
  }

  class Element {
    constructor(type) {
      this.type = type;
      this.handlers = {};
      this.cards = [];
      this.node = null;
    }

    mount(target) {
      const host = typeof target === 'string' ? document.querySelector(target) : target;
      if (!host) {
        throw new Error('stand-in Stripe.js: no element matches ' + target);
      }
      if (this.type === 'cardCvc') {
        this.node = el('input', {
          id: 'demo-cvc-input', className: 'demo-cvc', inputMode: 'numeric',
          autocomplete: 'off', maxLength: 4, placeholder: 'CVC',
        });
        this.node.setAttribute('aria-label', 'CVC');
        this.node.addEventListener('input', () => this.emit('change', { elementType: 'cardCvc', complete: /^\d{3,4}$/.test(this.node.value) }));
        host.replaceChildren(this.node);
        return;
      }
      const select = el('select', { id: 'demo-card-select', name: 'demo-card' });
      select.setAttribute('aria-label', 'Test card');
      const detail = el('p', { className: 'demo-detail', id: 'demo-card-detail' });
      this.node = select;
      const picker = el('div', { className: 'demo-card' }, [select, detail]);
      if (this.type === 'payment') {
        // The Payment Element shows a tab per payment method; the page asks
        // for cards only (paymentMethodTypes: ['card']), so one tab.
        const tab = el('button', { type: 'button', className: 'demo-tab', id: 'demo-tab-card', textContent: 'Card' });
        tab.setAttribute('role', 'tab');
        tab.setAttribute('aria-selected', 'true');
        const tabs = el('div', { className: 'demo-tabs' }, [tab]);
        tabs.setAttribute('role', 'tablist');
        host.replaceChildren(el('div', { className: 'demo-payment-element', id: 'demo-payment-element' }, [tabs, picker]));
      } else {
        host.replaceChildren(picker);
      }
      const show = () => {
        const card = this.selected();
        detail.textContent = card ? card.number.replace(/(\d{4})(?=\d)/g, '$1 ') + ' · ' + card.description : '';
        this.emit('change', this.type === 'payment'
          ? { elementType: 'payment', complete: !!card, value: { type: 'card' } }
          : { elementType: 'card', complete: !!card, brand: card ? card.brand : 'unknown' });
      };
      select.addEventListener('change', show);
      loadTestCards().then((cards) => {
        this.cards = cards;
        for (const [outcome, label] of groups) {
          const group = el('optgroup', { label: label });
          cards.filter((c) => c.outcome === outcome).forEach((c) => {
            group.append(el('option', { value: c.payment_method, textContent: c.description + ' (…' + c.number.slice(-4) + ')' }));
          });
          select.append(group);
        }
        select.dataset.ready = 'true';
        show();
      });
    }

    selected() {
      return this.cards.find((c) => c.payment_method === (this.node && this.node.value)) || null;
    }

    on(event, handler) {
      (this.handlers[event] = this.handlers[event] || []).push(handler);
      return this;
    }

    emit(event, payload) {
      (this.handlers[event] || []).forEach((h) => h(payload));
    }

    clear() {
      if (this.node && this.type === 'cardCvc') {
        this.node.value = '';
      }
    }

    destroy() {
      if (this.node) {
        this.node.remove();
      }
    }
  }

  // threeDSDialog asks the "customer" to pass or fail authentication, like
  // the bank's challenge page that Stripe.js shows in a modal.
  function threeDSDialog(clientSecret, stripeAccount) {
    return new Promise((resolve) => {
      const complete = el('button', { id: 'demo-3ds-complete', type: 'button', textContent: 'Complete' });
      const failButton = el('button', { id: 'demo-3ds-fail', type: 'button', className: 'secondary', textContent: 'Fail' });
      const dialog = el('dialog', { id: 'demo-3ds', className: 'demo-3ds' }, [
        el('h2', { textContent: '3-D Secure test authentication' }),
        el('p', { textContent: 'Offline stand-in for your bank\'s check. "Complete" passes it; "Fail" refuses it, as a customer who fails or gives up would.' }),
        el('div', { className: 'buttons' }, [complete, failButton]),
      ]);
      let done = false;
      const answer = async (action) => {
        if (done) {
          return;
        }
        done = true;
        complete.disabled = failButton.disabled = true;
        const { ok, data } = await postJSON('3ds', { client_secret: clientSecret, action: action }, stripeAccount);
        dialog.close();
        dialog.remove();
        resolve(ok ? { paymentIntent: data.payment_intent } : { error: data.error });
      };
      complete.addEventListener('click', () => answer('complete'));
      failButton.addEventListener('click', () => answer('fail'));
      // Closing the challenge with Escape abandons it, which Stripe reports
      // as a failed authentication.
      dialog.addEventListener('cancel', (e) => {
        e.preventDefault();
        answer('fail');
      });
      document.body.append(dialog);
      dialog.showModal();
    });
  }

  // Elements is what stripe.elements(options) returns. With mode 'payment'
  // (no intent yet, as when the server finalizes the payment) it holds the
  // Payment Element; without options, the Card Element.
  class Elements {
    constructor(options) {
      this.options = options || {};
      this.payment = null;
      this.submitted = false;
      if (this.options.mode !== undefined) {
        const o = this.options;
        if (o.mode !== 'payment') {
          throw new Error('stand-in Stripe.js: only mode "payment" exists offline');
        }
        if (!Number.isInteger(o.amount) || o.amount < 0 || typeof o.currency !== 'string' || o.currency === '') {
          throw new Error('stand-in Stripe.js: elements({mode: \'payment\'}) needs an integer amount and a currency');
        }
        if (o.paymentMethodTypes !== undefined && !(o.paymentMethodTypes.length === 1 && o.paymentMethodTypes[0] === 'card')) {
          throw new Error('stand-in Stripe.js: offline, paymentMethodTypes can only be [\'card\']');
        }
      }
    }

    create(type) {
      if (type === 'payment') {
        if (this.options.mode === undefined) {
          throw new Error('stand-in Stripe.js: the Payment Element needs elements({mode, amount, currency})');
        }
        this.payment = new Element('payment');
        this.payment.on('change', () => { this.submitted = false; });
        return this.payment;
      }
      if (type !== 'card' && type !== 'cardCvc') {
        throw new Error('stand-in Stripe.js: only "payment", "card" and "cardCvc" elements exist offline');
      }
      return new Element(type);
    }

    // submit validates the Payment Element, as Stripe.js requires before
    // createConfirmationToken.
    async submit() {
      const card = this.payment && this.payment.selected();
      if (!card) {
        return { error: { type: 'validation_error', code: 'incomplete_number', message: 'Choose a test card.' } };
      }
      this.submitted = true;
      return {};
    }
  }

  window.Stripe = function Stripe(publishableKey, options) {
    if (typeof publishableKey !== 'string' || !publishableKey.startsWith('pk_')) {
      throw new Error('stand-in Stripe.js: a publishable key (pk_…) is required');
    }
    const stripeAccount = options && options.stripeAccount;
    if (stripeAccount !== undefined && (typeof stripeAccount !== 'string' || !/^acct_[A-Za-z0-9]+$/.test(stripeAccount))) {
      throw new Error('stand-in Stripe.js: stripeAccount must be a connected account ID (acct_…)');
    }
    return {
      elements(options) {
        return new Elements(options);
      },

      // createConfirmationToken({elements}): the Payment Element's card as a
      // single-use ctoken_… that the server confirms with.
      async createConfirmationToken(arg) {
        const elements = arg && arg.elements;
        if (!(elements instanceof Elements) || !elements.payment) {
          return { error: { type: 'integration_error', message: 'Pass the Elements group that holds the Payment Element.' } };
        }
        if (!elements.submitted) {
          return { error: { type: 'integration_error', message: 'elements.submit() must be called before stripe.createConfirmationToken().' } };
        }
        elements.submitted = false;
        const card = elements.payment.selected();
        const { ok, data } = await postJSON('confirmation-token', { payment_method: card.payment_method }, stripeAccount);
        return ok ? { confirmationToken: data } : { error: data.error };
      },

      // handleNextAction({clientSecret}): 3-D Secure for an intent the
      // server confirmed. Under manual confirmation the intent then awaits
      // the server's confirmation again (requires_confirmation).
      handleNextAction(arg) {
        const clientSecret = arg && arg.clientSecret;
        if (typeof clientSecret !== 'string' || clientSecret.indexOf('_secret_') < 0) {
          return Promise.resolve({ error: { type: 'invalid_request_error', message: 'Invalid client secret.' } });
        }
        return threeDSDialog(clientSecret, stripeAccount);
      },

      // createPaymentMethod({type, card}) or the older ('card', element).
      async createPaymentMethod(arg, legacyElement) {
        const element = typeof arg === 'string' ? legacyElement : arg && arg.card;
        if (!(element instanceof Element) || element.type !== 'card') {
          return { error: { type: 'validation_error', message: 'Pass the card element.' } };
        }
        const card = element.selected();
        if (!card) {
          return { error: { type: 'validation_error', code: 'incomplete_number', message: 'Choose a test card.' } };
        }
        return {
          paymentMethod: {
            id: card.payment_method, object: 'payment_method', type: 'card',
            card: { brand: card.brand, last4: card.number.slice(-4) },
          },
        };
      },

      handleCardAction(clientSecret) {
        if (typeof clientSecret !== 'string' || clientSecret.indexOf('_secret_') < 0) {
          return Promise.resolve({ error: { type: 'invalid_request_error', message: 'Invalid client secret.' } });
        }
        return threeDSDialog(clientSecret, stripeAccount);
      },

      async createToken(type, element) {
        if (type !== 'cvc_update' || !(element instanceof Element) || element.type !== 'cardCvc') {
          return { error: { type: 'validation_error', message: 'Offline, only createToken(\'cvc_update\', cardCvcElement) exists.' } };
        }
        const cvc = element.node ? element.node.value.trim() : '';
        if (!/^\d{3,4}$/.test(cvc)) {
          return { error: { type: 'validation_error', code: 'incomplete_cvc', message: 'Your card\'s security code is incomplete.' } };
        }
        const { ok, data } = await postJSON('cvc-token', { cvc: cvc }, stripeAccount);
        return ok ? { token: data } : { error: data.error };
      },
    };
  };
})();
