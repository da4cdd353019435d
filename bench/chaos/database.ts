import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';

export interface PaymentFacts {
  id: string;
  status: string;
  amount: number;
  currency: string;
  captureMethod: string;
  amountCapturable: number;
  amountCaptured: number;
  amountRefunded: number;
  gatewayReference: string | null;
  pendingOperation: string | null;
  operationState: string | null;
  reviewReason: string | null;
  failureCode: string | null;
  /** The order's create Idempotency-Key, from the payment's metadata. */
  order: string | null;
}

export interface AttemptFacts {
  paymentId: string;
  number: number;
  provider: string;
  idempotencyKey: string;
  status: string;
  outcome: string | null;
  outcomeReason: string | null;
  gatewayReference: string | null;
}

export interface RefundFacts {
  id: string;
  paymentId: string;
  amount: number;
  status: string;
  reviewReason: string | null;
  gatewayReference: string | null;
  failureCode: string | null;
}

export interface KeyFacts {
  key: string;
  state: string;
  responseStatus: number | null;
  resourceType: string | null;
  resourceId: string | null;
}

/** What the router's database holds once the router has stopped. */
export interface RouterFacts {
  payments: PaymentFacts[];
  attempts: AttemptFacts[];
  refunds: RefundFacts[];
  idempotencyKeys: KeyFacts[];
  jobs: { kind: string; state: string; count: number }[];
}

const QUERIES = {
  payments: `select id, status, amount, currency, capture_method, amount_capturable, amount_captured, amount_refunded, gateway_reference,
                    pending_operation, operation_state, review_reason, failure_code, metadata->>'chaos_order' as chaos_order from payments`,
  attempts: `select payment_id, number, provider, idempotency_key, status, outcome, outcome_reason, gateway_reference from attempts`,
  refunds: `select id, payment_id, amount, status, review_reason, gateway_reference, failure_code from refunds`,
  keys: `select key, state, response_status, resource_type, resource_id from idempotency_keys`,
  jobs: `select kind, state, count(*)::int as count from jobs group by kind, state order by kind, state`,
};

type Row = Record<string, any>;

/** Reads the facts the reconciliation needs, straight from the database (PostgreSQL by URL, or PGlite's directory). */
export async function readRouterFacts(source: { url: string } | { pgliteDir: string }): Promise<RouterFacts> {
  let run: (sql: string) => Promise<Row[]>;
  let close: () => Promise<void>;
  if ('url' in source) {
    const sql = postgres(source.url, { max: 1, onnotice: () => {} });
    run = async (text) => [...(await sql.unsafe(text))];
    close = () => sql.end({ timeout: 5 });
  } else {
    const db = new PGlite(source.pgliteDir);
    run = async (text) => (await db.query<Row>(text)).rows;
    close = () => db.close();
  }
  try {
    const n = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
    return {
      payments: (await run(QUERIES.payments)).map((r) => ({
        id: r.id,
        status: r.status,
        amount: n(r.amount),
        currency: r.currency,
        captureMethod: r.capture_method,
        amountCapturable: n(r.amount_capturable),
        amountCaptured: n(r.amount_captured),
        amountRefunded: n(r.amount_refunded),
        gatewayReference: r.gateway_reference,
        pendingOperation: r.pending_operation,
        operationState: r.operation_state,
        reviewReason: r.review_reason,
        failureCode: r.failure_code,
        order: r.chaos_order,
      })),
      attempts: (await run(QUERIES.attempts)).map((r) => ({
        paymentId: r.payment_id,
        number: n(r.number),
        provider: r.provider,
        idempotencyKey: r.idempotency_key,
        status: r.status,
        outcome: r.outcome,
        outcomeReason: r.outcome_reason,
        gatewayReference: r.gateway_reference,
      })),
      refunds: (await run(QUERIES.refunds)).map((r) => ({
        id: r.id,
        paymentId: r.payment_id,
        amount: n(r.amount),
        status: r.status,
        reviewReason: r.review_reason,
        gatewayReference: r.gateway_reference,
        failureCode: r.failure_code,
      })),
      idempotencyKeys: (await run(QUERIES.keys)).map((r) => ({
        key: r.key,
        state: r.state,
        responseStatus: r.response_status === null ? null : n(r.response_status),
        resourceType: r.resource_type,
        resourceId: r.resource_id,
      })),
      jobs: (await run(QUERIES.jobs)).map((r) => ({ kind: r.kind, state: r.state, count: n(r.count) })),
    };
  } finally {
    await close();
  }
}
