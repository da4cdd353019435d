import { OpenAPIHono } from '@hono/zod-openapi';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/api/env.js';
import { CONSOLE_CSP, consoleRoutes } from '../../src/api/routes/console.js';
import { consoleAssets } from '../../src/runtime/node/console-assets.js';

describe('serving the console at /console', () => {
  let root: string;
  let dir: string;
  let app: OpenAPIHono<AppEnv>;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'console-'));
    dir = join(root, 'dist');
    await mkdir(join(dir, 'assets'), { recursive: true });
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>console</title>');
    await writeFile(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    await writeFile(join(root, 'console-secret.txt'), 'not for the web');
    app = new OpenAPIHono<AppEnv>();
    consoleRoutes(app, consoleAssets(dir));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('answers index.html for the console and any client route, with a strict Content-Security-Policy', async () => {
    for (const path of ['/console/', '/console/payments/pay_01ABC', '/console/routing']) {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(await res.text()).toContain('<title>console</title>');
      expect(res.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('cache-control')).toBe('no-cache');
    }
    expect(CONSOLE_CSP).not.toContain('unsafe');
    expect(CONSOLE_CSP).toContain("connect-src 'self'");
  });

  it('redirects /console to /console/', async () => {
    const res = await app.request('/console');
    expect(res.status).toBe(308);
    expect(res.headers.get('location')).toBe('/console/');
  });

  it('serves hashed assets for a year, and a missing one as a 404 problem rather than the page', async () => {
    const asset = await app.request('/console/assets/index-abc123.js');
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('javascript');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    const missing = await app.request('/console/assets/index-nope.js');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
    expect(missing.headers.get('cache-control')).toBe('no-cache');
  });

  it('serves nothing outside its folder', async () => {
    for (const path of ['/console/assets/..%2f..%2fconsole-secret.txt', '/console/assets/%2e%2e/%2e%2e/console-secret.txt', '/console/assets/..\\..\\console-secret.txt', '/console/..%2fconsole-secret.txt']) {
      const res = await app.request(path);
      expect(await res.text(), path).not.toContain('not for the web');
    }
  });

  it('says the console is not built when it is not', async () => {
    const bare = new OpenAPIHono<AppEnv>();
    consoleRoutes(bare, consoleAssets(join(dir, 'missing')));
    const res = await bare.request('/console/');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'console_not_built' });
  });
});
