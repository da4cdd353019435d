import { describeConformance } from '../testkit/conformance.js';
import { braintreeTarget } from './target.js';

describeConformance(braintreeTarget);
