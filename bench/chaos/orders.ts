import { completeChallenge } from '../../adapters/testkit/shopper.js';
import { SANDBOX_TEST_CARDS } from '../../adapters/testkit/test-cards.js';
import { GaveUp, type Answer, type MerchantClient } from './merchant.js';
import { sleep } from './processes.js';
import type { Random } from './random.js';

/** What pays: a card, PayPal or crypto (the payer approves or pays at the provider), or a bank debit (settled days later). */
export type OrderMethod = 'card' | 'paypal' | 'crypto' | 'sepa_debit' | 'ach_debit';

/** One order as the merchant will run it, drawn in advance from the run's seed. */
export interface OrderPlan {
  n: number;
  method: OrderMethod;
  /** PayPal and crypto: whether the payer approves (pays) at the provider, or walks away. */
  payerApproves: boolean;
  /** The create's Idempotency-Key; the order's other requests derive theirs from it. */
  key: string;
  amount: number;
  currency: (typeof CURRENCIES)[number];
  capture: 'automatic' | 'manual';
  card: string;
  cardKind: 'approve' | 'generic_decline' | 'insufficient_funds';
  /** For manual capture: what to do with the authorization. */
  manual: { action: 'capture_full' } | { action: 'capture_partial'; amount: number } | { action: 'cancel' };
  /** Partial refunds, as shares of what was captured (their sum stays below 1). */
  refundShares: number[];
  /** Deliberately resend an answered request under its key (a client that lost the answer). */
  replay: { create: boolean; operation: boolean; refund: boolean };
}

const CURRENCIES = ['USD', 'EUR', 'GBP'] as const;
/** The share of each method in the mix: cards over the four card gateways, the rest to PayPal, BitPay and GoCardless. */
const METHOD_WEIGHTS: Record<OrderMethod, number> = { card: 70, paypal: 10, crypto: 10, sepa_debit: 6, ach_debit: 4 };
/** The payer's page sends them back here (nobody listens: the client reads the redirect). */
const RETURN_URL = 'https://shop.example/chaos/back';
/** The sandbox PayPal payer whose funding pays (adapters/paypal/simulator/payers.ts). */
const PAYPAL_PAYER = 'buyer@sandbox.paypal.example';
/** The debit mandate the payer accepted at checkout (a fixed moment, so a resent create carries the same body). */
const MANDATE_ACCEPTANCE = { accepted_at: '2026-11-30T09:00:00Z', ip: '203.0.113.7', user_agent: 'Mozilla/5.0 (chaos bench)' };
const DECLINE_CARDS = { generic_decline: '4000000000000002', insufficient_funds: '4000000000009995' } as const;

export function planOrders(count: number, runId: string, rng: Random): OrderPlan[] {
  return Array.from({ length: count }, (_, i) => {
    const n = i + 1;
    // Under 2000.00 so Braintree's amount-driven declines (2000.00–2999.99) never apply.
    const amount = rng.int(500, 19_999);
    const cardKind = rng.weighted({ approve: 95, generic_decline: 3, insufficient_funds: 2 });
    const action = rng.weighted({ capture_full: 40, capture_partial: 35, cancel: 25 });
    const refunds = rng.weighted({ 0: 45, 1: 25, 2: 20, 3: 10 });
    const refundShares: number[] = [];
    let left = 0.95;
    for (let r = 0; r < Number(refunds); r++) {
      const share = Math.max(0.01, Math.round(rng.next() * (left / (Number(refunds) - r)) * 100) / 100);
      refundShares.push(share);
      left -= share;
    }
    const currency = rng.pick(CURRENCIES);
    const capture = rng.chance(0.5) ? 'automatic' : 'manual';
    const card = cardKind === 'approve' ? rng.pick(APPROVED_CARDS) : DECLINE_CARDS[cardKind];
    const manual = action === 'capture_partial' ? { action, amount: Math.max(100, Math.floor(amount * (0.5 + rng.next() * 0.49))) } : { action };
    const replay = { create: rng.chance(0.1), operation: rng.chance(0.1), refund: rng.chance(0.1) };
    const method = rng.weighted(METHOD_WEIGHTS);
    const payerApproves = rng.chance(0.95);
    return {
      n,
      method,
      payerApproves,
      key: `chaos-${runId}-${n}`,
      amount,
      // A debit is collected in its scheme's one currency, in full, at once; crypto is captured at once.
      currency: method === 'sepa_debit' ? 'EUR' : method === 'ach_debit' ? 'USD' : currency,
      capture: method === 'card' || method === 'paypal' ? capture : 'automatic',
      card,
      cardKind,
      manual,
      // BitPay keeps one refund request open per invoice (it waits for the payer's address): one refund at most.
      refundShares: method === 'crypto' ? refundShares.slice(0, 1) : refundShares,
      replay,
    };
  });
}

