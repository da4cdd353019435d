import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import { ALERT_KINDS, MAX_OPERATOR_RULES, MAX_RULES_PER_MERCHANT, OPERATOR_KINDS } from '../../alerts/rules.js';
import { parseParams, type AlertService } from '../../alerts/service.js';
import { alertView } from '../../alerts/view.js';
import type { AlertRuleRow } from '../../store/alerts.js';
import type { Clock } from '../../domain/clock.js';
import { Problem, problems } from '../../domain/problem.js';
import type { AppEnv } from '../env.js';
import { listPage } from '../list-page.js';
import { requireOperator } from '../middleware/operator.js';
import { idempotencyHeader, json, operatorSecurity, problem, security } from '../openapi.js';
import { validationProblem } from '../problem-response.js';
import { listOf, text } from '../schemas.js';

const RuleId = z.string().regex(/^alr_[0-9A-Za-z]{1,60}$/, 'Alert rule ids look like alr_ followed by letters and digits.');
const RuleIdParam = z.object({ id: RuleId.openapi({ param: { name: 'id', in: 'path' }, example: 'alr_01JD0000000000000000000000' }) });
const Name = text().pipe(z.string().trim().min(1, 'name may not be empty.').max(100, 'name is at most 100 characters.'));
const Params = z.record(z.string(), z.unknown()).openapi({
  description:
    'Per kind (every field optional unless said; `resolve_after`, 1–20, default 2: evaluations in a row that must find the condition cleared before the alert resolves). ' +
    '`approval_drop`: `gateway_account_id` (default: every account), `window_minutes` (1–720, default 15), `baseline` (`preceding`, default: the `baseline_hours` before the window; `last_week`: the same window a week earlier, read from hourly rollups so it spans the whole hours around that window), `baseline_hours` (1–47, default 24; with the window at most 48 h; used by `preceding`), ' +
    '`drop_pp` (1–100, default 10: percentage points below the baseline), `min_attempts` (default 20, in the window and in the baseline). ' +
    '`breaker_open`: `gateway_account_id`. `reconciler_backlog`: `max_count` and/or `max_age_minutes` (at least one). `review_queue`: `max_count` (default 0). ' +
    '`forecast_above_capacity`: `horizon` (`24h` or `7d`), `instances` (default 1).',
});

const CreateRuleBody = z
  .strictObject({
    kind: z.string().pipe(z.enum(ALERT_KINDS)),
    name: Name.optional().openapi({ description: 'Default: the kind.' }),
    enabled: z.boolean().default(true),
    params: Params.default({}),
  })
  .openapi('CreateAlertRule');
const UpdateRuleBody = z
  .strictObject({ name: Name.optional(), enabled: z.boolean().optional(), params: Params.optional().openapi({ description: 'Replaces the parameters (defaults fill what is left out).' }) })
  .openapi('UpdateAlertRule');
const ListAlertsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  starting_after: z.string().regex(/^alt_[0-9A-Za-z]{1,60}$/, 'starting_after must be an alert id.').optional(),
  state: z.enum(['firing', 'resolved']).optional(),
});

