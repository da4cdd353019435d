import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { mayActFor } from '../../admin/operators.js';
import type { Clock } from '../../domain/clock.js';
import { Problem, problems } from '../../domain/problem.js';
import { BACKTEST_LIMITS, backtestVersion } from '../../orchestrator/backtest.js';
import type { Router } from '../../orchestrator/router.js';
import type { paymentService } from '../../orchestrator/payments.js';
import { ruleIdsAt } from '../../routing/rules/parse.js';
import type { LocatedError } from '../../routing/rules/source.js';
import type { AuditRow } from '../../store/audit.js';
import type { Repositories } from '../../store/index.js';
import type { AppEnv } from '../env.js';
import { requireOperator } from '../middleware/operator.js';
import { json, operatorSecurity, problem, security } from '../openapi.js';
import { CreatePaymentBody, text } from '../schemas.js';
import { paymentInput } from './payments.js';

const RulesetVersion = z
  .object({
    version: z.number().int(),
    active: z.boolean(),
    source: z.string(),
    created_by: z.string(),
    created_at: z.string(),
  })
  .openapi('RulesetVersion');
const AuditEntry = z
  .object({
    action: z.enum(['create', 'activate']),
    version: z.number().int(),
    actor: z.string().openapi({ description: '`<type>:<id>`: `api_key:key_…`, `operator:op_…`, `cli:…` or `system:seed`.' }),
    actor_name: z.string().openapi({ description: "The operator's name, the key's label, or the seed's file." }),
    at: z.string(),
  })
  .openapi('RoutingAuditEntry');
const Rulesets = z
  .object({ object: z.literal('routing_rules'), active_version: z.number().int().nullable(), versions: z.array(RulesetVersion), audit: z.array(AuditEntry) })
  .openapi('RoutingRules');
const NewRuleset = z.strictObject({ source: text({ multiline: true }).min(1).max(256 * 1024).openapi({ description: 'The ruleset in the YAML rule language (routing-rules/README.md).' }) }).openapi('NewRuleset');
// Digits only (no `1e3`, `0x10`, ` 7`), documented as the integer it is.
const VersionParam = z.object({
  version: z
    .string()
    .regex(/^[1-9]\d{0,8}$/, 'version must be a positive integer.')
    .openapi({ param: { name: 'version', in: 'path' }, type: 'integer', minimum: 1, example: 2 }),
});
const MerchantQuery = z.strictObject({
  merchant_id: z.string().min(1).max(64).openapi({ param: { name: 'merchant_id', in: 'query' }, description: 'The merchant whose ruleset is activated (operators act for several).' }),
});

const DecideBody = CreatePaymentBody.safeExtend({
  explore: z
    .boolean()
    .default(false)
    .openapi({ description: 'Order by Thompson draws as live traffic does, so two identical requests may differ. Default: by the mean estimates, so they answer the same.' }),
}).openapi('DecideRequest');

const BacktestBody = z
  .strictObject({
    from: z.iso.datetime({ offset: true }).openapi({ description: 'Start of the window (inclusive): payments created from then.', example: '2026-11-01T00:00:00Z' }),
    to: z.iso.datetime({ offset: true }).openapi({ description: `End of the window (exclusive); at most ${BACKTEST_LIMITS.maxWindowDays} days after \`from\`.`, example: '2026-11-29T00:00:00Z' }),
  })
  .openapi('BacktestRequest');
const Interval = z
  .object({ estimate: z.number(), low: z.number(), high: z.number() })
  .nullable()
  .openapi('EstimateInterval', { description: 'An estimate and its 95 % confidence interval; null when no recorded payment went where this version would send one.' });
