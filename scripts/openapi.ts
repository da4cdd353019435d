/** Prints the API's OpenAPI document (what GET /openapi.json answers), for linters and client generators. */
import { createApp } from '../src/api/app.js';
import { openApiDocument } from '../src/api/openapi.js';
import type { Logger } from '../src/domain/logger.js';
import { gatewayRegistry } from '../src/runtime/gateways.js';
import { openDatabase } from '../src/runtime/node/database.js';
import { PROVIDERS } from '../src/runtime/providers.js';
import { createRouter, createRoutingState } from '../src/runtime/routing.js';
import { createRepositories } from '../src/store/index.js';
import { systemClock } from '../src/domain/clock.js';
import { untracedMonitoring } from '../src/runtime/node/monitoring.js';

// Nothing is served, so nothing is logged.
const silentLogger: Logger = { info() {}, warn() {}, error() {} };
const database = await openDatabase({});
const repositories = createRepositories(database.db);
const gateways = gatewayRegistry({ providers: PROVIDERS, sandbox: {}, env: {}, timeoutMs: 10_000 });
const router = createRouter({ repositories, gateways, logger: silentLogger, fees: new Map(), state: createRoutingState({ seed: 1 }) });
const monitor = await untracedMonitoring({ router, db: database.db, subscribe: database.subscribe, repositories, logger: silentLogger, clock: systemClock });
const app = createApp({ monitoring: monitor.monitoring, eventStream: monitor.eventStream, repositories, gateways, providers: PROVIDERS.map((p) => p.name), router, logger: silentLogger, fingerprintSecret: 'openapi', secretsKey: Buffer.alloc(32).toString('base64') });
process.stdout.write(`${JSON.stringify(openApiDocument(app), null, 2)}\n`);
await monitor.stop();
router.breakers.shutdown();
await database.close();
