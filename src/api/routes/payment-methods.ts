import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { cardBrand, luhnValid, validCardLength } from '../../domain/card.js';
import type { Clock } from '../../domain/clock.js';
import { alpha3FromAlpha2 } from '../../domain/countries.js';
import { isCurrency, maxAmountMinor, validateAmount } from '../../domain/currency.js';
import { PAYMENT_METHOD_TYPES } from '../../domain/payment-method.js';
import type { Router } from '../../orchestrator/router.js';
import { menuProbes, methodMenu, type MenuQuery } from '../../routing/method-menu.js';
import { problems } from '../../domain/problem.js';
import type { Repositories } from '../../store/index.js';
import type { PaymentMethodRow } from '../../store/vault.js';
import type { CustomerService } from '../../vault/customers.js';
import type { CardVault } from '../../vault/vault.js';
import type { AppEnv } from '../env.js';
import { idempotencyHeader, json, problem, security } from '../openapi.js';
import { CustomerId, issueCode, listOf, PaymentMethodId, refuseExpiredCard, text } from '../schemas.js';

/** A saved card as the API shows it: never its number, only what identifies it to a person. */
export const PaymentMethodView = z
  .object({
    id: z.string(),
    object: z.literal('payment_method'),
    type: z.literal('card'),
    customer: z.string().nullable(),
    card: z.object({
      brand: z.string(),
      last4: z.string(),
      exp_month: z.number().int(),
      exp_year: z.number().int(),
      fingerprint: z.string().openapi({ description: 'The same card saved twice by this merchant has the same fingerprint (and is stored once).' }),
    }),
    flagged: z
      .object({ reason: z.string(), since: z.string() })
      .nullable()
      .openapi({ description: 'Set when a payment with the card was declined as expired or never to be tried again: payments with it are refused until its expiry is updated (expired) or for good.' }),
    created_at: z.string(),
  })
  .openapi('PaymentMethod');

export function paymentMethodView(row: PaymentMethodRow): z.infer<typeof PaymentMethodView> {
  return {
    id: row.id,
    object: 'payment_method',
    type: 'card',
    customer: row.customerId,
    card: { brand: row.brand, last4: row.last4, exp_month: row.expMonth, exp_year: row.expYear, fingerprint: row.fingerprint },
    flagged: row.flaggedReason ? { reason: row.flaggedReason, since: (row.flaggedAt ?? row.updatedAt).toISOString() } : null,
    created_at: row.createdAt.toISOString(),
  };
}

const Expiry = {
  exp_month: z.number().int().min(1).max(12).openapi({ example: 12 }),
  exp_year: z.number().int().min(2000).max(2100).openapi({ example: 2030 }),
};

/** A card to save: no CVC, which the vault never keeps (a field it cannot keep is refused, not dropped) (its expiry is checked against the app's clock when it is stored). */
export const CardToSave = z
  .strictObject({
    number: z.string().max(19).openapi({ example: '4242424242424242' }),
    ...Expiry,
    holder_name: text().min(1).max(200).optional(),
  })
  .superRefine((card, ctx) => {
    if (!/^\d{12,19}$/.test(card.number) || !luhnValid(card.number) || !validCardLength(card.number, cardBrand(card.number))) {
      ctx.addIssue({ code: 'custom', path: ['number'], message: 'The card number is not a valid card number.', params: issueCode('invalid_card_number') });
    }
  });

const CreatePaymentMethod = z
  .strictObject({
    type: z.literal('card'),
    card: CardToSave,
    customer: CustomerId.optional().openapi({ description: 'Attach the card to this customer at once.' }),
  })
  .openapi('CreatePaymentMethod');
const Tokenize = z.strictObject({ type: z.literal('card'), card: CardToSave }).openapi('TokenizeCard');
const UpdatePaymentMethod = z
  .strictObject({ card: z.strictObject(Expiry) })
  .openapi('UpdatePaymentMethod');
const IdParam = z.object({ id: PaymentMethodId.openapi({ param: { name: 'id', in: 'path' } }) });
const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(10),
  starting_after: PaymentMethodId.optional(),
  customer: CustomerId.optional(),
});