/**
 * The shared sandbox test cards that every simulator approves (adapters/testkit/test-cards.ts):
 * Braintree, like its real sandbox, refuses any other number (81717), and an approved card can be
 * used again and again (the network retry guard counts declines only). Amex is left out: it
 * takes a 4-digit CVC.
 */
const APPROVED_CARDS = SANDBOX_TEST_CARDS.filter((c) => c.outcome === 'approve' && c.brand !== 'amex').map((c) => c.number);

/** What the merchant saw of one order. */
export interface OrderResult {
  n: number;
  method: OrderMethod;
  paymentId: string | null;
  /** The payment's status when the client was done with it. */
  status: string | null;
  capture: OrderPlan['capture'];
  operation: 'capture_full' | 'capture_partial' | 'cancel' | null;
  refunds: { requested: number; succeeded: number; pending: number; failed: number };
  /** Unexpected answers or a request given up: the order stopped there. */
  problem: string | null;
}

export function orderBody(plan: OrderPlan) {
  return {
    amount: plan.amount,
    currency: plan.currency,
    capture_method: plan.capture,
    payment_method: paymentMethod(plan),
    ...(plan.method === 'paypal' || plan.method === 'crypto' ? { return_url: RETURN_URL } : {}),
    description: `chaos order ${plan.n}`,
    metadata: { chaos_order: plan.key },
  };
}

function paymentMethod(plan: OrderPlan) {
  switch (plan.method) {
    case 'card':
      return { type: 'card', card: { number: plan.card, exp_month: 12, exp_year: 2031, cvc: '123' } };
    case 'paypal':
      return { type: 'paypal', paypal: { email_hint: PAYPAL_PAYER } };
    case 'crypto':
      return { type: 'crypto', crypto: { currency: 'BTC' } };
    case 'sepa_debit':
      return { type: 'sepa_debit', sepa_debit: { iban: 'DE89370400440532013000', account_holder_name: 'Chaos Payer', mandate_acceptance: MANDATE_ACCEPTANCE } };
    case 'ach_debit':
      return {
        type: 'ach_debit',
        ach_debit: { routing_number: '110000000', account_number: '000123456789', account_type: 'checking', account_holder_name: 'Chaos Payer', account_holder_type: 'individual', mandate_acceptance: MANDATE_ACCEPTANCE },
      };
  }
}

/**
 * Runs one order as a merchant would: create; for a manual capture, capture (in full or in part)
 * or cancel; refund part of what was captured, several times. A payment still `processing` is
 * looked at again until it settles (or the client stops waiting); an operation whose outcome is
 * unknown is resent under its key, as the API says is safe.
 */
