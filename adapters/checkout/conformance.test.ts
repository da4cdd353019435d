import { describeConformance } from '../testkit/conformance.js';
import { checkoutTarget } from './target.js';

describeConformance(checkoutTarget);
