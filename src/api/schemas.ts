import { z } from '@hono/zod-openapi';
import { cardBrand, isExpired, luhnValid, validCardLength } from '../domain/card.js';
import { Problem } from '../domain/problem.js';
import { isCurrency, maxAmountMinor, validateAmount } from '../domain/currency.js';
import { PAYMENT_STATUSES } from '../domain/payment.js';
import { CRYPTO_CURRENCIES, CRYPTO_PRICE_CURRENCIES, DEBIT_SCHEME_CURRENCY, GOOGLE_PAY_GATEWAYS, isBankDebit, methodTakesCurrency, WALLET_NONCE_GATEWAYS, type GooglePayGateway, type WalletNonceGateway } from '../domain/payment-method.js';
import { parseIban, validRoutingNumber, validUsAccountNumber } from '../domain/bank-account.js';

/**
 * Request schemas validate at the edge and generate the OpenAPI document. A custom issue
 * carries its stable error code in `params.code`; messages never repeat the input.
 */
export const issueCode = (code: string) => ({ code });

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

// \p{Cc}: C0 controls (NUL included), DEL and C1 controls; \p{Cs} with the u flag: only a surrogate without its pair.
const SINGLE_LINE_FORBIDDEN = /[\p{Cc}\p{Cs}]/u;
const MULTILINE_FORBIDDEN = /(?![\t\n\r])\p{Cc}|\p{Cs}/u;

/**
 * Text we can store, log and hand to a gateway SDK: well-formed UTF-16 (a lone surrogate cannot
 * be encoded as UTF-8) without control characters. Single-line fields allow none of them;
 * multiline ones allow tab and line breaks.
 */
export const text = (options: { multiline?: boolean } = {}) => {
  const forbidden = options.multiline ? MULTILINE_FORBIDDEN : SINGLE_LINE_FORBIDDEN;
  const message = options.multiline
    ? 'Text may not contain control characters other than tab and line breaks, nor unpaired UTF-16 surrogates.'
    : 'Text may not contain control characters (line breaks included) nor unpaired UTF-16 surrogates.';
  return z.string().superRefine((value, ctx) => {
    if (forbidden.test(value)) ctx.addIssue({ code: 'custom', message, params: issueCode('invalid_text') });
  });
};

const MetadataKey = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'Metadata keys may use letters, digits and _ . : - only.')
  .refine((key) => !FORBIDDEN_KEYS.has(key), 'This metadata key is reserved.');

/** zod drops a `__proto__` key silently; a hostile key must be refused out loud instead. */
const refuseProtoKey = (value: unknown, ctx: z.RefinementCtx) => {
  if (typeof value === 'object' && value !== null && Object.hasOwn(value, '__proto__')) {
    ctx.addIssue({ code: 'custom', path: ['__proto__'], message: 'This metadata key is reserved.', params: issueCode('invalid_metadata_key') });
  }
  return value;
};

export const Metadata = z
  .preprocess(refuseProtoKey, z.record(MetadataKey, text().max(500)))
  .refine((value) => Object.keys(value).length <= 50, { message: 'At most 50 metadata keys are allowed.', params: issueCode('too_many_metadata_keys') })
  .openapi({ description: 'Up to 50 string pairs; keys up to 40 characters, values up to 500.', example: { order_id: '6735' } });

export const Currency = z
  .string()
  .superRefine((value, ctx) => {
    if (!isCurrency(value)) {
      ctx.addIssue({ code: 'custom', message: 'currency must be an active ISO 4217 code in upper case, such as USD.', params: issueCode('unsupported_currency') });
    }
  })
  .openapi({ example: 'USD', description: 'ISO 4217 code, upper case.' });

export const Card = z
  .strictObject({
    number: z.string().openapi({ example: '4242424242424242' }),
    exp_month: z.number().int().min(1).max(12).openapi({ example: 12 }),
    exp_year: z.number().int().min(2000).max(2100).openapi({ example: 2030 }),
    cvc: z.string().regex(/^\d{3,4}$/, 'cvc must be 3 or 4 digits.').openapi({ example: '123' }),
    holder_name: text().min(1).max(200).optional(),
  })
  .superRefine((card, ctx) => {
    const digits = card.number;
    if (!/^\d{12,19}$/.test(digits) || !luhnValid(digits) || !validCardLength(digits, cardBrand(digits))) {
      ctx.addIssue({ code: 'custom', path: ['number'], message: 'The card number is not a valid card number.', params: issueCode('invalid_card_number') });
    } else if (card.cvc.length !== (cardBrand(digits) === 'amex' ? 4 : 3)) {
      ctx.addIssue({ code: 'custom', path: ['cvc'], message: 'The security code has the wrong length for this card brand.', params: issueCode('invalid_cvc') });
    }
  });

