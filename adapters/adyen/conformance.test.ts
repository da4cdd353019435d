import { describeConformance } from '../testkit/conformance.js';
import { adyenTarget } from './target.js';

describeConformance(adyenTarget);
