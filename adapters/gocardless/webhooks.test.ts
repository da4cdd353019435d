import { describe, expect, it } from 'vitest';
import { signedRequest } from './simulator/webhook-signer.js';
import type { GoCardlessEvent } from './simulator/state.js';
import { parseGoCardlessWebhook } from './webhooks.js';

const SECRET = 'endpoint-secret';
const event = (action: string, details: Partial<GoCardlessEvent['details']> = {}, resource: GoCardlessEvent['resource_type'] = 'payments'): GoCardlessEvent => ({
  id: `EV${action.toUpperCase()}`,
  created_at: '2026-11-30T12:00:00.000Z',
  resource_type: resource,
  action,
  links: resource === 'refunds' ? { payment: 'PM1', refund: 'RF1' } : { payment: 'PM1' },
  details: { origin: 'bank', cause: 'payment_confirmed', description: '', ...details },
  metadata: {},
});

describe('GoCardless webhooks', () => {
  it('verifies Webhook-Signature and maps each payment and refund event to its canonical one', () => {
    const request = signedRequest(
      [event('confirmed'), event('failed', { cause: 'insufficient_funds' }), event('charged_back', { reason_code: 'MD06' }), event('submitted'), event('paid', {}, 'refunds')],
      SECRET,
    );
    const verified = parseGoCardlessWebhook(request, SECRET);
    expect(verified.ok).toBe(true);
    if (!verified.ok) return;
    expect(verified.events.map((e) => e.type)).toEqual(['authorization.succeeded', 'authorization.failed', 'debit.returned', 'refund.succeeded']);
    expect(verified.events[1]!.decline).toMatchObject({ reason: 'insufficient_funds', cascade: false });
    expect(verified.events[2]).toMatchObject({ reference: 'PM1', returnCode: 'MD06' });
    expect(verified.events[3]).toMatchObject({ reference: 'PM1', modificationReference: 'RF1' });
  });

  it('refuses a missing signature, another secret, and a body changed after signing', () => {
    const request = signedRequest([event('confirmed')], SECRET);
    expect(parseGoCardlessWebhook({ ...request, headers: {} }, SECRET)).toEqual({ ok: false, reason: 'missing_signature' });
    expect(parseGoCardlessWebhook(request, 'another-secret')).toEqual({ ok: false, reason: 'invalid_signature' });
    const tampered = { ...request, rawBody: request.rawBody.replace('confirmed', 'failed') };
    expect(parseGoCardlessWebhook(tampered, SECRET)).toEqual({ ok: false, reason: 'invalid_signature' });
    expect(parseGoCardlessWebhook({ ...request, headers: { 'webhook-signature': 'zz' } }, SECRET)).toEqual({ ok: false, reason: 'invalid_signature' });
  });
});
