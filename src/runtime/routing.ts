import type { Logger } from '../domain/logger.js';
import { breakerBoard, type BreakerBoard, type BreakerClock, type BreakerSettings } from '../orchestrator/breakers.js';
import type { GatewayRegistry } from '../orchestrator/gateways.js';
import { router, type Router } from '../orchestrator/router.js';
import type { FeeSchedule } from '../routing/fees/schedule.js';
import { seededRandom } from '../domain/random.js';
import { merchantLearners, type MerchantLearners } from '../routing/merchant-learners.js';
import type { Repositories } from '../store/index.js';
import { ObservedBins } from '../routing/bins/observed.js';
import { publicBinTable } from '../routing/bins/public-table.js';
import { BinTable } from '../routing/bins/table.js';

/** What routing learns and watches, kept for the life of the process (or the Worker isolate). */
export interface RoutingState {
  learner: MerchantLearners;
  breakers: BreakerBoard;
  random: () => number;
  /** What gateways reported about cards, per merchant and BIN. */
  observedBins: ObservedBins;
}

export function createRoutingState(options: { seed: number; breakers?: BreakerSettings; breakerClock?: BreakerClock }): RoutingState {
  return {
    learner: merchantLearners(),
    breakers: breakerBoard(options.breakers, options.breakerClock),
    random: seededRandom(options.seed),
    observedBins: new ObservedBins(),
  };
}

export function createRouter(options: {
  repositories: Repositories;
  gateways: GatewayRegistry;
  logger: Logger;
  fees: ReadonlyMap<string, FeeSchedule>;
  /** routing-rules/bins.overrides.yaml; none by default. */
  binOverrides?: BinTable;
  state: RoutingState;
}): Router {
  const { observedBins, ...state } = options.state;
  const bins = { overrides: options.binOverrides ?? BinTable.EMPTY, observed: observedBins, table: publicBinTable() };
  return router({ ...state, repositories: options.repositories, gateways: options.gateways, logger: options.logger, fees: options.fees, bins });
}
