import type { ConformanceTarget, MethodScenario } from '../testkit/target.js';
import { BITPAY_CAPABILITIES, createBitPayAdapter } from './adapter.js';
import { newPrivateKey, startBitPaySimulator } from './simulator/index.js';

const scenario: MethodScenario = { method: { type: 'crypto', crypto: { currency: 'BTC' } }, amount: 2500, currency: 'USD' };

/** The payer follows the hosted page's `result=underpay` link (half the amount due). */
async function underpay(pageUrl: string): Promise<void> {
  const html = await (await fetch(pageUrl)).text();
  const href = /href="([^"]*result=underpay[^"]*)"/.exec(html)?.[1];
  if (!href) throw new Error('the hosted page has no result=underpay link');
  const answer = await fetch(new URL(href.replaceAll('&amp;', '&'), pageUrl), { redirect: 'manual' });
  await answer.arrayBuffer();
}

export const bitpayTarget: ConformanceTarget = {
  provider: 'bitpay',
  paymentMethods: ['crypto'],
  capabilities: BITPAY_CAPABILITIES,
  webhooks: 'unsigned',
  async start({ timeoutMs, webhookUrl }) {
    const simulator = await startBitPaySimulator({ privateKey: newPrivateKey(), webhookUrl, webhookRetry: { scale: 0.001 } });
    const adapter = createBitPayAdapter({ ...simulator.credentials, environment: 'test', baseUrl: simulator.url, notificationUrl: webhookUrl, returnUrl: 'https://shop.example/return', timeoutMs });
    return {
      adapter,
      simulator,
      scenarios: null,
      approvals: {
        crypto: {
          approved: scenario,
          createPath: '/invoices',
          chain: {
            holdConfirmations: (held) => simulator.holdConfirmations(held),
            confirm: (id) => simulator.confirm(id),
            expire: (id) => simulator.expire(id),
            underpay,
            giveRefundAddress: (id) => simulator.settleRefund(id),
          },
          // An IPN in BitPay's extended format, as anyone could post it: BitPay signs none.
          forgeConfirmed: (id) => ({
            headers: { 'content-type': 'application/json' },
            rawBody: JSON.stringify({ event: { code: 1005, name: 'invoice_confirmed' }, data: { id, status: 'confirmed', exceptionStatus: false, price: 1_000_000, currency: 'USD' } }),
          }),
        },
      },
      webhooks: null,
      close: () => simulator.close(),
    };
  },
};