export const CARD_EXPIRED_MESSAGE = 'The card has expired.';

/**
 * Refuses a card past its expiry as a schema refuses a bad field (`param` names its exp_year). Not
 * part of the card schemas: they have no clock, and expiry is judged by the app's, which a sandbox moves.
 */
export function refuseExpiredCard(card: { exp_month: number; exp_year: number }, now: Date, param: string): void {
  if (isExpired(card.exp_month, card.exp_year, now)) {
    throw new Problem({ status: 400, code: 'card_expired', title: 'Invalid request', detail: CARD_EXPIRED_MESSAGE, param });
  }
}

const Base64 = (max: number) => z.string().min(1).max(max).regex(/^[A-Za-z0-9+/]+={0,2}$/, 'Expected base64 text.');

/** Apple Pay's PKPaymentToken (`PKPayment.token`) as the app receives it, JSON-decoded; EC_v1. */
export const ApplePayTokenSchema = z
  .strictObject({
    paymentData: z.strictObject({
      version: z.literal('EC_v1'),
      data: Base64(16_384),
      signature: Base64(16_384),
      header: z.strictObject({
        ephemeralPublicKey: Base64(1024),
        publicKeyHash: Base64(128),
        transactionId: z.string().regex(/^[0-9a-fA-F]{1,128}$/, 'transactionId is hexadecimal.'),
        applicationData: z.string().regex(/^[0-9a-fA-F]{0,128}$/, 'applicationData is hexadecimal.').optional(),
      }),
    }),
    paymentMethod: z.strictObject({
      displayName: text().min(1).max(100),
      network: z.string().regex(/^[A-Za-z]{2,30}$/, 'network is a payment network name such as Visa.'),
      type: z.enum(['debit', 'credit', 'prepaid', 'store']),
    }),
    transactionIdentifier: z.string().regex(/^[0-9a-fA-F]{1,128}$/, 'transactionIdentifier is hexadecimal.'),
  })
  .openapi('ApplePayToken', { description: 'The PKPaymentToken as the app received it (paymentData encrypted for the merchant\'s Apple Pay payment-processing certificate, which each gateway that may receive it must hold).' });

const GooglePayTokenString = z
  .string()
  .max(16_384)
  .superRefine((value, ctx) => {
    if (!isGooglePayToken(value)) {
      ctx.addIssue({
        code: 'custom',
        message: 'token must be the Google Pay tokenizationData.token string: JSON with signature, intermediateSigningKey {signedKey, signatures}, protocolVersion ECv2 and signedMessage.',
        params: issueCode('invalid_wallet_token'),
      });
    }
  });

const NONCE_GATEWAYS = Object.keys(WALLET_NONCE_GATEWAYS) as [WalletNonceGateway, ...WalletNonceGateway[]];
const isNonceGateway = (gateway: string): gateway is WalletNonceGateway => (NONCE_GATEWAYS as string[]).includes(gateway);

/** A payment method nonce as Braintree's client SDKs make them (a UUID, or a sandbox `fake-…-nonce`). */
const WalletNonceString = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,128}$/, 'nonce is the nonce the gateway\'s client SDK made: 8 to 128 letters, digits, _ or -.')
  .openapi({ description: 'The one-time payment method nonce the gateway\'s client SDK made of the wallet\'s token in the app (Braintree: `BTApplePayClient`, `GooglePayment`); never stored.' });

const walletIssue = (ctx: z.RefinementCtx, path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message, params: issueCode('invalid_wallet_token') });

