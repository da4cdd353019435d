import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;

/** Runs a rules script through tsx as `npm run` would; resolves with its exit code and output. */
async function run(script: 'rules-check' | 'rules-test', dir?: string) {
  const args = ['node_modules/tsx/dist/cli.mjs', `scripts/${script}.ts`, ...(dir === undefined ? [] : [dir])];
  return promisify(execFile)(process.execPath, args, { cwd: root }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

describe('the shipped routing-rules folder', () => {
  it('passes rules:check', async () => {
    const result = await run('rules-check');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('passes rules:test, naming the rule each case matched', async () => {
    const result = await run('rules-test');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^PASS {2}routing-rules\/rules\.test\.yaml:\d+ {2}sanctioned billing country is blocked {2}\(rule: block-sanctioned\)$/m);
    expect(result.stdout).not.toMatch(/FAIL/);
  });
});

describe('a broken copy of the folder', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rules-'));
    await cp(join(root, 'routing-rules'), dir, { recursive: true });
    const rules = await readFile(join(dir, 'rules.yaml'), 'utf8');
    await writeFile(join(dir, 'rules.yaml'), rules.replace('route: [adyen, stripe]', 'route: [adyen, strpe]').replace('currency: EUR', 'currency: EURO'));
    const tests = await readFile(join(dir, 'rules.test.yaml'), 'utf8');
    await writeFile(join(dir, 'rules.test.yaml'), tests.replace('expect: { route: [stripe, braintree] }', 'expect: { route: [braintree] }'));
  });

  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('fails rules:check with file:line:column messages', async () => {
    const result = await run('rules-check', dir);
    expect(result.code).toBe(1);
    const file = join(dir, 'rules.yaml');
    const lines = (await readFile(file, 'utf8')).split('\n');
    const at = (text: string) => {
      const line = lines.findIndex((l) => l.includes(text));
      return `${file}:${line + 1}:${lines[line]!.indexOf(text) + 1}`;
    };
    expect(result.stderr).toBe(
      [
        `${at('EURO')}: unknown currency 'EURO': expected an ISO 4217 code`,
        `${at('strpe')}: unknown gateway 'strpe' (did you mean 'stripe'?) (known: stripe, adyen, braintree, checkout, paypal, gocardless, bitpay)`,
        `2 errors in ${dir}`,
        '',
      ].join('\n'),
    );
  });

  it('fails rules:test when a case fails, saying why', async () => {
    const rules = await readFile(join(root, 'routing-rules', 'rules.yaml'), 'utf8');
    await writeFile(join(dir, 'rules.yaml'), rules);
    const result = await run('rules-test', dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL .* US Amex goes to Stripe {2}\(rule: amex-to-stripe\)\n\s+expected route \[braintree\], got route \[stripe, braintree\]/);
    expect(result.stdout).toMatch(/10 passed, 1 failed/);
  });
});

describe('facts no source supplies', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rules-facts-'));
    await cp(join(root, 'routing-rules'), dir, { recursive: true });
    await writeFile(
      join(dir, 'facts.yaml'),
      [
        'rules:',
        '  - id: eight-digit-bin',
        "    when: { card.bin: { in: ['42424242'] } }",
        '    then: { route: [stripe] }',
        '  - id: antarctica',
        '    when: { country.issuer: { in: [AQ, US] } }',
        '    then: { route: [adyen] }',
        '  - id: overridden',
        '    when: { country.issuer: TV }',
        '    then: { route: [adyen] }',
        '  - id: debit',
        '    when: { card.type: debit }',
        '    then: { route: [adyen] }',
        'default: { route: [stripe] }',
        '',
      ].join('\n'),
    );
    await writeFile(join(dir, 'bins.overrides.yaml'), 'bins:\n  - bin: 400022\n    country: TV\n');
  });

  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('warns, naming the rule, and still passes', async () => {
    const result = await run('rules-check', dir);
    expect(result.code).toBe(0);
    const file = join(dir, 'facts.yaml');
    expect(result.stderr).toBe(
      [
        `${file}:2:5: warning: rule 'eight-digit-bin': its card.bin condition needs 8+ digits, but payments carry at most 6 BIN digits, so it never matches`,
        `${file}:5:5: warning: rule 'antarctica': no BIN in the public table or bins.overrides.yaml has country.issuer AQ: only a gateway's report after a first payment of such a card can make it match`,
        '',
      ].join('\n'),
    );
  });

  it('fails on a bad overrides file, at its line and column', async () => {
    await writeFile(join(dir, 'bins.overrides.yaml'), 'bins:\n  - bin: 400022\n    type: debt\n');
    const result = await run('rules-check', dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${join(dir, 'bins.overrides.yaml')}:3:11: unknown type 'debt': expected one of credit, debit, prepaid (did you mean 'debit'?)`);
  });
});
