import { decide, health, timeUntil } from './api.js';
import type { Instance } from './cluster.js';
import { sendPayments, type Sent } from './traffic.js';

export interface InstanceView {
  breaker: string;
  /** The dead gateway's learned success rate before the outage, and at the end. */
  success_rate_before: number;
  success_rate_after: number;
  /** Decisions (for fresh cards) that put the dead gateway first, out of `decisions`, at the end. */
  dead_first: number;
  decisions: number;
}

export interface OutageResult {
  dead_gateway: string;
  /** Payments through the first instance alone, routed by its rules, until it had learned: its decisions put the dead gateway first at most 10 % of the time (or its breaker opened). */
  payments_to_learn: number;
  /** Per other instance, ms until its estimate of the dead gateway agreed with the first's to 0.01 (null: not within the wait). */
  estimate_agreed_after_ms: (number | null)[];
  /** Payments through the first instance, asking for the dead gateway first, until its breaker opened. */
  payments_to_open: number;
  /** Per other instance, ms from the first instance's breaker opening until it saw it open too (null: not within the wait). */
  breaker_seen_after_ms: (number | null)[];
  views: InstanceView[];
  /** Payments through the balancer at the end whose decision put the dead gateway first. */
  after: { payments: number; dead_first: number; succeeded: number };
  sent: Sent[];
}

const WAIT_MS = 5_000;
const DECISIONS = 20;

/**
 * A gateway goes down (`kill`). Payments go through the first instance only, as its rules route
 * them, until its learner has moved its decisions off the dead gateway; every other instance,
 * which has not called the gateway since, must agree on the estimate. Then payments through the
 * first instance ask for the dead gateway first until its breaker opens, and the others must see
 * it open; at the end the balancer's payments and every instance's decisions avoid it.
 */
export async function outageLearnedEverywhere(options: {
  instances: readonly Instance[];
  balancerUrl: string;
  apiKey: string;
  dead: string;
  alive: string;
  kill: () => Promise<void>;
  first: number;
}): Promise<OutageResult> {
  const [learner, ...others] = options.instances;
  const estimate = async (instance: Instance) => (await health(instance.url, options.apiKey)).get(options.dead)!.success_rate.probability;
  const breaker = async (instance: Instance) => (await health(instance.url, options.apiKey)).get(options.dead)!.breaker.state;
  let decisionCounter = 8e10;
  const deadFirst = async (instance: Instance) => {
    let count = 0;
    for (let i = 0; i < DECISIONS; i++) if ((await decide(instance.url, options.apiKey, decisionCounter++)).order[0] === options.dead) count++;
    return count;
  };
  const before = await Promise.all(options.instances.map(estimate));
  await options.kill();
  const sent: Sent[] = [];
  let counter = options.first;
  const send = async (url: string, count: number, gateways?: readonly string[]) => {
    const batch = await sendPayments({ url, apiKey: options.apiKey, count, concurrency: 4, first: counter, seed: counter, gateways });
    counter += count;
    sent.push(...batch);
    return batch;
  };

  while ((await breaker(learner!)) !== 'open' && (await deadFirst(learner!)) > DECISIONS / 10) {
    if (sent.length >= 400) throw new Error(`the first instance still routed to ${options.dead} after 400 payments`);
    await send(learner!.url, 8);
  }
  const paymentsToLearn = sent.length;
  const learned = await estimate(learner!);
  const agreed = await Promise.all(others.map((instance) => timeUntil(WAIT_MS, async () => Math.abs((await estimate(instance)) - learned) <= 0.01)));

  while ((await breaker(learner!)) !== 'open') {
    if (sent.length - paymentsToLearn >= 100) throw new Error(`the first instance's breaker for ${options.dead} did not open after 100 payments sent to it first`);
    await send(learner!.url, 4, [options.dead, options.alive]);
  }
  const paymentsToOpen = sent.length - paymentsToLearn;
  const seen = await Promise.all(others.map((instance) => timeUntil(WAIT_MS, async () => (await breaker(instance)) === 'open')));

  const after = await send(options.balancerUrl, 4 * options.instances.length);
  const views = await Promise.all(
    options.instances.map(async (instance, index): Promise<InstanceView> => ({
      breaker: await breaker(instance),
      success_rate_before: before[index]!,
      success_rate_after: await estimate(instance),
      dead_first: await deadFirst(instance),
      decisions: DECISIONS,
    })),
  );
  return {
    dead_gateway: options.dead,
    payments_to_learn: paymentsToLearn,
    estimate_agreed_after_ms: agreed.map((ms) => (ms === null ? null : Math.round(ms))),
    payments_to_open: paymentsToOpen,
    breaker_seen_after_ms: seen.map((ms) => (ms === null ? null : Math.round(ms))),
    views,
    after: { payments: after.length, dead_first: after.filter((s) => s.firstGateway === options.dead).length, succeeded: after.filter((s) => s.status === 'succeeded').length },
    sent,
  };
}
