import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decline, type DeclineReason } from '../../src/domain/decline.js';
import type { AuthorizationOutcome, ModificationOutcome } from '../../src/domain/outcome.js';
import type { WebhookEvent, WebhookEventType } from '../../src/domain/webhook.js';
import { attemptIdentity, type AuthorizeRequest, type ModificationSyncRequest } from './contract.js';
import { completeChallenge } from './shopper.js';
import { APPROVAL_METHOD_TYPES, BANK_DEBIT_TYPES, WALLET_TYPES, type BankDebitType, type WalletType } from '../../src/domain/payment-method.js';
import type { WebhookSigner } from './simulator.js';
import type { ApprovalScenario, BankDebitScenario, ConformanceEnv, ConformanceTarget, HostedChargeScenario, MethodScenario, ScenarioInput, Scenarios, SimulatedBank } from './target.js';
import { sandboxApplePayToken, sandboxGooglePayToken } from './wallet-tokens.js';
import { startWebhookSink, type WebhookSink } from './webhook-sink.js';

/**
 * The SDK timeout of the adapter most tests use: an answer slowed down by a busy machine is still
 * an answer. Only a simulator that never answers meets the short timeout (`timeoutMs`), on an
 * adapter and simulator of its own.
 */
const PATIENT_TIMEOUT_MS = 10_000;

/**
 * The suite every adapter passes: its real SDK against its simulator over HTTP on 127.0.0.1.
 * Flows the provider declares it does not support are skipped by its capabilities, never by
 * a failure; everything else must hold for every provider.
 */
