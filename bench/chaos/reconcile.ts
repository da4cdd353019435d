import { voidReference } from '../../adapters/adyen/webhooks.js';
import type { LedgerCharge, LedgerExport, WebhookDelivery } from '../../adapters/testkit/simulator.js';
import { PROVIDERS, type Provider } from './control.js';
import type { AttemptFacts, PaymentFacts, RefundFacts, RouterFacts } from './database.js';

/**
 * Providers with no way to look a payment or a modification up: only their notification can
 * settle a lost answer (README "Settlement": Adyen's AUTHORISATION, CAPTURE, CANCELLATION and
 * REFUND notifications). When such a notification is lost for good, flagging the payment for
 * review is the designed outcome (principle 9); with any other provider it is a finding.
 */
const NOTIFICATION_ONLY: ReadonlySet<string> = new Set(['adyen']);

/** Money the provider holds or took on a charge: authorized, less what was released and refunded. */
export function live(charge: LedgerCharge): number {
  return Math.max(0, charge.authorized - charge.released - charge.refunded);
}

export interface Findings {
  /** Money invariants: any non-zero fails the run. */
  money: {
    /** Orders (one create Idempotency-Key) with more than one live charge at the providers. */
    double_charges: number;
    /** Approved provider charges whose reference names no router payment or attempt. */
    charges_without_payment: number;
    /** Payments the router says failed or canceled with money held or taken at a provider. */
    failed_while_charged: number;
    /** Settled payments whose captured, refunded or still-authorized amount differs from the provider's. */
    amount_mismatches: number;
    /** The same, by the amount that differs (one payment may count under several). */
    amount_mismatches_by_field: { captured: number; refunded: number; held: number };
    /** The same, by what differs, the provider and the payment's capture (`held · adyen · manual, captured in part`). */
    amount_mismatches_by_kind: Record<string, number>;
  };
  /** States left unsettled after the window (from the database, router stopped). */
  unsettled: {
    processing: number;
    requires_action: number;
    pending_operations: number;
    refunds_pending: number;
    /** Payments and refunds flagged for review (settled or not). */
    review_payments: number;
    review_refunds: number;
    idempotency_keys_in_progress: number;
    /**
     * Of the unsettled payments and refunds, those flagged for review because the one notification
     * that could settle them was dropped for good at a provider with no lookup (Adyen): the
     * designed outcome, reported but not failing the run.
     */
    explained_by_lost_notification: number;
    /** Unsettled payments and refunds not so explained: any fails the run. */
    unexplained: number;
    /**
     * The unexplained ones by what they have in common: the state, the provider and outcome of the
     * last attempt, whether the provider holds a charge for it, the review reason.
     */
    unexplained_by_kind: Record<string, number>;
  };
  /** Idempotency as the merchant sees it: any non-zero fails the run. */
  idempotency: {
    /** Orders for which the router holds more than one payment (one create key, retried). */
    orders_with_several_payments: number;
  };
  info: {
    router_payments: number;
    payments_by_status: Record<string, number>;
    router_refunds_by_status: Record<string, number>;
    ledger_charges: number;
    ledger_charges_approved: number;
    /** Approved charges per provider: the split at work (a provider at 0 is a finding in itself). */
    approved_by_provider: Record<string, number>;
    ledger_refunds: number;
    /** Orders the router has no payment for (their create was never answered 201). */
    orders_without_payment: number;
    /** Payments with more than one approved authorization, all but one released (no money held twice). */
    extra_authorizations_released: number;
    /** Declined provider entries that name no router attempt (no money moved). */
    declined_entries_without_attempt: number;
    /** Provider refunds whose key names no router refund (any money they moved shows as an amount mismatch too). */
    provider_refunds_unknown_to_router: number;
    /** Attempts resolved after the request lost the answer, by who resolved them. */
    attempts_resolved_by: Record<string, number>;
    idempotency_keys_by_state: Record<string, number>;
    jobs: RouterFacts['jobs'];
    /** Money moved at the providers, per currency, and the router's view of it. */
    totals: Record<string, { provider_captured: number; router_captured: number; provider_refunded: number; router_refunded: number }>;
  };
  /** Up to 10 examples per non-zero category, with the evidence. */
  examples: Record<string, unknown[]>;
}

const ATTEMPT_KEY = /^(pay_[0-9A-Za-z]+):attempt:(\d+)$/;
const REFUND_KEY = /^(re_[0-9A-Za-z]+):refund$/;