export async function runOrder(plan: OrderPlan, client: MerchantClient, settleWaitMs: number): Promise<OrderResult> {
  const result: OrderResult = {
    n: plan.n,
    method: plan.method,
    paymentId: null,
    status: null,
    capture: plan.capture,
    operation: null,
    refunds: { requested: 0, succeeded: 0, pending: 0, failed: 0 },
    problem: null,
  };
  try {
    const body = orderBody(plan);
    const created = await client.call('POST', '/v1/payments', body, plan.key);
    if (created.status !== 201) return stop(result, `create answered ${label(created)}`);
    let payment = created.body;
    result.paymentId = payment.id;
    if (plan.replay.create) await client.replay('/v1/payments', body, plan.key, payment);
    // A create whose answer was lost settles first; then the payer acts on the page it points to.
    payment = await settled(client, payment, settleWaitMs);
    if (payment.status === 'requires_action') payment = await settled(client, await payerStep(client, plan, payment, settleWaitMs), settleWaitMs);
    result.status = payment.status;
    if (payment.status === 'processing') return stop(result, payment.review ? 'processing, flagged for review' : 'still processing when the client stopped waiting');

    if (payment.status === 'requires_capture') {
      result.operation = plan.manual.action;
      payment = await operate(client, plan, payment, settleWaitMs);
      result.status = payment.status;
      if (payment.status === 'processing') return stop(result, `${plan.manual.action} ${payment.review ? 'processing, flagged for review' : 'still processing when the client stopped waiting'}`);
    }

    if (payment.status === 'succeeded' && payment.amount_captured > 0) {
      for (const [i, share] of plan.refundShares.entries()) {
        const amount = Math.max(1, Math.floor(payment.amount_captured * share));
        const outcome = await refund(client, plan, payment.id, i, amount);
        result.refunds.requested += 1;
        if (outcome === 'stop') break;
        result.refunds[outcome] += 1;
      }
    }
    return result;
  } catch (error) {
    if (error instanceof GaveUp) return stop(result, error.message);
    throw error;
  }
}

function stop(result: OrderResult, problem: string): OrderResult {
  result.problem = problem;
  return result;
}

function label(answer: Answer): string {
  return `${answer.status} ${answer.body?.code ?? ''}`.trim();
}

/**
 * Looks at the payment until nothing is under way (not `processing`, no operation pending), the
 * router flags it for review (a human's turn), or the wait is over.
 */
async function settled(client: MerchantClient, payment: any, waitMs: number): Promise<any> {
  const deadline = Date.now() + waitMs;
  let current = payment;
  while ((current.status === 'processing' || current.pending_operation) && !current.review && Date.now() < deadline) {
    await sleep(400 + Math.random() * 400);
    const answer = await client.call('GET', `/v1/payments/${payment.id}`);
    if (answer.status === 200) current = answer.body;
  }
  return current;
}

/**
 * The payer at the provider (PayPal's approval page, BitPay's hosted page), then the merchant: PayPal's
 * payer comes back and the merchant confirms with what they brought (resent under its key while the
 * gateway's answer is unknown); BitPay's invoice is settled by its notification or the reconciler, so
 * the client looks until the payment moves on. A payer who walks away leaves it `requires_action`,
 * for the router to fail once the action expires. A page the provider does not serve (a fault) is
 * asked again for a while.
 */
async function payerStep(client: MerchantClient, plan: OrderPlan, payment: any, settleWaitMs: number): Promise<any> {
  const url = payment.next_action?.url;
  if (typeof url !== 'string') return payment;
  let back: Awaited<ReturnType<typeof completeChallenge>> | null = null;
  for (let tries = 0; tries < 10 && back === null; tries++) {
    try {
      back = await completeChallenge(url, plan.payerApproves ? 'succeed' : 'fail');
    } catch {
      await sleep(500 + Math.random() * 500);
    }
  }
  if (back === null) return payment;
  if (plan.method === 'crypto') return plan.payerApproves ? actedOn(client, payment, settleWaitMs) : payment;
  const path = `/v1/payments/${payment.id}/confirm`;
  const body = { return_params: back.returnParams };
  for (let tries = 0; tries < 20; tries++) {
    const answer = await client.call('POST', path, body, `${plan.key}:confirm`);
    if (answer.status === 200) return answer.body;
    const code = answer.body?.code;
    if (answer.status === 502 && (code === 'gateway_outcome_unknown' || code === 'gateway_unavailable')) client.stats.retries.operation_unknown_or_unavailable += 1;
    else if (answer.status === 409 && code === 'payment_operation_in_progress') client.stats.retries.operation_in_progress += 1;
    else throw new GaveUp(`confirm answered ${label(answer)}`);
    await sleep(500 + Math.random() * 1000);
    const now = (await client.call('GET', `/v1/payments/${payment.id}`)).body;
    if (now?.status !== 'requires_action') return now;
  }
  return payment;
}