const PolicyEstimate = {
  approval_rate: Interval,
  effective_sample_size: z.number(),
  refused_share: z.number().openapi({ description: 'Mean chance this version refuses a payment (a block, or no eligible gateway).' }),
  unsupported_share: z.number().openapi({ description: 'Mean chance this version sends a payment first where the routing that recorded it never would: outcomes the estimate cannot see.' }),
};
const Money = z.object({ fees: Interval, net_revenue: Interval });
const Backtest = z
  .object({
    object: z.literal('routing_backtest'),
    window: z.object({ from: z.string(), to: z.string() }),
    estimator: z.object({ name: z.string(), confidence: z.number(), interval: z.string(), outcome: z.string(), description: z.string() }),
    payments: z.object({
      in_window: z.number().int(),
      estimated: z.number().int(),
      excluded: z.object({ no_propensity: z.number().int(), not_attempted: z.number().int(), unsettled: z.number().int(), probe: z.number().int() }),
    }),
    changed_route: z.number().int().openapi({ description: 'Estimated payments whose most likely first gateway (or refusal) differs between the active and the candidate version.' }),
    observed: z.object({ approval_rate: z.number().nullable() }),
    current: z.object({ version: z.number().int().nullable(), ...PolicyEstimate }),
    candidate: z.object({ version: z.number().int(), ...PolicyEstimate }),
    currencies: z.array(
      z.object({
        currency: z.string(),
        payments: z.number().int(),
        observed: z.object({ fees: z.number().int(), net_revenue: z.number().int() }),
        current: Money,
        candidate: Money,
      }),
    ).openapi({ description: 'Fees and net revenue (amount less fee, on approved first attempts), totals in minor units over the estimated payments, per currency.' }),
  })
  .openapi('RoutingBacktest');

const routes = {
  list: createRoute({ method: 'get', path: '/v1/routing/rules', operationId: 'listRoutingRulesets', summary: 'The active ruleset version, every stored version, and who changed what', security, responses: { 200: json(Rulesets, 'Rulesets.') } }),
  create: createRoute({
    method: 'post',
    path: '/v1/routing/rules',
    operationId: 'createRoutingRuleset',
    summary: 'Validate a ruleset and store it as a new version (not yet active)',
    security,
    request: { body: { required: true, content: { 'application/json': { schema: NewRuleset } } } },
    responses: { 201: json(RulesetVersion, 'The stored version.'), 400: problem('Invalid request.'), 422: problem('The ruleset is invalid, or routing could not use it with the gateway accounts it names (disabled, without a working adapter, unable to take what the rule matches): `errors` lists each with line, column, path and rule.') },
  }),
  activate: createRoute({
    method: 'post',
    path: '/v1/routing/rules/{version}/activate',
    operationId: 'activateRoutingRuleset',
    summary: 'Make a stored version the one every following payment is routed with (an operator with a fresh TOTP code; API keys are refused)',
    security: operatorSecurity,
    request: { params: VersionParam, query: MerchantQuery },
    responses: {
      200: json(RulesetVersion, 'The active version.'),
      403: problem('An API key (`operator_required`), a viewer (`insufficient_role`), no TOTP code in the last 15 minutes (`mfa_required`), or a merchant the operator may not act for (`merchant_not_allowed`).'),
      404: problem('No such merchant or version.'),
      422: problem('The version no longer fits the gateway accounts (the same checks as storing it): `errors` lists each with line, column, path and rule; nothing is activated.'),
    },
  }),
  backtest: createRoute({
    method: 'post',
    path: '/v1/routing/rules/{version}/backtest',
    operationId: 'backtestRoutingRuleset',
    summary: "Replay the merchant's recorded payments in a window against a stored version and the active one, and estimate approval rate, fees and net revenue under each (nothing is charged or changed)",
    security,
    request: { params: VersionParam, body: { required: true, content: { 'application/json': { schema: BacktestBody } } } },
    responses: {
      200: json(Backtest, 'The estimates, the estimator that made them, and which payments it left out and why.'),
      404: problem('No such version.'),
      422: problem(`The version no longer fits the gateway accounts (\`invalid_ruleset\`), or the window holds more than ${BACKTEST_LIMITS.maxPayments} payments (\`too_many_payments\`).`),
    },
  }),
  decide: createRoute({
    method: 'post',
    path: '/v1/routing/decide',
    operationId: 'decideRouting',
    summary: 'The routing decision and its explanation for a payment request, without charging or storing anything',
    security,
    request: { body: { required: true, content: { 'application/json': { schema: DecideBody } } } },
    responses: { 200: json(z.record(z.string(), z.unknown()).openapi('RoutingDecision'), 'The decision; each candidate\'s `first_probability` is the chance live traffic would send this payment there first.'), 400: problem('Invalid request.') },
  }),
};

