import type { AccountContext } from './account.js';
import { errors, type ApiResponse } from './errors.js';
import { newPspReference } from './ids.js';
import { fail, nonEmptyString } from './payments.js';
import type { PaymentRecord } from './state.js';
import type { NotificationFields } from './webhook-signer.js';

type Json = Record<string, unknown>;

/** What a technical cancel names, as saved so a restart still decides it. */
export interface TechnicalCancel {
  pspReference: string;
  merchantAccount: string;
  /** The `reference` of the payment to cancel: ours, as sent with `/payments`. */
  paymentReference: string;
  /** The cancel's own reference. */
  reference: string | null;
}

/**
 * POST /v72/cancels: Adyen's "cancel using your own reference" (technical cancel), for a payment
 * whose pspReference the merchant never learned (a timeout). Adyen answers 201 `received` and
 * sends the result as a TECHNICAL_CANCEL notification.
 */
export function createTechnicalCancel(body: Json): { response: ApiResponse; cancel: TechnicalCancel } {
  const merchantAccount = nonEmptyString(body['merchantAccount']) ?? fail(errors.merchantAccountMissing());
  const paymentReference = nonEmptyString(body['paymentReference']) ?? fail(errors.referenceMissing());
  const reference = nonEmptyString(body['reference']) ?? null;
  const cancel: TechnicalCancel = { pspReference: newPspReference(), merchantAccount, paymentReference, reference };
  return {
    cancel,
    response: {
      status: 201,
      body: { merchantAccount, paymentReference, pspReference: cancel.pspReference, ...(reference === null ? {} : { reference }), status: 'received' },
    },
  };
}

/**
 * Decides a technical cancel: an authorisation under that reference not yet captured is voided
 * (success); a captured one cannot be (failure: its AUTHORISATION notification tells the rest).
 * A reference no payment carries is answered as a success, since nothing under it is authorized
 * or ever will be: an assumption, as Adyen does not document that case.
 */
export function decideTechnicalCancel(ctx: AccountContext, cancel: TechnicalCancel): NotificationFields[] {
  const payment = [...ctx.state.payments.values()].find((p) => p.merchantReference === cancel.paymentReference && p.merchantAccount === cancel.merchantAccount);
  const uncaptured = payment ? payment.authorized - payment.captured - payment.released : 0;
  const captured = payment !== undefined && payment.captured > 0;
  if (payment && !captured && uncaptured > 0) payment.released += uncaptured;
  return [notification(cancel, payment, !captured, captured ? 'Payment already captured' : null)];
}

function notification(cancel: TechnicalCancel, payment: PaymentRecord | undefined, success: boolean, reason: string | null): NotificationFields {
  return {
    eventCode: 'TECHNICAL_CANCEL',
    success,
    pspReference: cancel.pspReference,
    ...(payment ? { originalReference: payment.pspReference } : {}),
    merchantAccountCode: cancel.merchantAccount,
    merchantReference: cancel.reference ?? cancel.paymentReference,
    amount: { value: payment?.amount ?? 0, currency: payment?.currency ?? 'EUR' },
    eventDate: new Date(),
    ...(reason === null ? {} : { reason }),
  };
}
