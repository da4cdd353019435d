import type { DeclineReason } from '../../src/domain/decline.js';
import type { ApprovalMethodType, BankDebitType, GooglePayGateway, PaymentMethodType, WalletType } from '../../src/domain/payment-method.js';
import type { Capabilities, CardInput, GatewayAdapter, PaymentMethod, WebhookRequest } from './contract.js';
import { sandboxApplePayToken, sandboxGooglePayToken } from './wallet-tokens.js';
import type { SimulatorControl, WebhookSigner } from './simulator.js';

/** The fields of an authorization that pick an outcome in a provider's sandbox (a test card, or an amount). */
export interface ScenarioInput {
  card: CardInput;
  amount: number;
  currency: string;
}

/** A payment with a method other than a typed-in card (a wallet token), and the amount that goes with it. */
export interface MethodScenario {
  method: PaymentMethod;
  amount: number;
  currency: string;
}

/** One approving and one declining payment per wallet the adapter declares. */
export type WalletScenarios = Partial<Record<WalletType, { approved: MethodScenario; declined: MethodScenario }>>;

/**
 * The sandbox wallet tokens (testkit/wallet-tokens.ts) for these wallets: the approving one's
 * device number is 4242 4242 4242 4242, the declining one's 4000 0000 0000 0002 (generic decline).
 * `googlePayGateway`: the gateway a Google Pay token is made for.
 */
export function walletScenarios(
  wallets: readonly WalletType[],
  payment: { amount: number; currency: string },
  googlePayGateway?: GooglePayGateway,
): WalletScenarios {
  const scenarios: WalletScenarios = {};
  const method = (wallet: WalletType, pan: string): PaymentMethod => {
    if (wallet === 'apple_pay') return { type: 'apple_pay', applePay: sandboxApplePayToken(pan) };
    if (!googlePayGateway) throw new Error('A Google Pay scenario needs the gateway its token is made for.');
    return { type: 'google_pay', googlePay: { gateway: googlePayGateway, ...sandboxGooglePayToken(pan) } };
  };
  for (const wallet of wallets) {
    scenarios[wallet] = { approved: { ...payment, method: method(wallet, '4242424242424242') }, declined: { ...payment, method: method(wallet, '4000000000000002') } };
  }
  return scenarios;
}

export interface Scenarios {
  approved: ScenarioInput;
  /** Every decline class the provider's sandbox can produce, by canonical reason. */
  declines: Partial<Record<DeclineReason, ScenarioInput>>;
  /**
   * A card that needs 3-D Secure, where the simulator models it; required when the adapter
   * declares `threeDSecure`. The simulator's page follows `testkit/shopper.ts`'s convention.
   */
  requiresAction?: ScenarioInput;
  /** Required for every wallet the adapter declares in `paymentMethods`: conformance runs each one's flows. */
  wallets?: WalletScenarios;
}

/**
 * A method the payer approves at the provider (PayPal): the authorization answers a redirect to the
 * provider's approval page, which the suite's shopper (`testkit/shopper.ts`) approves or cancels.
 * `declined`: a payment whose completion the provider declines, for `reason`.
 */
export interface ApprovalScenario {
  approved: MethodScenario;
  declined: MethodScenario;
  reason: DeclineReason;
  /** The path under which the provider's API creates the payment: the suite's transport faults aim there. */
  createPath: string;
}

/**
 * A crypto charge on the provider's hosted page (BitPay): the payer pays on the chain, and the
 * chain, not the payer's return, decides. `chain` is the simulator's: it holds or gives the
 * confirmations, lets the payer's time run out, and pays half the amount due from the page.
 */
export interface HostedChargeScenario {
  approved: MethodScenario;
  createPath: string;
  chain: SimulatedChain;
  /** An unsigned notification, in the provider's shape, claiming the charge `reference` paid and confirmed. */
  forgeConfirmed(reference: string): WebhookRequest;
}

export interface SimulatedChain {
  /** While held, a paid charge waits for its confirmations until `confirm`. */
  holdConfirmations(held: boolean): void;
  confirm(reference: string): void;
  /** The payer's time to pay runs out. */
  expire(reference: string): void;
  /** The payer pays too little from the hosted page at `url`. */
  underpay(url: string): Promise<void>;
  /** The payer gives a refund address for the refund request `refundReference`, and the provider sends the refund. */
  giveRefundAddress(refundReference: string): void;
}

export interface ApprovalScenarios {
  paypal?: ApprovalScenario;
  crypto?: HostedChargeScenario;
}

/**
 * A bank debit scheme's accounts in the provider's sandbox: one whose debit the bank collects, one
 * it refuses at settlement (or at once, where the provider checks the account first) for `reason`,
 * and `bad`, whose details are malformed. The account numbers are what the suite looks for in
 * everything the adapter answers.
 */
export interface BankDebitScenario {
  settles: MethodScenario;
  fails: MethodScenario;
  reason: DeclineReason;
  bad: MethodScenario;
}

export type BankDebitScenarios = Partial<Record<BankDebitType, BankDebitScenario>>;

/** The simulator's bank: debits settle on its own calendar, which the suite moves on. */
export interface SimulatedBank {
  /** Moves the bank's calendar on by `ms`: debits falling due settle (or fail) and their notifications go out. */
  advance(ms: number): void;
  /** How long after it is accepted a debit has settled on that calendar. */
  readonly settlesAfterMs: number;
  /**
   * The payer's bank returns a collected debit with this scheme reason code (SEPA MD06, ACH R10).
   * Answers the return code the provider's notification will carry: the scheme's, or the provider's
   * own reason where it reports no scheme code (Stripe's dispute `reason`).
   */
  returnDebit(reference: string, reasonCode: string): string;
}

export interface ConformanceEnv {
  adapter: GatewayAdapter;
  simulator: SimulatorControl;
  /** The card scenarios (and wallets); null for an adapter that takes no cards. */
  scenarios: Scenarios | null;
  /** Required for every payer-approval method the adapter declares. */
  approvals?: ApprovalScenarios;
  /** Required for every bank debit the adapter declares. */
  debits?: { scenarios: BankDebitScenarios; bank: SimulatedBank };
  /** The signer of the provider's notifications; null where it signs none (`ConformanceTarget.webhooks`). */
  webhooks: WebhookSigner | null;
  close(): Promise<void>;
}

/**
 * One provider, as the shared conformance suite drives it: `start` runs its simulator on
 * 127.0.0.1 and an adapter (its real SDK) pointed at it, with this SDK timeout. The simulator
 * delivers its own notifications to `webhookUrl` when it has any to send.
 */
export interface ConformanceTarget {
  provider: string;
  /**
   * The methods its adapter declares (checked against its capabilities), named before it starts so
   * the suite registers their flows. Absent: a card adapter's (card and the wallets it declares).
   */
  paymentMethods?: readonly PaymentMethodType[];
  /**
   * The capabilities its adapter declares (checked against the adapter's), named before it starts
   * so the suite registers only the payer-approval flows they allow. Required with a payer-approval method.
   */
  capabilities?: Capabilities;
  /**
   * `unsigned`: the provider signs no notification, so the adapter believes none and reads the
   * payment back (BitPay's IPNs); the suite runs its read-back flows instead of the signature ones.
   */
  webhooks?: 'signed' | 'unsigned';
  start(options: { timeoutMs: number; webhookUrl: string }): Promise<ConformanceEnv>;
}
