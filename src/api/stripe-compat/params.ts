import { z } from '@hono/zod-openapi';
import qs from 'qs';
import { redactPan } from '../../domain/card.js';
import { Metadata, isWebUrl, text } from '../schemas.js';
import { invalidRequest, type StripeApiError } from './errors.js';

/**
 * Stripe's parameters: form-encoded with bracket notation (`metadata[order]=1`,
 * `payment_method_data[card][number]=…`, `expand[]=x`), every value a string. qs is what the
 * stripe SDK encodes them with; here it decodes them into null-prototype objects (a `__proto__`
 * key stays a key, which the schemas refuse out loud), with limits that fail instead of
 * silently dropping parameters.
 */
export type Params = Record<string, unknown>;

const QS_OPTIONS = {
  depth: 4,
  strictDepth: true,
  parameterLimit: 300,
  arrayLimit: 50,
  throwOnLimitExceeded: true,
  plainObjects: true,
  allowPrototypes: true,
  ignoreQueryPrefix: true,
} as const;

/** qs drops a `__proto__` segment without a word; it is refused by name instead. */
function refuseProtoKeys(encoded: string): void {
  for (const pair of encoded.replace(/^\?/, '').split('&')) {
    const name = decode(pair.split('=', 1)[0] ?? '');
    const at = name.search(/(^|\[)__proto__(\]|$)/);
    if (at >= 0) {
      const param = `${name.slice(0, at)}${at === 0 ? '__proto__' : '[__proto__]'}`;
      throw invalidRequest('This parameter name is reserved.', redactPan(param), 'parameter_reserved');
    }
  }
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

export function parseParams(encoded: string): Params {
  refuseProtoKeys(encoded);
  try {
    return qs.parse(encoded, QS_OPTIONS) as Params;
  } catch {
    throw invalidRequest('The parameters could not be decoded: at most 300 parameters, 50 array items and 4 levels of brackets are accepted.');
  }
}

/** A form value that must be a whole number, as Stripe's `amount`. */
const integer = z
  .string({ error: 'Invalid integer.' })
  .regex(/^\d{1,15}$/, 'Invalid integer: a whole number of the currency\'s smallest unit is expected.')
  .transform(Number);
const boolean = z.enum(['true', 'false'], { error: 'Invalid boolean: true or false is expected.' }).transform((v) => v === 'true');
const expand = z.array(z.string().max(200)).max(20).optional();
const url = z
  .string()
  .max(2048)
  .refine(isWebUrl, 'return_url must be an absolute http or https URL in printable ASCII, without credentials.');
const id = (prefix: string) => z.string().regex(new RegExp(`^${prefix}_[0-9A-Za-z]{1,60}$`), `Ids look like ${prefix}_ followed by letters and digits.`);

const CardData = z.strictObject({
  number: z.string().max(32),
  exp_month: integer,
  exp_year: integer,
  cvc: z.string().max(8),
});

const BillingDetails = z.strictObject({
  name: text().min(1).max(200).optional(),
  email: z.email().max(254).optional(),
  address: z.strictObject({ country: z.string().regex(/^[A-Z]{2}$/, 'country must be an ISO 3166-1 alpha-2 code in upper case.').optional() }).optional(),
});

/** The kinds of payment method a confirmation can bring, as Stripe names them. */
export const INTENT_METHOD_TYPES = ['card', 'sepa_debit', 'us_bank_account'] as const;
export type IntentMethodType = (typeof INTENT_METHOD_TYPES)[number];
const UNSUPPORTED_TYPE = `Only ${INTENT_METHOD_TYPES.join(', ')} payment methods are supported.`;

/** A debit needs the account holder's name, as Stripe's does (at most 140 characters, the SEPA limit). */
const DebitBillingDetails = BillingDetails.extend({ name: text().min(1).max(140) });

const PaymentMethodData = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('card'), card: CardData, billing_details: BillingDetails.optional() }),
    z.strictObject({ type: z.literal('sepa_debit'), sepa_debit: z.strictObject({ iban: z.string().max(42) }), billing_details: DebitBillingDetails }),
    z.strictObject({
      type: z.literal('us_bank_account'),
      us_bank_account: z.strictObject({
        routing_number: z.string().max(9),
        account_number: z.string().max(17),
        account_holder_type: z.enum(['individual', 'company']).optional(),
        account_type: z.enum(['checking', 'savings']).optional(),
      }),
      billing_details: DebitBillingDetails,
    }),
  ],
  { error: UNSUPPORTED_TYPE },
);

