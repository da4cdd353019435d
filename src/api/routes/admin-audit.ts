import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Clock } from '../../domain/clock.js';
import type { AuditRow } from '../../store/audit.js';
import type { Repositories } from '../../store/index.js';
import type { AppEnv } from '../env.js';
import { requireOperator } from '../middleware/operator.js';
import { json, operatorSecurity as security, problem } from '../openapi.js';

const AuditRecord = z
  .object({
    object: z.literal('audit_record'),
    id: z.string(),
    at: z.string(),
    actor: z.object({ type: z.enum(['operator', 'api_key', 'cli', 'system']), id: z.string(), name: z.string() }),
    merchant_id: z.string().nullable(),
    action: z.string().openapi({ example: 'routing.ruleset.activate' }),
    target: z.object({ type: z.string(), id: z.string() }),
    before: z.unknown().openapi({ description: 'The state before the change, secrets masked; null for a creation.' }),
    after: z.unknown().openapi({ description: 'The state after the change, secrets masked.' }),
  })
  .openapi('AuditRecord');
const AuditList = z.object({ object: z.literal('list'), data: z.array(AuditRecord), has_more: z.boolean() }).openapi('AuditList');
const AuditQuery = z.strictObject({
  merchant_id: z.string().min(1).max(64).optional().openapi({ param: { name: 'merchant_id', in: 'query' } }),
  action: z
    .string()
    .regex(/^[a-z_]+(\.[a-z_]+)*\.?$/, 'action must be an action (routing.ruleset.activate) or a prefix ending in a dot (routing.).')
    .max(100)
    .optional()
    .openapi({ param: { name: 'action', in: 'query' }, description: 'An action, or a prefix ending in `.`.' }),
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ param: { name: 'limit', in: 'query' } }),
  starting_after: z.string().regex(/^aud_[0-9A-Z]{26}$/, 'starting_after must be an audit record id (aud_…).').optional().openapi({ param: { name: 'starting_after', in: 'query' }, description: 'The last id of the previous page: records are newest first.' }),
});

const route = createRoute({
  method: 'get',
  path: '/v1/admin/audit',
  operationId: 'listAuditRecords',
  summary: 'The audit log, newest first: who changed what, before and after (admin)',
  security,
  request: { query: AuditQuery },
  responses: { 200: json(AuditList, 'Audit records.'), 400: problem('Invalid request.'), 403: problem('Not an admin.') },
});

export function adminAuditRoutes(app: OpenAPIHono<AppEnv>, repositories: Repositories, clock: Clock): void {
  app.openapi({ ...route, middleware: requireOperator(clock, { role: 'admin' }) }, async (c) => {
    const query = c.req.valid('query');
    const rows = await repositories.audit.list({ merchantId: query.merchant_id, action: query.action, before: query.starting_after, limit: query.limit + 1 });
    return c.json({ object: 'list' as const, data: rows.slice(0, query.limit).map(auditRecordView), has_more: rows.length > query.limit }, 200);
  });
}

function auditRecordView(row: AuditRow) {
  return {
    object: 'audit_record' as const,
    id: row.id,
    at: row.at.toISOString(),
    actor: { type: row.actorType as 'operator' | 'api_key' | 'cli' | 'system', id: row.actorId, name: row.actorName },
    merchant_id: row.merchantId,
    action: row.action,
    target: { type: row.targetType, id: row.targetId },
    before: row.before,
    after: row.after,
  };
}
