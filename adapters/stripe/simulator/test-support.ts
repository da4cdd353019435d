import Stripe from 'stripe';
import type { StripeSimulator } from './index.js';

/** Shared by the simulator's tests (not a test file itself). */

export const TEST_KEY = 'sk_test_simulator_0123456789';

export function sdkFor(sim: StripeSimulator, options: { key?: string; timeout?: number } = {}): Stripe {
  return new Stripe(options.key ?? TEST_KEY, {
    host: sim.host,
    port: sim.port,
    protocol: 'http',
    maxNetworkRetries: 0,
    timeout: options.timeout ?? 5_000,
    telemetry: false,
  });
}

const NEXT_YEARS = new Date().getUTCFullYear() + 3;

/** payment_method_data for a raw card. The SDK's types omit `card` here (Stripe accepts raw numbers only from some accounts). */
export function cardData(
  number: string,
  card: Partial<{ exp_month: number; exp_year: number; cvc: string }> = {},
): Stripe.PaymentIntentCreateParams.PaymentMethodData {
  return {
    type: 'card',
    card: { number, exp_month: 12, exp_year: NEXT_YEARS, cvc: number.startsWith('3') ? '1234' : '123', ...card },
    billing_details: { name: 'Ada Lovelace' },
  } as unknown as Stripe.PaymentIntentCreateParams.PaymentMethodData;
}

/** The rejection of `promise` (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await promise;
  } catch (error) {
    return error as Stripe.errors.StripeError;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** A raw HTTP call, for what the SDK will not send (no key, odd headers). */
export async function rawRequest(
  sim: StripeSimulator,
  method: string,
  path: string,
  init: { body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; json: unknown; text: string }> {
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...init.headers },
    body: init.body ?? null,
    redirect: 'manual',
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: response.status, headers: response.headers, json, text };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
