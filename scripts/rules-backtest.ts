import { z } from 'zod';
import { Problem } from '../src/domain/problem.js';
import { backtestVersion } from '../src/orchestrator/backtest.js';
import { storeConfig } from '../src/runtime/node/config.js';
import { openDatabase } from '../src/runtime/node/database.js';
import { exitOnRefusal } from '../src/runtime/node/lifecycle.js';
import { loadRoutingFiles } from '../src/runtime/node/routing-files.js';
import { createRepositories } from '../src/store/index.js';

export const USAGE = `Usage: npm run rules:backtest -- --merchant <mer_…> --version <n> --from <ISO 8601> --to <ISO 8601> [--rules-dir routing-rules]

Replays the merchant's payments created in [from, to) against a stored ruleset version and the
active one, and prints the estimates (JSON, as POST /v1/routing/rules/{version}/backtest answers).
Reads DATABASE_URL, or the sandbox's PGlite (stop the sandbox first); fees from <rules-dir>/fees.yaml.
`;

const Args = z.strictObject({
  merchant: z.string().min(1).max(64),
  version: z.string().regex(/^[1-9]\d{0,8}$/, 'version must be a positive integer'),
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
  'rules-dir': z.string().min(1).default('routing-rules'),
});

/** `--name value` pairs into an object; null when a flag has no value or is not a flag. */
export function parseFlags(argv: readonly string[]): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    if (!flag.startsWith('--') || value === undefined) return null;
    out[flag.slice(2)] = value;
  }
  return out;
}

async function main(argv: readonly string[]): Promise<number> {
  const flags = parseFlags(argv);
  const args = flags && Args.safeParse(flags);
  if (!args?.success) {
    const issue = args?.error.issues[0];
    process.stderr.write(`${issue ? `--${issue.path.join('.') || '?'}: ${issue.message}\n` : ''}${USAGE}`);
    return 2;
  }
  const { merchant, version, from, to } = args.data;
  const { fees } = await loadRoutingFiles(args.data['rules-dir']);
  const database = await Promise.resolve()
    .then(() => openDatabase({ ...storeConfig(process.env), migrations: 'require' }))
    .catch(exitOnRefusal);
  try {
    const report = await backtestVersion({ repositories: createRepositories(database.db), fees }, merchant, Number(version), { from: new Date(from), to: new Date(to) });
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof Problem)) throw error;
    process.stderr.write(`${error.param ? `--${error.param}: ` : ''}${error.detail} (${error.code})\n`);
    return 1;
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