export const GooglePayTokenSchema = z
  .strictObject({
    gateway: z
      .enum([...(Object.keys(GOOGLE_PAY_GATEWAYS) as GooglePayGateway[]), ...NONCE_GATEWAYS] as [GooglePayGateway | WalletNonceGateway, ...(GooglePayGateway | WalletNonceGateway)[]])
      .openapi({ description: 'The `gateway` the app\'s tokenizationSpecification named (the token is encrypted for that gateway only), or `braintree` for a nonce Braintree\'s client SDK made: routing sends either nowhere else.' }),
    token: GooglePayTokenString.optional().openapi({ description: 'paymentMethodData.tokenizationData.token; with any gateway but `braintree`.' }),
    nonce: WalletNonceString.optional(),
    card_network: z.enum(['VISA', 'MASTERCARD', 'AMEX', 'DISCOVER', 'JCB', 'INTERAC']).openapi({ description: 'paymentMethodData.info.cardNetwork' }),
    card_details: z.string().regex(/^\d{4}$/, 'card_details is the four digits Google Pay shows.').openapi({ description: 'paymentMethodData.info.cardDetails' }),
  })
  .superRefine((value, ctx) => {
    const nonce = isNonceGateway(value.gateway);
    if (nonce && value.token !== undefined) walletIssue(ctx, 'token', `token is for the gateways Google Pay encrypts for; ${value.gateway} takes the nonce its client SDK made.`);
    else if (nonce && value.nonce === undefined) walletIssue(ctx, 'nonce', `nonce is required with gateway ${value.gateway}.`);
    else if (!nonce && value.nonce !== undefined) walletIssue(ctx, 'nonce', `nonce goes only with a gateway whose client SDK makes one (${NONCE_GATEWAYS.join(', ')}).`);
    else if (!nonce && value.token === undefined) walletIssue(ctx, 'token', `token is required with gateway ${value.gateway}.`);
  })
  .openapi('GooglePayToken');

/** Apple Pay: the PKPaymentToken, or a nonce a gateway's client SDK made of it. */
export const ApplePayInputSchema = z
  .strictObject({
    token: ApplePayTokenSchema.optional(),
    gateway: z.enum(NONCE_GATEWAYS).optional().openapi({ description: 'With `nonce`: the gateway whose client SDK made it; routing sends it nowhere else.' }),
    nonce: WalletNonceString.optional(),
    card_network: z.string().regex(/^[A-Za-z][A-Za-z ]{1,29}$/, 'card_network is a payment network name such as Visa.').optional().openapi({ description: 'With `nonce`: PKPaymentMethod.network (Visa, MasterCard, AmEx…).' }),
    card_details: z.string().regex(/^\d{4}$/, 'card_details is the last four digits the wallet shows.').optional().openapi({ description: 'With `nonce`, optional: the last four digits PKPaymentMethod.displayName shows.' }),
  })
  .superRefine((value, ctx) => {
    if (value.token !== undefined) {
      const extra = (['gateway', 'nonce', 'card_network', 'card_details'] as const).find((key) => value[key] !== undefined);
      if (extra) walletIssue(ctx, extra, `${extra} goes with a nonce, not with token.`);
      return;
    }
    if (value.nonce === undefined) walletIssue(ctx, 'token', 'token (the PKPaymentToken) is required, or gateway, nonce and card_network for a nonce a gateway\'s client SDK made.');
    else if (value.gateway === undefined) walletIssue(ctx, 'gateway', 'gateway is required with nonce: the gateway whose client SDK made it.');
    else if (value.card_network === undefined) walletIssue(ctx, 'card_network', 'card_network is required with nonce.');
  })
  .openapi('ApplePayInput');

const IBAN_MESSAGES = {
  invalid_iban: 'iban is not a valid IBAN (its format or check digits are wrong).',
  iban_country_not_sepa: "iban belongs to a country outside the SEPA scheme.",
} as const;

const IpAddress = z.union([z.ipv4(), z.ipv6()]);

/** The shopper accepting the mandate at checkout: when, from where, with which browser (kept by the gateway as the mandate's proof). */
export const MandateAcceptance = z
  .strictObject({
    accepted_at: z.iso.datetime({ offset: true }).openapi({ example: '2026-11-30T15:04:05Z' }),
    ip: IpAddress.openapi({ example: '203.0.113.7' }),
    user_agent: text().min(1).max(500),
  })
  .openapi('MandateAcceptance');

