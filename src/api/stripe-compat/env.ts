import type { AppEnv } from '../env.js';
import type { Params } from './params.js';

/** The canonical API's request variables (key, merchant, request id, Idempotency-Key), and the decoded Stripe parameters. */
export type StripeEnv = { Variables: AppEnv['Variables'] & { params: Params; livemode: boolean } };
