import gocardless, { Environments, type GoCardlessClient } from 'gocardless-nodejs';
import type { AuthorizationOutcome, ModificationOutcome } from '../../src/domain/outcome.js';
import {
  accountRefused,
  amountSteps,
  methodRefused,
  type AuthorizeRequest,
  type Capabilities,
  type GatewayAdapter,
  type ModificationSyncRequest,
  type RefundRequest,
  type SyncRequest,
} from '../testkit/contract.js';
import { goCardlessUnits, toGoCardlessAmount } from './amounts.js';
import { LocalServerAgent, TimeoutAgent } from './local-agent.js';
import { authorizationFailure, modificationFailure, paymentOutcome, refundOutcome } from './outcomes.js';
import { GOCARDLESS_WEBHOOK_ACK, parseGoCardlessWebhook } from './webhooks.js';

export const GOCARDLESS_CAPABILITIES: Capabilities = {
  paymentMethods: ['sepa_debit', 'ach_debit'],
  // Bank debits use no card network.
  cardNetworks: [],
  // The two schemes the adapter sends (SEPA Core in EUR, ACH in USD); `amounts.ts` knows all of GoCardless' currencies.
  currencies: ['EUR', 'USD'],
  countries: '*',
  captureMethods: ['automatic'],
  partialCapture: false,
  multipleCapture: false,
  voids: false,
  refunds: true,
  partialRefund: true,
  multipleRefunds: true,
  idempotency: true,
  syncWithoutReference: true,
  asyncModifications: true,
  threeDSecure: false,
  amountLimits: { min: 1, max: 2_147_483_647 },
  // GoCardless counts each of its currencies in its ISO 4217 minor unit: any whole amount is exact.
  amountSteps: amountSteps(goCardlessUnits),
};

export interface GoCardlessAdapterConfig {
  accessToken: string;
  webhookSecret: string;
  environment: 'sandbox' | 'live';
  /** A server to send the API calls to instead of GoCardless (the simulator): plain HTTP to host:port. */
  local: { host: string; port: number } | null;
  timeoutMs: number;
}

/** How far back a lookup without reference searches for the attempt's payment. */
const SEARCH_WINDOW_MS = 7 * 86_400_000;

/**
 * GoCardless through gocardless-nodejs: a debit is a customer, their bank account and a mandate
 * (or the mandate the request names), then a payment, each created under a key derived from the
 * attempt's, so a resend finds what the first try made (the SDK answers GoCardless'
 * `idempotent_creation_conflict` by fetching the resource it names). The payment settles days later.
 */