export const SepaDebitSchema = z
  .strictObject({
    iban: z.string().max(42).openapi({ example: 'DE89370400440532013000', description: 'Spaces allowed; never stored or echoed: the payment keeps its country, bank code and last four characters.' }),
    account_holder_name: text().min(1).max(140),
    mandate_acceptance: MandateAcceptance.optional(),
    mandate: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'mandate is a mandate reference of letters, digits, _ and -.').optional().openapi({ description: "A mandate the gateway already holds (GoCardless `MD…`): no new acceptance is needed." }),
  })
  .superRefine((value, ctx) => {
    const parsed = parseIban(value.iban);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', path: ['iban'], message: IBAN_MESSAGES[parsed.problem], params: issueCode(parsed.problem) });
    if ((value.mandate_acceptance === undefined) === (value.mandate === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['mandate_acceptance'], message: 'Give either mandate_acceptance (the shopper accepted a new mandate) or mandate (an existing one), not both.', params: issueCode('mandate_required') });
    }
  })
  .openapi('SepaDebit');

export const AchDebitSchema = z
  .strictObject({
    routing_number: z.string().max(9).openapi({ example: '110000000' }),
    account_number: z.string().max(17).openapi({ example: '000123456789', description: 'Never stored or echoed: the payment keeps the last four digits.' }),
    account_type: z.enum(['checking', 'savings']),
    account_holder_name: text().min(1).max(140),
    account_holder_type: z.enum(['individual', 'company']),
    mandate_acceptance: MandateAcceptance,
  })
  .superRefine((value, ctx) => {
    if (!validRoutingNumber(value.routing_number)) {
      ctx.addIssue({ code: 'custom', path: ['routing_number'], message: 'routing_number is not a valid ABA routing number (nine digits with a valid checksum).', params: issueCode('invalid_routing_number') });
    }
    if (!validUsAccountNumber(value.account_number)) {
      ctx.addIssue({ code: 'custom', path: ['account_number'], message: 'account_number must be 4 to 17 digits.', params: issueCode('invalid_account_number') });
    }
  })
  .openapi('AchDebit');

export const PaymentMethodId = z.string().regex(/^pm_[0-9A-Z]{26}$/, 'Payment method ids look like pm_ followed by 26 letters and digits.').openapi({ example: 'pm_01JD0000000000000000000000' });
export const PlanId = z.string().regex(/^plan_[0-9A-Z]{26}$/, 'Plan ids look like plan_ followed by 26 letters and digits.').openapi({ example: 'plan_01JD0000000000000000000000' });
export const SubscriptionId = z.string().regex(/^sub_[0-9A-Z]{26}$/, 'Subscription ids look like sub_ followed by 26 letters and digits.').openapi({ example: 'sub_01JD0000000000000000000000' });
export const InvoiceId = z.string().regex(/^in_[0-9A-Z]{26}$/, 'Invoice ids look like in_ followed by 26 letters and digits.').openapi({ example: 'in_01JD0000000000000000000000' });
export const CustomerId = z.string().regex(/^cus_[0-9A-Z]{26}$/, 'Customer ids look like cus_ followed by 26 letters and digits.').openapi({ example: 'cus_01JD0000000000000000000000' });

/** What a PayPal payment may say about the approval page: never a credential (the payer logs in at PayPal). */
const PayPalInputSchema = z
  .strictObject({
    email_hint: z.email().max(254).optional().openapi({ description: 'Prefills the PayPal login; the payer may use another account.' }),
    brand_name: text().min(1).max(127).optional().openapi({ description: 'The merchant\'s name on the approval page.' }),
    locale: z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'locale must be a BCP 47 tag such as en-US.').optional(),
    shipping_preference: z.enum(['no_shipping', 'get_from_file']).default('no_shipping'),
  })
  .openapi('PayPalInput');

/** What a crypto payment may say: the coin the payer means to pay with, or nothing (the payer picks on the hosted page). */
const CryptoInputSchema = z
  .strictObject({
    currency: z.enum(CRYPTO_CURRENCIES).optional().openapi({ description: 'The coin the payer pays with; omitted: the payer picks one on the hosted page.' }),
  })
  .openapi('CryptoInput');

