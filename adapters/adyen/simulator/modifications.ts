import type { AccountContext } from './account.js';
import { errors, type ApiResponse } from './errors.js';
import { newPspReference } from './ids.js';
import { fail, nonEmptyString, readAmount } from './payments.js';
import type { ModificationKind, ModificationRecord, PaymentRecord } from './state.js';
import type { NotificationFields } from './webhook-signer.js';

type Json = Record<string, unknown>;

/**
 * POST /v72/payments/{pspReference}/captures|refunds|cancels|reversals. Adyen validates the
 * request, answers 201 `received`, and decides later: the result arrives as a notification.
 */
export function createModification(ctx: AccountContext, kind: ModificationKind, paymentPspReference: string, body: Json): ApiResponse {
  const merchantAccount = nonEmptyString(body['merchantAccount']) ?? fail(errors.merchantAccountMissing());
  const withAmount = kind === 'capture' || kind === 'refund';
  const amount = withAmount ? readAmount(body['amount']) : null;
  const payment = ctx.state.payments.get(paymentPspReference);
  if (payment === undefined || payment.merchantAccount !== merchantAccount) fail(errors.pspReferenceUnknown());
  const reference = nonEmptyString(body['reference']) ?? null;

  const modification: ModificationRecord = {
    pspReference: newPspReference(),
    paymentPspReference,
    kind,
    amount: amount?.value ?? null,
    currency: amount?.currency ?? payment.currency,
    reference,
    status: 'received',
    reason: null,
  };
  ctx.state.modifications.set(modification.pspReference, modification);
  ctx.notifier.schedule(() => decideModification(ctx, payment, modification), undefined, { kind: 'modification', pspReference: modification.pspReference });
  return {
    status: 201,
    body: {
      merchantAccount,
      paymentPspReference,
      pspReference: modification.pspReference,
      ...(reference === null ? {} : { reference }),
      status: 'received',
      ...(amount === null ? {} : { amount: { currency: amount.currency, value: amount.value } }),
    },
  };
}

/** Decides a modification against the payment as it stands now, and says what to notify. */
export function decideModification(ctx: AccountContext, payment: PaymentRecord, modification: ModificationRecord): NotificationFields[] {
  const notify = (eventCode: string, value: number, reason: string | null, additionalData?: Record<string, string>): NotificationFields[] => {
    modification.status = reason === null ? 'succeeded' : 'failed';
    modification.reason = reason;
    return [notification(payment, modification, eventCode, value, { success: reason === null, reason, additionalData })];
  };
  const authorised = payment.resultCode === 'Authorised';
  const uncaptured = payment.authorized - payment.captured - payment.released;
  const unrefunded = payment.captured - payment.refunded;
  const requested = modification.amount ?? 0;
  const currencyOk = modification.currency === payment.currency;

  switch (modification.kind) {
    case 'capture': {
      if (!authorised || !currencyOk || requested > uncaptured) return notify('CAPTURE', requested, 'Insufficient balance on payment');
      payment.captured += requested;
      // Without multiple partial captures enabled on the merchant account (Adyen's default, and what
      // the adapter declares), a capture is final: Adyen cancels whatever it left authorized.
      payment.released += uncaptured - requested;
      if (payment.failing === 'capture') failLater(ctx, payment, modification, 'CAPTURE_FAILED');
      return notify('CAPTURE', requested, null);
    }
    case 'refund': {
      if (!currencyOk || requested > unrefunded) return notify('REFUND', requested, 'Insufficient balance on payment');
      payment.refunded += requested;
      if (payment.failing === 'refund') failLater(ctx, payment, modification, 'REFUND_FAILED');
      return notify('REFUND', requested, null);
    }
    case 'cancel': {
      if (!authorised || payment.captured > 0 || uncaptured === 0) return notify('CANCELLATION', payment.amount, 'Payment cannot be cancelled');
      payment.released += uncaptured;
      return notify('CANCELLATION', uncaptured, null);
    }
    case 'reversal': {
      // Refunds what was captured, or else cancels the authorization.
      if (unrefunded > 0) {
        payment.refunded += unrefunded;
        return notify('CANCEL_OR_REFUND', unrefunded, null, { 'modification.action': 'refund' });
      }
      if (authorised && uncaptured > 0) {
        payment.released += uncaptured;
        return notify('CANCEL_OR_REFUND', uncaptured, null, { 'modification.action': 'cancel' });
      }
      return notify('CANCEL_OR_REFUND', payment.amount, 'Payment cannot be cancelled or refunded');
    }
  }
}

/** Adyen's "capture failed" / "refund failed" test cards: the success is reported, then undone. */
function failLater(ctx: AccountContext, payment: PaymentRecord, modification: ModificationRecord, eventCode: 'CAPTURE_FAILED' | 'REFUND_FAILED'): void {
  ctx.notifier.schedule(() => reportFailure(payment, modification, eventCode), undefined, {
    kind: 'failed_modification',
    pspReference: modification.pspReference,
    eventCode,
  });
}

/** Undoes a capture or refund the acquirer failed, and says what to notify. */
export function reportFailure(payment: PaymentRecord, modification: ModificationRecord, eventCode: string): NotificationFields[] {
  const amount = modification.amount ?? 0;
  if (eventCode === 'CAPTURE_FAILED') payment.captured -= amount;
  else payment.refunded -= amount;
  modification.status = 'failed';
  modification.reason = 'Modification failed at the acquirer';
  // success "true": Adyen processed the failure report itself.
  return [notification(payment, modification, eventCode, amount, { success: true, reason: modification.reason })];
}

function notification(
  payment: PaymentRecord,
  modification: ModificationRecord,
  eventCode: string,
  value: number,
  outcome: { success: boolean; reason: string | null; additionalData?: Record<string, string> | undefined },
): NotificationFields {
  const { success, reason, additionalData } = outcome;
  return {
    eventCode,
    success,
    pspReference: modification.pspReference,
    originalReference: payment.pspReference,
    merchantAccountCode: payment.merchantAccount,
    merchantReference: modification.reference ?? payment.merchantReference,
    amount: { value, currency: payment.currency },
    eventDate: new Date(),
    ...(reason === null ? {} : { reason }),
    ...(additionalData === undefined ? {} : { additionalData }),
  };
}
