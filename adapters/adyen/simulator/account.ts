import type { CardBrand } from '../../../src/domain/card.js';
import type { Notifier } from './notifications.js';
import type { PaymentRecord, SimulatorState } from './state.js';
import type { ApprovalRates } from '../../testkit/steering.js';
import type { NotificationFields } from './webhook-signer.js';

/** What the endpoints share: the account's state and its asynchronous side. */
export interface AccountContext {
  readonly state: SimulatorState;
  readonly approval: ApprovalRates;
  readonly notifier: Notifier;
  /** http://host:port of the simulator, for the 3-D Secure page. */
  readonly baseUrl: string;
  /** The bank's calendar (ms, moved on by `advanceBank`) and how long a debit takes to settle on it. */
  readonly bank: { now(): number; readonly settlementMs: number };
}

/** Adyen's payment method variant names, as notifications report them. */
const VARIANTS: Record<CardBrand, string> = {
  visa: 'visa',
  mastercard: 'mc',
  amex: 'amex',
  discover: 'discover',
  diners: 'diners',
  jcb: 'jcb',
  unionpay: 'cup',
  maestro: 'maestro',
  unknown: 'scheme',
};

export function variant(brand: CardBrand): string {
  return VARIANTS[brand];
}

/** The AUTHORISATION notification Adyen sends once a payment has its final result. */
export function authorisationNotification(payment: PaymentRecord): NotificationFields {
  const authorised = payment.resultCode === 'Authorised';
  return {
    eventCode: 'AUTHORISATION',
    success: authorised,
    pspReference: payment.pspReference,
    merchantAccountCode: payment.merchantAccount,
    merchantReference: payment.merchantReference,
    amount: { value: payment.amount, currency: payment.currency },
    eventDate: new Date(),
    paymentMethod: payment.debit?.type ?? variant(payment.network),
    ...(authorised
      ? {
          operations: payment.manualCapture ? ['CANCEL', 'CAPTURE', 'REFUND'] : ['REFUND'],
          // Sent when the account has "include network transaction reference" on, as a router that keeps saved cards needs.
          ...(payment.networkTxReference ? { additionalData: { networkTxReference: payment.networkTxReference } } : {}),
        }
      : { reason: payment.refusal?.text ?? 'Refused' }),
  };
}

/** Records the final result of an authorization and notifies it. */
export function settleAuthorisation(ctx: AccountContext, payment: PaymentRecord): void {
  if (payment.resultCode === 'Authorised') {
    payment.authorized = payment.amount;
    // Adyen captures at once unless manual or delayed capture was asked for.
    payment.captured = payment.manualCapture ? 0 : payment.amount;
  }
  ctx.notifier.schedule(() => [authorisationNotification(payment)], undefined, { kind: 'authorisation', pspReference: payment.pspReference });
}
