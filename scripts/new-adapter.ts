/**
 * `npm run new:adapter -- <name>`: scaffolds adapters/<name>/ with the contract wired to the
 * shared conformance suite. Every generated operation throws until it is written, so the
 * suite fails until the adapter and its simulator are real.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function scaffoldAdapter(name: string, adaptersDir: string): Promise<string[]> {
  if (!/^[a-z][a-z0-9]{1,30}$/.test(name)) throw new Error('The name must be 2–31 lower-case letters and digits, starting with a letter.');
  const dir = join(adaptersDir, name);
  if (existsSync(dir)) throw new Error(`${dir} exists already.`);
  const Name = name[0]!.toUpperCase() + name.slice(1);
  const files: Record<string, string> = {
    'index.ts': `import type { ProviderModule } from '../testkit/contract.js';
import { ${name}Capabilities, create${Name}Adapter, type ${Name}AdapterConfig } from './adapter.js';

export const ${name}Provider: ProviderModule<${Name}AdapterConfig> = {
  name: '${name}',
  capabilities: ${name}Capabilities,
  configFromEnv(prefix, env) {
    const apiKey = env[\`\${prefix}_API_KEY\`];
    const webhookSecret = env[\`\${prefix}_WEBHOOK_SECRET\`];
    return apiKey && webhookSecret ? { apiKey, webhookSecret, baseUrl: env[\`\${prefix}_BASE_URL\`] ?? null } : null;
  },
  create: (config, { timeoutMs }) => create${Name}Adapter({ ...config, timeoutMs }),
};
`,
    'adapter.ts': `import type { Capabilities, GatewayAdapter } from '../testkit/contract.js';

export interface ${Name}AdapterConfig {
  apiKey: string;
  webhookSecret: string;
  /** null: the provider's own API; the simulator's URL in tests and the sandbox. */
  baseUrl: string | null;
  timeoutMs?: number;
}

