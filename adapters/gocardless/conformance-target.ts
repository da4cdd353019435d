import { randomBytes } from 'node:crypto';
import type { WebhookSigner } from '../testkit/simulator.js';
import type { BankDebitScenario, ConformanceTarget, MethodScenario } from '../testkit/target.js';
import { createGoCardlessAdapter } from './adapter.js';
import { startGoCardlessSimulator } from './simulator/index.js';
import { gcId, TIMELINE, type GoCardlessEvent } from './simulator/state.js';
import { signedRequest } from './simulator/webhook-signer.js';

const acceptance = { kind: 'acceptance', acceptedAt: new Date('2026-11-30T10:00:00Z'), ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (conformance)' } as const;

function sepa(iban: string): MethodScenario {
  return { method: { type: 'sepa_debit', sepaDebit: { iban, accountHolderName: 'Ada Lovelace', mandate: acceptance } }, amount: 2500, currency: 'EUR' };
}

function ach(routingNumber: string, accountNumber: string): MethodScenario {
  return {
    method: { type: 'ach_debit', achDebit: { routingNumber, accountNumber, accountType: 'checking', accountHolderName: 'Grace Hopper', accountHolderType: 'individual', acceptance } },
    amount: 5000,
    currency: 'USD',
  };
}

/** The simulator's sandbox accounts: an account number ending 0000 is disabled, so its mandate is refused at once. */
const SCENARIOS: Record<'sepa_debit' | 'ach_debit', BankDebitScenario> = {
  sepa_debit: { settles: sepa('DE89370400440532013000'), fails: sepa('DE94370400440532010000'), reason: 'invalid_account', bad: sepa('DE89370400440532013001') },
  ach_debit: { settles: ach('110000000', '000123456789'), fails: ach('110000000', '000123450000'), reason: 'invalid_account', bad: ach('110000001', '000123456789') },
};

/** The GoCardless event that announces each canonical event (GoCardless sends no amount). */
const ACTIONS: Partial<Record<Parameters<WebhookSigner['sign']>[0]['type'], { resource: GoCardlessEvent['resource_type']; action: string; cause: string }>> = {
  'authorization.succeeded': { resource: 'payments', action: 'confirmed', cause: 'payment_confirmed' },
  'authorization.failed': { resource: 'payments', action: 'failed', cause: 'insufficient_funds' },
  'settlement.succeeded': { resource: 'payments', action: 'paid_out', cause: 'payment_paid_out' },
  'debit.returned': { resource: 'payments', action: 'charged_back', cause: 'payment_charged_back' },
  'refund.succeeded': { resource: 'refunds', action: 'paid', cause: 'refund_paid' },
  'refund.failed': { resource: 'refunds', action: 'failed', cause: 'refund_failed' },
};

/** Signs GoCardless webhooks as the simulator sends them: `Webhook-Signature` over the raw body, no timestamp. */
export function goCardlessWebhookSigner(secret: string): WebhookSigner {
  return {
    signsTimestamp: false,
    carriesAmounts: false,
    async sign(event, options = {}) {
      const kind = ACTIONS[event.type];
      if (!kind) throw new Error(`GoCardless sends no webhook for ${event.type}`);
      const links: Record<string, string> = { payment: event.reference, ...(kind.resource === 'refunds' ? { refund: gcId('RF') } : {}) };
      const created = (options.timestamp ?? new Date()).toISOString();
      const body: GoCardlessEvent = {
        id: event.eventId ?? gcId('EV'),
        created_at: created,
        resource_type: kind.resource,
        action: kind.action,
        links,
        details: { origin: 'gocardless', cause: kind.cause, description: 'Signed by the conformance suite.' },
        metadata: {},
      };
      return signedRequest([body], options.wrongSecret ? randomBytes(24).toString('hex') : secret);
    },
    tamper(request) {
      const body = JSON.parse(request.rawBody) as { events: GoCardlessEvent[] };
      for (const event of body.events) event.links['payment'] = `${event.links['payment']}X`;
      return { headers: { ...request.headers }, rawBody: JSON.stringify(body) };
    },
    unsigned(request) {
      const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => name !== 'webhook-signature'));
      return { headers, rawBody: request.rawBody };
    },
  };
}

export const goCardlessTarget: ConformanceTarget = {
  provider: 'gocardless',
  paymentMethods: ['sepa_debit', 'ach_debit'],
  async start({ timeoutMs, webhookUrl }) {
    const accessToken = `sandbox_${randomBytes(16).toString('hex')}`;
    const simulator = await startGoCardlessSimulator({ accessToken, webhookUrl });
    const adapter = createGoCardlessAdapter({
      accessToken,
      webhookSecret: simulator.account.webhookSecret,
      environment: 'sandbox',
      local: { host: simulator.host, port: simulator.port },
      timeoutMs,
    });
    return {
      adapter,
      simulator,
      scenarios: null,
      debits: {
        scenarios: SCENARIOS,
        bank: {
          settlesAfterMs: TIMELINE.settleAfterMs,
          advance: (ms) => simulator.advance(ms),
          returnDebit: (reference, code) => {
            simulator.returnPayment(reference, 'charged_back', code);
            return code;
          },
        },
      },
      webhooks: goCardlessWebhookSigner(simulator.account.webhookSecret),
      close: () => simulator.close(),
    };
  },
};
