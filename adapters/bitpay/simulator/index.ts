/**
 * A BitPay API simulator the official `bitpay-sdk` talks to over plain HTTP: invoices, refunds,
 * signed requests with the merchant token, the payer's hosted checkout page, unsigned IPNs in the
 * extended format, a ledger, the shared steering and faults; its state kept in a file when given
 * one. Node only. See ../README.md.
 */
import { randomBytes } from 'node:crypto';
import { KeyUtils } from 'bitpay-sdk';
import type { SimulatorControl } from '../../testkit/simulator.js';
import { readSavedSimulator, simulatorControl, webhookRetryOptions } from '../../testkit/simulator-runtime.js';
import type { RetrySchedule } from '../../testkit/webhook-schedules.js';
import { BITPAY_RETRY_SCHEDULE } from './retry-schedule.js';
import { BitPaySimulatorServer, type BitPayAccount, type SavedBitPaySimulator } from './server.js';
import type { BitPayLedger } from './state.js';

export type { BitPayAccount } from './server.js';
export type { BitPayLedger, InvoiceRecord } from './state.js';

export interface BitPaySimulatorOptions {
  /**
   * The merchant's API key (hex secp256k1 private key: `newPrivateKey()`). The simulator keeps only
   * its public key (the identity it checks signatures with), never the private key.
   */
  privateKey: string;
  /** The token paired with that key. Default: the saved one, else a new one. */
  merchantToken?: string;
  webhookUrl?: string;
  webhookRetry?: { scale?: number; schedule?: RetrySchedule; concurrency?: number };
  statePath?: string;
  host?: string;
  port?: number;
  /** The simulator's clock (invoice times and expiry). Default: the system clock. */
  now?: () => Date;
}

export interface BitPaySimulator extends SimulatorControl {
  readonly ledger: BitPayLedger;
  /** The credentials an adapter of this account uses. */
  readonly credentials: { privateKey: string; merchantToken: string };
  /** The payer's time runs out on this invoice (expired, or expired `paidPartial` after an underpayment). */
  expire(invoiceId: string): void;
  /** The payer gave a refund address and BitPay sent the refund (`success`). */
  settleRefund(refundId: string): void;
  /** While held, a paid invoice waits at `paid` (seen on the chain, not confirmed) until `confirm`. */
  holdConfirmations(held: boolean): void;
  /** The chain confirms a paid invoice (`confirmed`, or `invalid` for the steered share). */
  confirm(invoiceId: string): void;
}

/** A new API key: a secp256k1 private key, hex, as BitPay's key generator makes it. */
export function newPrivateKey(): string {
  return new KeyUtils().generate_keypair().getPrivate('hex').padStart(64, '0');
}

export async function startBitPaySimulator(options: BitPaySimulatorOptions): Promise<BitPaySimulator> {
  const statePath = options.statePath ?? null;
  const saved = await readSavedSimulator<SavedBitPaySimulator>(statePath, 'bitpay', 'BitPay');
  const { privateKey } = options;
  const keys = new KeyUtils();
  const account: BitPayAccount = {
    merchantToken: options.merchantToken ?? saved?.account.merchantToken ?? randomBytes(32).toString('base64url'),
    identity: keys.getPublicKeyFromPrivateKey(keys.load_keypair(Buffer.from(privateKey, 'hex'))),
  };
  const server = new BitPaySimulatorServer({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    account,
    webhookUrl: options.webhookUrl ?? null,
    webhookRetry: webhookRetryOptions(options.webhookRetry, BITPAY_RETRY_SCHEDULE),
    statePath,
    saved,
    now: options.now ?? (() => new Date()),
  });
  await server.runtime.listen();
  await server.runtime.save();
  return {
    ...simulatorControl(server.runtime, server),
    credentials: { privateKey, merchantToken: account.merchantToken },
    ledger: server.ledger,
    expire: (id) => server.expire(id),
    settleRefund: (id) => server.settleRefund(id),
    holdConfirmations: (held) => server.holdConfirmations(held),
    confirm: (id) => server.confirm(id),
  };
}
