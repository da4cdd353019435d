import type { z } from '@hono/zod-openapi';
import { isExpired } from '../../domain/card.js';
import type { Clock } from '../../domain/clock.js';
import { Problem } from '../../domain/problem.js';
import type { Repositories } from '../../store/index.js';
import type { CustomerFields, CustomerService } from '../../vault/customers.js';
import type { CardVault } from '../../vault/vault.js';
import { CardToSave } from '../routes/payment-methods.js';
import { CARD_EXPIRED_MESSAGE } from '../schemas.js';
import { fromProblem, invalidRequest, resourceMissing, StripeApiError } from './errors.js';
import { validCvc, type Caller } from './intents.js';
import type {
  AttachParams,
  CreateCustomerParams,
  CreatePaymentMethodParams,
  ListCustomerPaymentMethodsParams,
  ListCustomersParams,
  ListPaymentMethodsParams,
  UpdateCustomerParams,
  UpdatePaymentMethodParams,
} from './params.js';
import { customerView, paymentMethodView } from './views.js';

/** The vault's card checks, in Stripe's codes: a card the issuer would refuse is a card error, as Stripe answers it. */
const CARD_CODES: Record<string, { code: string; message: string }> = {
  invalid_card_number: { code: 'incorrect_number', message: 'Your card number is incorrect.' },
  card_expired: { code: 'expired_card', message: 'Your card has expired.' },
};

export interface CustomerApiDeps {
  repositories: Repositories;
  customers: CustomerService;
  vault: CardVault;
  clock: Clock;
}

type Fields = z.infer<typeof UpdateCustomerParams>;

/**
 * Stripe's Customers and PaymentMethods over the router's own customers and card vault (the
 * same service as /v1/customers and /v1/payment_methods): a card saved here is a `pm_` that pays
 * on whichever gateway routing picks.
 */