/** Looks at the payment until it is no longer waiting for the payer's action, or the wait is over. */
async function actedOn(client: MerchantClient, payment: any, waitMs: number): Promise<any> {
  const deadline = Date.now() + waitMs;
  let current = payment;
  while (current.status === 'requires_action' && Date.now() < deadline) {
    await sleep(400 + Math.random() * 400);
    const answer = await client.call('GET', `/v1/payments/${payment.id}`);
    if (answer.status === 200) current = answer.body;
  }
  return current;
}

/** Capture (in full or in part) or cancel an authorization, resending under the same key until the gateway has answered. */
async function operate(client: MerchantClient, plan: OrderPlan, payment: any, settleWaitMs: number): Promise<any> {
  const action = plan.manual.action;
  const path = `/v1/payments/${payment.id}/${action === 'cancel' ? 'cancel' : 'capture'}`;
  const body = plan.manual.action === 'capture_partial' ? { amount: plan.manual.amount } : {};
  const key = `${plan.key}:${action}`;
  let current = payment;
  for (let tries = 0; tries < 20; tries++) {
    const answer = await client.call('POST', path, body, key);
    if (answer.status === 200) {
      if (plan.replay.operation && tries === 0) await client.replay(path, body, key, answer.body);
      return settled(client, answer.body, settleWaitMs);
    }
    const code = answer.body?.code;
    if (answer.status === 502 && (code === 'gateway_outcome_unknown' || code === 'gateway_unavailable')) {
      // The API: "Retrying the same operation is safe: it carries the same gateway idempotency key."
      client.stats.retries.operation_unknown_or_unavailable += 1;
      await sleep(500 + Math.random() * 1000);
    } else if (answer.status === 409 && code === 'payment_operation_in_progress') {
      client.stats.retries.operation_in_progress += 1;
      await sleep(500 + Math.random() * 500);
    } else if (answer.status !== 409) {
      throw new GaveUp(`${action} answered ${label(answer)}`);
    }
    // Where does the payment stand now? A resumed operation may have finished meanwhile.
    current = await settled(client, (await client.call('GET', `/v1/payments/${payment.id}`)).body, settleWaitMs);
    if (current.status !== 'requires_capture') return current;
    if (answer.status === 409 && code !== 'payment_operation_in_progress') throw new GaveUp(`${action} answered ${label(answer)} while the payment is requires_capture`);
  }
  return current;
}

/** One partial refund; a refund the gateway could not be reached for is asked again under a new key. */
async function refund(client: MerchantClient, plan: OrderPlan, paymentId: string, index: number, amount: number): Promise<'succeeded' | 'pending' | 'failed' | 'stop'> {
  const path = `/v1/payments/${paymentId}/refunds`;
  const body = { amount, reason: 'requested_by_customer' };
  for (let round = 0; round < 4; round++) {
    const key = `${plan.key}:refund:${index}:${round}`;
    const answer = await client.call('POST', path, body, key);
    if (answer.status !== 201) {
      // A conflict (the amount no longer refundable) or worse: the order's refunds end here.
      if (answer.status >= 500) throw new GaveUp(`refund answered ${label(answer)}`);
      return 'stop';
    }
    if (plan.replay.refund && round === 0) await client.replay(path, body, key, answer.body);
    const status = answer.body.status as 'succeeded' | 'pending' | 'failed';
    if (status === 'failed' && answer.body.failure_code === 'gateway_unavailable') {
      client.stats.retries.refund_new_key += 1;
      await sleep(500 + Math.random() * 1000);
      continue;
    }
    return status;
  }
  return 'failed';
}
