import { describe, expect, it } from 'vitest';
import { canonicalEvents, readDelivery, TRANSMISSION_TOLERANCE_MS } from './webhooks.js';

const PREFIX = 'https://api.paypal.com/v1/notifications/certs/';
const at = new Date('2026-11-30T12:00:00.000Z');

function delivery(event: unknown, overrides: Record<string, string> = {}) {
  return {
    headers: {
      'paypal-transmission-id': 'b2f2a3f0-0000-4000-8000-000000000001',
      'paypal-transmission-time': at.toISOString(),
      'paypal-transmission-sig': 'c2lnbmF0dXJl',
      'paypal-cert-url': `${PREFIX}CERT-360caa42-fca2a594-a5cafa77`,
      'paypal-auth-algo': 'SHA256withRSA',
      ...overrides,
    },
    rawBody: JSON.stringify(event),
  };
}

const event = (eventType: string, resource: Record<string, unknown>) => ({ id: 'WH-1', event_type: eventType, create_time: at.toISOString(), resource });
const amount = { currency_code: 'USD', value: '12.34' };

describe('PayPal webhook deliveries', () => {
  it('needs every signature header', () => {
    for (const name of ['paypal-transmission-id', 'paypal-transmission-time', 'paypal-transmission-sig', 'paypal-cert-url', 'paypal-auth-algo']) {
      expect(readDelivery(delivery(event('X', {}), { [name]: '' }), at, PREFIX), name).toEqual({ ok: false, reason: 'missing_signature' });
    }
  });

  it('refuses a transmission outside the tolerance, either way', () => {
    const old = new Date(at.getTime() - TRANSMISSION_TOLERANCE_MS - 1000).toISOString();
    const future = new Date(at.getTime() + TRANSMISSION_TOLERANCE_MS + 1000).toISOString();
    expect(readDelivery(delivery(event('X', {}), { 'paypal-transmission-time': old }), at, PREFIX)).toEqual({ ok: false, reason: 'stale' });
    expect(readDelivery(delivery(event('X', {}), { 'paypal-transmission-time': future }), at, PREFIX)).toEqual({ ok: false, reason: 'stale' });
  });

  it('never lets a certificate URL outside PayPal\'s reach the verification', () => {
    expect(readDelivery(delivery(event('X', {}), { 'paypal-cert-url': 'https://attacker.example/v1/notifications/certs/CERT-1' }), at, PREFIX)).toEqual({ ok: false, reason: 'invalid_signature' });
    expect(readDelivery(delivery(event('X', {}), { 'paypal-auth-algo': 'SHA1withRSA' }), at, PREFIX)).toEqual({ ok: false, reason: 'invalid_signature' });
  });

  it('refuses a body that is not an event', () => {
    expect(readDelivery({ ...delivery({}), rawBody: '{"id":' }, at, PREFIX)).toEqual({ ok: false, reason: 'malformed' });
    expect(readDelivery(delivery({ id: 'WH-1', event_type: 'X' }), at, PREFIX)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('PayPal events as canonical events', () => {
  const related = (ids: Record<string, string>) => ({ supplementary_data: { related_ids: ids } });

  it('an order\'s capture is the authorization, with our attempt key', () => {
    const verified = canonicalEvents(event('PAYMENT.CAPTURE.COMPLETED', { id: 'CAP1', amount, invoice_id: 'pay_1:attempt:1', ...related({ order_id: 'ORD1' }) }));
    expect(verified).toMatchObject({ ok: true, events: [{ eventId: 'WH-1', type: 'authorization.succeeded', reference: 'ORD1', merchantReference: 'pay_1:attempt:1', amount: 1234, currency: 'USD' }] });
  });

  it('an authorization\'s capture is a capture, with its key', () => {
    const verified = canonicalEvents(event('PAYMENT.CAPTURE.COMPLETED', { id: 'CAP2', amount, invoice_id: 'pay_1:capture', ...related({ order_id: 'ORD1', authorization_id: 'AUTH1' }) }));
    expect(verified).toMatchObject({ ok: true, events: [{ type: 'capture.succeeded', reference: 'ORD1', modificationReference: 'CAP2', modificationKey: 'pay_1:capture' }] });
  });

  it('a denied capture of an order declines the authorization', () => {
    const verified = canonicalEvents(event('PAYMENT.CAPTURE.DENIED', { id: 'CAP3', amount, ...related({ order_id: 'ORD2' }) }));
    expect(verified).toMatchObject({ ok: true, events: [{ type: 'authorization.failed', reference: 'ORD2', decline: { reason: 'generic_decline' } }] });
  });

  it('a refund names the order it was sent with, and a void its authorization', () => {
    expect(canonicalEvents(event('PAYMENT.CAPTURE.REFUNDED', { id: 'REF1', amount, custom_id: 'ORD1', invoice_id: 'pay_1:refund:1' }))).toMatchObject({
      ok: true,
      events: [{ type: 'refund.succeeded', reference: 'ORD1', modificationReference: 'REF1', modificationKey: 'pay_1:refund:1' }],
    });
    expect(canonicalEvents(event('PAYMENT.AUTHORIZATION.VOIDED', { id: 'AUTH1', amount, ...related({ order_id: 'ORD1' }) }))).toMatchObject({
      ok: true,
      events: [{ type: 'cancel.succeeded', reference: 'ORD1', modificationReference: 'AUTH1' }],
    });
  });

  it('an approval charges nothing: no canonical event', () => {
    expect(canonicalEvents(event('CHECKOUT.ORDER.APPROVED', { id: 'ORD1', status: 'APPROVED' }))).toEqual({ ok: true, events: [] });
  });

  it('an amount canonical units cannot hold, or a missing order, is malformed', () => {
    expect(canonicalEvents(event('PAYMENT.CAPTURE.COMPLETED', { id: 'CAP1', amount: { currency_code: 'USD', value: '1.234' }, ...related({ order_id: 'O' }) }))).toEqual({ ok: false, reason: 'malformed' });
    expect(canonicalEvents(event('PAYMENT.CAPTURE.COMPLETED', { id: 'CAP1', amount }))).toEqual({ ok: false, reason: 'malformed' });
  });
});
