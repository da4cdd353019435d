import { SANDBOX_TEST_CARDS } from '../../adapters/testkit/test-cards.js';
import { GaveUp, type Answer, type MerchantClient } from './merchant.js';
import { sleep } from './processes.js';
import type { Random } from './random.js';

/** One order as the merchant will run it, drawn in advance from the run's seed. */
export interface OrderPlan {
  n: number;
  /** The create's Idempotency-Key; the order's other requests derive theirs from it. */
  key: string;
  amount: number;
  currency: 'USD' | 'EUR' | 'GBP';
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
    return {
      n,
      key: `chaos-${runId}-${n}`,
      amount,
      currency: rng.pick(CURRENCIES),
      capture: rng.chance(0.5) ? 'automatic' : 'manual',
      card: cardKind === 'approve' ? rng.pick(APPROVED_CARDS) : DECLINE_CARDS[cardKind],
      cardKind,
      manual: action === 'capture_partial' ? { action, amount: Math.max(100, Math.floor(amount * (0.5 + rng.next() * 0.49))) } : { action },
      refundShares,
      replay: { create: rng.chance(0.1), operation: rng.chance(0.1), refund: rng.chance(0.1) },
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
    payment_method: { type: 'card', card: { number: plan.card, exp_month: 12, exp_year: 2031, cvc: '123' } },
    description: `chaos order ${plan.n}`,
    metadata: { chaos_order: plan.key },
  };
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
    payment = await settled(client, payment, settleWaitMs);
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
