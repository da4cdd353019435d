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
