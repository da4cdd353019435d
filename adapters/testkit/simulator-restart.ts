import { expect } from 'vitest';
import type { WebhookRequest } from './contract.js';
import type { SimulatorControl } from './simulator.js';
import type { WebhookSink } from './webhook-sink.js';

export interface UndeliveredWebhookRestart<Simulator extends SimulatorControl> {
  /** The receiver: it refuses every delivery before the restart. */
  sink: WebhookSink;
  /** Starts the simulator on its state file, sending to `sink` on a fast retry schedule. */
  start: () => Promise<Simulator>;
  /** Makes the one payment whose notifications cannot be delivered; answers its provider reference. */
  pay: (simulator: Simulator) => Promise<string | null>;
  /** The provider's types of its notifications (Stripe event type, Adyen eventCode, Braintree kind). */
  eventTypes: readonly string[];
  /** The adapter's verification of a delivered notification. */
  verify: (simulator: Simulator, request: WebhookRequest) => Promise<unknown>;
  /** More checks on the restarted simulator, before it closes. */
  andThen?: (simulator: Simulator, reference: string | null) => Promise<void> | void;
}

/**
 * A simulator restarted from its state file goes on retrying the notifications it could not deliver
 * before: each delivered once, about the payment, and genuine to the adapter.
 */
export async function expectUndeliveredWebhookResumedAfterRestart<Simulator extends SimulatorControl>(test: UndeliveredWebhookRestart<Simulator>): Promise<void> {
  const { sink } = test;
  sink.failNext(1000);
  const first = await test.start();
  const reference = await test.pay(first);
  for (let i = 0; i < 500 && !first.webhookDeliveries().some((d) => d.attempts.length >= 2); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  await first.close();
  expect(sink.received).toHaveLength(0);

  sink.failNext(0);
  const second = await test.start();
  try {
    await second.idle();
    const deliveries = second.webhookDeliveries().map(({ type, state, reference }) => ({ type, state, reference }));
    expect(deliveries.sort((a, b) => a.type.localeCompare(b.type))).toEqual([...test.eventTypes].sort().map((type) => ({ type, state: 'delivered', reference })));
    expect(sink.received).toHaveLength(test.eventTypes.length);
    for (const request of sink.received) expect(await test.verify(second, request)).toMatchObject({ ok: true });
    await test.andThen?.(second, reference);
  } finally {
    await second.close();
  }
}