function notWritten(operation: string): never {
  throw new Error(\`${name}: \${operation} is not written yet: call the provider's SDK and map its answer (see adapters/README.md).\`);
}

/** Declare what the provider really does: routing and the README's table of flows read it. */
export const ${name}Capabilities: Capabilities = {
  paymentMethods: ['card'],
  cardNetworks: ['visa', 'mastercard'],
  currencies: '*',
  countries: '*',
  captureMethods: ['automatic', 'manual'],
  partialCapture: false,
  multipleCapture: false,
  voids: true,
  refunds: true,
  partialRefund: false,
  multipleRefunds: false,
  idempotency: false,
  syncWithoutReference: false,
  asyncModifications: false,
  threeDSecure: false,
  amountLimits: { min: 1, max: 99_999_999 },
  // Where the provider counts a currency in fewer decimals than ISO 4217: amountSteps(toProviderAmount).
  amountSteps: {},
};

/** Replace every notWritten() with the real SDK call. */
export function create${Name}Adapter(config: ${Name}AdapterConfig & { timeoutMs: number }): GatewayAdapter {
  void config;
  return {
    provider: '${name}',
    capabilities: ${name}Capabilities,
    authorize: async () => notWritten('authorize'),
    sync: async () => notWritten('sync'),
    completeAction: async () => notWritten('completeAction'),
    capture: async () => notWritten('capture'),
    cancel: async () => notWritten('cancel'),
    refund: async () => notWritten('refund'),
    resumeModification: async () => notWritten('resumeModification'),
    parseWebhook: async () => notWritten('parseWebhook'),
    webhookAck: { status: 200, contentType: 'text/plain', body: 'ok' },
  };
}
`,
    'simulator/index.ts': `import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestFaults } from '../../testkit/faults.js';
import type { SimulatorControl, SimulatorLedger, WebhookSigner } from '../../testkit/simulator.js';
import { readSavedSimulator, simulatorControl, SimulatorRuntime, webhookRetryOptions } from '../../testkit/simulator-runtime.js';
import { ApprovalRates, Latency } from '../../testkit/steering.js';
import { WebhookDispatcher, type PendingWebhook } from '../../testkit/webhook-dispatcher.js';
import type { RetrySchedule } from '../../testkit/webhook-schedules.js';

function notWritten(part: string): never {
  throw new Error(\`${name}: the simulator's \${part} is not written yet (see adapters/README.md).\`);
}

/** What the simulator saves and reads back at start: add its account, resources and idempotency keys (never a card number or CVC). */
interface Saved${Name}Simulator {
  version: 1;
  provider: '${name}';
  webhooks: PendingWebhook[];
}

/** The provider's documented webhook retries: replace with its own schedule (add it to testkit/webhook-schedules.ts). */
const ${name.toUpperCase()}_RETRY_SCHEDULE: RetrySchedule = { delaysMs: [60_000], timeoutMs: 10_000 };

export interface ${Name}SimulatorOptions {
  webhookSecret: string;
  webhookUrl?: string;
  webhookRetry?: { scale?: number; schedule?: RetrySchedule; concurrency?: number };
  statePath?: string;
  host?: string;
  port?: number;
}

/**
 * The ${name} simulator: an HTTP server on 127.0.0.1 that speaks the provider's wire protocol
 * as its SDK sends it and keeps a ledger. The shared runtime gives it the port (a 500 when the
 * handler throws), \`setFault\`/\`clearFault\`, held requests and latency waits, the state file,
 * \`save\` and \`close\`; \`simulatorControl\` the rest of the shared steering. What is left to
 * write is the provider's: \`handle\`, the ledger, the notifications and the saved state.
 */
export async function start${Name}Simulator(options: ${Name}SimulatorOptions): Promise<SimulatorControl> {
  const statePath = options.statePath ?? null;
  const saved = await readSavedSimulator<Saved${Name}Simulator>(statePath, '${name}', '${Name}');
  const faults = new RequestFaults();
  const approval = new ApprovalRates();
  const latency = new Latency();
  const retry = webhookRetryOptions(options.webhookRetry, ${name.toUpperCase()}_RETRY_SCHEDULE);
  const dispatcher = new WebhookDispatcher({
    schedule: retry.schedule,
    retryScale: retry.scale,
    concurrency: retry.concurrency,
    url: options.webhookUrl ?? null,
    render: () => notWritten('notification'),
    onChange: () => runtime.changed(),
  });

  /** The provider's API: take \`faults.take(method, path)\` and \`latency.nextMs()\` (\`runtime.pending\` holds and waits), authenticate, answer in its shape. */
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    void req;
    void res;
    notWritten('API');
  }

  const runtime = new SimulatorRuntime<Saved${Name}Simulator>({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    statePath,
    serialize: () => ({ version: 1, provider: '${name}', webhooks: dispatcher.pending() }),
    handle,
    faults,
    stopSending: () => dispatcher.close(),
  });
  if (saved) dispatcher.restore(saved.webhooks);
  await runtime.listen();
  await runtime.save();
  const ledger: SimulatorLedger = {
    charges: () => notWritten('ledger'),
    requestCount: () => notWritten('ledger'),
    totals: () => notWritten('ledger'),
    export: () => notWritten('ledger'),
    reset: () => notWritten('ledger'),
  };
  return { ...simulatorControl(runtime, { approval, latency, dispatcher }), ledger };
}

/** Signs notifications with \`secret\` exactly as the provider does (plus the tampered and unsigned forgeries). */
export function ${name}WebhookSigner(secret: string): WebhookSigner {
  void secret;
  throw new Error('${name}: the webhook signer is not written yet (see adapters/README.md).');
}
`,
    'target.ts': `import type { ConformanceTarget } from '../testkit/target.js';
import { create${Name}Adapter } from './adapter.js';
import { ${name}WebhookSigner, start${Name}Simulator } from './simulator/index.js';

const WEBHOOK_SECRET = 'test_webhook_secret';
const card = (number: string) => ({ number, expMonth: 12, expYear: 2030, cvc: '123', holderName: null });

export const ${name}Target: ConformanceTarget = {
  provider: '${name}',
  // The suite collects the simulator's own notifications at webhookUrl (asynchronous captures, refunds, ...).
  async start({ timeoutMs, webhookUrl }) {
    const simulator = await start${Name}Simulator({ webhookSecret: WEBHOOK_SECRET, webhookUrl });
    const adapter = create${Name}Adapter({ apiKey: 'test_key', webhookSecret: WEBHOOK_SECRET, baseUrl: simulator.url, timeoutMs });
    return {
      adapter,
      simulator,
      // Replace with the provider's own sandbox conventions (test cards, magic amounts).
      scenarios: {
        approved: { card: card('4111111111111111'), amount: 1000, currency: 'EUR' },
        declines: {},
      },
      webhooks: ${name}WebhookSigner(WEBHOOK_SECRET),
      close: () => simulator.close(),
    };
  },
};
`,
    'conformance.test.ts': `import { describeConformance } from '../testkit/conformance.js';
import { ${name}Target } from './target.js';

describeConformance(${name}Target);
`,
    'README.md': `# ${name}

Scaffolded by \`npm run new:adapter -- ${name}\`. The conformance suite fails until each step is done:

1. \`simulator/\`: the provider's wire protocol as its SDK sends it (\`handle\`), a ledger, its notifications and saved state;
   the shared runtime (\`testkit/simulator-runtime.ts\`) already gives it the port, faults, steering, state file and lifecycle.
2. \`adapter.ts\`: every operation through the official SDK, mapped to canonical outcomes; truthful capabilities.
3. \`declines.ts\`: the provider's decline codes → canonical reasons, with a table-driven test.
4. \`target.ts\`: the sandbox's test cards or amounts for each outcome.
5. Add \`${name}Provider\` to \`src/runtime/providers.ts\`, its simulator to the sandbox
   (\`src/runtime/node/sandbox-gateways.ts\`) and to \`npm run simulators\` (\`src/runtime/node/simulators.ts\`),
   its fee schedule to \`routing-rules/fees.yaml\` and its name to the chaos bench (\`bench/chaos/control.ts\`);
   then \`npm run docs:capabilities\`, and its column in the README's test card table.

\`npx vitest run adapters/${name}\` runs the suite.
`,
  };
  await mkdir(join(dir, 'simulator'), { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(join(dir, file), text);
  return Object.keys(files).map((file) => join(dir, file));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const name = process.argv[2];
  if (!name) {
    process.stderr.write('usage: npm run new:adapter -- <name>\n');
    process.exit(2);
  }
  scaffoldAdapter(name, new URL('../adapters', import.meta.url).pathname).then(
    (files) => process.stdout.write(`created:\n${files.map((f) => `  ${f}`).join('\n')}\nnext: read adapters/${name}/README.md, then npx vitest run adapters/${name}\n`),
    (error: Error) => {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    },
  );
}
