import braintree from 'braintree';
import type { BraintreeSimulator } from './index.js';

/** Shared by the simulator's tests (not a test file itself). */

export const KEYS = { merchantId: 'sim_merchant', publicKey: 'sim_public_key', privateKey: 'sim_private_key' };

export function sdkFor(sim: BraintreeSimulator, options: { timeoutMs?: number; privateKey?: string } = {}): braintree.BraintreeGateway {
  const gateway = new braintree.BraintreeGateway({
    environment: new braintree.Environment(sim.host, String(sim.port), '', false, sim.host, String(sim.port)),
    ...KEYS,
    privateKey: options.privateKey ?? KEYS.privateKey,
  });
  gateway.config.timeout = options.timeoutMs ?? 5_000;
  return gateway;
}

export const card = (number = '4111111111111111', extra: { cvv?: string } = {}) => ({ number, expirationDate: '12/2030', ...extra });

/** The rejection of `promise` (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & { type?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { type?: string };
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** Every transaction found by a search, through the SDK's stream. */
export function searchAll(gateway: braintree.BraintreeGateway, fn: braintree.TransactionSearchFn): Promise<braintree.Transaction[]> {
  return new Promise((resolve, reject) => {
    const found: braintree.Transaction[] = [];
    gateway.transaction.search(fn).on('data', (t: braintree.Transaction) => found.push(t)).on('error', reject).on('end', () => resolve(found));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
