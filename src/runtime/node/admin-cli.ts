import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { operatorService } from '../../admin/operators.js';
import { passwordHasher } from '../../admin/passwords.js';
import { systemClock } from '../../domain/clock.js';
import { createSecretBox } from '../../domain/secret-box.js';
import { createRepositories } from '../../store/index.js';
import { NODE_PROVIDERS } from './providers.js';
import { cliSecretsKey, cliVaultKeys, storeConfig } from './config.js';
import { localKms } from '../../vault/kms.js';
import { openDatabase } from './database.js';
import { exitOnRefusal } from './lifecycle.js';
import { randomToken } from './random-token.js';
import { runAdmin, USAGE } from './admin-commands.js';

/**
 * `npm run admin -- <command>`: merchants, keys, gateway accounts and operators, each change audited
 * as the OS user. It works on DATABASE_URL, or on the sandbox's PGlite (stop the sandbox first).
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
const repositories = createRepositories(database.db);
const secretsKey = await Promise.resolve()
  .then(() => cliSecretsKey(process.env))
  .then(async (found) => (found === null ? null : 'keys' in found ? found.keys : await readFile(found.file, 'utf8').then((text) => text.trim(), () => null)))
  .catch(exitOnRefusal);
const vaultKeys = await Promise.resolve()
  .then(() => cliVaultKeys(process.env))
  .catch(exitOnRefusal);
let code: number;
try {
  code = await runAdmin(
    argv,
    {
      repositories,
      actor: { type: 'cli', id: user, name: user },
      clock: systemClock,
      providers: NODE_PROVIDERS.map((p) => p.name),
      operators: secretsKey === null ? null : operatorService({ repositories, secrets: createSecretBox(secretsKey), passwords: passwordHasher(), clock: systemClock }),
      newPassword: () => randomToken(18),
      vaultKms: vaultKeys !== null ? localKms(vaultKeys.keys) : secretsKey !== null ? localKms(secretsKey) : null,
    },
    { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) },
  );
} finally {
  await database.close();
}
process.exitCode = code;
