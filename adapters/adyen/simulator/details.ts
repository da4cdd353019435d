import { variant, type AccountContext } from './account.js';
import { errors, type ApiResponse } from './errors.js';
import { cardAdditionalData, fail, isRecord, nonEmptyString } from './payments.js';

type Json = Record<string, unknown>;

/**
 * POST /v72/payments/details with `details.redirectResult`, as the shop sends it after the
 * shopper's browser came back from 3-D Secure: answers the payment's result (Authorised, or
 * Refused with 11 "3D Not Authenticated"), as `/payments` would have. The result itself was
 * reached, and notified, when the shopper finished on the 3-D Secure page; this call changes
 * nothing, so it can be made again. An unknown redirectResult answers 422.
 */
export function paymentDetails(ctx: AccountContext, body: Json): ApiResponse {
  const details = isRecord(body['details']) ? body['details'] : fail(errors.detailsMissing());
  const redirectResult = nonEmptyString(details['redirectResult']) ?? fail(errors.redirectResultInvalid());
  const payment = [...ctx.state.payments.values()].find((p) => p.redirectResult === redirectResult) ?? fail(errors.redirectResultInvalid());
  return {
    status: 200,
    body: {
      pspReference: payment.pspReference,
      merchantReference: payment.merchantReference,
      resultCode: payment.resultCode,
      amount: { currency: payment.currency, value: payment.amount },
      paymentMethod: { brand: variant(payment.network), type: 'scheme' },
      additionalData: {
        ...cardAdditionalData(payment),
        ...(payment.resultCode === 'Authorised' && payment.networkTxReference ? { networkTxReference: payment.networkTxReference } : {}),
      },
      ...(payment.refusal ? { refusalReason: payment.refusal.text, refusalReasonCode: payment.refusal.code } : {}),
    },
  };
}