export const CreatePaymentBody = z
  .strictObject({
    amount: z.number().openapi({ example: 1999, description: 'Positive integer in the currency\'s minor unit.' }),
    currency: Currency,
    capture_method: z.enum(['automatic', 'manual']).default('automatic'),
    payment_method: z
      .union([
        z.discriminatedUnion('type', [
          z.strictObject({ type: z.literal('card'), card: Card }),
          z.strictObject({ type: z.literal('apple_pay'), apple_pay: ApplePayInputSchema }),
          z.strictObject({ type: z.literal('google_pay'), google_pay: GooglePayTokenSchema }),
          z.strictObject({ type: z.literal('paypal'), paypal: PayPalInputSchema.optional() }),
          z.strictObject({ type: z.literal('crypto'), crypto: CryptoInputSchema.optional() }),
          z.strictObject({ type: z.literal('sepa_debit'), sepa_debit: SepaDebitSchema }),
          z.strictObject({ type: z.literal('ach_debit'), ach_debit: AchDebitSchema }),
        ]),
        PaymentMethodId,
      ])
      .optional()
      .openapi({ description: 'A card, a wallet token (Apple Pay, Google Pay: passed to the gateway as the wallet made it, never stored) or a nonce a gateway\'s client SDK made of one (Braintree), PayPal (no credentials: the payer approves at PayPal through `next_action`), crypto (priced in `currency`; the payer pays the quoted coin amount on the provider\'s hosted page through `next_action`), a bank debit (SEPA in EUR, ACH in USD: the payment stays `processing` until the bank settles it, days later), or a saved card (`pm_…`, no card data). Omitted: the default card of `customer`.' }),
    customer: z
      .union([
        z.strictObject({
          id: text().min(1).max(255).optional(),
          email: z.email().max(254).optional(),
          country: z.string().regex(/^[A-Z]{2}$/, 'country must be an ISO 3166-1 alpha-2 code in upper case.').optional(),
        }),
        CustomerId,
      ])
      .optional()
      .openapi({ description: 'A saved customer (`cus_…`), whose card pays; or who the shopper is, for this payment only.' }),
    description: text().max(1000).optional(),
    metadata: Metadata.optional(),
    initiator: z.enum(['customer', 'merchant']).default('customer').openapi({ description: 'Who started the payment: the customer (checkout) or the merchant (a renewal).' }),
    return_url: z
      .string()
      .max(2048)
      .superRefine((value, ctx) => {
        if (!isWebUrl(value)) {
          ctx.addIssue({ code: 'custom', message: 'return_url must be an absolute http or https URL in printable ASCII, without credentials.', params: issueCode('invalid_return_url') });
        }
      })
      .optional()
      .openapi({ description: 'Where the shopper comes back after a redirect (3-D Secure); the gateway account\'s default otherwise.', example: 'https://shop.example/checkout/return' }),
    three_d_secure: z
      .enum(['automatic', 'required'])
      .default('automatic')
      .openapi({ description: '`required`: ask for 3-D Secure, and route only to gateways that can run it; `automatic`: the gateway and issuer decide.' }),
    routing: z
      .strictObject({
        gateways: z.array(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'Gateway account names are lower-case slugs.')).min(1).max(10),
      })
      .optional()
      .openapi({ description: 'Gateway account names to try in this order instead of the routing rules (still subject to eligibility).' }),
  })
  .superRefine((body, ctx) => {
    if (body.payment_method === undefined && typeof body.customer !== 'string') {
      ctx.addIssue({ code: 'custom', path: ['payment_method'], message: 'payment_method is required, unless a saved customer (cus_…) pays with its default card.', params: issueCode('payment_method_required') });
    }
    const method = body.payment_method;
    if (typeof method === 'object' && isBankDebit(method.type)) {
      if (!methodTakesCurrency(method.type, body.currency)) {
        ctx.addIssue({ code: 'custom', path: ['currency'], message: `A ${method.type} payment is collected in ${DEBIT_SCHEME_CURRENCY[method.type]}.`, params: issueCode('currency_not_supported_by_method') });
      }
      if (body.capture_method !== 'automatic') {
        ctx.addIssue({ code: 'custom', path: ['capture_method'], message: 'A bank debit cannot be authorized now and captured later: capture_method must be automatic.', params: issueCode('capture_method_not_supported') });
      }
    }
    if (typeof method === 'object' && method.type === 'crypto') {
      if (!methodTakesCurrency('crypto', body.currency)) {
        ctx.addIssue({ code: 'custom', path: ['currency'], message: `A crypto payment is priced in one of ${CRYPTO_PRICE_CURRENCIES.join(', ')}.`, params: issueCode('currency_not_supported_by_method') });
      }
      if (body.capture_method !== 'automatic') {
        ctx.addIssue({ code: 'custom', path: ['capture_method'], message: 'A crypto payment is final once paid: capture_method must be automatic.', params: issueCode('capture_method_not_supported') });
      }
    }
    if (!isCurrency(body.currency)) return;
    const check = validateAmount(body.amount, body.currency);
    if (!check.ok) {
      const message = {
        not_integer: 'amount must be an integer number of minor units.',
        not_positive: 'amount must be greater than zero.',
        too_large: `amount must be at most ${maxAmountMinor(body.currency)} for ${body.currency}.`,
        unknown_currency: 'currency is not supported.',
      }[check.reason];
      ctx.addIssue({ code: 'custom', path: ['amount'], message, params: issueCode(check.reason === 'too_large' ? 'amount_too_large' : 'invalid_amount') });
    }
  })
  .openapi('CreatePayment');