const AvailableQuery = z.strictObject({
  amount: z
    .string()
    .max(20)
    .regex(/^[1-9]\d*$/, 'amount must be a positive integer number of minor units.')
    .openapi({ example: '1999', description: 'Minor units of `currency`.' }),
  currency: z
    .string()
    .max(3)
    .refine(isCurrency, { message: 'currency must be an active ISO 4217 code in upper case, such as USD.', params: issueCode('unsupported_currency') })
    .openapi({ example: 'USD' }),
  country: z
    .string()
    .max(2)
    .refine((code) => alpha3FromAlpha2(code) !== undefined, { message: 'country must be an ISO 3166-1 alpha-2 code in upper case.', params: issueCode('invalid_country') })
    .openapi({ example: 'US', description: "The shopper's country." }),
});

const MethodMenuView = z
  .object({
    object: z.literal('payment_method_menu'),
    amount: z.number().int(),
    currency: z.string(),
    country: z.string(),
    available: z.array(
      z.object({
        type: z.enum(PAYMENT_METHOD_TYPES),
        networks: z.array(z.string()),
        gateways: z.array(z.string()).openapi({ description: 'The gateway accounts that would take it, in the order routing would try them.' }),
        token_gateways: z.array(z.string()).optional().openapi({ description: 'Google Pay: the `gateway` values the app may put in its tokenization specification; a token is encrypted for that one gateway.' }),
        nonce_gateways: z.array(z.string()).optional().openapi({ description: 'Apple Pay, Google Pay: the gateways that take the wallet only as a nonce their own client SDK makes in the app (`braintree`), sent as `{gateway, nonce}`.' }),
      }),
    ),
    unavailable: z.array(z.object({ type: z.enum(PAYMENT_METHOD_TYPES), reason: z.enum(['blocked', 'no_eligible_gateway']), rule: z.string().nullable() })),
  })
  .openapi('PaymentMethodMenu');

const errors = {
  400: problem('Invalid request; `param` names the field.'),
  401: problem('Missing or invalid API key.'),
  404: problem('No such payment method (or customer) for this merchant.'),
};

const routes = {
  create: createRoute({
    method: 'post',
    path: '/v1/payment_methods',
    operationId: 'createPaymentMethod',
    summary: 'Save a card in the vault: answers a pm_ (the same card again answers the same pm_)',
    description: 'The card number is encrypted at rest (envelope encryption); the CVC is never accepted. A merchant whose server should never see card numbers has the shopper\'s app call POST /v1/tokens with a publishable key instead.',
    security,
    parameters: [idempotencyHeader],
    request: { body: { required: true, content: { 'application/json': { schema: CreatePaymentMethod } } } },
    responses: { 201: json(PaymentMethodView, 'The saved card.'), 200: json(PaymentMethodView, 'The card was saved already: its payment method, with the expiry given.'), ...errors },
  }),
  tokenize: createRoute({
    method: 'post',
    path: '/v1/tokens',
    operationId: 'tokenizeCard',
    summary: "Tokenize a card from the shopper's browser or app, with a publishable key (pk_…)",
    description:
      "The one endpoint a publishable key may call, with CORS for the key's allowed origins (a preflight is answered for an origin some publishable key allows). Answers a pm_ for the merchant's server to attach to a customer and pay with.",
    security,
    parameters: [idempotencyHeader],
    request: { body: { required: true, content: { 'application/json': { schema: Tokenize } } } },
    responses: {
      201: json(PaymentMethodView, 'The saved card.'),
      200: json(PaymentMethodView, 'The card was saved already.'),
      400: errors[400],
      401: errors[401],
      403: problem('The key lacks the tokenize scope, or the Origin is not one of its allowed origins (`origin_not_allowed`).'),
    },
  }),
  list: createRoute({
    method: 'get',
    path: '/v1/payment_methods',
    operationId: 'listPaymentMethods',
    summary: 'List saved cards, newest first (of one customer with `customer`)',
    security,
    request: { query: ListQuery },
    responses: { 200: json(listOf(PaymentMethodView, 'PaymentMethodList'), 'A page of payment methods.'), 400: errors[400], 401: errors[401] },
  }),
  available: createRoute({
    method: 'get',
    path: '/v1/payment_methods/available',
    operationId: 'availablePaymentMethods',
    summary: 'Which payment methods this payment can be made with: one list for the checkout to render',
    description:
      "From the merchant's usable gateway accounts (their methods, networks, currencies, amount limits, countries; a breaker that is open) and the active routing rules (a rule that blocks a method, or routes it only to gateways that cannot take it).",
    security,
    request: { query: AvailableQuery },
    responses: { 200: json(MethodMenuView, 'The methods available, and why the others are not.'), 400: errors[400], 401: errors[401] },
  }),
  get: createRoute({
    method: 'get',
    path: '/v1/payment_methods/{id}',
    operationId: 'getPaymentMethod',
    summary: 'Retrieve a saved card (never its number)',
    security,
    request: { params: IdParam },
    responses: { 200: json(PaymentMethodView, 'The payment method.'), 400: errors[400], 401: errors[401], 404: errors[404] },
  }),
  update: createRoute({
    method: 'post',
    path: '/v1/payment_methods/{id}',
    operationId: 'updatePaymentMethod',
    summary: "Update a saved card's expiry (the issuer renewed it); a card flagged as expired is usable again",
    security,
    parameters: [idempotencyHeader],
    request: { params: IdParam, body: { required: true, content: { 'application/json': { schema: UpdatePaymentMethod } } } },
    responses: { 200: json(PaymentMethodView, 'The payment method.'), ...errors },
  }),
};

