import { describeConformance } from '../testkit/conformance.js';
import { stripeTarget } from './target.js';

describeConformance(stripeTarget);
