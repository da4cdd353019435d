import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeChallenge } from '../../testkit/shopper.js';
import { startPayPalSimulator } from './index.js';

const credentials = { clientId: 'client', clientSecret: 'secret', webhookId: 'WEBHOOK1' };

async function token(url: string, id: string, secret: string): Promise<Response> {
  return fetch(`${url}/v1/oauth2/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
}

describe('the PayPal simulator', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paypal-sim-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives a token only for its client credentials, and answers nothing without one', async () => {
    const sim = await startPayPalSimulator(credentials);
    try {
      expect((await token(sim.url, 'client', 'wrong')).status).toBe(401);
      const ok = await token(sim.url, 'client', 'secret');
      expect(await ok.json()).toMatchObject({ token_type: 'Bearer', expires_in: 32400 });
      const anonymous = await fetch(`${sim.url}/v2/checkout/orders/ABC`);
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toMatchObject({ name: 'AUTHENTICATION_FAILURE' });
    } finally {
      await sim.close();
    }
  });

  it('keeps its orders, credentials and signing key across a restart', async () => {
    const statePath = join(dir, 'paypal.json');
    const first = await startPayPalSimulator({ ...credentials, statePath });
    const { access_token: bearer } = (await (await token(first.url, 'client', 'secret')).json()) as { access_token: string };
    const created = await fetch(`${first.url}/v2/checkout/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', 'paypal-request-id': 'key-1' },
      body: JSON.stringify({ intent: 'CAPTURE', purchase_units: [{ amount: { currency_code: 'USD', value: '10.00' } }], payment_source: { paypal: { experience_context: { return_url: 'https://shop.example/r', cancel_url: 'https://shop.example/r' } } } }),
    });
    const order = (await created.json()) as { id: string; links: { rel: string; href: string }[] };
    await completeChallenge(order.links.find((l) => l.rel === 'payer-action')!.href, 'succeed');
    const signed = await first.webhooks.sign({ type: 'refund.succeeded', reference: order.id, amount: 100, currency: 'USD' });
    await first.close();

    const second = await startPayPalSimulator({ statePath });
    try {
      expect(second.account).toEqual(credentials);
      expect(second.ledger.order(order.id)).toMatchObject({ status: 'APPROVED', payer: { email: 'buyer@sandbox.paypal.example' } });
      const { access_token: again } = (await (await token(second.url, 'client', 'secret')).json()) as { access_token: string };
      const event = JSON.parse(signed.rawBody) as Record<string, unknown>;
      const verify = async (body: Record<string, unknown>) =>
        (await (
          await fetch(`${second.url}/v1/notifications/verify-webhook-signature`, {
            method: 'POST',
            headers: { authorization: `Bearer ${again}`, 'content-type': 'application/json' },
            body: JSON.stringify(body),
          })
        ).json()) as { verification_status: string };
      const h = signed.headers;
      const request = {
        auth_algo: h['paypal-auth-algo'],
        cert_url: h['paypal-cert-url']!.replace(new URL(h['paypal-cert-url']!).origin, second.url),
        transmission_id: h['paypal-transmission-id'],
        transmission_sig: h['paypal-transmission-sig'],
        transmission_time: h['paypal-transmission-time'],
        webhook_id: 'WEBHOOK1',
        webhook_event: event,
      };
      // The port changed with the restart; the key did not: the signature made before still verifies.
      expect(await verify(request)).toEqual({ verification_status: 'SUCCESS' });
      expect(await verify({ ...request, webhook_id: 'ANOTHER' })).toEqual({ verification_status: 'FAILURE' });
    } finally {
      await second.close();
    }
  });
});