/** The payer's agreement to a debit (Stripe's `mandate_data`): online, with the browser's address and agent. */
const MandateData = z.strictObject({
  customer_acceptance: z.strictObject({
    type: z.literal('online', { error: 'Only online acceptance is supported: the debit gateways need the payer\'s IP address and user agent.' }),
    accepted_at: integer.optional(),
    online: z.strictObject({ ip_address: z.union([z.ipv4(), z.ipv6()], { error: 'ip_address must be an IPv4 or IPv6 address.' }), user_agent: text().min(1).max(500) }),
  }),
});

const PaymentMethodOptions = z.strictObject({
  card: z.strictObject({ request_three_d_secure: z.enum(['automatic', 'any', 'challenge']).optional() }).optional(),
});

/** What confirming takes, at creation (with confirm=true) or later. */
const confirmFields = {
  setup_future_usage: z.enum(['on_session', 'off_session']).optional(),
  payment_method: z.string().max(100).optional(),
  payment_method_data: PaymentMethodData.optional(),
  payment_method_options: PaymentMethodOptions.optional(),
  mandate_data: MandateData.optional(),
  return_url: url.optional(),
  off_session: boolean.optional(),
  receipt_email: z.email().max(254).optional(),
  expand,
};

export const CreateIntentParams = z.strictObject({
  amount: integer,
  currency: z.string().regex(/^[A-Za-z]{3}$/, 'currency must be a three-letter ISO 4217 code.'),
  capture_method: z.enum(['automatic', 'automatic_async', 'manual']).optional(),
  customer: id('cus').optional(),
  confirm: boolean.optional(),
  description: text().max(1000).optional(),
  metadata: Metadata.optional(),
  payment_method_types: z
    .array(z.enum(INTENT_METHOD_TYPES, { error: UNSUPPORTED_TYPE }))
    .min(1)
    .max(INTENT_METHOD_TYPES.length)
    .refine((types) => new Set(types).size === types.length, 'Each payment method type may be named once.')
    .optional(),
  automatic_payment_methods: z.strictObject({ enabled: boolean, allow_redirects: z.enum(['always', 'never']).optional() }).optional(),
  ...confirmFields,
});

export const ConfirmIntentParams = z.strictObject(confirmFields);
export const CaptureIntentParams = z.strictObject({ amount_to_capture: integer.optional(), expand });
export const CancelIntentParams = z.strictObject({
  cancellation_reason: z.enum(['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned']).optional(),
  expand,
});
export const RetrieveParams = z.strictObject({ expand, client_secret: z.string().max(200).optional() });

const created = z.union([
  integer,
  z.strictObject({ gt: integer.optional(), gte: integer.optional(), lt: integer.optional(), lte: integer.optional() }),
]);

export const ListIntentsParams = z.strictObject({
  limit: integer.pipe(z.number().min(1, 'limit must be from 1 to 100.').max(100, 'limit must be from 1 to 100.')).optional(),
  starting_after: id('pi').optional(),
  ending_before: id('pi').optional(),
  created: created.optional(),
  expand,
});

export const CreateRefundParams = z.strictObject({
  payment_intent: id('pi').optional(),
  charge: id('pay').optional(),
  amount: integer.optional(),
  reason: z.enum(['duplicate', 'fraudulent', 'requested_by_customer']).optional(),
  metadata: Metadata.optional(),
  expand,
});