export function customerApi(deps: CustomerApiDeps) {
  const { repositories, customers, vault, clock } = deps;

  async function createCustomer(caller: Caller, params: z.infer<typeof CreateCustomerParams>) {
    const chosen = params.invoice_settings?.default_payment_method;
    if (chosen && chosen !== params.payment_method) {
      throw invalidRequest("invoice_settings[default_payment_method] must be one of the customer's payment methods: attach it with payment_method.", 'invoice_settings[default_payment_method]', 'payment_method_not_attached');
    }
    const row = await customers.create(caller.merchantId, fields(params, {}), params.payment_method).catch(rethrow({}));
    return customerView(row, caller.livemode);
  }

  async function retrieveCustomer(caller: Caller, id: string) {
    const row = await repositories.customers.get(caller.merchantId, id);
    if (!row) throw resourceMissing('customer');
    return customerView(row, caller.livemode);
  }

  async function updateCustomer(caller: Caller, id: string, params: z.infer<typeof UpdateCustomerParams>) {
    const current = await repositories.customers.get(caller.merchantId, id);
    if (!current) throw resourceMissing('customer');
    const chosen = params.invoice_settings?.default_payment_method;
    const param = 'invoice_settings[default_payment_method]';
    const row = await customers
      .update(caller.merchantId, id, fields(params, current.metadata), chosen === undefined ? undefined : chosen || null, param)
      .catch(rethrow({ [param]: param }));
    return customerView(row, caller.livemode);
  }

  async function listCustomers(caller: Caller, params: z.infer<typeof ListCustomersParams>) {
    const limit = params.limit ?? 10;
    const rows = await repositories.customers.list(caller.merchantId, { limit, startingAfter: params.starting_after, email: params.email });
    return { object: 'list' as const, data: rows.slice(0, limit).map((row) => customerView(row, caller.livemode)), has_more: rows.length > limit, url: '/v1/customers' };
  }

  async function deleteCustomer(caller: Caller, id: string) {
    await customers.remove(caller.merchantId, id).catch(rethrow({}));
    return { id, object: 'customer' as const, deleted: true as const };
  }

  async function createPaymentMethod(caller: Caller, params: z.infer<typeof CreatePaymentMethodParams>) {
    const { number, exp_month, exp_year, cvc } = params.card;
    const holder = params.billing_details?.name;
    const checked = CardToSave.safeParse({ number, exp_month, exp_year, ...(holder ? { holder_name: holder } : {}) });
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      const field = String(issue.path[0] ?? 'number');
      const known = CARD_CODES[(issue as { params?: { code?: string } }).params?.code ?? ''];
      if (known) throw new StripeApiError(402, { type: 'card_error', code: known.code, message: known.message, param: `card[${field}]` });
      throw invalidRequest(`Invalid card[${field}]: ${issue.message}`, `card[${field}]`, 'parameter_invalid');
    }
    if (isExpired(exp_month, exp_year, clock.now())) throw new StripeApiError(402, { type: 'card_error', ...CARD_CODES.card_expired!, param: 'card[exp_year]' });
    // The CVC is only checked: the vault never keeps it (a later payment with the card goes without).
    if (!validCvc(number, cvc)) throw new StripeApiError(402, { type: 'card_error', code: 'invalid_cvc', message: "Your card's security code is invalid.", param: 'card[cvc]' });
    const card = checked.data;
    const stored = await customers
      .saveCard(caller.merchantId, { number: card.number, expMonth: card.exp_month, expYear: card.exp_year, holderName: card.holder_name ?? null }, params.customer)
      .catch(rethrow({}));
    return paymentMethodView(stored.row, caller.livemode);
  }

  async function retrievePaymentMethod(caller: Caller, id: string) {
    const row = await repositories.vault.get(caller.merchantId, id);
    if (!row) throw resourceMissing('payment_method');
    return paymentMethodView(row, caller.livemode);
  }

  async function updatePaymentMethod(caller: Caller, id: string, params: z.infer<typeof UpdatePaymentMethodParams>) {
    const { exp_month, exp_year } = params.card;
    const checked = CardToSave.safeParse({ number: '4242424242424242', exp_month, exp_year });
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      throw invalidRequest(`Invalid card[${String(issue.path[0])}]: ${issue.message}`, `card[${String(issue.path[0])}]`, 'parameter_invalid');
    }
    if (isExpired(exp_month, exp_year, clock.now())) throw invalidRequest(`Invalid card[exp_year]: ${CARD_EXPIRED_MESSAGE}`, 'card[exp_year]', 'parameter_invalid');
    const row = await vault.updateExpiry(caller.merchantId, id, exp_month, exp_year);
    if (!row) throw resourceMissing('payment_method');
    return paymentMethodView(row, caller.livemode);
  }

  async function attach(caller: Caller, id: string, params: z.infer<typeof AttachParams>) {
    if (!(await repositories.vault.get(caller.merchantId, id))) throw resourceMissing('payment_method');
    const row = await customers.attach(caller.merchantId, params.customer, id).catch(rethrow({ payment_method: 'id' }, 'customer'));
    return paymentMethodView(row, caller.livemode);
  }

  async function detach(caller: Caller, id: string) {
    const card = await repositories.vault.get(caller.merchantId, id);
    if (!card) throw resourceMissing('payment_method');
    if (card.customerId === null) {
      throw invalidRequest('The payment method you provided is not attached to a customer so detachment is impossible.', 'payment_method', 'payment_method_unexpected_state');
    }
    const row = await customers.detach(caller.merchantId, card.customerId, id).catch(rethrow({}));
    return paymentMethodView(row, caller.livemode);
  }

  /** A customer's cards (`customer`), or the merchant's; newest first. */
  async function listPaymentMethods(caller: Caller, params: z.infer<typeof ListPaymentMethodsParams> | z.infer<typeof ListCustomerPaymentMethodsParams>, customer?: string) {
    const owner = customer ?? ('customer' in params ? params.customer : undefined);
    if (owner !== undefined && !(await repositories.customers.get(caller.merchantId, owner))) {
      throw customer === undefined ? resourceMissing('customer', 'customer') : resourceMissing('customer');
    }
    const limit = params.limit ?? 10;
    const rows = await repositories.vault.list(caller.merchantId, { limit, startingAfter: params.starting_after, ...(owner === undefined ? {} : { customerId: owner }) });
    const url = customer === undefined ? '/v1/payment_methods' : `/v1/customers/${customer}/payment_methods`;
    return { object: 'list' as const, data: rows.slice(0, limit).map((row) => paymentMethodView(row, caller.livemode)), has_more: rows.length > limit, url };
  }

  return { createCustomer, retrieveCustomer, updateCustomer, listCustomers, deleteCustomer, createPaymentMethod, retrievePaymentMethod, updatePaymentMethod, attach, detach, listPaymentMethods };
}

/**
 * The customer fields as the service takes them. As on Stripe, an empty string unsets a field, and
 * metadata merges into what is stored (a key set to "" is removed; `metadata=""` removes all).
 */
function fields(params: Fields, stored: Record<string, string>): CustomerFields {
  const unset = (value: string | undefined) => (value === undefined ? undefined : value === '' ? null : value);
  const out: CustomerFields = {};
  const email = unset(params.email);
  const name = unset(params.name);
  const description = unset(params.description);
  if (email !== undefined) out.email = email;
  if (name !== undefined) out.name = name;
  if (description !== undefined) out.description = description;
  if (params.metadata !== undefined) {
    const merged = params.metadata === '' ? {} : { ...stored, ...params.metadata };
    out.metadata = Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== ''));
  }
  return out;
}

/**
 * A canonical problem in Stripe's envelope: canonical field names renamed by `params`, a missing
 * resource named by `missing` (the path's id unless told), and a reference to a customer or card
 * that does not exist answered as Stripe does, resource_missing naming the parameter.
 */
function rethrow(params: Record<string, string>, missing = 'id') {
  return (error: unknown): never => {
    if (!(error instanceof Problem)) throw error;
    if (error.code === 'no_such_customer' || error.code === 'no_such_payment_method') {
      const param = params[error.param ?? ''] ?? error.param ?? missing;
      throw resourceMissing(error.code === 'no_such_customer' ? 'customer' : 'payment_method', param);
    }
    if (error.status === 404) throw resourceMissing(error.detail.includes('payment method') ? 'payment_method' : 'customer', missing);
    throw fromProblem(error, (p) => params[p] ?? p);
  };
}
