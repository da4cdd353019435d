import Adyen from '@adyen/api-library';
import { describe, expect, it } from 'vitest';
import { AdyenTransportError } from './http-client.js';
import { authorizationFailure, authorizationOutcome, cardReport, modificationFailure, modificationOutcome } from './outcomes.js';

const { HttpClientException } = Adyen;
type PaymentResponse = Parameters<typeof authorizationOutcome>[0];

const response = (fields: Record<string, unknown>) => fields as unknown as PaymentResponse;
const automatic = { captureMethod: 'automatic' as const, merchantReference: 'pay_1:attempt:1' };
const manual = { ...automatic, captureMethod: 'manual' as const };

function httpError(status: number, errorCode?: string) {
  return new HttpClientException({
    message: `HTTP Exception: ${status}`,
    statusCode: status,
    ...(errorCode ? { errorCode, apiError: { status, errorCode, message: 'm', errorType: 'validation' } } : {}),
  });
}

describe('authorizationOutcome', () => {
  it('approves Authorised, captured only when capture is automatic', () => {
    expect(authorizationOutcome(response({ resultCode: 'Authorised', pspReference: 'P' }), automatic)).toEqual({ kind: 'approved', reference: 'P', captured: true });
    expect(authorizationOutcome(response({ resultCode: 'Authorised', pspReference: 'P' }), manual)).toEqual({ kind: 'approved', reference: 'P', captured: false });
  });

  it('does not trust an Authorised without a pspReference', () => {
    expect(authorizationOutcome(response({ resultCode: 'Authorised' }), automatic)).toMatchObject({ kind: 'unknown', reason: 'malformed_response' });
  });

  it.each(['Refused', 'Error', 'Cancelled'])('declines %s through the decline table', (resultCode) => {
    const outcome = authorizationOutcome(response({ resultCode, pspReference: 'P', refusalReasonCode: '24', refusalReason: 'CVC Declined' }), automatic);
    expect(outcome).toMatchObject({ kind: 'declined', reference: 'P', decline: { reason: 'invalid_cvc', providerCode: '24' } });
  });

  it("passes Mastercard's merchant advice code from additionalData", () => {
    const outcome = authorizationOutcome(
      response({ resultCode: 'Refused', pspReference: 'P', refusalReasonCode: '2', additionalData: { merchantAdviceCode: '03: Do not try again' } }),
      automatic,
    );
    expect(outcome).toMatchObject({ kind: 'declined', decline: { reason: 'do_not_honor', adviceCode: '03', cascade: false, retry: 'never' } });
  });

  it.each(['RedirectShopper', 'IdentifyShopper', 'ChallengeShopper'])('needs action on %s, with the redirect URL when there is one', (resultCode) => {
    expect(authorizationOutcome(response({ resultCode, pspReference: 'P', action: { type: 'redirect', url: 'https://acs.example/3ds' } }), automatic)).toEqual({
      kind: 'requires_action',
      reference: 'P',
      nextAction: { type: 'redirect', url: 'https://acs.example/3ds' },
    });
    expect(authorizationOutcome(response({ resultCode, action: { type: 'threeDS2', token: 't' } }), automatic)).toEqual({
      kind: 'requires_action',
      reference: 'pay_1:attempt:1',
      nextAction: null,
    });
  });

  it.each(['Pending', 'Received', 'PartiallyAuthorised', 'PresentToShopper'])('leaves %s unknown: the result comes later', (resultCode) => {
    expect(authorizationOutcome(response({ resultCode, pspReference: 'P' }), automatic)).toMatchObject({ kind: 'unknown', reason: 'pending_at_gateway' });
  });

  it('calls an answer without a resultCode malformed', () => {
    expect(authorizationOutcome(response({}), automatic)).toMatchObject({ kind: 'unknown', reason: 'malformed_response' });
  });
});

