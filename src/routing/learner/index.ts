export { attribution, type Attribution } from './attribution.js';
export {
  DEFAULT_LEARNER_CONFIG,
  SuccessRateLearner,
  type Estimate,
  type EstimateLevel,
  type LearnerConfig,
  type LearnerSnapshot,
  type Posterior,
} from './learner.js';
export { seededRandom } from '../../domain/random.js';
export { AMOUNT_BANDS, amountBand, segmentOf, type AmountBand, type Segment } from './segment.js';
