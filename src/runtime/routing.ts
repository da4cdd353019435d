import type { Logger } from '../domain/logger.js';
import { breakerBoard, type BreakerBoard, type BreakerClock, type BreakerSettings } from '../orchestrator/breakers.js';
import type { GatewayRegistry } from '../orchestrator/gateways.js';
import { router, type Router } from '../orchestrator/router.js';
import type { FeeSchedule } from '../routing/fees/schedule.js';
import { seededRandom } from '../domain/random.js';
import { merchantLearners, type MerchantLearners } from '../routing/merchant-learners.js';
import type { Repositories } from '../store/index.js';

/** What routing learns and watches, kept for the life of the process (or the Worker isolate). */
export interface RoutingState {
  learner: MerchantLearners;
  breakers: BreakerBoard;
  random: () => number;
}

export function createRoutingState(options: { seed: number; breakers?: BreakerSettings; breakerClock?: BreakerClock }): RoutingState {
  return { learner: merchantLearners(), breakers: breakerBoard(options.breakers, options.breakerClock), random: seededRandom(options.seed) };
}

export function createRouter(options: {
  repositories: Repositories;
  gateways: GatewayRegistry;
  logger: Logger;
  fees: ReadonlyMap<string, FeeSchedule>;
  state: RoutingState;
}): Router {
  return router({ ...options.state, repositories: options.repositories, gateways: options.gateways, logger: options.logger, fees: options.fees });
}
