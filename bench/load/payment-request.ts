/** The one request the load bench sends to every target: Switchyard's `POST /v1/payments` body. */
export interface PaymentRequest {
  amount: number;
  currency: string;
  capture_method: 'automatic';
  payment_method: { type: 'card'; card: { number: string; exp_month: number; exp_year: number; cvc: string } };
}

/**
 * A Luhn-valid Visa number per counter value: `4242` + 11 counter digits + check digit. No Stripe
 * test card that declines starts with 4242, so every one is approved; each is a new card, so the
 * router's network retry guard (declines per card) never sees a repeat.
 */
export function visaNumber(counter: number): string {
  const body = `4242${String(counter % 1e11).padStart(11, '0')}`;
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    // Doubling starts at the digit left of the check digit, i.e. the last digit of `body`.
    let digit = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return `${body}${(10 - (sum % 10)) % 10}`;
}

export function paymentRequest(cardNumber: string): PaymentRequest {
  return {
    amount: 1999,
    currency: 'USD',
    capture_method: 'automatic',
    payment_method: { type: 'card', card: { number: cardNumber, exp_month: 12, exp_year: 2030, cvc: '123' } },
  };
}

/** The same PaymentIntent the Stripe adapter creates, as the form Stripe's API takes (for the bare proxy). */
export function paymentIntentForm(request: PaymentRequest, reference: string): string {
  const card = request.payment_method.card;
  return new URLSearchParams({
    amount: String(request.amount),
    currency: request.currency.toLowerCase(),
    capture_method: request.capture_method,
    confirm: 'true',
    'allowed_payment_method_types[0]': 'card',
    'payment_method_data[type]': 'card',
    'payment_method_data[card][number]': card.number,
    'payment_method_data[card][exp_month]': String(card.exp_month),
    'payment_method_data[card][exp_year]': String(card.exp_year),
    'payment_method_data[card][cvc]': card.cvc,
    'metadata[reference]': reference,
  }).toString();
}