const OptionalAmount = z.number().optional().openapi({ description: 'Minor units; defaults to the whole remaining amount.' });

const checkOptionalAmount = (body: { amount?: number | undefined }, ctx: z.RefinementCtx) => {
  if (body.amount !== undefined && (!Number.isSafeInteger(body.amount) || body.amount <= 0)) {
    ctx.addIssue({ code: 'custom', path: ['amount'], message: 'amount must be a positive integer number of minor units.', params: issueCode('invalid_amount') });
  }
};

/** An absolute http(s) URL in printable ASCII (other characters percent-encoded) that names no user or password. */
export function isWebUrl(value: string): boolean {
  if (!/^[\x21-\x7e]+$/.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

export const CaptureBody = z.strictObject({ amount: OptionalAmount }).superRefine(checkOptionalAmount).openapi('CapturePayment');
export const CancelBody = z.strictObject({}).openapi('CancelPayment');
export const CreateRefundBody = z
  .strictObject({
    amount: OptionalAmount,
    reason: z.enum(['requested_by_customer', 'duplicate', 'fraudulent']).optional(),
    metadata: Metadata.optional(),
  })
  .superRefine(checkOptionalAmount)
  .openapi('CreateRefund');

export const ConfirmBody = z
  .strictObject({
    return_params: z
      .preprocess(refuseProtoKey, z.record(z.string().min(1).max(100), text().max(4096)))
      .refine((value) => Object.keys(value).length <= 20, { message: 'At most 20 return parameters are allowed.', params: issueCode('too_many_return_params') })
      .optional()
      .openapi({ description: 'The query parameters the shopper came back to return_url with (for Adyen, redirectResult).', example: { redirectResult: 'X6XtfGC3!Y…' } }),
  })
  .openapi('ConfirmPayment');

export const PaymentIdParam = z.object({
  id: z
    .string()
    .regex(/^pay_[0-9A-Za-z]{1,60}$/, 'Payment ids look like pay_ followed by letters and digits.')
    .openapi({ param: { name: 'id', in: 'path' }, example: 'pay_01JD0000000000000000000000' }),
});

export const ListPaymentsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(10),
  starting_after: z.string().regex(/^pay_[0-9A-Za-z]{1,60}$/, 'starting_after must be a payment id.').optional(),
  status: z.enum(PAYMENT_STATUSES).optional(),
  'created[gte]': z.iso.datetime({ offset: true }).optional(),
  'created[lte]': z.iso.datetime({ offset: true }).optional(),
  review: z.enum(['true', 'false']).optional().openapi({ description: '`true`: only payments flagged for review (the reconciler could not settle them).' }),
});

// ---- responses

const CardView = z.object({
  brand: z.string(),
  bin: z.string(),
  last4: z.string(),
  exp_month: z.number().int(),
  exp_year: z.number().int(),
  fingerprint: z.string(),
  holder_name: z.string().nullable(),
  funding: z.enum(['credit', 'debit', 'prepaid']).nullable().openapi({ description: 'The card type routing knew from the BIN when it decided (operator override, gateway report or public BIN table); null when unknown.' }),
  issuer_country: z.string().nullable().openapi({ description: 'The issuing country (ISO 3166-1 alpha-2) routing knew from the BIN when it decided; null when unknown.' }),
});