describe('failures', () => {
  it.each([
    [httpError(401, '000'), { kind: 'not_processed', reason: 'authentication_failed' }],
    [httpError(403, '901'), { kind: 'not_processed', reason: 'authentication_failed' }],
    [httpError(429), { kind: 'not_processed', reason: 'rate_limited' }],
    [httpError(422, '101'), { kind: 'not_processed', reason: 'rejected' }],
    [httpError(400, '702'), { kind: 'not_processed', reason: 'rejected' }],
    [httpError(404), { kind: 'not_processed', reason: 'rejected' }],
    [httpError(422, '704'), { kind: 'unknown', reason: 'pending_at_gateway' }],
    [httpError(409, '704'), { kind: 'unknown', reason: 'pending_at_gateway' }],
    [httpError(409), { kind: 'unknown', reason: 'server_error' }],
    [httpError(500, '903'), { kind: 'unknown', reason: 'server_error' }],
    [httpError(503), { kind: 'unknown', reason: 'server_error' }],
    [new AdyenTransportError('connection_refused'), { kind: 'not_processed', reason: 'connection_refused' }],
    [new AdyenTransportError('timeout'), { kind: 'unknown', reason: 'timeout' }],
    [new AdyenTransportError('connection_lost'), { kind: 'unknown', reason: 'connection_lost' }],
    [new AdyenTransportError('malformed_response'), { kind: 'unknown', reason: 'malformed_response' }],
    [new TypeError('library broke'), { kind: 'unknown', reason: 'malformed_response' }],
  ])('authorization: %s', (error, expected) => {
    expect(authorizationFailure(error)).toMatchObject(expected);
  });

  it('a modification Adyen refuses is rejected with its errorCode', () => {
    expect(modificationFailure(httpError(422, '167'))).toMatchObject({ kind: 'rejected', code: 'adyen_167' });
    expect(modificationFailure(httpError(404))).toMatchObject({ kind: 'rejected', code: 'http_404' });
  });

  it('a modification keeps certain and ambiguous failures apart like an authorization', () => {
    expect(modificationFailure(httpError(429))).toMatchObject({ kind: 'not_processed', reason: 'rate_limited' });
    expect(modificationFailure(httpError(502))).toMatchObject({ kind: 'unknown', reason: 'server_error' });
    expect(modificationFailure(new AdyenTransportError('connection_refused'))).toMatchObject({ kind: 'not_processed', reason: 'connection_refused' });
  });
});

describe('modificationOutcome', () => {
  it('is pending under the modification pspReference, with the amount Adyen confirms', () => {
    expect(modificationOutcome({ status: 'received', pspReference: 'M', amount: { value: 300, currency: 'EUR' } }, 500)).toEqual({ kind: 'pending', reference: 'M', amount: 300 });
    expect(modificationOutcome({ status: 'received', pspReference: 'M' }, 500)).toEqual({ kind: 'pending', reference: 'M', amount: 500 });
  });

  it('reads the confirmed amount in Adyen\'s units back as canonical minor units', () => {
    expect(modificationOutcome({ status: 'received', pspReference: 'M', amount: { value: 99000, currency: 'CLP' } }, 990)).toEqual({ kind: 'pending', reference: 'M', amount: 990 });
    expect(modificationOutcome({ status: 'received', pspReference: 'M', amount: { value: 123, currency: 'CVE' } }, 12300)).toEqual({ kind: 'pending', reference: 'M', amount: 12300 });
    expect(modificationOutcome({ status: 'received', pspReference: 'M', amount: { value: 99050, currency: 'CLP' } }, 990)).toMatchObject({ kind: 'unknown', reason: 'malformed_response' });
  });

  it('is unknown when Adyen did not say received', () => {
    expect(modificationOutcome({ pspReference: 'M' }, 500)).toMatchObject({ kind: 'unknown', reason: 'malformed_response' });
  });
});

describe('cardReport', () => {
  it('reads fundingSource and the issuing country from additionalData', () => {
    expect(cardReport({ fundingSource: 'DEBIT', cardIssuingCountry: 'NL' })).toEqual({ type: 'debit', issuerCountry: 'NL' });
    expect(cardReport({ fundingSource: 'PREPAID_RELOADABLE', issuerCountry: 'BR' })).toEqual({ type: 'prepaid', issuerCountry: 'BR' });
    // Deferred debit settles like a charge card; the EU's interchange rules count it as credit.
    expect(cardReport({ fundingSource: 'DEFERRED_DEBIT' })).toEqual({ type: 'credit', issuerCountry: null });
    expect(cardReport({ cardBin: '411111', fundingSource: 'SOMETHING_NEW', cardIssuingCountry: 'Netherlands' })).toBeUndefined();
    expect(cardReport(null)).toBeUndefined();
  });
});
