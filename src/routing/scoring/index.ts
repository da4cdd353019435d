export { MAX_RESCUE, OBJECTIVES, score, type Objective, type ScoreInput } from './score.js';
export { rankCandidates, type ProbeSlot, type RankedCandidate, type RankingCandidate } from './rank.js';
export { firstChoiceProbabilities, type DrawnCandidate } from './first-choice.js';
export { DEFAULT_RESCUE, RescueRate, type AttemptOutcome, type RescueConfig, type RescueTallies } from './rescue.js';