export function routingRoutes(app: OpenAPIHono<AppEnv>, repositories: Repositories, router: Router, payments: ReturnType<typeof paymentService>, clock: Clock): void {
  const view = (row: { version: number; source: string; createdBy: string; createdAt: Date }, active: number | null) => ({
    version: row.version,
    active: row.version === active,
    source: row.source,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
  });
  const activeVersion = async (merchantId: string) => (await repositories.routing.active(merchantId))?.version ?? null;

  app.openapi(routes.list, async (c) => {
    const merchantId = c.get('merchantId');
    const active = await activeVersion(merchantId);
    const [versions, audit] = await Promise.all([repositories.routing.versions(merchantId), repositories.routing.audit(merchantId)]);
    return c.json(
      {
        object: 'routing_rules' as const,
        active_version: active,
        versions: versions.map((v) => view(v, active)),
        audit: audit.map(auditView),
      },
      200,
    );
  });

  app.openapi(routes.create, async (c) => {
    const merchantId = c.get('merchantId');
    const { source } = c.req.valid('json');
    const checked = await router.checkForMerchant(merchantId, source, 'ruleset');
    if ('errors' in checked) throw invalidRuleset(source, checked.errors);
    const row = await repositories.routing.addVersion(merchantId, source, c.get('actor'));
    return c.json(view(row, await activeVersion(merchantId)), 201);
  });

  app.openapi({ ...routes.activate, middleware: requireOperator(clock, { role: 'operator', mfa: true }) }, async (c) => {
    const merchantId = c.req.valid('query').merchant_id;
    if (!mayActFor(c.get('operator'), merchantId)) {
      throw new Problem({ status: 403, code: 'merchant_not_allowed', title: 'Forbidden', detail: 'You may not act for this merchant.', param: 'merchant_id' });
    }
    if ((await repositories.operators.knownMerchantIds([merchantId])).length === 0) throw problems.notFound('merchant');
    const version = Number(c.req.valid('param').version);
    const row = (await repositories.routing.versions(merchantId)).find((v) => v.version === version);
    if (!row) throw problems.notFound('ruleset version');
    const checked = await router.checkForMerchant(merchantId, row.source, `ruleset v${version}`);
    if ('errors' in checked) throw invalidRuleset(row.source, checked.errors);
    await repositories.routing.activate(merchantId, version, c.get('actor'), clock.now());
    router.invalidate(merchantId);
    return c.json(view(row, version), 200);
  });

  app.openapi(routes.backtest, async (c) => {
    const { from, to } = c.req.valid('json');
    const report = await backtestVersion({ repositories, fees: router.fees }, c.get('merchantId'), Number(c.req.valid('param').version), { from: new Date(from), to: new Date(to) });
    return c.json(report, 200);
  });

  app.openapi(routes.decide, async (c) => {
    const body = c.req.valid('json');
    const explanation = await payments.preview(c.get('merchantId'), paymentInput(body, clock.now()), body.explore);
    return c.json({ object: 'routing_decision', ...explanation } as Record<string, unknown>, 200);
  });
}

function auditView(row: AuditRow) {
  const after = (row.after ?? {}) as { version?: number; active_version?: number };
  return {
    action: row.action === 'routing.ruleset.activate' ? ('activate' as const) : ('create' as const),
    version: after.version ?? after.active_version ?? 0,
    actor: `${row.actorType}:${row.actorId}`,
    actor_name: row.actorName,
    at: row.at.toISOString(),
  };
}

function invalidRuleset(source: string, errors: readonly LocatedError[]): Problem {
  const ruleAt = ruleIdsAt(source);
  return new Problem({
    status: 422,
    code: 'invalid_ruleset',
    title: 'Invalid ruleset',
    detail: `The ruleset has ${errors.length} error${errors.length === 1 ? '' : 's'}; each is listed with its line and column.`,
    param: 'source',
    extensions: { errors: errors.map(({ line, column, message, path }) => ({ line, column, path, rule: ruleAt(path), message })) },
  });
}