export function paymentMethodRoutes(app: OpenAPIHono<AppEnv>, repositories: Repositories, vault: CardVault, customers: CustomerService, router: Router, clock: Clock): void {
  /** An unexpired card in the vault's terms. */
  const toStore = (card: z.infer<typeof CardToSave>) => {
    refuseExpiredCard(card, clock.now(), 'card.exp_year');
    return { number: card.number, expMonth: card.exp_month, expYear: card.exp_year, holderName: card.holder_name ?? null };
  };

  app.openapi(routes.create, async (c) => {
    const body = c.req.valid('json');
    const stored = await customers.saveCard(c.get('merchantId'), toStore(body.card), body.customer);
    return c.json(paymentMethodView(stored.row), stored.created ? 201 : 200);
  });

  app.openapi(routes.tokenize, async (c) => {
    const stored = await vault.store(c.get('merchantId'), toStore(c.req.valid('json').card));
    return c.json(paymentMethodView(stored.row), stored.created ? 201 : 200);
  });

  app.openapi(routes.list, async (c) => {
    const query = c.req.valid('query');
    const rows = await repositories.vault.list(c.get('merchantId'), { limit: query.limit, startingAfter: query.starting_after, customerId: query.customer });
    return c.json({ object: 'list' as const, data: rows.slice(0, query.limit).map(paymentMethodView), has_more: rows.length > query.limit }, 200);
  });

  // Before `/v1/payment_methods/{id}`, which would take `available` for an id.
  app.openapi(routes.available, async (c) => {
    const query = c.req.valid('query');
    const menu: MenuQuery = { amount: Number(query.amount), currency: query.currency, country: query.country };
    const amount = validateAmount(menu.amount, menu.currency);
    if (!amount.ok) throw problems.invalidRequest(`amount must be a positive integer of at most ${maxAmountMinor(menu.currency)} for ${menu.currency}.`, 'amount', 'invalid_amount');
    const merchantId = c.get('merchantId');
    const probes = menuProbes(menu, await router.candidates(merchantId));
    const decided = await router.decideEach(merchantId, probes.map((p) => p.tx));
    const { available, unavailable } = methodMenu(probes, decided.decisions, decided.candidates);
    return c.json(
      {
        object: 'payment_method_menu' as const,
        ...menu,
        available: available.map((m) => ({ type: m.type, networks: m.networks, gateways: m.gateways, ...(m.tokenGateways ? { token_gateways: m.tokenGateways } : {}), ...(m.nonceGateways ? { nonce_gateways: m.nonceGateways } : {}) })),
        unavailable,
      },
      200,
    );
  });

  app.openapi(routes.get, async (c) => {
    const row = await repositories.vault.get(c.get('merchantId'), c.req.valid('param').id);
    if (!row) throw problems.notFound('payment method');
    return c.json(paymentMethodView(row), 200);
  });

  app.openapi(routes.update, async (c) => {
    const { card } = c.req.valid('json');
    refuseExpiredCard(card, clock.now(), 'card.exp_year');
    const row = await vault.updateExpiry(c.get('merchantId'), c.req.valid('param').id, card.exp_month, card.exp_year);
    if (!row) throw problems.notFound('payment method');
    return c.json(paymentMethodView(row), 200);
  });
}
