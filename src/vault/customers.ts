import type { Clock } from '../domain/clock.js';
import { newId } from '../domain/ids.js';
import { Problem, problems } from '../domain/problem.js';
import type { CustomerChanges, CustomerRow } from '../store/customers.js';
import type { Repositories } from '../store/index.js';
import type { PaymentMethodRow } from '../store/vault.js';
import type { CardToStore, CardVault } from './vault.js';

export type CustomerFields = Omit<CustomerChanges, 'defaultPaymentMethodId'>;

const noSuchPaymentMethod = (param = 'payment_method') => problems.invalidRequest('No such payment method.', param, 'no_such_payment_method');
const attachedElsewhere = (param = 'payment_method') => problems.invalidRequest('The payment method is attached to another customer.', param, 'payment_method_attached_elsewhere');
const notTheirs = (param: string) => problems.invalidRequest("The payment method is not one of this customer's.", param, 'payment_method_not_attached');

/**
 * Customers and their saved cards, as both the canonical API and the Stripe-compatible one change
 * them: each change is one transaction under the customer's row lock, and refuses (changing
 * nothing) a card that is not the merchant's, or is another customer's. Problems name the
 * canonical field; each API renames it for its callers.
 */
export function customerService(deps: { repositories: Repositories; vault: CardVault; clock: Clock }) {
  const { repositories, vault, clock } = deps;

  /** A new customer; with `paymentMethod`, that card is attached and made its default. */
  async function create(merchantId: string, fields: CustomerFields, paymentMethod?: string): Promise<CustomerRow> {
    const now = clock.now();
    return repositories.transaction(async (tx) => {
      const customer = await tx.customers.create({ id: newId('cus'), merchantId, ...fields, createdAt: now, updatedAt: now });
      if (paymentMethod === undefined) return customer;
      // Nothing is written unless the card can be attached: the transaction rolls back with the problem.
      if (!(await tx.vault.get(merchantId, paymentMethod))) throw noSuchPaymentMethod();
      if (!(await tx.vault.setCustomer(merchantId, paymentMethod, customer.id, now))) throw attachedElsewhere();
      return (await tx.customers.update(merchantId, customer.id, { defaultPaymentMethodId: paymentMethod }, now))!;
    });
  }

  /** Changes fields; `defaultPaymentMethod` (null: none) must be one of the customer's cards. */
  async function update(merchantId: string, id: string, fields: CustomerFields, defaultPaymentMethod?: string | null, param = 'default_payment_method'): Promise<CustomerRow> {
    return repositories.transaction(async (tx) => {
      if (!(await tx.customers.lock(merchantId, id))) throw problems.notFound('customer');
      if (defaultPaymentMethod) {
        const card = await tx.vault.get(merchantId, defaultPaymentMethod);
        if (card?.customerId !== id) throw notTheirs(param);
      }
      return (await tx.customers.update(merchantId, id, { ...fields, ...(defaultPaymentMethod !== undefined ? { defaultPaymentMethodId: defaultPaymentMethod } : {}) }, clock.now()))!;
    });
  }

  /** Deletes the customer; its cards are detached and stay in the vault. */
  async function remove(merchantId: string, id: string): Promise<void> {
    await repositories.transaction(async (tx) => {
      const now = clock.now();
      if (!(await tx.customers.delete(merchantId, id, now))) throw problems.notFound('customer');
      await tx.vault.detachAll(merchantId, id, now);
    });
  }

  /** Attaches a saved card (again: no change) to the customer, and makes it the default with `makeDefault`. */
  async function attach(merchantId: string, id: string, paymentMethod: string, makeDefault = false): Promise<PaymentMethodRow> {
    return repositories.transaction(async (tx) => {
      const now = clock.now();
      if (!(await tx.customers.lock(merchantId, id))) throw problems.notFound('customer');
      if (!(await tx.vault.get(merchantId, paymentMethod))) throw noSuchPaymentMethod();
      const card = await tx.vault.setCustomer(merchantId, paymentMethod, id, now);
      if (!card) throw attachedElsewhere();
      if (makeDefault) await tx.customers.update(merchantId, id, { defaultPaymentMethodId: card.id }, now);
      return card;
    });
  }

  /** Detaches one of the customer's cards (no longer its default either). */
  async function detach(merchantId: string, id: string, paymentMethod: string): Promise<PaymentMethodRow> {
    return repositories.transaction(async (tx) => {
      const now = clock.now();
      const customer = await tx.customers.lock(merchantId, id);
      if (!customer) throw problems.notFound('customer');
      const card = await tx.vault.get(merchantId, paymentMethod);
      if (!card) throw problems.notFound('payment method');
      if (card.customerId !== id) throw new Problem({ status: 404, code: 'not_found', title: 'Not found', detail: "The payment method is not one of this customer's." });
      if (customer.defaultPaymentMethodId === paymentMethod) await tx.customers.update(merchantId, id, { defaultPaymentMethodId: null }, now);
      return (await tx.vault.setCustomer(merchantId, paymentMethod, null, now))!;
    });
  }

  /** Saves a card (the same card again answers its record, `created: false`), attached at once to `customer` when named. */
  async function saveCard(merchantId: string, card: CardToStore, customer?: string): Promise<{ row: PaymentMethodRow; created: boolean }> {
    if (customer !== undefined && !(await repositories.customers.get(merchantId, customer))) throw problems.invalidRequest('No such customer.', 'customer', 'no_such_customer');
    const stored = await vault.store(merchantId, card);
    if (customer === undefined) return stored;
    const attached = await repositories.vault.setCustomer(merchantId, stored.row.id, customer, clock.now());
    if (!attached) throw problems.invalidRequest('This card is saved already and attached to another customer.', 'customer', 'payment_method_attached_elsewhere');
    return { row: attached, created: stored.created };
  }

  return { create, update, remove, attach, detach, saveCard };
}

export type CustomerService = ReturnType<typeof customerService>;