export function createGoCardlessAdapter(config: GoCardlessAdapterConfig): GatewayAdapter {
  const agent = config.local ? new LocalServerAgent(config.local, config.timeoutMs) : new TimeoutAgent(config.timeoutMs);
  const client: GoCardlessClient = gocardless(config.accessToken, config.environment === 'live' ? Environments.Live : Environments.Sandbox, { proxy: { https: agent } });

  /** The mandate the debit is drawn under: the one the request names (its bank reference unknown here), or a new one for the account. */
  async function mandateFor(request: AuthorizeRequest, key: string): Promise<{ id: string; reference: string | null }> {
    const method = request.method;
    if (method.type === 'sepa_debit' && method.sepaDebit.mandate.kind === 'existing') return { id: method.sepaDebit.mandate.reference, reference: null };
    const holder = method.type === 'sepa_debit' ? method.sepaDebit.accountHolderName : method.type === 'ach_debit' ? method.achDebit.accountHolderName : '';
    const company = method.type === 'ach_debit' && method.achDebit.accountHolderType === 'company';
    const [given, ...rest] = holder.trim().split(/\s+/);
    const customer = await client.customers.create(
      {
        ...(company || rest.length === 0 ? { company_name: holder } : { given_name: given!, family_name: rest.join(' ') }),
        ...(request.customerEmail ? { email: request.customerEmail } : {}),
        metadata: { switchyard_payment: request.paymentId },
      },
      `${key}:customer`,
    );
    const account =
      method.type === 'sepa_debit'
        ? { iban: method.sepaDebit.iban, account_holder_name: holder }
        : method.type === 'ach_debit'
          ? { account_number: method.achDebit.accountNumber, branch_code: method.achDebit.routingNumber, account_type: method.achDebit.accountType, country_code: 'US', account_holder_name: holder }
          : {};
    const bankAccount = await client.customerBankAccounts.create({ ...account, links: { customer: customer.id! } } as Parameters<GoCardlessClient['customerBankAccounts']['create']>[0], `${key}:bank_account`);
    const acceptance =
      method.type === 'ach_debit' ? method.achDebit.acceptance : method.type === 'sepa_debit' && method.sepaDebit.mandate.kind === 'acceptance' ? method.sepaDebit.mandate : null;
    const mandate = await client.mandates.create(
      {
        scheme: method.type === 'ach_debit' ? 'ach' : 'sepa_core',
        links: { customer_bank_account: bankAccount.id! },
        ...(acceptance ? { payer_ip_address: acceptance.ip } : {}),
        metadata: acceptance ? { accepted_at: acceptance.acceptedAt.toISOString(), user_agent: acceptance.userAgent.slice(0, 500) } : {},
      },
      `${key}:mandate`,
    );
    return { id: mandate.id!, reference: mandate.reference ?? null };
  }

  async function authorize(request: AuthorizeRequest): Promise<AuthorizationOutcome> {
    if (request.method.type !== 'sepa_debit' && request.method.type !== 'ach_debit') return methodRefused('gocardless', request.method);
    const amount = toGoCardlessAmount(request.amount, request.currency);
    if (!amount.ok) return { kind: 'not_processed', reason: 'rejected', detail: amount.detail };
    if (request.captureMethod !== 'automatic') return { kind: 'not_processed', reason: 'rejected', detail: 'A bank debit cannot be captured later.' };
    const refused = accountRefused(request.method);
    if (refused) return refused;
    try {
      const mandate = await mandateFor(request, request.idempotencyKey);
      const payment = await client.payments.create(
        {
          amount: amount.value,
          currency: request.currency as Parameters<GoCardlessClient['payments']['create']>[0]['currency'],
          links: { mandate: mandate.id },
          ...(request.description ? { description: request.description.slice(0, 255) } : {}),
          metadata: { switchyard_payment: request.paymentId, switchyard_attempt: request.idempotencyKey },
        },
        request.idempotencyKey,
      );
      const outcome = paymentOutcome(payment);
      return outcome.kind === 'pending' || outcome.kind === 'approved' ? { ...outcome, payer: { kind: 'mandate', mandateId: mandate.id, reference: mandate.reference } } : outcome;
    } catch (error) {
      return authorizationFailure(error);
    }
  }

  async function sync(request: SyncRequest): Promise<AuthorizationOutcome> {
    try {
      if (request.reference) return paymentOutcome(await client.payments.find(request.reference));
      // A resend under the same keys finds every resource the first try made (GoCardless keeps keys).
      if (request.resend) return await authorize(request.resend);
      return await search(request.attempt.idempotencyKey);
    } catch (error) {
      return authorizationFailure(error);
    }
  }

  /** The attempt's payment by the key it carries in its metadata, among the payments of the search window. */
  async function search(key: string): Promise<AuthorizationOutcome> {
    const since = new Date(Date.now() - SEARCH_WINDOW_MS).toISOString();
    let after: string | undefined;
    for (let page = 0; page < 20; page++) {
      const list = await client.payments.list({ created_at: { gte: since }, limit: 500, ...(after ? { after } : {}) });
      const found = list.payments.find((p) => (p.metadata as Record<string, string> | undefined)?.['switchyard_attempt'] === key);
      if (found) return paymentOutcome(found);
      after = list.meta.cursors?.after ?? undefined;
      if (!after) break;
    }
    return { kind: 'unknown', reason: 'not_found', detail: 'GoCardless has no payment under this attempt yet.' };
  }

  async function refund(request: RefundRequest): Promise<ModificationOutcome> {
    const amount = toGoCardlessAmount(request.amount, request.currency);
    if (!amount.ok) return { kind: 'rejected', code: 'amount_not_representable', detail: amount.detail };
    try {
      const refunded = await refundedSoFar(request.reference);
      const created = await client.refunds.create(
        { amount: amount.value, total_amount_confirmation: refunded + amount.value, links: { payment: request.reference }, metadata: { switchyard_refund: request.idempotencyKey } },
        request.idempotencyKey,
      );
      return refundOutcome({ id: created.id!, amount: request.amount, status: created.status });
    } catch (error) {
      return modificationFailure(error);
    }
  }

  /** What earlier refunds already took (GoCardless wants the new total confirmed, so a resend cannot refund twice). */
  async function refundedSoFar(payment: string): Promise<number> {
    const found = await client.payments.find(payment);
    return Number(found.amount_refunded ?? 0);
  }

  async function resumeModification(request: ModificationSyncRequest): Promise<ModificationOutcome> {
    if (request.operation !== 'refund') return { kind: 'rejected', code: 'not_supported', detail: `GoCardless debits have no ${request.operation}.` };
    try {
      if (request.modificationReference) {
        const found = await client.refunds.find(request.modificationReference);
        return refundOutcome({ id: found.id!, amount: request.amount, status: found.status });
      }
      const list = await client.refunds.list({ payment: request.reference });
      const mine = list.refunds.find((r) => (r.metadata as Record<string, string> | undefined)?.['switchyard_refund'] === request.idempotencyKey);
      // Never made: making it now is fine (the key guards a race with the first try).
      return mine ? refundOutcome({ id: mine.id!, amount: request.amount, status: mine.status }) : await refund(request);
    } catch (error) {
      return modificationFailure(error);
    }
  }

  const noCapture = async (): Promise<ModificationOutcome> => ({ kind: 'rejected', code: 'not_supported', detail: 'A GoCardless debit is collected in full; there is nothing to capture or void.' });

  return {
    provider: 'gocardless',
    capabilities: GOCARDLESS_CAPABILITIES,
    authorize,
    sync,
    completeAction: async (request) => sync({ reference: request.reference, attempt: request.attempt, resend: null }),
    capture: noCapture,
    cancel: noCapture,
    refund,
    resumeModification,
    parseWebhook: async (request) => parseGoCardlessWebhook(request, config.webhookSecret),
    webhookAck: GOCARDLESS_WEBHOOK_ACK,
  };
}