const WalletView = z
  .object({
    network: z.string(),
    last4: z.string().nullable().openapi({ description: 'The last four digits the wallet shows (of the device or funding card number); null when it shows none.' }),
    funding: z.enum(['credit', 'debit', 'prepaid']).nullable(),
  })
  .openapi('WalletDetails', { description: 'What the wallet showed in clear; the token itself is never stored.' });

const BankAccountView = z
  .object({
    country: z.string().openapi({ description: "The account's country (ISO 3166-1 alpha-2): the IBAN's, or US for ACH." }),
    bank_code: z.string().nullable().openapi({ description: 'The bank code the IBAN carries, or the ABA routing number.' }),
    last4: z.string(),
    fingerprint: z.string().openapi({ description: 'The same account paying this merchant again shows the same value (a keyed hash; the account number cannot be recomputed from it).' }),
    holder_name: z.string(),
    account_type: z.enum(['checking', 'savings']).optional(),
    account_holder_type: z.enum(['individual', 'company']).optional(),
    mandate: z
      .object({
        id: z.string().openapi({ description: "The mandate's id at the gateway (GoCardless MD…)." }),
        reference: z.string().nullable().openapi({ description: "The mandate reference as the payer's bank statement shows it; null when the payment named an existing mandate." }),
      })
      .nullable()
      .openapi({ description: 'The mandate the debit is drawn under, once the gateway has created or accepted it.' }),
  })
  .openapi('BankAccountDetails', { description: 'What the payment keeps of the debited account; never the IBAN or account number.' });

const Gateway = z.object({ account_id: z.string(), provider: z.string() });

export const AttemptView = z
  .object({
    id: z.string(),
    object: z.literal('payment_attempt'),
    number: z.number().int(),
    gateway: Gateway,
    gateway_reference: z.string().nullable(),
    status: z.enum(['pending', 'succeeded', 'requires_action', 'failed', 'unknown']),
    outcome: z.enum(['approved', 'requires_action', 'pending', 'declined', 'not_processed', 'unknown']).nullable().openapi({ description: '`pending`: the gateway accepted a bank debit and says days later whether it settled (the payment stays `processing`).' }),
    outcome_reason: z.string().nullable(),
    decline_reason: z.string().nullable(),
    provider_code: z.string().nullable(),
    latency_ms: z.number().int().nullable(),
    crypto: z
      .object({
        currency: z.string(),
        amount_due: z.number().int(),
        amount_paid: z.number().int(),
        overpaid: z.number().int(),
        rate: z.number().nullable(),
      })
      .nullable()
      .openapi({ description: 'A crypto payment: the coin, the amount quoted (network fee included) and paid, in its smallest unit (satoshis), the part paid above the amount due (returned to the payer by the gateway), and the rate in the payment currency per coin.' }),
    created_at: z.string(),
    completed_at: z.string().nullable(),
  })
  .openapi('PaymentAttempt');