export function describeConformance(target: ConformanceTarget, options: { timeoutMs?: number } = {}): void {
  const timeoutMs = options.timeoutMs ?? 400;

  const declaredMethods = target.paymentMethods ?? null;
  const takesCards = declaredMethods === null || declaredMethods.includes('card');
  const APPROVAL_METHODS = APPROVAL_METHOD_TYPES.filter((m) => declaredMethods?.includes(m));
  const DEBIT_METHODS = BANK_DEBIT_TYPES.filter((m) => declaredMethods?.includes(m));
  if (APPROVAL_METHODS.length > 0 && !target.capabilities) throw new Error(`${target.provider} declares a payer-approval method but names no capabilities to choose its flows`);
  /** What the payer-approval flows are chosen from, before the adapter starts. */
  const declaredCaps = target.capabilities ?? null;
  const manualCapture = declaredCaps?.captureMethods.includes('manual') ?? false;
  const signedWebhooks = target.webhooks !== 'unsigned';
  /** Card flows are registered only for an adapter that takes cards. */
  const cardDescribe = (name: string, body: () => void): void => {
    if (takesCards) describe(name, body);
  };

  describe(`${target.provider} adapter conformance`, () => {
    let env: ConformanceEnv;
    /** The same provider with the short SDK timeout, for a simulator that never answers. */
    let impatient: ConformanceEnv;
    let sink: WebhookSink;
    const outcomes: unknown[] = [];
    /** Canonical events parsed from the simulator's notifications, kept to check they carry no account data. */
    const events: WebhookEvent[] = [];
    const notifications: string[] = [];
    let sequence = 0;

    beforeAll(async () => {
      sink = await startWebhookSink();
      env = await target.start({ timeoutMs: PATIENT_TIMEOUT_MS, webhookUrl: sink.url });
      impatient = await target.start({ timeoutMs, webhookUrl: sink.url });
    });
    afterAll(async () => {
      await env?.close();
      await impatient?.close();
      await sink?.close();
    });
    beforeEach(async () => {
      for (const e of [env, impatient]) {
        await e.simulator.clearFault();
        e.simulator.setApprovalRates([]);
        e.simulator.setLatency(null);
        e.simulator.ledger.reset();
      }
      sink.clear();
    });

    const caps = () => env.adapter.capabilities;
    /** The card scenarios: only card flows, registered for an adapter that takes cards, read them. */
    const cards = (on: ConformanceEnv = env): Scenarios => {
      if (on.scenarios === null) throw new Error(`${target.provider} names no card scenarios`);
      return on.scenarios;
    };
    /** A payment it approves, by card or by its first payer-approval method. */
    const base = (): ScenarioInput | MethodScenario => {
      if (takesCards) return cards().approved;
      const approval = APPROVAL_METHODS[0];
      if (approval === 'crypto') return hostedScenario().approved;
      if (approval === 'paypal') return approvalScenario().approved;
      return debitScenario(DEBIT_METHODS[0]!).settles;
    };
    const debitScenario = (method: BankDebitType): BankDebitScenario => {
      const found = env.debits?.scenarios[method];
      if (!found) throw new Error(`${target.provider} declares ${method} but its target names no ${method} scenarios`);
      return found;
    };
    const bank = (): SimulatedBank => {
      if (!env.debits) throw new Error(`${target.provider} declares bank debits but its target names no simulated bank`);
      return env.debits.bank;
    };
    const approvalScenario = (): ApprovalScenario => {
      const found = env.approvals?.paypal;
      if (!found) throw new Error(`${target.provider} declares paypal but its target names no paypal scenarios`);
      return found;
    };
    const hostedScenario = (): HostedChargeScenario => {
      const found = env.approvals?.crypto;
      if (!found) throw new Error(`${target.provider} declares crypto but its target names no crypto scenarios`);
      return found;
    };
    const signer = (): WebhookSigner => {
      if (!env.webhooks) throw new Error(`${target.provider} signs its notifications but its target names no signer`);
      return env.webhooks;
    };

    function request(input: ScenarioInput | MethodScenario, captureMethod: 'automatic' | 'manual' = 'automatic'): AuthorizeRequest {
      sequence += 1;
      const paymentId = `pay_conformance${Date.now().toString(36)}${sequence}`;
      return {
        paymentId,
        attemptNumber: 1,
        idempotencyKey: `${paymentId}:attempt:1`,
        amount: input.amount,
        currency: input.currency,
        captureMethod,
        method: 'method' in input ? input.method : { type: 'card', card: input.card },
        description: null,
        customerEmail: null,
        returnUrl: null,
        threeDSecure: 'automatic',
      };
    }

    /** What the reconciler asks: no card data, so no resend. */
    const reconcile = (req: AuthorizeRequest, reference: string | null = null, on: ConformanceEnv = env) => on.adapter.sync({ reference, attempt: attemptIdentity(req), resend: null });
    /** What the request that made the attempt asks while it still runs. */
    const resync = (req: AuthorizeRequest, reference: string | null = null, on: ConformanceEnv = env) => on.adapter.sync({ reference, attempt: attemptIdentity(req), resend: req });
    const RETURN_URL = 'https://shop.example/switchyard/return';

    async function authorize(req: AuthorizeRequest, on: ConformanceEnv = env): Promise<AuthorizationOutcome> {
      const outcome = await on.adapter.authorize(req);
      outcomes.push(outcome);
      return outcome;
    }

    async function approved(captureMethod: 'automatic' | 'manual', input = cards().approved) {
      const req = request(input, captureMethod);
      const outcome = await authorize(req);
      expect(outcome).toMatchObject({ kind: 'approved', captured: captureMethod === 'automatic' });
      if (outcome.kind !== 'approved') throw new Error('unreachable');
      return { req, reference: outcome.reference };
    }

    /** A modification is done when it succeeded, or when it is pending and its confirmation webhook verifies. */
    async function settled(outcome: ModificationOutcome, confirms: WebhookEventType): Promise<void> {
      outcomes.push(outcome);
      if (outcome.kind === 'succeeded') return;
      expect(outcome.kind, JSON.stringify(outcome)).toBe('pending');
      if (outcome.kind !== 'pending') return;
      expect(caps().asyncModifications).toBe(true);
      await sink.waitFor(async (delivered) => {
        const verified = await env.adapter.parseWebhook(delivered, new Date());
        return verified.ok && verified.events.some((e) => e.type === confirms && e.modificationReference === outcome.reference);
      });
    }

    /**
     * A lookup answers what it found, or (where the provider has no lookup without card data,
     * Adyen) that it cannot say: `unknown` `pending_at_gateway`. Never `not_found` for an attempt
     * that was made.
     */
    function expectFoundOrPending(found: AuthorizationOutcome, expected: Partial<AuthorizationOutcome>): void {
      if (found.kind === 'unknown') expect(found, JSON.stringify(found)).toMatchObject({ reason: 'pending_at_gateway' });
      else expect(found).toMatchObject(expected);
    }

    describe('capabilities', () => {
      it('declares a usable, consistent set', () => {
        const c = caps();
        if (declaredMethods !== null) expect([...c.paymentMethods].sort()).toEqual([...declaredMethods].sort());
        else expect(c.paymentMethods).toContain('card');
        if (declaredCaps !== null) expect(c).toEqual(declaredCaps);
        if (takesCards) expect(c.cardNetworks.length).toBeGreaterThan(0);
        expect(c.captureMethods).toContain('automatic');
        expect(c.amountLimits.min).toBeGreaterThan(0);
        expect(c.amountLimits.max).toBeGreaterThanOrEqual(c.amountLimits.min);
        if (c.multipleCapture) expect(c.partialCapture).toBe(true);
        if (c.multipleRefunds) expect(c.refunds).toBe(true);
        if (c.threeDSecure) expect(cards().requiresAction).toBeDefined();
        expect(c.currencies === '*' || c.currencies.includes(base().currency)).toBe(true);
        for (const step of Object.values(c.amountSteps)) expect([10, 100, 1000, 10_000]).toContain(step);
      });

      it('refuses, before any request, an amount its amountSteps say it cannot carry: certainly not processed', async () => {
        for (const [currency, step] of Object.entries(caps().amountSteps)) {
          const req = request({ ...base(), currency, amount: step * 50 + 1 });
          expect(await authorize(req)).toMatchObject({ kind: 'not_processed', reason: 'rejected' });
        }
        expect(env.simulator.ledger.requestCount()).toBe(0);
      });
    });

    describe('payment methods', () => {
      const WALLETS: readonly WalletType[] = WALLET_TYPES;
      const declared = (wallet: WalletType) => caps().paymentMethods.includes(wallet);
      const scenario = (wallet: WalletType) => {
        const found = env.scenarios?.wallets?.[wallet];
        if (!found) throw new Error(`${target.provider} declares ${wallet} but its target names no ${wallet} scenarios`);
        return found;
      };

      it('names scenarios for every method it declares, and only declared methods', () => {
        for (const wallet of WALLETS) {
          if (declared(wallet)) expect(env.scenarios?.wallets?.[wallet], wallet).toBeDefined();
          else expect(env.scenarios?.wallets?.[wallet], wallet).toBeUndefined();
        }
      });

      describe.each(WALLETS)('%s', (wallet) => {
        it('approves with automatic capture, then refunds in full', async () => {
          if (!declared(wallet)) return;
          const req = request(scenario(wallet).approved);
          const outcome = await authorize(req);
          expect(outcome).toMatchObject({ kind: 'approved', captured: true });
          if (outcome.kind !== 'approved') return;
          expect(env.simulator.ledger.totals().captured).toBe(req.amount);
          if (!caps().refunds) return;
          await settled(await env.adapter.refund({ reference: outcome.reference, amount: req.amount, currency: req.currency, idempotencyKey: `${req.paymentId}:refund:1` }), 'refund.succeeded');
          expect(env.simulator.ledger.totals().refunded).toBe(req.amount);
        });

        it('authorizes for manual capture, is found by reference, then captures', async () => {
          if (!declared(wallet) || !caps().captureMethods.includes('manual')) return;
          const req = request(scenario(wallet).approved, 'manual');
          const outcome = await authorize(req);
          expect(outcome).toMatchObject({ kind: 'approved', captured: false });
          if (outcome.kind !== 'approved') return;
          expectFoundOrPending(await reconcile(req, outcome.reference), { kind: 'approved', reference: outcome.reference, captured: false });
          await settled(await env.adapter.capture({ reference: outcome.reference, amount: req.amount, currency: req.currency, idempotencyKey: `${req.paymentId}:capture` }), 'capture.succeeded');
          expect(env.simulator.ledger.totals().captured).toBe(req.amount);
          expect(env.simulator.ledger.charges()).toBe(1);
        });

        it('declines as the token\'s card would, charging nothing', async () => {
          if (!declared(wallet)) return;
          expect(await authorize(request(scenario(wallet).declined))).toMatchObject({ kind: 'declined', decline: { reason: 'generic_decline' } });
          expect(env.simulator.ledger.charges()).toBe(0);
        });

        it('a lost answer never charges twice: a sync with the request finds the one charge', async () => {
          if (!declared(wallet)) return;
          const req = request(scenario(wallet).approved);
          await env.simulator.setFault({ kind: 'charge_then_500' }, { times: 1 });
          const first = await authorize(req);
          // Where the token is exchanged first (Stripe's /v1/tokens), the lost answer is the exchange's: nothing was charged yet.
          if (first.kind === 'not_processed') expect(env.simulator.ledger.charges()).toBe(0);
          else expect(first).toMatchObject({ kind: 'unknown' });
          await env.simulator.clearFault();
          expect(await resync(req)).toMatchObject({ kind: 'approved' });
          expect(env.simulator.ledger.charges()).toBe(1);
        });
      });

      it('refuses a method it does not declare before any request: certainly not processed', async () => {
        const other = WALLETS.find((wallet) => !declared(wallet));
        if (!other) return;
        const method: MethodScenario['method'] =
          other === 'apple_pay'
            ? { type: 'apple_pay', applePay: sandboxApplePayToken('4242424242424242') }
            : { type: 'google_pay', googlePay: { gateway: 'adyen', ...sandboxGooglePayToken('4242424242424242') } };
        expect(await authorize(request({ ...base(), method }))).toMatchObject({ kind: 'not_processed', reason: 'rejected' });
        expect(env.simulator.ledger.requestCount()).toBe(0);
      });
    });

    cardDescribe('flows', () => {
      it('authorizes with automatic capture', async () => {
        await approved('automatic');
        expect(env.simulator.ledger.charges()).toBe(1);
        expect(env.simulator.ledger.totals().captured).toBe(cards().approved.amount);
      });

      it('authorizes with manual capture, then captures in full', async () => {
        if (!caps().captureMethods.includes('manual')) return;
        const { req, reference } = await approved('manual');
        expect(env.simulator.ledger.totals().captured).toBe(0);
        await settled(await env.adapter.capture({ reference, amount: req.amount, currency: req.currency, idempotencyKey: `${req.paymentId}:capture` }), 'capture.succeeded');
        expect(env.simulator.ledger.totals().captured).toBe(req.amount);
      });

      it('captures in part', async () => {
        if (!caps().partialCapture) return;
        const { req, reference } = await approved('manual');
        const part = Math.floor(req.amount / 2);
        const outcome = await env.adapter.capture({ reference, amount: part, currency: req.currency, idempotencyKey: `${req.paymentId}:capture` });
        await settled(outcome, 'capture.succeeded');
        expect(env.simulator.ledger.totals().captured).toBe(part);
      });

      it('voids an uncaptured authorization', async () => {
        if (!caps().voids) return;
        const { req, reference } = await approved('manual');
        await settled(
          await env.adapter.cancel({ reference, amount: req.amount, currency: req.currency, idempotencyKey: `${req.paymentId}:cancel` }),
          'cancel.succeeded',
        );
        expect(env.simulator.ledger.totals().captured).toBe(0);
      });

      it('refunds in full', async () => {
        if (!caps().refunds) return;
        const { req, reference } = await approved('automatic');
        await settled(await env.adapter.refund({ reference, amount: req.amount, currency: req.currency, idempotencyKey: `${req.paymentId}:refund:1` }), 'refund.succeeded');
        expect(env.simulator.ledger.totals().refunded).toBe(req.amount);
      });

      it('refunds in part, several times', async () => {
        if (!caps().partialRefund || !caps().multipleRefunds) return;
        const { req, reference } = await approved('automatic');
        const part = Math.floor(req.amount / 4);
        for (const n of [1, 2]) {
          await settled(await env.adapter.refund({ reference, amount: part, currency: req.currency, idempotencyKey: `${req.paymentId}:refund:${n}` }), 'refund.succeeded');
        }
        expect(env.simulator.ledger.totals().refunded).toBe(2 * part);
      });

      it('finds an attempt by its reference', async () => {
        const { req, reference } = await approved('manual');
        const found = await resync(req, reference);
        outcomes.push(found);
        expect(found).toMatchObject({ kind: 'approved', reference });
        expect(env.simulator.ledger.charges()).toBe(1);
      });

      it('the reconciler finds an attempt by its reference where the provider can look it up, and charges nothing', async () => {
        const { req, reference } = await approved('manual');
        const found = await reconcile(req, reference);
        outcomes.push(found);
        expectFoundOrPending(found, { kind: 'approved', reference, captured: false });
        expect(env.simulator.ledger.charges()).toBe(1);
      });
    });

    cardDescribe('outcomes', () => {
      it('maps every decline class the sandbox can produce, with the taxonomy\'s flags', async () => {
        const declines = Object.entries(cards().declines) as [DeclineReason, ScenarioInput][];
        expect(declines.length).toBeGreaterThanOrEqual(3);
        for (const [reason, input] of declines) {
          const outcome = await authorize(request(input));
          expect(outcome, reason).toMatchObject({ kind: 'declined', decline: { reason } });
          if (outcome.kind !== 'declined') continue;
          expect(outcome.decline.providerCode.length, reason).toBeGreaterThan(0);
          if (outcome.decline.adviceCode === null) {
            const expected = decline(reason, outcome.decline.providerCode);
            expect({ cascade: outcome.decline.cascade, retry: outcome.decline.retry }, reason).toEqual({ cascade: expected.cascade, retry: expected.retry });
          }
        }
        expect(env.simulator.ledger.charges()).toBe(0);
      });

      it('answers requires_action for a card that needs authentication', async () => {
        const input = cards().requiresAction;
        if (!input) return;
        const outcome = await authorize(request(input));
        expect(outcome).toMatchObject({ kind: 'requires_action' });
      });

      it('a timeout is unknown', async () => {
        await impatient.simulator.setFault({ kind: 'hang' });
        expect(await authorize(request(cards(impatient).approved), impatient)).toMatchObject({ kind: 'unknown', reason: 'timeout' });
        expect(impatient.simulator.ledger.charges()).toBe(0);
      });

      it('a refused connection is certain: not processed', async () => {
        await env.simulator.setFault({ kind: 'refuse_connections' });
        expect(await authorize(request(cards().approved))).toMatchObject({ kind: 'not_processed', reason: 'connection_refused' });
        await env.simulator.clearFault();
        await approved('automatic');
      });

      it.each([500, 502, 503] as const)('a %i is unknown', async (status) => {
        await env.simulator.setFault({ kind: 'http_error', status });
        expect(await authorize(request(cards().approved))).toMatchObject({ kind: 'unknown', reason: 'server_error' });
      });

      it('a 429 is certain: not processed, rate limited', async () => {
        await env.simulator.setFault({ kind: 'http_error', status: 429 });
        expect(await authorize(request(cards().approved))).toMatchObject({ kind: 'not_processed', reason: 'rate_limited' });
      });

      it('an unreadable response is unknown', async () => {
        await env.simulator.setFault({ kind: 'malformed_response' }, { times: 1 });
        const outcome = await authorize(request(cards().approved));
        expect(outcome).toMatchObject({ kind: 'unknown' });
      });

      it.each(['charge_then_hang', 'charge_then_500'] as const)('%s: unknown, then sync finds the one charge', async (kind) => {
        // After the charge, charge_then_hang never answers: the short timeout ends the call.
        const on = kind === 'charge_then_hang' ? impatient : env;
        const req = request(cards(on).approved);
        await on.simulator.setFault({ kind }, { times: 1 });
        expect(await authorize(req, on)).toMatchObject({ kind: 'unknown' });
        await on.simulator.clearFault();
        const found = await resync(req, null, on);
        outcomes.push(found);
        expect(found).toMatchObject({ kind: 'approved' });
        expect(on.simulator.ledger.charges()).toBe(1);
      });
    });

    cardDescribe('idempotency', () => {
      it('the same request twice under one key charges once', async () => {
        if (!caps().idempotency) return;
        const req = request(cards().approved);
        const first = await authorize(req);
        const second = await authorize(req);
        expect(second).toEqual(first);
        expect(env.simulator.ledger.charges()).toBe(1);
      });

      it('a sync without reference after an approval finds it and charges nothing more', async () => {
        const { req, reference } = await approved('automatic');
        const found = await resync(req);
        expect(found).toMatchObject({ kind: 'approved', reference });
        expect(env.simulator.ledger.charges()).toBe(1);
      });
    });

    cardDescribe('the reconciler (no card data)', () => {
      it('finds an approved attempt whose answer was lost where the provider can look up, or says it cannot: never not_found', async () => {
        // The answer is lost to a 500 after the charge (a lost answer without waiting out a timeout).
        const req = request(cards().approved);
        await env.simulator.setFault({ kind: 'charge_then_500' }, { times: 1 });
        expect(await authorize(req)).toMatchObject({ kind: 'unknown' });
        await env.simulator.clearFault();
        expect(env.simulator.ledger.charges()).toBe(1);
        const found = await reconcile(req);
        outcomes.push(found);
        expectFoundOrPending(found, { kind: 'approved', captured: true });
        expect(env.simulator.ledger.charges()).toBe(1);
      });

      it('finds a declined attempt as declined, or says it cannot', async () => {
        // A decline the provider recorded (some refuse bad card data before any payment exists: those have no reference).
        let declined: { req: AuthorizeRequest; reason: DeclineReason } | undefined;
        for (const [reason, input] of Object.entries(cards().declines) as [DeclineReason, ScenarioInput][]) {
          const req = request(input);
          const outcome = await authorize(req);
          if (outcome.kind === 'declined' && outcome.reference !== null) {
            declined = { req, reason };
            break;
          }
        }
        expect(declined, 'a decline scenario the provider records with a reference').toBeDefined();
        const { req, reason } = declined!;
        const found = await reconcile(req);
        outcomes.push(found);
        expect(found.kind === 'unknown' ? found.reason : found.kind, JSON.stringify(found)).not.toBe('not_found');
        if (found.kind === 'declined') expect(found.decline.reason).toBe(reason);
        else expect(found).toMatchObject({ kind: 'unknown', reason: 'pending_at_gateway' });
      });

      it('never answers approved or declined for an attempt that was never made', async () => {
        const req = request(cards().approved);
        const found = await reconcile(req);
        outcomes.push(found);
        expect(found.kind, JSON.stringify(found)).toBe('unknown');
        expect(env.simulator.ledger.charges()).toBe(0);
      });
    });

    cardDescribe('resuming a modification whose answer was lost', () => {
      const cases = [
        ['capture', 'manual', 'capture.succeeded', () => caps().captureMethods.includes('manual')],
        ['cancel', 'manual', 'cancel.succeeded', () => caps().voids],
        ['refund', 'automatic', 'refund.succeeded', () => caps().refunds],
      ] as const;

      it.each(cases)('%s: settles with exactly one at the provider, and a second resume changes nothing', async (operation, captureMethod, confirms, supported) => {
        if (!supported()) return;
        const { req, reference } = await approved(captureMethod);
        const mod: ModificationSyncRequest = {
          operation,
          reference,
          modificationReference: null,
          amount: req.amount,
          currency: req.currency,
          idempotencyKey: `${req.paymentId}:${operation}:1`,
        };
        await env.simulator.setFault({ kind: 'charge_then_500' }, { times: 1 });
        const lost = operation === 'capture' ? await env.adapter.capture(mod) : operation === 'cancel' ? await env.adapter.cancel(mod) : await env.adapter.refund(mod);
        outcomes.push(lost);
        expect(lost).toMatchObject({ kind: 'unknown' });
        await env.simulator.clearFault();

        const resumed = await env.adapter.resumeModification(mod);
        await settled(resumed, confirms);
        const expected = { captured: operation === 'cancel' ? 0 : req.amount, refunded: operation === 'refund' ? req.amount : 0 };
        expect(env.simulator.ledger.totals()).toMatchObject(expected);

        const again = await env.adapter.resumeModification({ ...mod, modificationReference: 'reference' in resumed ? resumed.reference : null });
        outcomes.push(again);
        expect(again).toEqual(resumed);
        expect(env.simulator.ledger.totals()).toMatchObject(expected);
        expect(env.simulator.ledger.charges()).toBe(1);
      });

      it('a modification that never reached the provider is performed by the resume, once', async () => {
        if (!caps().captureMethods.includes('manual')) return;
        const { req, reference } = await approved('manual');
        const mod: ModificationSyncRequest = { operation: 'capture', reference, modificationReference: null, amount: req.amount, currency: req.currency, idempotencyKey: `${req.paymentId}:capture:1` };
        await env.simulator.setFault({ kind: 'http_error', status: 503 }, { times: 1 });
        expect(await env.adapter.capture(mod)).toMatchObject({ kind: 'unknown', reason: 'server_error' });
        await settled(await env.adapter.resumeModification(mod), 'capture.succeeded');
        expect(env.simulator.ledger.totals().captured).toBe(req.amount);
      });
    });

    cardDescribe('3-D Secure', () => {
      async function challenged(captureMethod: 'automatic' | 'manual' = 'automatic') {
        const input = cards().requiresAction;
        expect(input, 'an adapter that declares threeDSecure names a 3-D Secure card').toBeDefined();
        const req = { ...request(input!, captureMethod), returnUrl: RETURN_URL };
        const outcome = await authorize(req);
        expect(outcome).toMatchObject({ kind: 'requires_action', nextAction: { type: 'redirect' } });
        if (outcome.kind !== 'requires_action' || outcome.nextAction === null) throw new Error('expected a redirect');
        expect(env.simulator.ledger.charges()).toBe(0);
        return { req, reference: outcome.reference, url: outcome.nextAction.url };
      }

      it('completes a challenge the shopper passed: approved, charged once', async () => {
        if (!caps().threeDSecure) return;
        const { req, reference, url } = await challenged('manual');
        const { location, returnParams } = await completeChallenge(url, 'succeed');
        if (location) expect(`${location.origin}${location.pathname}`).toBe(RETURN_URL);
        const completed = await env.adapter.completeAction({ reference, attempt: attemptIdentity(req), returnParams });
        outcomes.push(completed);
        expect(completed).toMatchObject({ kind: 'approved', reference, captured: false });
        expect(env.simulator.ledger.charges()).toBe(1);
        // Asked again (the shopper reloads the return page): the same answer, nothing charged anew.
        expect(await env.adapter.completeAction({ reference, attempt: attemptIdentity(req), returnParams })).toEqual(completed);
        expect(env.simulator.ledger.charges()).toBe(1);
      });

      it('completes a challenge the shopper failed: declined, authentication required, nothing charged', async () => {
        if (!caps().threeDSecure) return;
        const { req, reference, url } = await challenged();
        const { returnParams } = await completeChallenge(url, 'fail');
        const completed = await env.adapter.completeAction({ reference, attempt: attemptIdentity(req), returnParams });
        outcomes.push(completed);
        expect(completed).toMatchObject({ kind: 'declined', decline: { reason: 'authentication_required' } });
        expect(env.simulator.ledger.charges()).toBe(0);
      });

      it('an abandoned challenge stays requires_action (or unknown where the provider cannot be asked), never approved or declined', async () => {
        if (!caps().threeDSecure) return;
        const { req, reference } = await challenged();
        const checked = await env.adapter.completeAction({ reference, attempt: attemptIdentity(req), returnParams: {} });
        outcomes.push(checked);
        if (checked.kind === 'unknown') expect(checked.reason).toBe('pending_at_gateway');
        else expect(checked).toMatchObject({ kind: 'requires_action', reference });
        expect(env.simulator.ledger.charges()).toBe(0);
      });

      it('completeAction on an attempt that needed no action reads it, and never charges anew', async () => {
        const { req, reference } = await approved('automatic');
        const checked = await env.adapter.completeAction({ reference, attempt: attemptIdentity(req), returnParams: {} });
        outcomes.push(checked);
        expectFoundOrPending(checked, { kind: 'approved', reference, captured: true });
        expect(env.simulator.ledger.charges()).toBe(1);
      });
    });

    /** Creating a payer-approval payment against a provider that hangs, refuses, fails or garbles its answer. */
    function transportFaults(payment: () => { input: MethodScenario; createPath: string }): void {
      it('a timeout is unknown', async () => {
        await impatient.simulator.setFault({ kind: 'hang' }, { pathPrefix: payment().createPath });
        expect(await authorize(request(payment().input), impatient)).toMatchObject({ kind: 'unknown', reason: 'timeout' });
      });

      it('a refused connection is certain: not processed', async () => {
        await env.simulator.setFault({ kind: 'refuse_connections' });
        expect(await authorize(request(payment().input))).toMatchObject({ kind: 'not_processed', reason: 'connection_refused' });
      });

      it.each([500, 502, 503] as const)('a %i is unknown', async (status) => {
        await env.simulator.setFault({ kind: 'http_error', status }, { pathPrefix: payment().createPath });
        expect(await authorize(request(payment().input))).toMatchObject({ kind: 'unknown', reason: 'server_error' });
      });

      it('a 429 is certain: not processed, rate limited', async () => {
        await env.simulator.setFault({ kind: 'http_error', status: 429 }, { pathPrefix: payment().createPath });
        expect(await authorize(request(payment().input))).toMatchObject({ kind: 'not_processed', reason: 'rate_limited' });
      });

      it('an unreadable response is unknown', async () => {
        await env.simulator.setFault({ kind: 'malformed_response' }, { times: 1, pathPrefix: payment().createPath });
        expect(await authorize(request(payment().input))).toMatchObject({ kind: 'unknown' });
      });
    }

    if (APPROVAL_METHODS.includes('paypal')) describe('payer approval: paypal', () => {
      const method = 'paypal';
      /** An authorization the payer is sent to approve: a redirect, nothing charged yet. */
      async function awaitingPayer(input: MethodScenario, captureMethod: 'automatic' | 'manual' = 'automatic') {
        const req = { ...request(input, captureMethod), returnUrl: RETURN_URL };
        const outcome = await authorize(req);
        expect(outcome).toMatchObject({ kind: 'requires_action', nextAction: { type: 'redirect' } });
        if (outcome.kind !== 'requires_action' || outcome.nextAction === null) throw new Error('expected a redirect to the approval page');
        expect(env.simulator.ledger.charges()).toBe(0);
        return { req, reference: outcome.reference, url: outcome.nextAction.url };
      }

      /** The payer approves and comes back; completing the action charges (or authorizes) once. */
      async function approvedByPayer(captureMethod: 'automatic' | 'manual' = 'automatic') {
        const { req, reference, url } = await awaitingPayer(approvalScenario().approved, captureMethod);
        const { location, returnParams } = await completeChallenge(url, 'succeed');
        if (location) expect(`${location.origin}${location.pathname}`).toBe(RETURN_URL);
        const completed = await env.adapter.completeAction({ reference, attempt: attemptIdentity(req), returnParams });
        outcomes.push(completed);
        expect(completed).toMatchObject({ kind: 'approved', reference, captured: captureMethod === 'automatic' });
        expect(env.simulator.ledger.charges()).toBe(1);
        return { req, reference, returnParams, completed };
      }

      it('names its scenarios', () => {
        expect(env.approvals?.[method]).toBeDefined();
      });

      it('approves with automatic capture once the payer approves; asked again, the same and nothing more', async () => {
        const { req, reference, returnParams, completed } = await approvedByPayer('automatic');
        expect(env.simulator.ledger.totals().captured).toBe(req.amount);
        // The payer reloads the return page: the same answer, nothing charged anew.
        expect(await env.adapter.completeAction({ reference, attempt: attemptIdentity(req), returnParams })).toEqual(completed);
        expect(env.simulator.ledger.charges()).toBe(1);
        expect(env.simulator.ledger.totals().captured).toBe(req.amount);
      });

      if (declaredCaps?.refunds) it('refunds an approved payment in full', async () => {
        const { req, reference } = await approvedByPayer('automatic');
        await settled(await env.adapter.refund({ reference, amount: req.amount, currency: req.currency, idempotencyKey: `${req.paymentId}:refund:1` }), 'refund.succeeded');
        expect(env.simulator.ledger.totals().refunded).toBe(req.amount);
      });

      if (manualCapture) it('authorizes for manual capture, is found by reference, then captures in full', async () => {
        const { req, reference } = await approvedByPayer('manual');
        expect(env.simulator.ledger.totals().captured).toBe(0);
        expectFoundOrPending(await reconcile(req, reference), { kind: 'approved', reference, captured: false });
        await settled(await env.adapter.capture({ reference, amount: req.amount, currency: req.currency, idempotencyKey: `${req.paymentId}:capture` }), 'capture.succeeded');
        expect(env.simulator.ledger.totals().captured).toBe(req.amount);
        expect(env.simulator.ledger.charges()).toBe(1);
      });

      if (declaredCaps?.partialCapture) it('captures in part', async () => {
        const { req, reference } = await approvedByPayer('manual');
        const part = Math.floor(req.amount / 2);
        await settled(await env.adapter.capture({ reference, amount: part, currency: req.currency, idempotencyKey: `${req.paymentId}:capture` }), 'capture.succeeded');
        expect(env.simulator.ledger.totals().captured).toBe(part);
      });

      if (declaredCaps?.voids && manualCapture) it('voids an uncaptured authorization', async () => {
        const { req, reference } = await approvedByPayer('manual');
        await settled(await env.adapter.cancel({ reference, amount: req.amount, currency: req.currency, idempotencyKey: `${req.paymentId}:cancel` }), 'cancel.succeeded');
        expect(env.simulator.ledger.totals().captured).toBe(0);
        expect(env.simulator.ledger.export().charges[0]).toMatchObject({ released: req.amount });
      });

      if (declaredCaps?.partialRefund && declaredCaps.multipleRefunds) it('refunds in part, several times', async () => {
        const { req, reference } = await approvedByPayer('automatic');
        const part = Math.floor(req.amount / 4);
        for (const n of [1, 2]) {
          await settled(await env.adapter.refund({ reference, amount: part, currency: req.currency, idempotencyKey: `${req.paymentId}:refund:${n}` }), 'refund.succeeded');
        }
        expect(env.simulator.ledger.totals().refunded).toBe(2 * part);
      });

      it('a payer who cancels at the provider: declined, authentication required, nothing charged', async () => {
        const { req, reference, url } = await awaitingPayer(approvalScenario().approved);
        const { returnParams } = await completeChallenge(url, 'fail');
        const completed = await env.adapter.completeAction({ reference, attempt: attemptIdentity(req), returnParams });
        outcomes.push(completed);
        expect(completed).toMatchObject({ kind: 'declined', reference, decline: { reason: 'authentication_required' } });
        expect(env.simulator.ledger.charges()).toBe(0);
      });

      it('a payer who has not come back: still requires_action on the router\'s own check, never approved or declined', async () => {
        const { req, reference } = await awaitingPayer(approvalScenario().approved);
        const checked = await env.adapter.completeAction({ reference, attempt: attemptIdentity(req), returnParams: {} });
        outcomes.push(checked);
        expect(checked).toMatchObject({ kind: 'requires_action', reference });
        expect(await reconcile(req, reference)).toMatchObject({ kind: 'requires_action', reference });
        expect(env.simulator.ledger.charges()).toBe(0);
      });

      it('a payer who approved but never came back is completed on the router\'s own check, once', async () => {
        const { req, reference, url } = await awaitingPayer(approvalScenario().approved);
        await completeChallenge(url, 'succeed');
        const completed = await env.adapter.completeAction({ reference, attempt: attemptIdentity(req), returnParams: {} });
        expect(completed).toMatchObject({ kind: 'approved', reference, captured: true });
        expect(env.simulator.ledger.charges()).toBe(1);
      });

      it('declines as the provider declines the payer\'s funding, with the taxonomy\'s flags, charging nothing', async () => {
        const scenario = approvalScenario();
        const { req, reference, url } = await awaitingPayer(scenario.declined);
        const { returnParams } = await completeChallenge(url, 'succeed');
        const completed = await env.adapter.completeAction({ reference, attempt: attemptIdentity(req), returnParams });
        outcomes.push(completed);
        expect(completed).toMatchObject({ kind: 'declined', decline: { reason: scenario.reason } });
        if (completed.kind === 'declined') {
          const expected = decline(scenario.reason, completed.decline.providerCode);
          expect({ cascade: completed.decline.cascade, retry: completed.decline.retry }).toEqual({ cascade: expected.cascade, retry: expected.retry });
        }
        expect(env.simulator.ledger.charges()).toBe(0);
      });

      if (declaredCaps?.idempotency) it('the same authorization twice under one key makes one order', async () => {
        const req = request(approvalScenario().approved);
        const first = await authorize(req);
        expect(await authorize(req)).toEqual(first);
        expect(env.simulator.ledger.export().charges).toHaveLength(1);
      });

      it('a lost completion answer never charges twice: completing again finds the one charge', async () => {
        const { req, reference, url } = await awaitingPayer(approvalScenario().approved);
        const { returnParams } = await completeChallenge(url, 'succeed');
        await env.simulator.setFault({ kind: 'charge_then_500' }, { times: 1, method: 'POST' });
        const lost = await env.adapter.completeAction({ reference, attempt: attemptIdentity(req), returnParams });
        outcomes.push(lost);
        expect(lost).toMatchObject({ kind: 'unknown' });
        expect(env.simulator.ledger.charges()).toBe(1);
        await env.simulator.clearFault();
        expect(await env.adapter.completeAction({ reference, attempt: attemptIdentity(req), returnParams })).toMatchObject({ kind: 'approved', reference, captured: true });
        expect(await reconcile(req, reference)).toMatchObject({ kind: 'approved', reference, captured: true });
        expect(env.simulator.ledger.charges()).toBe(1);
      });

      it('a lost creation answer: a sync with the request finds the one order; the reconciler never answers approved or declined', async () => {
        const req = request(approvalScenario().approved);
        await env.simulator.setFault({ kind: 'charge_then_500' }, { times: 1, method: 'POST', pathPrefix: approvalScenario().createPath });
        expect(await authorize(req)).toMatchObject({ kind: 'unknown' });
        await env.simulator.clearFault();
        const found = await reconcile(req);
        expect(found.kind, JSON.stringify(found)).toBe('unknown');
        expect(await resync(req)).toMatchObject({ kind: 'requires_action' });
        expect(env.simulator.ledger.export().charges).toHaveLength(1);
        expect(env.simulator.ledger.charges()).toBe(0);
      });

      transportFaults(() => ({ input: approvalScenario().approved, createPath: approvalScenario().createPath }));

      const modifications = ([
        ['capture', 'manual', 'capture.succeeded', manualCapture],
        ['cancel', 'manual', 'cancel.succeeded', manualCapture && declaredCaps?.voids === true],
        ['refund', 'automatic', 'refund.succeeded', declaredCaps?.refunds === true],
      ] as const).filter(([, , , supported]) => supported);
      if (modifications.length > 0) it.each(modifications)('a lost %s answer: the resume settles it with exactly one at the provider, and a second changes nothing', async (operation, captureMethod, confirms) => {
        const { req, reference } = await approvedByPayer(captureMethod);
        const mod: ModificationSyncRequest = { operation, reference, modificationReference: null, amount: req.amount, currency: req.currency, idempotencyKey: `${req.paymentId}:${operation}:1` };
        await env.simulator.setFault({ kind: 'charge_then_500' }, { times: 1, method: 'POST' });
        const lost = operation === 'capture' ? await env.adapter.capture(mod) : operation === 'cancel' ? await env.adapter.cancel(mod) : await env.adapter.refund(mod);
        outcomes.push(lost);
        expect(lost).toMatchObject({ kind: 'unknown' });
        await env.simulator.clearFault();
        const resumed = await env.adapter.resumeModification(mod);
        await settled(resumed, confirms);
        const expected = { captured: operation === 'cancel' ? 0 : req.amount, refunded: operation === 'refund' ? req.amount : 0 };
        expect(env.simulator.ledger.totals()).toMatchObject(expected);
        const again = await env.adapter.resumeModification({ ...mod, modificationReference: 'reference' in resumed ? resumed.reference : null });
        expect(again).toEqual(resumed);
        expect(env.simulator.ledger.totals()).toMatchObject(expected);
        expect(env.simulator.ledger.charges()).toBe(1);
      });
    });

    if (APPROVAL_METHODS.includes('crypto')) describe('hosted charge: crypto', () => {
      afterEach(() => env.approvals?.crypto?.chain.holdConfirmations(false));

      /** A charge the payer is sent to the hosted page to pay: a redirect, nothing charged yet. */
      async function awaitingPayment() {
        const req = { ...request(hostedScenario().approved), returnUrl: RETURN_URL };
        const outcome = await authorize(req);
        expect(outcome).toMatchObject({ kind: 'requires_action', nextAction: { type: 'redirect' } });
        if (outcome.kind !== 'requires_action' || outcome.nextAction === null) throw new Error('expected a redirect to the hosted page');
        expect(env.simulator.ledger.charges()).toBe(0);
        return { req, reference: outcome.reference, url: outcome.nextAction.url };
      }

      /** What completeAction and the reconciler's sync both answer. */
      async function checked(req: AuthorizeRequest, reference: string) {
        const completed = await env.adapter.completeAction({ reference, attempt: attemptIdentity(req), returnParams: {} });
        const synced = await reconcile(req, reference);
        outcomes.push(completed, synced);
        return { completed, synced };
      }

      function expectDeclined(outcome: AuthorizationOutcome, reason: DeclineReason): void {
        expect(outcome).toMatchObject({ kind: 'declined', decline: { reason } });
        if (outcome.kind !== 'declined') return;
        const expected = decline(reason, outcome.decline.providerCode);
        expect({ cascade: outcome.decline.cascade, retry: outcome.decline.retry }).toEqual({ cascade: expected.cascade, retry: expected.retry });
      }

      it('names its scenarios', () => {
        expect(env.approvals?.crypto).toBeDefined();
      });

      it('the payer pays in full: approved and captured by completeAction and by sync, once; asked again, the same', async () => {
        const { req, reference, url } = await awaitingPayment();
        const { location, returnParams } = await completeChallenge(url, 'succeed');
        if (location) expect(`${location.origin}${location.pathname}`).toBe(RETURN_URL);
        const completed = await env.adapter.completeAction({ reference, attempt: attemptIdentity(req), returnParams });
        outcomes.push(completed);
        expect(completed).toMatchObject({ kind: 'approved', reference, captured: true });
        expect(await env.adapter.completeAction({ reference, attempt: attemptIdentity(req), returnParams })).toEqual(completed);
        expect(await reconcile(req, reference)).toMatchObject({ kind: 'approved', reference, captured: true });
        if (declaredCaps?.syncWithoutReference) expect(await reconcile(req)).toMatchObject({ kind: 'approved', reference, captured: true });
        expect(env.simulator.ledger.charges()).toBe(1);
        expect(env.simulator.ledger.totals().captured).toBe(req.amount);
      });

      it('a payer who has not paid, or closed the page unpaid: still requires_action, never approved or declined, nothing charged', async () => {
        const { req, reference, url } = await awaitingPayment();
        expect(await checked(req, reference)).toMatchObject({ completed: { kind: 'requires_action', reference }, synced: { kind: 'requires_action', reference } });
        await completeChallenge(url, 'fail');
        expect(await checked(req, reference)).toMatchObject({ completed: { kind: 'requires_action', reference }, synced: { kind: 'requires_action', reference } });
        expect(env.simulator.ledger.charges()).toBe(0);
      });

      it('paid but not yet confirmed on the chain: pending (the payer\'s part is done), then approved once confirmed', async () => {
        const { chain } = hostedScenario();
        chain.holdConfirmations(true);
        const { req, reference, url } = await awaitingPayment();
        await completeChallenge(url, 'succeed');
        expect(await checked(req, reference)).toMatchObject({ completed: { kind: 'pending', reference }, synced: { kind: 'pending', reference } });
        chain.confirm(reference);
        expect(await checked(req, reference)).toMatchObject({ completed: { kind: 'approved', reference, captured: true }, synced: { kind: 'approved', reference, captured: true } });
        expect(env.simulator.ledger.charges()).toBe(1);
      });

      it('left unpaid until the time to pay runs out: declined payment_expired with the taxonomy\'s flags, nothing charged', async () => {
        const { req, reference } = await awaitingPayment();
        hostedScenario().chain.expire(reference);
        const { completed, synced } = await checked(req, reference);
        expectDeclined(completed, 'payment_expired');
        expectDeclined(synced, 'payment_expired');
        expect(env.simulator.ledger.charges()).toBe(0);
      });

      it('paid too little: awaiting the rest, then declined underpaid when the time runs out, nothing charged', async () => {
        const { req, reference, url } = await awaitingPayment();
        const { chain } = hostedScenario();
        await chain.underpay(url);
        expect(await checked(req, reference)).toMatchObject({ completed: { kind: 'requires_action', reference } });
        chain.expire(reference);
        const { completed, synced } = await checked(req, reference);
        expectDeclined(completed, 'underpaid');
        expectDeclined(synced, 'underpaid');
        expect(env.simulator.ledger.charges()).toBe(0);
      });

      it('a lost creation answer: the reconciler finds the one charge (by the attempt key where it can) and never answers approved or declined', async () => {
        const req = request(hostedScenario().approved);
        await env.simulator.setFault({ kind: 'charge_then_500' }, { times: 1, method: 'POST', pathPrefix: hostedScenario().createPath });
        expect(await authorize(req)).toMatchObject({ kind: 'unknown' });
        await env.simulator.clearFault();
        const found = await reconcile(req);
        outcomes.push(found);
        expect(found.kind, JSON.stringify(found)).toBe(declaredCaps?.syncWithoutReference ? 'requires_action' : 'unknown');
        expect(await resync(req)).toMatchObject({ kind: 'requires_action' });
        expect(env.simulator.ledger.export().charges).toHaveLength(1);
        expect(env.simulator.ledger.charges()).toBe(0);
      });

      if (declaredCaps?.refunds) it('refunds a paid charge: pending until the payer gives a refund address, then succeeded by its notification and by lookup, once', async () => {
        const { req, reference, url } = await awaitingPayment();
        await completeChallenge(url, 'succeed');
        expect(await env.adapter.completeAction({ reference, attempt: attemptIdentity(req), returnParams: {} })).toMatchObject({ kind: 'approved', reference });
        const amount = declaredCaps.partialRefund ? Math.floor(req.amount / 5) : req.amount;
        const refund = { reference, amount, currency: req.currency, idempotencyKey: `${req.paymentId}:refund:1` };
        const requested = await env.adapter.refund(refund);
        outcomes.push(requested);
        expect(requested).toMatchObject({ kind: 'pending', amount });
        if (requested.kind !== 'pending') return;
        const asked = { operation: 'refund' as const, reference, modificationReference: requested.reference, amount, currency: req.currency, idempotencyKey: refund.idempotencyKey };
        expect(await env.adapter.resumeModification(asked)).toMatchObject({ kind: 'pending', reference: requested.reference });
        hostedScenario().chain.giveRefundAddress(requested.reference);
        let confirmed: WebhookEvent | undefined;
        await sink.waitFor(async (delivered) => {
          const verified = await env.adapter.parseWebhook(delivered, new Date());
          if (verified.ok) events.push(...verified.events);
          confirmed = verified.ok ? verified.events.find((e) => e.type === 'refund.succeeded' && e.modificationReference === requested.reference) : undefined;
          return confirmed !== undefined;
        });
        expect(confirmed).toMatchObject({ reference, modificationKey: refund.idempotencyKey, amount, currency: req.currency });
        // The reconciler's lookup, for a notification lost, finds it sent: never a second refund.
        expect(await env.adapter.resumeModification(asked)).toMatchObject({ kind: 'succeeded', reference: requested.reference, amount });
        expect(env.simulator.ledger.totals().refunded).toBe(amount);
        expect(env.simulator.ledger.export().refunds).toHaveLength(1);
      });

      transportFaults(() => ({ input: hostedScenario().approved, createPath: hostedScenario().createPath }));

      if (!signedWebhooks) describe('unsigned notifications, confirmed by reading the charge back', () => {
        it('the provider\'s own notification of a paid charge gives its success, as the provider answers it', async () => {
          const { req, reference, url } = await awaitingPayment();
          await completeChallenge(url, 'succeed');
          const delivered = await sink.waitFor(async (notification) => {
            const read = await env.adapter.parseWebhook(notification, new Date());
            return read.ok && read.events.some((e) => e.type === 'authorization.succeeded' && e.reference === reference);
          });
          const read = await env.adapter.parseWebhook(delivered, new Date());
          expect(read).toMatchObject({ ok: true, events: [{ type: 'authorization.succeeded', reference, merchantReference: req.idempotencyKey, amount: req.amount, currency: req.currency }] });
          // A repeat (the provider sends until answered) is the same event.
          const again = await env.adapter.parseWebhook(delivered, new Date());
          if (read.ok && again.ok) expect(again.events.map((e) => e.eventId)).toEqual(read.events.map((e) => e.eventId));
        });

        it('a forged notification claiming an unpaid charge confirmed is not believed', async () => {
          const { reference } = await awaitingPayment();
          const read = await env.adapter.parseWebhook(hostedScenario().forgeConfirmed(reference), new Date());
          expect(read).toEqual({ ok: true, events: [] });
          expect(env.simulator.ledger.charges()).toBe(0);
        });

        it('a forged notification claiming an expired charge confirmed gives its failure', async () => {
          const { reference } = await awaitingPayment();
          hostedScenario().chain.expire(reference);
          const read = await env.adapter.parseWebhook(hostedScenario().forgeConfirmed(reference), new Date());
          expect(read).toMatchObject({ ok: true, events: [{ type: 'authorization.failed', reference }] });
          if (read.ok) expect(read.events.some((e) => e.type === 'authorization.succeeded')).toBe(false);
        });

        it('refuses a notification naming a charge the provider does not hold, and a body that is not a notification', async () => {
          expect(await env.adapter.parseWebhook(hostedScenario().forgeConfirmed('Zz9NoSuchCharge0000'), new Date())).toMatchObject({ ok: false });
          expect(await env.adapter.parseWebhook({ headers: { 'content-type': 'application/json' }, rawBody: '{"hello":' }, new Date())).toMatchObject({ ok: false });
        });
      });
    });

    for (const method of DEBIT_METHODS) describe(`bank debit: ${method}`, () => {
      afterEach(() => env.simulator.clearWebhookFaults());

      /** A debit the provider accepted: pending, certainly, and nothing collected yet. */
      async function accepted(input: MethodScenario) {
        const req = request(input);
        const outcome = await authorize(req);
        expect(outcome, JSON.stringify(outcome)).toMatchObject({ kind: 'pending' });
        if (outcome.kind !== 'pending') throw new Error('expected a pending debit');
        expect(env.simulator.ledger.totals().captured).toBe(0);
        return { req, reference: outcome.reference };
      }

      /** The first notification the sink received that verifies and carries an event of this type about `reference`. */
      async function notified(reference: string, type: WebhookEventType) {
        let found: WebhookEvent | undefined;
        await sink.waitFor(async (delivered) => {
          const verified = await env.adapter.parseWebhook(delivered, new Date());
          found = verified.ok ? verified.events.find((e) => e.type === type && e.reference === reference) : undefined;
          if (verified.ok) {
            events.push(...verified.events);
            notifications.push(delivered.rawBody);
          }
          return found !== undefined;
        });
        return found!;
      }

      /** A debit the bank collected, by its settlement notification. */
      async function collected(input = debitScenario(method).settles) {
        const { req, reference } = await accepted(input);
        bank().advance(bank().settlesAfterMs);
        await notified(reference, 'authorization.succeeded');
        expect(env.simulator.ledger.totals().captured).toBe(req.amount);
        return { req, reference };
      }

      it('names its scenarios and the simulated bank', () => {
        expect(env.debits?.scenarios[method]).toBeDefined();
        expect(bank().settlesAfterMs).toBeGreaterThan(0);
      });

      it('accepts a debit as pending, and settles it by the bank\'s notification: collected once', async () => {
        const { req, reference } = await collected();
        expectFoundOrPending(await reconcile(req, reference), { kind: 'approved', reference, captured: true });
        expect(env.simulator.ledger.export().charges.filter((c) => c.captured > 0)).toHaveLength(1);
      });

      it('settles a debit whose notification is lost when the reconciler asks by reference, where the provider can be asked', async () => {
        env.simulator.setWebhookFault({ kind: 'drop', forever: true });
        const { req, reference } = await accepted(debitScenario(method).settles);
        expectFoundOrPending(await reconcile(req, reference), { kind: 'pending', reference });
        bank().advance(bank().settlesAfterMs);
        // Where it cannot (Adyen), its notification, retried by the provider, is the only word: never a guess.
        expectFoundOrPending(await reconcile(req, reference), { kind: 'approved', reference, captured: true });
        await env.simulator.idle();
        expect(env.simulator.ledger.totals().captured).toBe(req.amount);
      });

      it('fails a debit the bank refuses, with the taxonomy\'s flags: never cascaded, nothing collected', async () => {
        const scenario = debitScenario(method);
        const req = request(scenario.fails);
        const first = await authorize(req);
        expect(['pending', 'declined']).toContain(first.kind);
        let failed = first;
        if (first.kind === 'pending') {
          bank().advance(bank().settlesAfterMs);
          const event = await notified(first.reference, 'authorization.failed');
          expect(event.decline).toMatchObject({ reason: scenario.reason, cascade: false });
          const looked = await reconcile(req, first.reference);
          outcomes.push(looked);
          expectFoundOrPending(looked, { kind: 'declined' });
          if (looked.kind !== 'unknown') failed = looked;
        }
        if (failed.kind !== 'pending') expect(failed).toMatchObject({ kind: 'declined', decline: { reason: scenario.reason, cascade: false } });
        expect(env.simulator.ledger.totals().captured).toBe(0);
      });

      it('reports a collected debit the payer\'s bank returns, with the return code the provider gives', async () => {
        const { reference } = await collected();
        const code = method === 'sepa_debit' ? 'MD06' : 'R10';
        const reported = bank().returnDebit(reference, code);
        const returned = await notified(reference, 'debit.returned');
        expect(returned.returnCode).toBe(reported);
      });

      it('refuses a malformed account before any request: declined, the account at fault, never cascaded', async () => {
        const outcome = await authorize(request(debitScenario(method).bad));
        expect(outcome).toMatchObject({ kind: 'declined', reference: null, decline: { reason: 'invalid_account', cascade: false } });
        expect(env.simulator.ledger.requestCount()).toBe(0);
      });

      it('a lost answer is found by a sync with the request before anything is resent elsewhere: one debit', async () => {
        const req = request(debitScenario(method).settles);
        await env.simulator.setFault({ kind: 'charge_then_500' }, { times: 1, method: 'POST' });
        expect(await authorize(req)).toMatchObject({ kind: 'unknown' });
        await env.simulator.clearFault();
        const found = await resync(req);
        outcomes.push(found);
        expect(found).toMatchObject({ kind: 'pending' });
        expect(env.simulator.ledger.export().charges).toHaveLength(1);
      });

      it('a timeout is unknown; a refused connection is certain', async () => {
        await impatient.simulator.setFault({ kind: 'hang' });
        expect(await authorize(request(debitScenario(method).settles), impatient)).toMatchObject({ kind: 'unknown', reason: 'timeout' });
        await impatient.simulator.clearFault();
        await env.simulator.setFault({ kind: 'refuse_connections' });
        expect(await authorize(request(debitScenario(method).settles))).toMatchObject({ kind: 'not_processed', reason: 'connection_refused' });
      });

      it('refuses manual capture before any request: a debit cannot be held and captured later', async () => {
        expect(await authorize(request(debitScenario(method).settles, 'manual'))).toMatchObject({ kind: 'not_processed', reason: 'rejected' });
        expect(env.simulator.ledger.requestCount()).toBe(0);
      });

      it('never shows the account number in any outcome or notification', () => {
        const scenario = debitScenario(method);
        const secrets = [scenario.settles, scenario.fails].map(({ method: m }) =>
          m.type === 'sepa_debit' ? m.sepaDebit.iban.slice(4) : m.type === 'ach_debit' ? m.achDebit.accountNumber : '',
        );
        const text = JSON.stringify([outcomes, events, notifications]);
        expect(events.length).toBeGreaterThan(2);
        for (const secret of secrets) expect(text).not.toContain(secret);
      });
    });

    if (signedWebhooks) describe('webhooks', () => {
      // Every provider notifies a refund (captures are synchronous at some).
      const event = { type: 'refund.succeeded' as const, reference: 'ref_conformance_1', amount: 1234, currency: 'EUR' };

      it('verifies a genuine notification', async () => {
        const verified = await env.adapter.parseWebhook(await signer().sign(event), new Date());
        expect(verified.ok).toBe(true);
        if (!verified.ok) return;
        expect(verified.events).toHaveLength(1);
        expect(verified.events[0]).toMatchObject({ type: 'refund.succeeded', reference: event.reference, ...(signer().carriesAmounts === false ? {} : { amount: 1234, currency: 'EUR' }) });
        expect(verified.events[0]!.eventId.length).toBeGreaterThan(0);
      });

      it('refuses a tampered body', async () => {
        const forged = signer().tamper(await signer().sign(event));
        expect(await env.adapter.parseWebhook(forged, new Date())).toEqual({ ok: false, reason: 'invalid_signature' });
      });

      it('refuses a notification signed with another secret', async () => {
        const request = await signer().sign(event, { wrongSecret: true });
        expect(await env.adapter.parseWebhook(request, new Date())).toEqual({ ok: false, reason: 'invalid_signature' });
      });

      it('refuses an unsigned notification', async () => {
        const request = signer().unsigned(await signer().sign(event));
        expect(await env.adapter.parseWebhook(request, new Date())).toEqual({ ok: false, reason: 'missing_signature' });
      });

      it('refuses a stale notification where the scheme signs a timestamp', async () => {
        if (!signer().signsTimestamp) return;
        const request = await signer().sign(event, { timestamp: new Date(Date.now() - 3600_000) });
        expect(await env.adapter.parseWebhook(request, new Date())).toEqual({ ok: false, reason: 'stale' });
      });

      it('gives a replayed notification the same event id, so it can be applied once', async () => {
        const request = await signer().sign(event);
        const [a, b] = [await env.adapter.parseWebhook(request, new Date()), await env.adapter.parseWebhook(request, new Date())];
        expect(a.ok && b.ok).toBe(true);
        if (a.ok && b.ok) expect(b.events.map((e) => e.eventId)).toEqual(a.events.map((e) => e.eventId));
      });

      it('refuses a body that is not a notification', async () => {
        const verified = await env.adapter.parseWebhook({ headers: { 'content-type': 'application/json' }, rawBody: '{"hello":' }, new Date());
        expect(verified.ok).toBe(false);
      });
    });

    cardDescribe('card data', () => {
      it('never appears in any outcome', () => {
        const text = JSON.stringify(outcomes);
        expect(outcomes.length).toBeGreaterThan(10);
        const numbers = [cards().approved, cards().requiresAction, ...Object.values(cards().declines)].flatMap((s) => (s ? [s.card.number] : []));
        for (const number of numbers) expect(text).not.toContain(number);
      });
    });
  });
}
