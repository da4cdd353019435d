import { describeConformance } from '../testkit/conformance.js';
import { paypalTarget } from './target.js';

describeConformance(paypalTarget);
