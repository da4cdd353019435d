/**
 * Bank debits on POST /v72/payments: SEPA Direct Debit (`paymentMethod.type: sepadirectdebit`,
 * `ownerName`, `iban` as the library's model names them, or `sepa.ownerName`, `sepa.ibanNumber`, EUR) and ACH Direct Debit (`type: ach`, `bankAccountNumber`,
 * `bankLocationId` = ABA routing number, `ownerName`, USD). Adyen answers `resultCode: Received`:
 * the debit is accepted and its AUTHORISATION notification follows once the simulator's bank settles
 * it, on its own calendar (`advanceBank`). A collected debit the payer's bank returns is a CHARGEBACK
 * notification with the scheme's reason code (`additionalData.chargebackReasonCode`). The account
 * number is read, checked and dropped: the payment keeps its last four digits.
 *
 * Outcomes: the owner name takes the card holder-name triggers (`NOT_ENOUGH_BALANCE`, `DECLINED`, ...:
 * the debit fails at settlement with that refusal); approval-rate steering (`network: 'bank_debit'`)
 * turns a debit down as `Not enough balance`; any other valid account is collected.
 */
import { electronicFormatIBAN, extractIBAN, isSEPACountry } from 'ibantools';
import { validRoutingNumber } from '../../../src/domain/bank-account.js';
import { settleAuthorisation, type AccountContext } from './account.js';
import { errors, type ApiResponse } from './errors.js';
import { newPspReference } from './ids.js';
import { fail, isRecord, nonEmptyString, readAmount } from './payments.js';
import type { PaymentRecord } from './state.js';
import { HOLDER_NAME_TRIGGERS } from './test-cards.js';

type Json = Record<string, unknown>;
export type DebitType = 'sepadirectdebit' | 'ach';

const DAY = 86_400_000;
/** How long after it is received the simulator's bank settles a debit (SEPA Core and ACH take a few business days). */
export const DEBIT_SETTLEMENT_MS = 4 * DAY;

const CURRENCY: Readonly<Record<DebitType, string>> = { sepadirectdebit: 'EUR', ach: 'USD' };
const NOT_ENOUGH_BALANCE = { code: '12', text: 'Not enough balance' };

export function isDebitType(type: unknown): type is DebitType {
  return type === 'sepadirectdebit' || type === 'ach';
}

/** A debit payment: checked, held as `Received` until the bank's calendar reaches its settlement. */
export function createDebitPayment(ctx: AccountContext, body: Json, method: Json & { type: DebitType }): ApiResponse {
  const merchantAccount = nonEmptyString(body['merchantAccount']) ?? fail(errors.merchantAccountMissing());
  const amount = readAmount(body['amount']);
  const reference = nonEmptyString(body['reference']) ?? fail(errors.referenceMissing());
  const account = method.type === 'sepadirectdebit' ? sepaAccount(method) : achAccount(method);
  if (amount.currency !== CURRENCY[method.type]) fail(errors.currencyUnsupported());
  const additionalData = isRecord(body['additionalData']) ? body['additionalData'] : {};
  if (additionalData['manualCapture'] === 'true') fail(errors.debitCaptureNotSupported());
  const trigger = HOLDER_NAME_TRIGGERS.get(account.ownerName.trim().toUpperCase());
  const refusal = trigger?.refusal ?? null;
  const payment: PaymentRecord = {
    pspReference: newPspReference(),
    merchantAccount,
    merchantReference: reference,
    merchantOrderReference: nonEmptyString(body['merchantOrderReference']) ?? null,
    createdAt: Date.now(),
    amount: amount.value,
    currency: amount.currency,
    network: 'unknown',
    issuerCountry: account.country,
    resultCode: 'Received',
    refusal: null,
    manualCapture: false,
    failing: null,
    debit: { type: method.type, last4: account.last4, settlesAt: ctx.bank.now() + ctx.bank.settlementMs, failure: refusal, returned: false },
    authorized: 0,
    captured: 0,
    refunded: 0,
    released: 0,
  };
  ctx.state.payments.set(payment.pspReference, payment);
  return {
    status: 200,
    body: { pspReference: payment.pspReference, merchantReference: reference, resultCode: 'Received', amount, paymentMethod: { type: method.type } },
  };
}

