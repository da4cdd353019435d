import { decline, unmappedDecline, type Decline } from '../../src/domain/decline.js';

/**
 * BitPay's final invoice states that took no money (our codes: the status, with the exception status
 * where it changes the meaning). An underpaid invoice expires with exceptionStatus `paidPartial`, and
 * BitPay returns what was paid to the payer (it asks them for a refund address): for the merchant the
 * payment failed, and the payer must pay anew.
 */
const DECLINES: Readonly<Record<string, Parameters<typeof decline>[0]>> = {
  expired: 'payment_expired',
  expired_paidPartial: 'underpaid',
  // Paid, but the payment did not confirm (a double spend, or a miner fee too low): not the gateway's failure to process.
  invalid: 'processing_error',
};

export function bitpayDecline(code: string): Decline {
  const reason = DECLINES[code];
  return reason === undefined ? unmappedDecline('bitpay', code) : decline(reason, code);
}

export const BITPAY_DECLINE_CODES = Object.keys(DECLINES);
