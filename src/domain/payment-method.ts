/**
 * The canonical payment method: what a payment is paid with, from the API edge to the adapter.
 * One variant per method; a new method is one more variant here, one more in the API schema
 * (src/api/schemas.ts) and in the payment view, and the adapters that declare it.
 *
 * Wallet tokens are one-time cryptograms that only the gateway can decrypt (it holds the key):
 * the router passes them on untouched, keeps only the display facts the wallet shows in clear,
 * and never logs or stores the token.
 */
import type { CardBrand, CardFunding } from './card.js';

/** Raw card data: it exists only in memory between the API edge (or the vault) and the adapter call. */
export interface CardInput {
  number: string;
  expMonth: number;
  expYear: number;
  /** Null for a card from the vault, which never stores it. */
  cvc: string | null;
  holderName: string | null;
}

/**
 * Apple Pay's PKPaymentToken as the app receives it (`PKPayment.token`, JSON-decoded), EC_v1:
 * `paymentData` is encrypted with the merchant's payment-processing certificate, which must be
 * registered with every gateway that may receive it.
 */
export interface ApplePayToken {
  paymentData: {
    version: 'EC_v1';
    /** Base64 ciphertext. */
    data: string;
    /** Base64 detached PKCS #7 signature. */
    signature: string;
    header: { ephemeralPublicKey: string; publicKeyHash: string; transactionId: string; applicationData?: string };
  };
  paymentMethod: { displayName: string; network: string; type: 'debit' | 'credit' | 'prepaid' | 'store' };
  transactionIdentifier: string;
}

/** The gateways a Google Pay PAYMENT_GATEWAY token can be made for, by our provider names. */
export const GOOGLE_PAY_GATEWAYS = {
  adyen: 'adyen',
  checkoutltd: 'checkout',
} as const satisfies Record<string, string>;
export type GooglePayGateway = keyof typeof GOOGLE_PAY_GATEWAYS;

/**
 * A Google Pay `PAYMENT_GATEWAY` token (`paymentMethodData.tokenizationData.token`, ECv2) with
 * the facts the app gets in clear beside it (`paymentMethodData.info`). The token is encrypted for
 * the one gateway the merchant's tokenization specification named: only that gateway can use it.
 */
export interface GooglePayToken {
  /** `tokenizationSpecification.parameters.gateway` as the app set it. */
  gateway: GooglePayGateway;
  /** The token string, byte for byte as Google Pay returned it: JSON of {signature, intermediateSigningKey, protocolVersion, signedMessage}. */
  token: string;
  /** `info.cardNetwork` (VISA, MASTERCARD, AMEX, DISCOVER, JCB, INTERAC). */
  cardNetwork: string;
  /** `info.cardDetails`: the last four digits of the card (or its device token) as Google Pay shows them. */
  cardDetails: string;
}

/**
 * The gateways that take a wallet only as a nonce their own client SDK made in the app (Braintree's
 * `BTApplePayClient`, `GooglePayment`), never as the wallet's encrypted token, by our provider names.
 */
export const WALLET_NONCE_GATEWAYS = {
  braintree: 'braintree',
} as const satisfies Record<string, string>;
export type WalletNonceGateway = keyof typeof WALLET_NONCE_GATEWAYS;

/**
 * An Apple Pay or Google Pay payment the gateway's client SDK already took the wallet's token for:
 * a one-time nonce only that gateway can pay with, and the facts the wallet showed in clear.
 */
export interface WalletNonce {
  gateway: WalletNonceGateway;
  nonce: string;
  /** The card network as the wallet named it (Apple Pay's `Visa`, Google Pay's `VISA`). */
  cardNetwork: string;
  /** The last four digits the wallet showed; null when the app had none. */
  last4: string | null;
}

/**
 * A PayPal payment: no credentials at all. The payer logs in and approves the order at PayPal (a
 * redirect), so what the merchant may give is only a hint and how the approval page should look.
 */
export interface PayPalInput {
  /** Prefills the PayPal login (`payment_source.paypal.email_address`); the payer may use another account. */
  emailHint: string | null;
  /** `experience_context`: the merchant's name on the approval page, and its language (BCP 47, e.g. `en-US`). */
  brandName: string | null;
  locale: string | null;
  /** `NO_SHIPPING` for goods that are not shipped; `GET_FROM_FILE` lets the payer pick a PayPal address. */
  shippingPreference: 'no_shipping' | 'get_from_file';
}