const RuleView = z
  .object({
    id: z.string(),
    object: z.literal('alert_rule'),
    kind: z.enum(ALERT_KINDS),
    name: z.string(),
    enabled: z.boolean(),
    params: z.record(z.string(), z.unknown()),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('AlertRule');
const DeletedRuleView = z.object({ id: z.string(), object: z.literal('alert_rule'), deleted: z.literal(true) }).openapi('DeletedAlertRule');
const AlertView = z
  .object({
    id: z.string(),
    object: z.literal('alert'),
    rule_id: z.string(),
    kind: z.string(),
    subject: z.string().openapi({ description: 'The gateway account id the alert is about, or `merchant`; for an operator-wide approval drop, the provider (`stripe`).' }),
    state: z.enum(['firing', 'resolved']),
    summary: z.string(),
    value: z.number().nullable().openapi({ description: 'What was measured (an approval rate 0–1, a count, minutes, payments/s), the latest reading while firing.' }),
    threshold: z.number().nullable(),
    detail: z.record(z.string(), z.unknown()),
    fired_at: z.string(),
    resolved_at: z.string().nullable(),
    updated_at: z.string(),
  })
  .openapi('Alert');

export const ruleView = (r: AlertRuleRow): z.infer<typeof RuleView> => ({
  id: r.id,
  object: 'alert_rule',
  kind: r.kind as z.infer<typeof RuleView>['kind'],
  name: r.name,
  enabled: r.enabled,
  params: r.params,
  created_at: r.createdAt.toISOString(),
  updated_at: r.updatedAt.toISOString(),
});

const errors = { 400: problem('Invalid request; `param` names the field (`params.<field>` for a parameter).'), 401: problem('Missing or invalid credentials.') };

/**
 * The rule and alert routes of one scope: a merchant's (`/v1/alert_rules`, `/v1/alerts`) or the
 * operator-wide ones (`/v1/admin/alert_rules`, `/v1/admin/alerts`: every merchant's numbers together).
 */
function routesFor(scope: 'merchant' | 'operator') {
  const operator = scope === 'operator';
  const base = operator ? '/v1/admin' : '/v1';
  const id = (name: string) => (operator ? `${name.replace(/^(\w+?)(Alert)/, '$1Operator$2')}` : name);
  const whose = operator ? 'operator-wide' : "the merchant's";
  const limit = operator ? MAX_OPERATOR_RULES : MAX_RULES_PER_MERCHANT;
  const notFound = { 404: problem(operator ? 'No such operator-wide alert rule.' : 'No such alert rule for this merchant.') };
  const roles = { 403: problem(operator ? 'Reading needs an operator with access to every merchant; changing needs an admin.' : 'The key lacks alerts:read (reading) or alerts:write (changing).') };
  const secured = operator ? operatorSecurity : security;
  const idempotent = { parameters: operator ? [] : [idempotencyHeader] };
  return {
    create: createRoute({
      method: 'post',
      path: `${base}/alert_rules`,
      operationId: id('createAlertRule'),
      summary: operator ? `Create an operator-wide alert rule (admin; kinds: ${OPERATOR_KINDS.join(', ')})` : 'Create an alert rule',
      security: secured,
      ...idempotent,
      request: { body: { required: true, content: { 'application/json': { schema: CreateRuleBody } } } },
      responses: { 201: json(RuleView, 'The rule; it is evaluated from the next run of the alert job (every 15 s).'), ...errors, ...roles, 409: problem(`There are ${limit} ${whose} alert rules already.`) },
    }),
    list: createRoute({
      method: 'get',
      path: `${base}/alert_rules`,
      operationId: id('listAlertRules'),
      summary: `List ${whose} alert rules, oldest first`,
      security: secured,
      responses: { 200: json(listOf(RuleView, 'AlertRuleList'), `Every rule (at most ${limit}).`), ...errors, ...roles },
    }),
    get: createRoute({
      method: 'get',
      path: `${base}/alert_rules/{id}`,
      operationId: id('getAlertRule'),
      summary: `Retrieve ${operator ? 'an operator-wide' : 'an'} alert rule`,
      security: secured,
      request: { params: RuleIdParam },
      responses: { 200: json(RuleView, 'The rule.'), ...errors, ...roles, ...notFound },
    }),
    update: createRoute({
      method: 'post',
      path: `${base}/alert_rules/{id}`,
      operationId: id('updateAlertRule'),
      summary: 'Rename, enable or disable an alert rule, or replace its parameters; its firing alerts resolve when it is disabled or its parameters change',
      security: secured,
      ...idempotent,
      request: { params: RuleIdParam, body: { required: true, content: { 'application/json': { schema: UpdateRuleBody } } } },
      responses: { 200: json(RuleView, 'The rule as it now is.'), ...errors, ...roles, ...notFound },
    }),
    remove: createRoute({
      method: 'delete',
      path: `${base}/alert_rules/{id}`,
      operationId: id('deleteAlertRule'),
      summary: 'Delete an alert rule; its firing alerts resolve, its alerts stay as history',
      security: secured,
      request: { params: RuleIdParam },
      responses: { 200: json(DeletedRuleView, 'The rule is deleted.'), ...errors, ...roles, ...notFound },
    }),
    alerts: createRoute({
      method: 'get',
      path: `${base}/alerts`,
      operationId: id('listAlerts'),
      summary: `List ${whose} alerts, firing and resolved, newest first`,
      security: secured,
      request: { query: ListAlertsQuery },
      responses: { 200: json(listOf(AlertView, 'AlertList'), 'A page of alerts.'), ...errors, ...roles },
    }),
  };
}

/**
 * Alert rules (CRUD) and the alerts they raised. The merchant routes scope every query to the
 * caller's merchant; the operator-wide ones (`/v1/admin/…`) are read by operators with access to
 * every merchant and changed by admins.
 */
export function alertRoutes(app: OpenAPIHono<AppEnv>, service: AlertService, clock: Clock): void {
  register(app, service, 'merchant', {});
  const allMerchants = createMiddleware<AppEnv>(async (c, next) => {
    if (c.get('operator').merchantIds !== null) {
      throw new Problem({ status: 403, code: 'merchant_not_allowed', title: 'Forbidden', detail: 'Operator-wide alerts cover every merchant: this needs an operator with access to all of them.' });
    }
    await next();
  });
  const viewer = requireOperator(clock, { role: 'viewer' });
  register(app, service, 'operator', { read: [viewer, allMerchants], write: [requireOperator(clock, { role: 'admin' })] });
}

function register(app: OpenAPIHono<AppEnv>, service: AlertService, scope: 'merchant' | 'operator', guard: { read?: MiddlewareHandler<AppEnv>[]; write?: MiddlewareHandler<AppEnv>[] }): void {
  const routes = routesFor(scope);
  const whose = (c: Context<AppEnv>) => (scope === 'operator' ? null : c.get('merchantId'));
  const params = (kind: (typeof ALERT_KINDS)[number], value: unknown) => {
    if (scope === 'operator' && !(OPERATOR_KINDS as readonly string[]).includes(kind)) {
      throw problems.invalidRequest(`An operator-wide rule watches ${OPERATOR_KINDS.join(', ')}; ${kind} is per merchant.`, 'kind', 'invalid_field');
    }
    const parsed = parseParams(kind, value, scope);
    if (!parsed.ok) throw validationProblem(parsed.error, parsed.input, 'body');
    return parsed.params;
  };
  const read = guard.read ? { middleware: guard.read } : {};
  const write = guard.write ? { middleware: guard.write } : {};

  app.openapi({ ...routes.create, ...write }, async (c) => {
    const body = c.req.valid('json');
    const rule = await service.create(
      whose(c),
      { kind: body.kind, name: body.name ?? body.kind.replaceAll('_', ' '), enabled: body.enabled, params: params(body.kind, body.params) },
      { idempotencyKey: c.get('idempotencyKey') },
    );
    return c.json(ruleView(rule), 201);
  });

  app.openapi({ ...routes.list, ...read }, async (c) => {
    const rows = await service.list(whose(c));
    return c.json({ object: 'list' as const, data: rows.map(ruleView), has_more: false }, 200);
  });

  app.openapi({ ...routes.get, ...read }, async (c) => c.json(ruleView(await service.get(whose(c), c.req.valid('param').id)), 200));

  app.openapi({ ...routes.update, ...write }, async (c) => {
    const owner = whose(c);
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const current = await service.get(owner, id);
    const patch = { name: body.name, enabled: body.enabled, params: body.params === undefined ? undefined : params(current.kind as (typeof ALERT_KINDS)[number], body.params) };
    const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    return c.json(ruleView(await service.update(owner, id, defined)), 200);
  });

  app.openapi({ ...routes.remove, ...write }, async (c) => {
    const rule = await service.remove(whose(c), c.req.valid('param').id);
    return c.json({ id: rule.id, object: 'alert_rule' as const, deleted: true as const }, 200);
  });

  app.openapi({ ...routes.alerts, ...read }, async (c) => {
    const query = c.req.valid('query');
    const rows = await service.alerts(whose(c), { limit: query.limit, startingAfter: query.starting_after, state: query.state });
    return c.json(listPage(rows, query.limit, alertView), 200);
  });
}