export const PaymentView = z
  .object({
    id: z.string(),
    object: z.literal('payment'),
    status: z.enum(PAYMENT_STATUSES),
    amount: z.number().int(),
    amount_capturable: z.number().int(),
    amount_captured: z.number().int(),
    amount_refunded: z.number().int(),
    currency: z.string(),
    capture_method: z.enum(['automatic', 'manual']),
    payment_method: z.discriminatedUnion('type', [
      z.object({ type: z.literal('card'), card: CardView }),
      z.object({ type: z.literal('apple_pay'), apple_pay: WalletView }),
      z.object({ type: z.literal('google_pay'), google_pay: WalletView }),
      z.object({
        type: z.literal('paypal'),
        paypal: z
          .object({ payer_id: z.string().nullable(), email: z.string().nullable() })
          .openapi('PayPalPayer', { description: "The PayPal account that paid (PayPal's payer id and login email), once the payer approved and the order completed; null before." }),
      }),
      z.object({
        type: z.literal('crypto'),
        crypto: z.object({ currency: z.string().nullable().openapi({ description: 'The coin the invoice was paid in, as the gateway reports it; null before payment.' }) }),
      }),
      z.object({ type: z.literal('sepa_debit'), sepa_debit: BankAccountView }),
      z.object({ type: z.literal('ach_debit'), ach_debit: BankAccountView }),
    ]),
    customer: z.object({ id: z.string().nullable(), email: z.string().nullable(), country: z.string().nullable() }).nullable(),
    description: z.string().nullable(),
    metadata: z.record(z.string(), z.string()),
    gateway: Gateway.nullable(),
    gateway_reference: z.string().nullable(),
    next_action: z.object({ type: z.literal('redirect'), url: z.string() }).nullable(),
    action_expires_at: z.string().nullable().openapi({ description: 'When a requires_action payment not completed fails with authentication_abandoned.' }),
    return_url: z.string().nullable(),
    three_d_secure: z.enum(['automatic', 'required']),
    failure: z.object({ code: z.string(), message: z.string() }).nullable(),
    pending_operation: z
      .object({ type: z.enum(['capture', 'cancel']), amount: z.number().int().nullable(), state: z.enum(['sending', 'unknown', 'accepted']) })
      .nullable()
      .openapi({ description: 'A capture or cancel under way: at the gateway (sending), with its answer lost (unknown), or accepted and awaiting confirmation.' }),
    settlement: z
      .object({ state: z.enum(['scheduled', 'running']), next_try_at: z.string(), tries: z.number().int(), last_finding: z.string().nullable() })
      .nullable()
      .openapi({ description: 'The reconciler\'s work on this payment, while it has any: when it looks next, how often it has looked, what it last found.' }),
    review: z
      .object({ reason: z.string(), since: z.string() })
      .nullable()
      .openapi({ description: 'Set when the reconciler gave up without an answer from the gateway: a human must look.' }),
    attempts: z.array(AttemptView),
    decision: z.record(z.string(), z.unknown()).nullable().openapi({ description: 'Why the payment went where it went: rule, candidates with eligibility, estimates, fees, scores, each one\'s probability of going first under the live policy (`first_probability`) and the posterior its draw came from (`posterior`), order, and the first gateway\'s (`propensity`).' }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Payment');

export const RefundView = z
  .object({
    id: z.string(),
    object: z.literal('refund'),
    payment_id: z.string(),
    amount: z.number().int(),
    currency: z.string(),
    status: z.enum(['pending', 'succeeded', 'failed']),
    reason: z.string().nullable(),
    failure_code: z.string().nullable(),
    gateway_reference: z.string().nullable(),
    metadata: z.record(z.string(), z.string()),
    review: z.object({ reason: z.string() }).nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('Refund');

export const TimelineEventView = z
  .object({
    id: z.string(),
    object: z.literal('event'),
    type: z.string(),
    refund_id: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
    created_at: z.string(),
  })
  .openapi('TimelineEvent');

export const listOf = <T extends z.ZodTypeAny>(item: T, name: string) =>
  z.object({ object: z.literal('list'), data: z.array(item), has_more: z.boolean() }).openapi(name);

export const ProblemView = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string(),
    detail: z.string(),
    param: z.string().optional(),
    request_id: z.string().optional(),
  })
  .openapi('Problem');

/** Google Pay's ECv2 token structure (the gateway alone can check its signatures and decrypt it). */
function isGooglePayToken(value: string): boolean {
  let token: unknown;
  try {
    token = JSON.parse(value);
  } catch {
    return false;
  }
  const isString = (v: unknown, max = 16_384) => typeof v === 'string' && v.length > 0 && v.length <= max;
  if (typeof token !== 'object' || token === null || Array.isArray(token)) return false;
  const t = token as Record<string, unknown>;
  const key = t.intermediateSigningKey as Record<string, unknown> | undefined;
  return (
    t.protocolVersion === 'ECv2' &&
    isString(t.signature, 1024) &&
    isString(t.signedMessage) &&
    typeof key === 'object' && key !== null &&
    isString(key.signedKey, 4096) &&
    Array.isArray(key.signatures) && key.signatures.length > 0 && key.signatures.length <= 10 && key.signatures.every((s) => isString(s, 1024))
  );
}
