import { userInfo } from 'node:os';
import { systemClock } from '../../domain/clock.js';
import { createRepositories } from '../../store/index.js';
import { PROVIDERS } from '../providers.js';
import { storeConfig } from './config.js';
import { openDatabase } from './database.js';
import { exitOnRefusal } from './lifecycle.js';
import { runAdmin, USAGE } from './admin-commands.js';

/**
 * `npm run admin -- <command>`: merchants, keys and gateway accounts, each change audited as the
 * OS user. It works on DATABASE_URL, or on the sandbox's PGlite (stop the sandbox first).
 */
const argv = process.argv.slice(2);
if (argv.length === 0 || argv[0] === '--help' || argv[0] === 'help') {
  process.stdout.write(USAGE);
  process.exit(argv.length === 0 ? 2 : 0);
}
const database = await Promise.resolve()
  .then(() => openDatabase({ ...storeConfig(process.env), migrations: 'require' }))
  .catch(exitOnRefusal);
const user = userInfo().username;
let code: number;
try {
  code = await runAdmin(
    argv,
    { repositories: createRepositories(database.db), actor: { type: 'cli', id: user, name: user }, clock: systemClock, providers: PROVIDERS.map((p) => p.name) },
    { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) },
  );
} finally {
  await database.close();
}
process.exitCode = code;