export const ListRefundsParams = z.strictObject({
  payment_intent: id('pi').optional(),
  charge: id('pay').optional(),
  limit: integer.pipe(z.number().min(1, 'limit must be from 1 to 100.').max(100, 'limit must be from 1 to 100.')).optional(),
  starting_after: id('re').optional(),
  ending_before: id('re').optional(),
  expand,
});

const limit = integer.pipe(z.number().min(1, 'limit must be from 1 to 100.').max(100, 'limit must be from 1 to 100.'));
const CustomerFields = {
  email: z.union([z.literal(''), z.email().max(254)]).optional(),
  name: z.union([z.literal(''), text().min(1).max(200)]).optional(),
  description: z.union([z.literal(''), text().max(1000)]).optional(),
  metadata: z.union([z.literal(''), Metadata]).optional(),
  expand,
};
const InvoiceSettings = z.strictObject({ default_payment_method: z.union([z.literal(''), id('pm')]).optional() });

export const CreateCustomerParams = z.strictObject({ ...CustomerFields, payment_method: id('pm').optional(), invoice_settings: InvoiceSettings.optional() });
export const UpdateCustomerParams = z.strictObject({ ...CustomerFields, invoice_settings: InvoiceSettings.optional() });
export const ListCustomersParams = z.strictObject({ limit: limit.optional(), starting_after: id('cus').optional(), email: z.email().max(254).optional(), expand });

/** A card to save: the CVC is checked for form by the vault's rules and then forgotten (it is never stored). */
export const CreatePaymentMethodParams = z.strictObject({
  type: z.literal('card', { error: 'Only card payment methods are supported.' }),
  card: CardData,
  billing_details: z.strictObject({ name: text().min(1).max(200).optional() }).optional(),
  customer: id('cus').optional(),
  expand,
});
export const UpdatePaymentMethodParams = z.strictObject({ card: z.strictObject({ exp_month: integer, exp_year: integer }), expand });
export const AttachParams = z.strictObject({ customer: id('cus'), expand });
export const DetachParams = z.strictObject({ expand });
export const ListPaymentMethodsParams = z.strictObject({
  customer: id('cus').optional(),
  type: z.literal('card', { error: 'Only card payment methods are supported.' }).optional(),
  limit: limit.optional(),
  starting_after: id('pm').optional(),
  expand,
});
export const ListCustomerPaymentMethodsParams = ListPaymentMethodsParams.omit({ customer: true });

export const CustomerId = id('cus');
export const PaymentMethodId = id('pm');
export const IntentId = id('pi');
export const RefundId = id('re');

/** `payment_method_data[card][number]`: a field as Stripe names it. */
export function bracketed(path: readonly PropertyKey[]): string {
  return path.map(String).reduce((name, key, index) => (index === 0 ? key : `${name}[${key}]`), '');
}

/** Validates Stripe parameters; the first issue becomes Stripe's 400 naming its `param`. */
export function validate<S extends z.ZodType>(schema: S, params: unknown): z.infer<S> {
  const result = schema.safeParse(params);
  if (result.success) return result.data;
  throw issueError(result.error.issues[0]!, params);
}

function issueError(issue: z.core.$ZodIssue, params: unknown): StripeApiError {
  if (issue.code === 'unrecognized_keys') {
    // A parameter's name is the client's text: a card number sent as one is masked.
    const param = redactPan(bracketed([...issue.path, issue.keys[0] ?? '']));
    return invalidRequest(`Received unknown parameter: ${param}`, param, 'parameter_unknown');
  }
  const param = bracketed(issue.path);
  if (issue.code === 'invalid_type' && valueAt(params, issue.path) === undefined) {
    return invalidRequest(`Missing required param: ${param}.`, param, 'parameter_missing');
  }
  const custom = issue.code === 'custom' ? (issue.params as { code?: string } | undefined)?.code : undefined;
  return invalidRequest(`Invalid ${param}: ${issue.message}`, param, custom ?? 'parameter_invalid');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
