import postgres from 'postgres';
import Stripe from 'stripe';
import { ATTEMPT_KEY_METADATA } from '../../adapters/stripe/webhooks.js';
import type { Sent } from './traffic.js';

/** One simulator's charges: its PaymentIntents that succeeded, with the attempt key each carries. */
export interface SimulatorCharges {
  gateway: string;
  charges: { id: string; attemptKey: string | null; amount: number }[];
}

export interface LedgerCheck {
  payments: number;
  succeeded: number;
  failed: number;
  /** Payments still processing or awaiting action: none should be, with no fault injected. */
  unsettled: number;
  charges: number;
  /** A payment with more than one successful charge across the simulators. */
  double_charges: number;
  /** A successful charge whose attempt key names no router attempt. */
  charges_without_payment: number;
  /** A succeeded payment without its charge, or a charge for a payment that did not succeed. */
  status_mismatches: number;
  /** The answer the client got differs from the payment as stored. */
  answer_mismatches: number;
  /** Requests answered with anything but a payment (a 5xx, a balancer error). */
  unanswered: number;
  examples: string[];
}

/** Every PaymentIntent with status `succeeded` in the simulator at `baseUrl`, through Stripe's own search API. */
export async function simulatorCharges(gateway: string, baseUrl: string, secretKey: string): Promise<SimulatorCharges> {
  const url = new URL(baseUrl);
  const stripe = new Stripe(secretKey, { host: url.hostname, port: Number(url.port), protocol: 'http', maxNetworkRetries: 0 });
  const charges: SimulatorCharges['charges'] = [];
  let page: string | undefined;
  do {
    const result = await stripe.paymentIntents.search({ query: "status:'succeeded'", limit: 100, ...(page ? { page } : {}) });
    for (const intent of result.data) charges.push({ id: intent.id, attemptKey: intent.metadata?.[ATTEMPT_KEY_METADATA] ?? null, amount: intent.amount });
    page = result.has_more && result.next_page ? result.next_page : undefined;
  } while (page);
  return { gateway, charges };
}

/**
 * The router's payments against what the simulators really charged: every succeeded payment has
 * exactly one successful charge, and it is the one the payment names; no other payment has any;
 * no charge belongs to no payment; each client got the status that was stored.
 */
export async function checkLedgers(databaseUrl: string, sent: readonly Sent[], books: readonly SimulatorCharges[]): Promise<LedgerCheck> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    // Amounts are bigint columns: read as text by the driver, compared as numbers here.
    const payments = (await sql<{ id: string; status: string; gateway_reference: string | null; amount: string }[]>`select id, status, gateway_reference, amount from payments`).map((p) => ({ ...p, amount: Number(p.amount) }));
    const attempts = await sql<{ payment_id: string; idempotency_key: string }[]>`select payment_id, idempotency_key from attempts`;
    const paymentOfKey = new Map(attempts.map((a) => [a.idempotency_key, a.payment_id]));
    const byId = new Map(payments.map((p) => [p.id, p]));
    const check: LedgerCheck = {
      payments: payments.length,
      succeeded: 0,
      failed: 0,
      unsettled: 0,
      charges: 0,
      double_charges: 0,
      charges_without_payment: 0,
      status_mismatches: 0,
      answer_mismatches: 0,
      unanswered: 0,
      examples: [],
    };
    const example = (line: string) => {
      if (check.examples.length < 10) check.examples.push(line);
    };
    const chargesOf = new Map<string, { id: string; amount: number }[]>();
    for (const book of books) {
      for (const charge of book.charges) {
        check.charges++;
        const paymentId = charge.attemptKey === null ? undefined : paymentOfKey.get(charge.attemptKey);
        if (paymentId === undefined) {
          check.charges_without_payment++;
          example(`${book.gateway} charge ${charge.id} names no router attempt`);
          continue;
        }
        chargesOf.set(paymentId, [...(chargesOf.get(paymentId) ?? []), charge]);
      }
    }
    for (const payment of payments) {
      if (payment.status === 'succeeded') check.succeeded++;
      else if (payment.status === 'failed') check.failed++;
      else check.unsettled++;
      const charges = chargesOf.get(payment.id) ?? [];
      if (charges.length > 1) {
        check.double_charges++;
        example(`${payment.id} charged ${charges.length} times`);
      }
      const charged = charges.length === 1 && charges[0]!.id === payment.gateway_reference && charges[0]!.amount === payment.amount;
      if ((payment.status === 'succeeded') !== charged || (payment.status !== 'succeeded' && charges.length > 0)) {
        check.status_mismatches++;
        example(`${payment.id} is ${payment.status} with ${charges.length} charge(s)`);
      }
    }
    for (const answer of sent) {
      if (answer.id === null) {
        check.unanswered++;
        example(`a request answered HTTP ${answer.httpStatus} without a payment`);
        continue;
      }
      if (byId.get(answer.id)?.status !== answer.status) {
        check.answer_mismatches++;
        example(`${answer.id} answered ${answer.status}, stored ${byId.get(answer.id)?.status ?? 'nothing'}`);
      }
    }
    return check;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export function ledgerClean(check: LedgerCheck): boolean {
  return (
    check.unsettled === 0 &&
    check.double_charges === 0 &&
    check.charges_without_payment === 0 &&
    check.status_mismatches === 0 &&
    check.answer_mismatches === 0 &&
    check.unanswered === 0 &&
    check.charges === check.succeeded
  );
}