export function reconcile(input: {
  facts: RouterFacts;
  ledger: Record<Provider, LedgerExport>;
  deliveries: Record<Provider, WebhookDelivery[]>;
  orderKeys: readonly string[];
}): Findings {
  const { facts, ledger, deliveries } = input;
  const examples: Record<string, unknown[]> = {};
  const example = (category: string, item: unknown) => {
    const list = (examples[category] ??= []);
    if (list.length < 10) list.push(item);
  };
  const count = <K extends string>(into: Record<K, number>, key: K) => (into[key] = (into[key] ?? 0) + 1);

  const payments = new Map(facts.payments.map((p) => [p.id, p]));
  const attempts = new Map(facts.attempts.map((a) => [`${a.paymentId}#${a.number}`, a]));
  const attemptsOf = groupBy(facts.attempts, (a) => a.paymentId);
  const refundsOf = groupBy(facts.refunds, (r) => r.paymentId);
  const routerRefunds = new Set(facts.refunds.map((r) => r.id));

  // Each provider charge, to the router payment and attempt its reference names.
  const chargesOf = new Map<string, (LedgerCharge & { provider: Provider })[]>();
  const findings: Findings['money'] = {
    double_charges: 0,
    charges_without_payment: 0,
    failed_while_charged: 0,
    amount_mismatches: 0,
    amount_mismatches_by_field: { captured: 0, refunded: 0, held: 0 },
    amount_mismatches_by_kind: {},
  };
  const info: Findings['info'] = {
    router_payments: facts.payments.length,
    payments_by_status: {},
    router_refunds_by_status: {},
    ledger_charges: 0,
    ledger_charges_approved: 0,
    approved_by_provider: Object.fromEntries(PROVIDERS.map((p) => [p, 0])),
    ledger_refunds: 0,
    orders_without_payment: 0,
    extra_authorizations_released: 0,
    declined_entries_without_attempt: 0,
    provider_refunds_unknown_to_router: 0,
    attempts_resolved_by: {},
    idempotency_keys_by_state: {},
    jobs: facts.jobs,
    totals: {},
  };
  for (const [provider, book] of Object.entries(ledger) as [Provider, LedgerExport][]) {
    for (const charge of book.charges) {
      info.ledger_charges += 1;
      if (charge.authorized > 0) {
        info.ledger_charges_approved += 1;
        count(info.approved_by_provider, provider);
      }
      const match = charge.orderReference ? ATTEMPT_KEY.exec(charge.orderReference) : null;
      const paymentId = match?.[1] ?? charge.paymentId;
      const attempt: AttemptFacts | undefined = match ? attempts.get(`${match[1]}#${Number(match[2])}`) : undefined;
      if (!paymentId || !payments.has(paymentId) || !attempt || attempt.provider !== provider) {
        if (charge.authorized > 0) {
          findings.charges_without_payment += 1;
          example('charges_without_payment', { provider, ...charge, router_attempt: attempt ?? null });
        } else {
          info.declined_entries_without_attempt += 1;
        }
        continue;
      }
      if (attempt.gatewayReference && attempt.gatewayReference !== charge.reference && charge.authorized > 0) {
        // The router recorded another provider reference for this attempt: this charge is one it does not know.
        findings.charges_without_payment += 1;
        example('charges_without_payment', { provider, ...charge, router_attempt: attempt, note: 'the attempt names another provider reference' });
        continue;
      }
      const list = chargesOf.get(paymentId) ?? [];
      list.push({ ...charge, provider });
      chargesOf.set(paymentId, list);
    }
    for (const refund of book.refunds) {
      info.ledger_refunds += 1;
      const match = refund.orderReference ? REFUND_KEY.exec(refund.orderReference) : null;
      if (!match || !routerRefunds.has(match[1]!)) {
        info.provider_refunds_unknown_to_router += 1;
        example('provider_refunds_unknown_to_router', { provider, ...refund });
      }
    }
  }

  // Orders: one create key each; the router must hold one payment per order at most.
  const paymentsOfOrder = groupBy(
    facts.payments.filter((p) => p.order),
    (p) => p.order!,
  );
  let severalPayments = 0;
  for (const key of input.orderKeys) {
    const list = paymentsOfOrder.get(key) ?? [];
    if (list.length === 0) info.orders_without_payment += 1;
    if (list.length > 1) {
      severalPayments += 1;
      example('orders_with_several_payments', { order: key, payments: list.map((p) => ({ id: p.id, status: p.status })) });
    }
    const liveCharges = list.flatMap((p) => (chargesOf.get(p.id) ?? []).filter((c) => live(c) > 0).map((c) => ({ payment: p.id, ...c })));
    if (liveCharges.length > 1) {
      findings.double_charges += 1;
      example('double_charges', { order: key, charges: liveCharges });
    }
  }

  // Every notification about a provider reference, for the evidence; those lost for good, to explain reviews.
  // How many notifications were lost for good per provider, reference and type: each explains one unsettled state at most.
  const dropped = new Map<string, number>();
  const notifications = new Map<string, unknown[]>();
  for (const [provider, list] of Object.entries(deliveries)) {
    for (const d of list) {
      if (!d.reference) continue;
      if (d.state === 'dropped') {
        const key = `${provider}|${d.reference}|${d.type}`;
        dropped.set(key, (dropped.get(key) ?? 0) + 1);
      }
      // Each attempt as `<fault>:<status>` (status: the router's answer, or why none came).
      const summary = { provider, type: d.type, state: d.state, attempts: d.attempts.map((a) => [a.fault, a.status ?? a.error ?? 'no answer'].filter(Boolean).join(':')) };
      const known = notifications.get(d.reference);
      if (known) known.push(summary);
      else notifications.set(d.reference, [summary]);
    }
  }
  const webhooksOf = (references: readonly (string | null)[]) => references.flatMap((ref) => (ref ? (notifications.get(ref) ?? []) : []));

  for (const p of facts.payments) {
    count(info.payments_by_status, p.status);
    const charges = chargesOf.get(p.id) ?? [];
    const approved = charges.filter((c) => c.authorized > 0);
    if (approved.length > 1 && approved.filter((c) => live(c) > 0).length <= 1) info.extra_authorizations_released += 1;
    const provider = {
      captured: sum(charges, (c) => c.captured),
      refunded: sum(charges, (c) => c.refunded),
      held: sum(charges, (c) => Math.max(0, c.authorized - c.captured - c.released)),
      live: sum(charges, live),
    };
    const totals = (info.totals[p.currency] ??= { provider_captured: 0, router_captured: 0, provider_refunded: 0, router_refunded: 0 });
    totals.provider_captured += provider.captured;
    totals.router_captured += p.amountCaptured;
    totals.provider_refunded += provider.refunded;
    totals.router_refunded += p.amountRefunded;
    const evidence = () => ({ payment: p, attempts: attemptsOf.get(p.id) ?? [], refunds: refundsOf.get(p.id) ?? [], charges, webhooks: webhooksOf(charges.map((c) => c.reference)) });

    if ((p.status === 'failed' || p.status === 'canceled') && provider.live > 0) {
      findings.failed_while_charged += 1;
      example('failed_while_charged', evidence());
      continue;
    }
    const settled = p.status !== 'processing' && p.status !== 'requires_action' && !p.pendingOperation;
    if (settled && (p.status === 'succeeded' || p.status === 'requires_capture')) {
      const routerHeld = p.status === 'requires_capture' ? p.amountCapturable : 0;
      // A refund still pending at the router (itself counted as unsettled below) may have been made at the provider.
      const pendingRefunds = sum((refundsOf.get(p.id) ?? []).filter((r) => r.status === 'pending'), (r) => r.amount);
      const differs = {
        captured: provider.captured !== p.amountCaptured,
        refunded: provider.refunded < p.amountRefunded || provider.refunded > p.amountRefunded + pendingRefunds,
        held: provider.held !== routerHeld,
      };
      if (differs.captured || differs.refunded || differs.held) {
        findings.amount_mismatches += 1;
        for (const field of ['captured', 'refunded', 'held'] as const) if (differs[field]) findings.amount_mismatches_by_field[field] += 1;
        const fields = (['captured', 'refunded', 'held'] as const).filter((f) => differs[f]).join('+');
        const providers = [...new Set(charges.map((c) => c.provider))].join('+') || 'no charge';
        const capture = p.captureMethod === 'manual' ? (p.amountCaptured > 0 && p.amountCaptured < p.amount ? 'manual, captured in part' : 'manual') : 'automatic';
        count(findings.amount_mismatches_by_kind, `${fields} · ${providers} · ${capture}`);
        example('amount_mismatches', {
          differs,
          router: { status: p.status, captured: p.amountCaptured, refunded: p.amountRefunded, refunds_pending: pendingRefunds, capturable: routerHeld },
          provider,
          ...evidence(),
        });
      }
    }
  }
  for (const a of facts.attempts) if (a.outcomeReason?.startsWith('resolved_by_')) count(info.attempts_resolved_by, a.outcomeReason);
  for (const r of facts.refunds) count(info.router_refunds_by_status, r.status);
  for (const k of facts.idempotencyKeys) count(info.idempotency_keys_by_state, k.state);

  // Unsettled states, and whether a lost-for-good notification at a provider without lookup explains each.
  // Adyen's technical cancel of an attempt it may never have had is named by our reference for it (`<attempt key>:void`).
  const referencesOf = (p: PaymentFacts) =>
    new Set(
      [p.gatewayReference, ...(chargesOf.get(p.id) ?? []).map((c) => c.reference), ...(attemptsOf.get(p.id) ?? []).map((a) => voidReference(a.idempotencyKey))].filter(Boolean) as string[],
    );
  const providerOf = (p: PaymentFacts) => (attemptsOf.get(p.id) ?? []).sort((a, b) => a.number - b.number).at(-1)?.provider ?? null;
  const lostFor = (p: PaymentFacts, types: readonly string[]) => {
    const provider = providerOf(p);
    if (!provider || !NOTIFICATION_ONLY.has(provider)) return false;
    for (const ref of referencesOf(p)) {
      for (const type of types) {
        const key = `${provider}|${ref}|${type}`;
        const left = dropped.get(key) ?? 0;
        if (left > 0) {
          dropped.set(key, left - 1);
          return true;
        }
      }
    }
    return false;
  };

  const unsettled: Findings['unsettled'] = {
    processing: 0,
    requires_action: 0,
    pending_operations: 0,
    refunds_pending: 0,
    review_payments: facts.payments.filter((p) => p.reviewReason).length,
    review_refunds: facts.refunds.filter((r) => r.reviewReason).length,
    idempotency_keys_in_progress: 0,
    explained_by_lost_notification: 0,
    unexplained: 0,
    unexplained_by_kind: {},
  };
  const judge = (category: string, item: unknown, p: PaymentFacts, reviewReason: string | null, explained: () => boolean) => {
    if (reviewReason && explained()) {
      unsettled.explained_by_lost_notification += 1;
      example('explained_by_lost_notification', item);
    } else {
      unsettled.unexplained += 1;
      example(category, item);
      const last = (attemptsOf.get(p.id) ?? []).sort((a, b) => a.number - b.number).at(-1);
      const attempt = last ? `${last.provider} attempt ${last.status}${last.outcomeReason ? `/${last.outcomeReason}` : ''}` : 'no attempt';
      const charged = (chargesOf.get(p.id) ?? []).some((c) => c.provider === last?.provider) ? 'the provider has it' : 'no charge at the provider';
      count(unsettled.unexplained_by_kind, `${category} · ${attempt} · ${charged} · ${reviewReason ? `review ${reviewReason}` : 'not flagged'}`);
    }
  };
  for (const p of facts.payments) {
    const item = () => ({ payment: p, attempts: attemptsOf.get(p.id) ?? [], charges: chargesOf.get(p.id) ?? [], webhooks: webhooksOf([...referencesOf(p)]) });
    if (p.pendingOperation) {
      unsettled.pending_operations += 1;
      judge('pending_operations', item(), p, p.reviewReason, () => lostFor(p, p.pendingOperation === 'capture' ? ['CAPTURE'] : ['CANCELLATION', 'CANCEL_OR_REFUND']));
    } else if (p.status === 'processing') {
      unsettled.processing += 1;
      // Its AUTHORISATION, or once the reconciler voided the attempt, the TECHNICAL_CANCEL that confirms it.
      judge('processing', item(), p, p.reviewReason, () => lostFor(p, ['AUTHORISATION', 'TECHNICAL_CANCEL']));
    } else if (p.status === 'requires_action') {
      unsettled.requires_action += 1;
      judge('requires_action', item(), p, p.reviewReason, () => lostFor(p, ['AUTHORISATION']));
    }
  }
  for (const r of facts.refunds) {
    if (r.status !== 'pending') continue;
    unsettled.refunds_pending += 1;
    const p = payments.get(r.paymentId)!;
    judge('refunds_pending', { refund: r, payment: p, charges: chargesOf.get(p.id) ?? [], webhooks: webhooksOf([...referencesOf(p)]) }, p, r.reviewReason, () => lostFor(p, ['REFUND', 'CANCEL_OR_REFUND']));
  }
  for (const k of facts.idempotencyKeys) {
    if (k.state !== 'in_progress') continue;
    unsettled.idempotency_keys_in_progress += 1;
    unsettled.unexplained += 1;
    count(unsettled.unexplained_by_kind, 'idempotency key in_progress');
    example('idempotency_keys_in_progress', k);
  }

  return { money: findings, unsettled, idempotency: { orders_with_several_payments: severalPayments }, info, examples };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

function sum<T>(items: readonly T[], of: (item: T) => number): number {
  return items.reduce((total, item) => total + of(item), 0);
}

export type { RefundFacts };
