import type { CardFunding } from './card.js';
import type { AuthorizationOutcome, NextAction } from './outcome.js';
import { problems } from './problem.js';

export const PAYMENT_STATUSES = [
  'processing',
  'requires_action',
  'requires_capture',
  'succeeded',
  'failed',
  'canceled',
  /** A bank debit that succeeded and was later returned by the payer's bank (the money went back). */
  'returned',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];
export type CaptureMethod = 'automatic' | 'manual';

export interface CardDetails {
  brand: string;
  bin: string;
  last4: string;
  exp_month: number;
  exp_year: number;
  fingerprint: string;
  holder_name: string | null;
  /** The card type and issuer country routing knew when it decided (BIN facts); absent on payments made before it knew any. */
  funding?: CardFunding | null;
  issuer_country?: string | null;
}

export interface PaymentFailure {
  code: string;
  message: string;
}

/** The amount and status fields that the state machine moves. */
export interface PaymentState {
  status: PaymentStatus;
  amount: number;
  captureMethod: CaptureMethod;
  amountCapturable: number;
  amountCaptured: number;
  amountRefunded: number;
  failure: PaymentFailure | null;
  nextAction: NextAction | null;
  gatewayReference: string | null;
}

/** A new payment, before any gateway has answered. */
export function newPaymentState(amount: number, captureMethod: CaptureMethod): PaymentState {
  return {
    status: 'processing',
    amount,
    captureMethod,
    amountCapturable: 0,
    amountCaptured: 0,
    amountRefunded: 0,
    failure: null,
    nextAction: null,
    gatewayReference: null,
  };
}

/** The payment state after a final authorization outcome (approved, action needed, declined). */
export function afterAuthorization(
  state: PaymentState,
  outcome: Extract<AuthorizationOutcome, { kind: 'approved' | 'requires_action' | 'declined' }>,
): PaymentState {
  switch (outcome.kind) {
    case 'approved':
      return outcome.captured
        ? { ...state, status: 'succeeded', amountCaptured: state.amount, amountCapturable: 0, failure: null, nextAction: null, gatewayReference: outcome.reference }
        : { ...state, status: 'requires_capture', amountCapturable: state.amount, failure: null, nextAction: null, gatewayReference: outcome.reference };
    case 'requires_action':
      return { ...state, status: 'requires_action', nextAction: outcome.nextAction, gatewayReference: outcome.reference };
    case 'declined':
      return {
        ...state,
        status: 'failed',
        failure: { code: outcome.decline.reason, message: outcome.decline.message },
        gatewayReference: outcome.reference ?? state.gatewayReference,
      };
  }
}

/** No gateway took the payment (none could be reached, or each refused the request), and none can have charged it. */
export function afterNoGatewayReached(state: PaymentState, failure: PaymentFailure): PaymentState {
  return { ...state, status: 'failed', failure };
}

/** Checks a capture request against the state; answers the amount to capture. */
export function planCapture(state: PaymentState, requested: number | undefined): number {
  if (state.status !== 'requires_capture') {
    throw problems.conflict('payment_not_capturable', `A payment in status ${state.status} cannot be captured.`);
  }
  const amount = requested ?? state.amountCapturable;
  if (amount > state.amountCapturable) {
    throw problems.conflict(
      'amount_exceeds_capturable',
      `The capture amount exceeds the capturable amount of ${state.amountCapturable}.`,
      'amount',
    );
  }
  return amount;
}

/** A capture releases whatever it does not take, as card networks do for a single capture. */
export function afterCapture(state: PaymentState, captured: number): PaymentState {
  return { ...state, status: 'succeeded', amountCaptured: captured, amountCapturable: 0 };
}

/**
 * A capture the gateway confirmed and later reported failed (Adyen's CAPTURE_FAILED): the
 * money is capturable again. Only an unrefunded capture can be undone this way.
 */
export function afterCaptureFailed(state: PaymentState, amount: number): PaymentState | null {
  if (state.status !== 'succeeded' || state.amountRefunded > 0 || amount > state.amountCaptured) return null;
  const captured = state.amountCaptured - amount;
  return {
    ...state,
    status: captured === 0 ? 'requires_capture' : 'succeeded',
    amountCaptured: captured,
    amountCapturable: state.amountCapturable + amount,
  };
}

const CANCELABLE: readonly PaymentStatus[] = ['requires_capture', 'requires_action'];

export function planCancel(state: PaymentState): void {
  if (!CANCELABLE.includes(state.status)) {
    throw problems.conflict('payment_not_cancelable', `A payment in status ${state.status} cannot be canceled.`);
  }
}

export function afterCancel(state: PaymentState): PaymentState {
  return { ...state, status: 'canceled', amountCapturable: 0, nextAction: null };
}

/**
 * Checks a refund request; `pending` is the sum of refunds sent but not yet settled, which
 * stay reserved so that concurrent refunds can never exceed what was captured.
 */
export function planRefund(state: PaymentState, requested: number | undefined, pending: number): number {
  if (state.status !== 'succeeded' || state.amountCaptured === 0) {
    throw problems.conflict('payment_not_refundable', `A payment in status ${state.status} has nothing to refund.`);
  }
  const refundable = state.amountCaptured - state.amountRefunded - pending;
  if (refundable <= 0) {
    throw problems.conflict('payment_fully_refunded', 'The captured amount has already been refunded in full.');
  }
  const amount = requested ?? refundable;
  if (amount > refundable) {
    throw problems.conflict(
      'amount_exceeds_refundable',
      `The refund amount exceeds the refundable amount of ${refundable}.`,
      'amount',
    );
  }
  return amount;
}

/** A settled bank debit the payer's bank returned: nothing is captured any more, nothing can be refunded. */
export function afterReturn(state: PaymentState, failure: PaymentFailure): PaymentState {
  return { ...state, status: 'returned', failure };
}

export function afterRefund(state: PaymentState, refunded: number): PaymentState {
  return { ...state, amountRefunded: state.amountRefunded + refunded };
}

export type AttemptStatus = 'pending' | 'succeeded' | 'requires_action' | 'failed' | 'unknown';

export function attemptStatusFor(outcome: AuthorizationOutcome): AttemptStatus {
  switch (outcome.kind) {
    case 'approved':
      return 'succeeded';
    case 'requires_action':
      return 'requires_action';
    case 'pending':
      // Still open: the gateway's settlement answer (webhook or lookup) finishes it.
      return 'pending';
    case 'declined':
    case 'not_processed':
      return 'failed';
    case 'unknown':
      return 'unknown';
  }
}

export type RefundStatus = 'pending' | 'succeeded' | 'failed';

/** Gateway idempotency keys: derived, so a resend after a crash reuses the same key. */
export const gatewayKeys = {
  attempt: (paymentId: string, attemptNumber: number) => `${paymentId}:attempt:${attemptNumber}`,
  capture: (paymentId: string) => `${paymentId}:capture`,
  cancel: (paymentId: string) => `${paymentId}:cancel`,
  refund: (refundId: string) => `${refundId}:refund`,
};

/** The refund a gateway key names, when it is a refund's key. */
export function refundIdOfKey(key: string | null): string | null {
  const match = key ? /^(re_[0-9A-Za-z]+):refund$/.exec(key) : null;
  return match ? match[1]! : null;
}
