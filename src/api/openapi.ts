import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './env.js';
import { ProblemView } from './schemas.js';

/** Pieces every route's OpenAPI description shares. */
export const security = [{ bearerAuth: [] }];

export const idempotencyHeader = {
  name: 'Idempotency-Key',
  in: 'header' as const,
  required: false,
  schema: { type: 'string' as const, maxLength: 255 },
  description: 'Makes a POST safe to retry: the same key and body answer the stored first response.',
};

export const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ProblemView } } });

export const json = <T>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });

/** Operator session tokens (POST /v1/admin/session): the admin API and ruleset activation. */
export const operatorSecurity = [{ operatorSession: [] }];

type Operation = {
  security?: Record<string, unknown>[];
  parameters?: { name: string; in: string }[];
  responses: Record<string, { description: string; headers?: Record<string, unknown>; content?: unknown }>;
};
type Document = ReturnType<OpenAPIHono<AppEnv>['getOpenAPI31Document']>;

const header = (description: string, schema: Record<string, unknown> = { type: 'string' }) => ({ description, schema });
const REQUEST_ID = header('Our id for this request (`req_…`); quote it when asking about it.');
const CLIENT_REQUEST_ID = header("The `Request-Id` the request came with, when it was a well-formed id (1–64 of `A-Z a-z 0-9 . _ : -`).");
const RETRY_AFTER = header('Seconds to wait before retrying.', { type: 'integer', minimum: 1 });
const REPLAYED = header('`true` when this is the stored answer to an earlier request with the same Idempotency-Key.', { type: 'string', enum: ['true'] });
const problemRef = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });

/**
 * Answers that middleware gives on every operation of a kind (authentication, JSON bodies,
 * Idempotency-Key), declared once here rather than on each route, so the document lists every
 * status a client can see.
 */
const SHARED = {
  all: {
    429: problemRef('Too many requests for this key (or, without a key, this address): `rate_limited`; retry after `Retry-After`.'),
  },
  secured: {
    401: problemRef('No credentials, or not valid ones: an API key, or an operator session token on operator operations (`unauthorized`).'),
    403: problemRef('The key lacks the scope this operation needs (`insufficient_scope`; `required_scope` names it), or the operator the role or a fresh TOTP code (`insufficient_role`, `mfa_required`).'),
  },
  post: {
    400: problemRef('Invalid request: the body or a parameter (`param` names it).'),
    413: problemRef('The body is larger than the API accepts (`payload_too_large`).'),
    415: problemRef('A body was sent without `Content-Type: application/json` (`unsupported_media_type`).'),
  },
  /** POSTs of the merchant API (API keys), which take an Idempotency-Key. */
  idempotent: {
    400: problemRef('Invalid request: the body, a parameter or the Idempotency-Key (`param` names it).'),
    409: problemRef('A request with this Idempotency-Key is still running (`idempotency_key_in_use`); retry after `Retry-After`.'),
    422: problemRef('The Idempotency-Key was used with a different request (`idempotency_key_reused`).'),
  },
} as const;

/** The document GET /openapi.json answers. */
export function openApiDocument(app: OpenAPIHono<AppEnv>): Document {
  const doc = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: { title: 'Switchyard', version: '1', description: 'One payment API for every gateway.' },
    servers: [{ url: 'http://127.0.0.1:8787', description: 'The sandbox (`npm start`); a production server answers the same paths at its own origin.' }],
  });
  for (const item of Object.values(doc.paths ?? {})) {
    for (const [method, operation] of Object.entries(item as Record<string, Operation>)) {
      if (!operation?.responses) continue;
      const idempotent = method === 'post' && operation.security?.some((scheme) => 'bearerAuth' in scheme) === true;
      const shared = {
        ...SHARED.all,
        ...(operation.security?.length ? SHARED.secured : {}),
        ...(method === 'post' ? SHARED.post : {}),
        ...(idempotent ? SHARED.idempotent : {}),
      };
      for (const [status, response] of Object.entries(shared)) operation.responses[status] ??= response;
      if (idempotent && !operation.parameters?.some((p) => p.name === idempotencyHeader.name)) {
        operation.parameters = [...(operation.parameters ?? []), idempotencyHeader];
      }
      for (const [status, response] of Object.entries(operation.responses)) {
        response.headers = {
          ...response.headers,
          'Request-Id': REQUEST_ID,
          'Client-Request-Id': CLIENT_REQUEST_ID,
          ...(idempotent && status.startsWith('2') ? { 'Idempotent-Replayed': REPLAYED } : {}),
          ...(status === '409' || status === '429' || status === '503' ? { 'Retry-After': RETRY_AFTER } : {}),
        };
      }
    }
  }
  return doc;
}
