import { seededRandom } from '../../src/domain/random.js';
import { weighted } from '../lib/sampling.js';
import { paymentRequest, visaNumber } from '../load/payment-request.js';

/** What the card is meant to do at the simulators: a new card approved, or one of Stripe's declining test cards. */
export type CardKind = 'approved' | 'generic_decline' | 'insufficient_funds';

/** Mostly approvals; soft declines (cascaded to the other gateway too) and a hard one. */
const MIX: readonly (readonly [CardKind, number])[] = [
  ['approved', 85],
  ['generic_decline', 10],
  ['insufficient_funds', 5],
];
const DECLINING: Record<Exclude<CardKind, 'approved'>, string> = { generic_decline: '4000000000000002', insufficient_funds: '4000000000009995' };

export interface Sent {
  kind: CardKind;
  httpStatus: number;
  /** The payment as answered (null when the answer was not a payment). */
  id: string | null;
  status: string | null;
  firstGateway: string | null;
}

/**
 * Sends `count` payments to `url`, `concurrency` at a time, each with its own idempotency key;
 * answers every one's answer. `first` numbers the approving cards, so every run's cards are new.
 */
export async function sendPayments(options: {
  url: string;
  apiKey: string;
  count: number;
  concurrency: number;
  first: number;
  seed: number;
  /** The request's own gateway order, in place of the rules' choice. */
  gateways?: readonly string[];
}): Promise<Sent[]> {
  const random = seededRandom(options.seed);
  const kinds = Array.from({ length: options.count }, () => weighted(MIX, random));
  const sent: Sent[] = [];
  let next = 0;
  async function worker(): Promise<void> {
    while (next < kinds.length) {
      const index = next++;
      const kind = kinds[index]!;
      const number = kind === 'approved' ? visaNumber(options.first + index) : DECLINING[kind];
      sent.push(await pay(options.url, options.apiKey, number, kind, options.gateways));
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return sent;
}

async function pay(url: string, apiKey: string, number: string, kind: CardKind, gateways: readonly string[] | undefined): Promise<Sent> {
  const res = await fetch(`${url}/v1/payments`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID() },
    body: JSON.stringify({ ...paymentRequest(number), ...(gateways ? { routing: { gateways } } : {}) }),
  });
  const text = await res.text();
  try {
    const body = JSON.parse(text) as { object?: string; id?: string; status?: string; decision?: { order?: string[] } };
    if (body.object !== 'payment') return { kind, httpStatus: res.status, id: null, status: null, firstGateway: null };
    return { kind, httpStatus: res.status, id: body.id ?? null, status: body.status ?? null, firstGateway: body.decision?.order?.[0] ?? null };
  } catch {
    return { kind, httpStatus: res.status, id: null, status: null, firstGateway: null };
  }
}
