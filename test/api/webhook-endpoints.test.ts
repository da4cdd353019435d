import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/domain/api-keys.js';
import { createdEndpointView } from '../../src/api/routes/merchant-webhooks.js';
import { createSecretBox } from '../../src/domain/secret-box.js';
import { Problem } from '../../src/domain/problem.js';
import { merchantWebhookService } from '../../src/orchestrator/merchant-webhooks.js';
import { DRIVERS } from '../support/databases.js';
import { SECRETS_KEY, startHarness, type Harness } from '../support/harness.js';

const ALL = ['*'];

describe.each(DRIVERS)('webhook endpoints API on %s', (driver) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(driver);
  });
  afterAll(() => h.close());
  beforeEach(() => h.reset());

  const create = (body: unknown, options: { key?: string | null; headers?: Record<string, string> } = {}) =>
    h.request('POST', '/v1/webhook_endpoints', { body, ...options });

  async function createEndpoint(body: Record<string, unknown> = {}, key?: string) {
    const res = await create({ url: 'https://example.com/hooks', enabled_events: ALL, ...body }, { key });
    expect(res.status).toBe(201);
    return res.json();
  }

  async function rows(query: ReturnType<typeof sql>) {
    const result = await h.database.db.execute(query);
    return ((result as unknown as { rows?: unknown[] }).rows ?? (result as unknown as unknown[])) as Record<string, unknown>[];
  }
  const counts = async () =>
    (await rows(sql`select (select count(*) from webhook_endpoints) as endpoints, (select count(*) from idempotency_keys) as keys, (select count(*) from jobs) as jobs`))[0];

  async function expectProblem(res: Response, status: number, code: string, param?: string) {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const body = await res.json();
    expect(body).toMatchObject({ status, code, type: `urn:switchyard:problem:${code}` });
    if (param !== undefined) expect(body.param).toBe(param);
    return body;
  }

  describe('create, read, list, delete', () => {
    it('creates an endpoint and shows its signing secret in that answer only', async () => {
      const res = await create(
        { url: 'https://example.com/hooks?source=switchyard', enabled_events: ['payment.succeeded', 'refund.succeeded'], description: 'Orders service' },
      );
      expect(res.status).toBe(201);
      const endpoint = await res.json();
      expect(endpoint).toMatchObject({
        object: 'webhook_endpoint',
        url: 'https://example.com/hooks?source=switchyard',
        enabled_events: ['payment.succeeded', 'refund.succeeded'],
        description: 'Orders service',
      });
      expect(endpoint.id).toMatch(/^we_/);
      expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
      expect(new Date(endpoint.created_at).toISOString()).toBe(endpoint.created_at);

      const fetched = await (await h.request('GET', `/v1/webhook_endpoints/${endpoint.id}`)).json();
      const { secret, ...withoutSecret } = endpoint;
      expect(fetched).toEqual(withoutSecret);
      const listed = await (await h.request('GET', '/v1/webhook_endpoints')).json();
      expect(listed).toEqual({ object: 'list', data: [withoutSecret], has_more: false });
      expect(JSON.stringify([fetched, listed])).not.toContain(secret);
    });

    it('keeps the secret sealed at rest: not in any row, not in the database dump, not in the logs', async () => {
      const endpoint = await createEndpoint();
      const [row] = await rows(sql`select secret_ciphertext from webhook_endpoints`);
      expect(row!.secret_ciphertext).toMatch(/^v1\./);
      expect(row!.secret_ciphertext).not.toContain(endpoint.secret);
      // The sealed secret opens only with the configured key, for this endpoint.
      expect(await createSecretBox(SECRETS_KEY).open(row!.secret_ciphertext as string, endpoint.id)).toBe(endpoint.secret);
      const dump = await h.database.dump();
      expect(dump).toContain(endpoint.id);
      expect(dump).not.toContain(endpoint.secret);
      expect(dump).not.toContain(endpoint.secret.slice('whsec_'.length));
      expect(h.logs.join('\n')).not.toContain(endpoint.secret);
    });

    it('keeps the secret out of the answer stored for an Idempotency-Key, and replays the same answer', async () => {
      const body = { url: 'http://127.0.0.1:9/hooks', enabled_events: ['*'] };
      const first = await h.request('POST', '/v1/webhook_endpoints', { body, headers: { 'Idempotency-Key': 'endpoint-1' } });
      expect(first.status).toBe(201);
      const endpoint = await first.json();
      const [stored] = await rows(sql`select response_body, resource_type, resource_id from idempotency_keys`);
      expect(stored).toMatchObject({ response_body: null, resource_type: 'webhook_endpoint', resource_id: endpoint.id });
      expect((await h.database.dump())).not.toContain(endpoint.secret);
      const replay = await h.request('POST', '/v1/webhook_endpoints', { body, headers: { 'Idempotency-Key': 'endpoint-1' } });
      expect(replay.status).toBe(201);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect(await replay.json()).toEqual(endpoint);
      expect((await (await h.request('GET', '/v1/webhook_endpoints')).json()).data).toHaveLength(1);
    });

    it('can answer the creation again, secret included, for an idempotent replay: to the same merchant only', async () => {
      const endpoint = await createEndpoint();
      const service = merchantWebhookService({ repositories: h.repositories, clock: { now: () => new Date() }, secrets: createSecretBox(SECRETS_KEY), urlPolicy: 'local' });
      const merchant = (await h.repositories.merchants.keyForHash(await hashApiKey(h.key), new Date()))!.merchantId;
      const other = (await h.repositories.merchants.keyForHash(await hashApiKey(h.otherKey), new Date()))!.merchantId;
      const again = await service.creationAnswer(merchant, endpoint.id);
      expect(createdEndpointView(again!.endpoint, again!.secret)).toEqual(endpoint);
      expect(await service.creationAnswer(other, endpoint.id)).toBeNull();
    });

    it('gives each endpoint its own secret', async () => {
      const a = await createEndpoint();
      const b = await createEndpoint();
      expect(a.secret).not.toBe(b.secret);
    });

    it('accepts http://127.0.0.1 in the sandbox, and normalizes the URL', async () => {
      expect((await createEndpoint({ url: 'http://127.0.0.1:9000/hooks' })).url).toBe('http://127.0.0.1:9000/hooks');
      expect((await createEndpoint({ url: 'HTTPS://Example.COM' })).url).toBe('https://example.com/');
    });

    it('drops repeated event types', async () => {
      expect((await createEndpoint({ enabled_events: ['payment.failed', 'payment.failed', 'refund.failed'] })).enabled_events).toEqual(['payment.failed', 'refund.failed']);
    });

    it('lists newest first, a page at a time', async () => {
      const made = [];
      for (let i = 0; i < 3; i++) made.push(await createEndpoint({ description: `n${i}` }));
      const first = await (await h.request('GET', '/v1/webhook_endpoints?limit=2')).json();
      expect(first.data.map((e: { id: string }) => e.id)).toEqual([made[2].id, made[1].id]);
      expect(first.has_more).toBe(true);
      const second = await (await h.request('GET', `/v1/webhook_endpoints?limit=2&starting_after=${first.data[1].id}`)).json();
      expect(second.data.map((e: { id: string }) => e.id)).toEqual([made[0].id]);
      expect(second.has_more).toBe(false);
    });

    it('deletes softly: the endpoint is gone from the API, its row stays for the deliveries', async () => {
      const endpoint = await createEndpoint();
      const res = await h.request('DELETE', `/v1/webhook_endpoints/${endpoint.id}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ id: endpoint.id, object: 'webhook_endpoint', deleted: true });
      await expectProblem(await h.request('GET', `/v1/webhook_endpoints/${endpoint.id}`), 404, 'resource_missing');
      await expectProblem(await h.request('DELETE', `/v1/webhook_endpoints/${endpoint.id}`), 404, 'resource_missing');
      expect((await (await h.request('GET', '/v1/webhook_endpoints')).json()).data).toEqual([]);
      const [row] = await rows(sql`select deleted_at from webhook_endpoints`);
      expect(row!.deleted_at).not.toBeNull();
    });

    it('allows at most 16 live endpoints per merchant, counting none deleted', async () => {
      const made = [];
      for (let i = 0; i < 16; i++) made.push(await createEndpoint());
      const before = await counts();
      await expectProblem(await create({ url: 'https://example.com/17', enabled_events: ALL }), 409, 'webhook_endpoint_limit_reached');
      expect(await counts()).toEqual(before);
      // Another merchant has its own 16.
      await createEndpoint({}, h.otherKey);
      await h.request('DELETE', `/v1/webhook_endpoints/${made[0].id}`);
      await createEndpoint();
    });

    it("answers another merchant's endpoint as missing, and changes nothing of it", async () => {
      const theirs = await createEndpoint({}, h.otherKey);
      await expectProblem(await h.request('GET', `/v1/webhook_endpoints/${theirs.id}`), 404, 'resource_missing');
      await expectProblem(await h.request('DELETE', `/v1/webhook_endpoints/${theirs.id}`), 404, 'resource_missing');
      expect((await (await h.request('GET', '/v1/webhook_endpoints')).json()).data).toEqual([]);
      expect((await h.request('GET', `/v1/webhook_endpoints/${theirs.id}`, { key: h.otherKey })).status).toBe(200);
    });

    it('refuses plain http and internal hosts under the production (strict) policy', async () => {
      const merchant = (await h.repositories.merchants.keyForHash(await hashApiKey(h.key), new Date()))!.merchantId;
      const strict = merchantWebhookService({ repositories: h.repositories, clock: { now: () => new Date() }, secrets: createSecretBox(SECRETS_KEY), urlPolicy: 'strict' });
      for (const url of ['http://example.com/hooks', 'https://127.0.0.1/hooks', 'https://169.254.169.254/latest', 'https://localhost/x']) {
        const error = await strict.createEndpoint(merchant, { url, enabledEvents: ALL, description: null }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(Problem);
        expect(error).toMatchObject({ status: 400, code: 'invalid_url', param: 'url' });
      }
      expect((await strict.createEndpoint(merchant, { url: 'https://hooks.example.com/x', enabledEvents: ALL, description: null })).endpoint.url).toBe('https://hooks.example.com/x');
    });
  });

  describe('bad input changes nothing', () => {
    async function rejected(body: unknown, status: number, code: string, param?: string, headers: Record<string, string> = {}) {
      const before = await counts();
      const problem = await expectProblem(await create(body, { headers: { 'Idempotency-Key': `bad-${Math.random()}`, ...headers } }), status, code, param);
      expect(await counts()).toEqual(before);
      return problem;
    }
    const valid = { url: 'https://example.com/hooks', enabled_events: ALL };

    it('malformed JSON', () => rejected('{"url": "https://', 400, 'invalid_json'));
    it('an empty body', () => rejected('', 400, 'invalid_json'));
    it('a JSON array', () => rejected('[]', 400, 'invalid_field'));
    it('a body that is not JSON', () => rejected('url=https://example.com', 415, 'unsupported_media_type', 'Content-Type', { 'Content-Type': 'application/x-www-form-urlencoded' }));
    it('a missing url', () => rejected({ enabled_events: ALL }, 400, 'missing_field', 'url'));
    it('a url that is not a string', () => rejected({ ...valid, url: 42 }, 400, 'invalid_field', 'url'));
    it('a javascript: url', () => rejected({ ...valid, url: 'javascript:alert(document.cookie)' }, 400, 'invalid_url', 'url'));
    it('a data: url', () => rejected({ ...valid, url: 'data:text/html,<script>alert(1)</script>' }, 400, 'invalid_url', 'url'));
    it('a file: url', () => rejected({ ...valid, url: 'file:///etc/passwd' }, 400, 'invalid_url', 'url'));
    it('a relative url', () => rejected({ ...valid, url: '/hooks' }, 400, 'invalid_url', 'url'));
    it('a url without a scheme', () => rejected({ ...valid, url: 'example.com/hooks' }, 400, 'invalid_url', 'url'));
    it('credentials in the url, never echoed', async () => {
      const problem = await rejected({ ...valid, url: 'https://admin:hunter2@example.com/hooks' }, 400, 'invalid_url', 'url');
      expect(JSON.stringify(problem)).not.toContain('hunter2');
    });
    it('a url with a line break (header injection)', () => rejected({ ...valid, url: 'https://example.com/\r\nX-Evil: 1' }, 400, 'invalid_url', 'url'));
    it('a url over 2048 characters', () => rejected({ ...valid, url: `https://example.com/${'a'.repeat(2030)}` }, 400, 'invalid_url', 'url'));
    it('a missing enabled_events', () => rejected({ url: valid.url }, 400, 'missing_field', 'enabled_events'));
    it('enabled_events that is not an array', () => rejected({ ...valid, enabled_events: '*' }, 400, 'invalid_field', 'enabled_events'));
    it('an empty enabled_events', () => rejected({ ...valid, enabled_events: [] }, 400, 'invalid_field', 'enabled_events'));
    it('an unknown event type, named by its index', async () => {
      const problem = await rejected({ ...valid, enabled_events: ['payment.succeeded', 'refund.failed', 'payment.exploded'] }, 400, 'unknown_event_type', 'enabled_events[2]');
      expect(problem.detail).not.toContain('payment.exploded');
    });
    it('an event type that is not a string', () => rejected({ ...valid, enabled_events: ['payment.succeeded', 7] }, 400, 'invalid_field', 'enabled_events[1]'));
    it('an internal event type', () => rejected({ ...valid, enabled_events: ['reconciler.checked'] }, 400, 'unknown_event_type', 'enabled_events[0]'));
    it('"*" with other types', () => rejected({ ...valid, enabled_events: ['*', 'payment.succeeded'] }, 400, 'invalid_enabled_events', 'enabled_events'));
    it('an unknown field', () => rejected({ ...valid, secret: 'whsec_mine' }, 400, 'unknown_field', 'secret'));
    it('a __proto__ key', () => rejected('{"__proto__":{"x":1},"url":"https://example.com/","enabled_events":["*"]}', 400, 'unknown_field', '__proto__'));
    it('a description with a NUL', () => rejected({ ...valid, description: 'a\u0000b' }, 400, 'invalid_text', 'description'));
    it('a description too long', () => rejected({ ...valid, description: 'x'.repeat(1001) }, 400, 'invalid_field', 'description'));
    it('a body over the size limit', () => rejected({ ...valid, description: 'x'.repeat(40_000) }, 413, 'payload_too_large'));
    it('no API key', async () => {
      const before = await counts();
      await expectProblem(await create(valid, { key: null }), 401, 'unauthorized');
      expect(await counts()).toEqual(before);
    });

    it('bad ids and list parameters', async () => {
      for (const id of ["we_1' OR '1'='1", 'pay_123', '%00', 'x'.repeat(70)]) {
        const res = await h.request('GET', `/v1/webhook_endpoints/${id}`);
        expect([400, 404]).toContain(res.status);
        expect(res.headers.get('content-type')).toBe('application/problem+json');
      }
      await expectProblem(await h.request('GET', '/v1/webhook_endpoints/we_nothere'), 404, 'resource_missing');
      await expectProblem(await h.request('GET', '/v1/webhook_endpoints?limit=0'), 400, 'invalid_parameter', 'limit');
      await expectProblem(await h.request('GET', '/v1/webhook_endpoints?starting_after=pay_1'), 400, 'invalid_parameter', 'starting_after');
      await expectProblem(await h.request('GET', '/v1/webhook_endpoints?sort=asc'), 400, 'unknown_field', 'sort');
    });
  });
});

describe('webhook endpoints in the OpenAPI document', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('pglite');
  });
  afterAll(() => h.close());

  it('describes the request and answers, the secret in the creation answer only', async () => {
    const doc = await (await h.request('GET', '/openapi.json', { key: null })).json();
    const create = doc.components.schemas.CreateWebhookEndpoint;
    expect(create.required).toEqual(expect.arrayContaining(['url', 'enabled_events']));
    expect(create.additionalProperties).toBe(false);
    expect(create.properties.enabled_events.items.enum).toEqual(expect.arrayContaining(['*', 'payment.succeeded', 'refund.failed']));
    expect(doc.components.schemas.WebhookEndpointWithSecret.allOf[1].properties).toHaveProperty('secret');
    expect(doc.components.schemas.WebhookEndpoint.properties).not.toHaveProperty('secret');
    expect(doc.paths['/v1/webhook_endpoints'].post.responses['400'].content).toHaveProperty(['application/problem+json']);
    expect(doc.paths['/v1/events/{id}/redeliver'].post.responses).toHaveProperty('202');
    expect(doc.paths['/v1/events'].get.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['type', 'payment_id', 'limit', 'starting_after']));
  });
});
