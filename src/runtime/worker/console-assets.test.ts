import { OpenAPIHono } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../api/env.js';
import { CONSOLE_CSP, consoleRoutes } from '../../api/routes/console.js';
import { workerConsoleAssets } from './console-assets.js';

/** What Cloudflare's assets binding answers for a build of two files. */
const build: Record<string, [string, string]> = {
  '/index.html': ['<!doctype html><title>console</title>', 'text/html'],
  '/assets/index-abc123.js': ['console.log(1)', 'text/javascript'],
};
const binding = {
  async fetch(request: Request) {
    const file = build[new URL(request.url).pathname];
    return file ? new Response(file[0], { headers: { 'Content-Type': file[1] } }) : new Response('not found', { status: 404 });
  },
};

describe('the console from the Worker’s static assets', () => {
  const app = new OpenAPIHono<AppEnv>();
  consoleRoutes(app, workerConsoleAssets(binding));

  it('answers index.html for any client route and the hashed assets, with the console’s headers', async () => {
    const page = await app.request('https://router.example/console/payments/pay_01ABC');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>console</title>');
    expect(page.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const script = await app.request('https://router.example/console/assets/index-abc123.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript');
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('answers a missing asset with a problem, not index.html', async () => {
    const res = await app.request('https://router.example/console/assets/nope.js');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });
});
