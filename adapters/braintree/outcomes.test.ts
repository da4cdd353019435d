import { describe, expect, it } from 'vitest';
import { authorizationFailure, cardReport, classifyError, lookupFailure, modificationFailure, saleOutcome, transactionOutcome, type TransactionFields } from './outcomes.js';

/** An error as the SDK makes them: a plain Error whose `type` names the class. */
function sdkError(type: string, message = ''): Error {
  return Object.assign(new Error(message), { type, name: type });
}

const transaction = (fields: Partial<TransactionFields>): TransactionFields => ({ id: 'abc123', status: 'authorized', amount: '10.00', currencyIsoCode: 'USD', ...fields });

describe('Braintree outcomes', () => {
  describe('what the SDK throws', () => {
    it.each([
      [sdkError('authenticationError'), { kind: 'not_processed', reason: 'authentication_failed' }],
      [sdkError('authorizationError'), { kind: 'not_processed', reason: 'authentication_failed' }],
      [sdkError('tooManyRequestsError'), { kind: 'not_processed', reason: 'rate_limited' }],
      [sdkError('upgradeRequired'), { kind: 'not_processed', reason: 'rejected' }],
      [sdkError('invalidKeysError'), { kind: 'not_processed', reason: 'rejected' }],
      [sdkError('notFoundError'), { kind: 'not_found' }],
      [sdkError('serverError'), { kind: 'unknown', reason: 'server_error' }],
      [sdkError('serviceUnavailableError'), { kind: 'unknown', reason: 'server_error' }],
      [sdkError('requestTimeoutError'), { kind: 'unknown', reason: 'timeout' }],
      [sdkError('gatewayTimeoutError'), { kind: 'unknown', reason: 'timeout' }],
      [sdkError('unexpectedError', 'Request timed out'), { kind: 'unknown', reason: 'timeout' }],
      [sdkError('unexpectedError', 'Unexpected request error: Error: connect ECONNREFUSED 127.0.0.1:9'), { kind: 'not_processed', reason: 'connection_refused' }],
      [sdkError('unexpectedError', 'Unexpected request error: Error: getaddrinfo ENOTFOUND api.example'), { kind: 'not_processed', reason: 'connection_refused' }],
      [sdkError('unexpectedError', 'Unexpected request error: Error: socket hang up'), { kind: 'unknown', reason: 'connection_lost' }],
      [sdkError('unexpectedError', 'Unexpected request error: Error: read ECONNRESET'), { kind: 'unknown', reason: 'connection_lost' }],
      [sdkError('unexpectedError', 'Unexpected response error: Error: aborted'), { kind: 'unknown', reason: 'connection_lost' }],
      [sdkError('unexpectedError', 'Unexpected HTTP response: 502'), { kind: 'unknown', reason: 'server_error' }],
      [sdkError('unexpectedError', 'Unexpected HTTP response: 400'), { kind: 'not_processed', reason: 'rejected' }],
      [sdkError('unexpectedError', 'Unexpected HTTP response: 302'), { kind: 'unknown', reason: 'malformed_response' }],
      [sdkError('unexpectedError', 'Unexpected Error'), { kind: 'unknown', reason: 'malformed_response' }],
      [new Error('Unclosed root tag\nLine: 0'), { kind: 'unknown', reason: 'malformed_response' }],
      ['not even an error', { kind: 'unknown', reason: 'malformed_response' }],
    ])('%o → %o', (error, expected) => {
      expect(classifyError(error)).toMatchObject(expected);
    });

    it('answers a 404 to a sale as not processed, to a modification as rejected, to a lookup as unknown', () => {
      const notFound = sdkError('notFoundError');
      expect(authorizationFailure(notFound)).toMatchObject({ kind: 'not_processed', reason: 'rejected' });
      expect(modificationFailure(notFound)).toMatchObject({ kind: 'rejected', code: 'not_found' });
      expect(lookupFailure(notFound)).toMatchObject({ kind: 'unknown', reason: 'pending_at_gateway' });
      expect(lookupFailure(sdkError('unexpectedError', 'Unexpected request error: Error: connect ECONNREFUSED'))).toMatchObject({ kind: 'unknown' });
    });
  });

  describe('a transaction as the outcome of its authorization', () => {
    it.each([
      ['authorized', { kind: 'approved', captured: false }],
      ['submitted_for_settlement', { kind: 'approved', captured: true }],
      ['settling', { kind: 'approved', captured: true }],
      ['settlement_pending', { kind: 'approved', captured: true }],
      ['settled', { kind: 'approved', captured: true }],
      ['settlement_confirmed', { kind: 'approved', captured: true }],
      ['voided', { kind: 'unknown', reason: 'pending_at_gateway' }],
      ['authorization_expired', { kind: 'unknown', reason: 'pending_at_gateway' }],
      ['settlement_declined', { kind: 'unknown', reason: 'pending_at_gateway' }],
      ['authorizing', { kind: 'unknown', reason: 'pending_at_gateway' }],
    ])('%s → %o', (status, expected) => {
      expect(transactionOutcome(transaction({ status }), 'USD')).toMatchObject(expected);
    });

    it('passes the Mastercard merchant advice code of a processor decline through', () => {
      const outcome = transactionOutcome(transaction({ status: 'processor_declined', processorResponseCode: '2001', merchantAdviceCode: '03' }), 'USD');
      expect(outcome).toMatchObject({ kind: 'declined', reference: 'abc123', decline: { reason: 'insufficient_funds', adviceCode: '03', cascade: false, retry: 'never' } });
    });

    it('declines a failed transaction by its processor code and a rejected one by its reason', () => {
      expect(transactionOutcome(transaction({ status: 'failed', processorResponseCode: '3000' }), 'USD')).toMatchObject({ decline: { reason: 'processing_error', cascade: true } });
      expect(transactionOutcome(transaction({ status: 'gateway_rejected', gatewayRejectionReason: 'duplicate' }), 'USD')).toMatchObject({ decline: { reason: 'unknown', providerCode: 'duplicate', cascade: false } });
    });
  });

  it('calls a successful sale without a transaction unreadable', () => {
    expect(saleOutcome({ success: true }, 'USD')).toMatchObject({ kind: 'unknown', reason: 'malformed_response' });
  });
});

describe('cardReport', () => {
  it('reads the card type indicators and the alpha-3 country of issuance', () => {
    expect(cardReport({ debit: 'Yes', prepaid: 'No', countryOfIssuance: 'GBR' })).toEqual({ type: 'debit', issuerCountry: 'GB' });
    expect(cardReport({ debit: 'No', prepaid: 'Yes', countryOfIssuance: 'USA' })).toEqual({ type: 'prepaid', issuerCountry: 'US' });
    expect(cardReport({ debit: 'No', prepaid: 'No', countryOfIssuance: 'Unknown' })).toEqual({ type: 'credit', issuerCountry: null });
    expect(cardReport({ debit: 'Unknown', prepaid: 'Unknown', countryOfIssuance: 'Unknown' })).toBeUndefined();
    expect(cardReport(undefined)).toBeUndefined();
  });
});