function sepaAccount(method: Json): { ownerName: string; country: string; last4: string } {
  // The library's model names them `ownerName` and `iban`; Adyen's API-only guide `sepa.ownerName` and `sepa.ibanNumber`.
  const ownerName = nonEmptyString(method['ownerName']) ?? nonEmptyString(method['sepa.ownerName']) ?? fail(errors.bankDetailsInvalid('ownerName'));
  const raw = nonEmptyString(method['iban']) ?? nonEmptyString(method['sepa.ibanNumber']) ?? fail(errors.bankDetailsInvalid('iban'));
  const iban = electronicFormatIBAN(raw.toUpperCase()) ?? '';
  const parts = extractIBAN(iban);
  if (!parts.valid || !parts.countryCode || !isSEPACountry(parts.countryCode)) fail(errors.bankDetailsInvalid('iban'));
  return { ownerName, country: parts.countryCode, last4: iban.slice(-4) };
}

function achAccount(method: Json): { ownerName: string; country: string; last4: string } {
  const ownerName = nonEmptyString(method['ownerName']) ?? fail(errors.bankDetailsInvalid('ownerName'));
  const location = nonEmptyString(method['bankLocationId']);
  if (!location || !validRoutingNumber(location)) fail(errors.bankDetailsInvalid('bankLocationId'));
  const number = nonEmptyString(method['bankAccountNumber']);
  if (!number || !/^\d{4,17}$/.test(number)) fail(errors.bankDetailsInvalid('bankAccountNumber'));
  return { ownerName, country: 'US', last4: number.slice(-4) };
}

/** Settles every debit whose day has come: Authorised (collected) or Refused, each announced by AUTHORISATION. */
export function settleDueDebits(ctx: AccountContext): void {
  const today = ctx.bank.now();
  for (const payment of ctx.state.payments.values()) {
    const debit = payment.debit;
    if (!debit || payment.resultCode !== 'Received' || debit.settlesAt === null || debit.settlesAt > today) continue;
    debit.settlesAt = null;
    const steered = ctx.approval.approves({ network: 'bank_debit', currency: payment.currency, country: payment.issuerCountry });
    const refusal = debit.failure ?? (steered ? null : NOT_ENOUGH_BALANCE);
    payment.resultCode = refusal ? 'Refused' : 'Authorised';
    payment.refusal = refusal;
    settleAuthorisation(ctx, payment);
  }
}

/** The payer's bank returns a collected debit: CHARGEBACK with the scheme's reason code, the money taken back. */
export function returnDebit(ctx: AccountContext, pspReference: string, reasonCode: string): void {
  const payment = ctx.state.payments.get(pspReference);
  if (!payment?.debit) throw new RangeError(`${pspReference} is no bank debit`);
  if (payment.resultCode !== 'Authorised' || payment.debit.returned) throw new RangeError(`${pspReference} is ${payment.debit.returned ? 'returned already' : payment.resultCode}: only a collected debit can be returned`);
  payment.debit.returned = true;
  ctx.notifier.notify({
    eventCode: 'CHARGEBACK',
    success: true,
    pspReference,
    merchantAccountCode: payment.merchantAccount,
    merchantReference: payment.merchantReference,
    amount: { value: payment.amount, currency: payment.currency },
    eventDate: new Date(),
    paymentMethod: payment.debit.type,
    reason: `Returned by the payer's bank (${reasonCode})`,
    additionalData: { chargebackReasonCode: reasonCode, chargebackSchemeCode: payment.debit.type === 'ach' ? 'ach' : 'sepa' },
  });
}