/** The cryptocurrencies a crypto payment may be paid in: coins whose smallest unit (1e-8) keeps any price a safe integer. */
export const CRYPTO_CURRENCIES = ['BTC', 'BCH', 'LTC', 'DOGE'] as const;
export type CryptoCurrency = (typeof CRYPTO_CURRENCIES)[number];

/**
 * The fiat currencies a crypto payment may be priced in: those the crypto gateway prices invoices in
 * and settles (BitPay: see adapters/bitpay/README.md).
 */
export const CRYPTO_PRICE_CURRENCIES = ['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'NZD', 'CHF', 'JPY', 'MXN'] as const;

/**
 * A crypto payment: no credentials. The price is in fiat; the payer picks a coin and pays the quoted
 * amount on the provider's hosted page (a redirect), from their own wallet.
 */
export interface CryptoInput {
  /** The coin the payer means to pay with (the hosted page then offers only that one); null: the payer picks. */
  currency: CryptoCurrency | null;
}

/**
 * The shopper's authorization for a SEPA debit: the acceptance the checkout recorded (when, from
 * which address and browser), or the reference of a mandate the gateway already holds.
 */
export type MandateInput =
  | { kind: 'acceptance'; acceptedAt: Date; ip: string; userAgent: string }
  | { kind: 'existing'; reference: string };

/** A SEPA Direct Debit: the IBAN (already validated, electronic format) and who holds it. */
export interface SepaDebitInput {
  iban: string;
  accountHolderName: string;
  mandate: MandateInput;
}

/** An ACH debit on a US bank account (routing number checksum already validated). */
export interface AchDebitInput {
  routingNumber: string;
  accountNumber: string;
  accountType: 'checking' | 'savings';
  accountHolderName: string;
  accountHolderType: 'individual' | 'company';
  /** The payer's authorization of the debit (NACHA requires one; GoCardless wants the payer's IP address). */
  acceptance: Extract<MandateInput, { kind: 'acceptance' }>;
}

export type PaymentMethod =
  | { type: 'card'; card: CardInput }
  | { type: 'apple_pay'; applePay: ApplePayToken }
  | { type: 'google_pay'; googlePay: GooglePayToken }
  | { type: 'apple_pay'; walletNonce: WalletNonce }
  | { type: 'google_pay'; walletNonce: WalletNonce }
  | { type: 'paypal'; paypal: PayPalInput }
  | { type: 'crypto'; crypto: CryptoInput }
  | { type: 'sepa_debit'; sepaDebit: SepaDebitInput }
  | { type: 'ach_debit'; achDebit: AchDebitInput };

export type PaymentMethodType = PaymentMethod['type'];
/** The methods the payer approves at the provider (a redirect), with no credentials passed through us. */
export type ApprovalMethodType = 'paypal' | 'crypto';
export type WalletType = 'apple_pay' | 'google_pay';
export type WalletMethod = Extract<PaymentMethod, { type: WalletType }>;
/** A wallet payment as a nonce the gateway's client SDK made. */
export type WalletNonceMethod = Extract<PaymentMethod, { walletNonce: WalletNonce }>;
/** A wallet payment as the wallet's own token, which the gateway decrypts. */
export type WalletTokenMethod = Exclude<WalletMethod, WalletNonceMethod>;

export function isWalletNonce(method: PaymentMethod): method is WalletNonceMethod {
  return 'walletNonce' in method;
}
/** Bank debits: the gateway accepts them and says days later whether the money came (an outcome `pending`). */
export type BankDebitType = 'sepa_debit' | 'ach_debit';
export type BankDebitMethod = Extract<PaymentMethod, { type: BankDebitType }>;

export const PAYMENT_METHOD_TYPES = ['card', 'apple_pay', 'google_pay', 'paypal', 'crypto', 'sepa_debit', 'ach_debit'] as const satisfies readonly PaymentMethodType[];
export const WALLET_TYPES = ['apple_pay', 'google_pay'] as const satisfies readonly WalletType[];
export const APPROVAL_METHOD_TYPES = ['paypal', 'crypto'] as const satisfies readonly ApprovalMethodType[];
export const BANK_DEBIT_TYPES = ['sepa_debit', 'ach_debit'] as const satisfies readonly BankDebitType[];

/** Whether the payer approves this method at the provider: no card, no card network. */
export function isApprovalMethod(method: PaymentMethodType): method is ApprovalMethodType {
  return (APPROVAL_METHOD_TYPES as readonly string[]).includes(method);
}

export function isBankDebit(type: PaymentMethodType): type is BankDebitType {
  return (BANK_DEBIT_TYPES as readonly string[]).includes(type);
}

/** The one currency each bank debit scheme collects in; other methods take any currency their gateway does. */
export const DEBIT_SCHEME_CURRENCY: Readonly<Record<BankDebitType, string>> = { sepa_debit: 'EUR', ach_debit: 'USD' };

/** Whether the method can be paid in this currency at all, whatever the gateway. */
export function methodTakesCurrency(type: PaymentMethodType, currency: string): boolean {
  if (type === 'crypto') return (CRYPTO_PRICE_CURRENCIES as readonly string[]).includes(currency);
  return !isBankDebit(type) || DEBIT_SCHEME_CURRENCY[type] === currency;
}

/** Whether the method pays on a card network (a card or a wallet's card): network eligibility and BIN facts apply. */
export function onCardNetwork(type: PaymentMethodType): boolean {
  return !isBankDebit(type) && !isApprovalMethod(type);
}

/** What a payment keeps of a wallet: what the wallet itself shows the shopper, never the token. */
export interface WalletDetails {
  network: CardBrand;
  /** Last four digits of the device or funding card number, as the wallet reveals them; null when it shows none. */
  last4: string | null;
  /** Apple Pay tells the card's funding; Google Pay does not. */
  funding: CardFunding | null;
}

const NETWORKS: Readonly<Record<string, CardBrand>> = {
  visa: 'visa',
  mastercard: 'mastercard',
  amex: 'amex',
  americanexpress: 'amex',
  discover: 'discover',
  jcb: 'jcb',
  chinaunionpay: 'unionpay',
  unionpay: 'unionpay',
  maestro: 'maestro',
};

/** A wallet's network name (Apple Pay's `Visa`, `MasterCard`, `AmEx`; Google Pay's `VISA`, `MASTERCARD`) as a card brand. */
export function walletNetwork(name: string): CardBrand {
  return NETWORKS[name.toLowerCase().replace(/[\s_-]/g, '')] ?? 'unknown';
}

/** The display facts of a wallet payment method: from the clear parts only. */
export function walletDetails(method: WalletMethod): WalletDetails {
  if (isWalletNonce(method)) return { network: walletNetwork(method.walletNonce.cardNetwork), last4: method.walletNonce.last4, funding: null };
  switch (method.type) {
    case 'apple_pay': {
      const { paymentMethod } = method.applePay;
      const last4 = /(\d{4})$/.exec(paymentMethod.displayName)?.[1] ?? null;
      return { network: walletNetwork(paymentMethod.network), last4, funding: paymentMethod.type === 'store' ? null : paymentMethod.type };
    }
    case 'google_pay':
      return { network: walletNetwork(method.googlePay.cardNetwork), last4: /^\d{4}$/.test(method.googlePay.cardDetails) ? method.googlePay.cardDetails : null, funding: null };
  }
}

/**
 * The providers that can use this payment method's token or nonce at all, or null for any provider
 * that declares the method (and takes wallet tokens: see `takesWalletTokens`). A Google Pay token
 * is encrypted for one gateway, a nonce made by one gateway's client SDK; an Apple Pay token for
 * the merchant's certificate, which the merchant registers with each gateway it uses.
 */
export function tokenProviders(method: PaymentMethod): readonly string[] | null {
  if (isWalletNonce(method)) return [WALLET_NONCE_GATEWAYS[method.walletNonce.gateway]];
  return method.type === 'google_pay' ? [GOOGLE_PAY_GATEWAYS[method.googlePay.gateway]] : null;
}

/** Whether a provider can take a wallet's own token, not only a nonce its client SDK made. */
export function takesWalletTokens(provider: string): boolean {
  return !(Object.values(WALLET_NONCE_GATEWAYS) as string[]).includes(provider);
}
