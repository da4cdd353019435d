import { describeConformance } from '../testkit/conformance.js';
import { bitpayTarget } from './conformance-target.js';

describeConformance(bitpayTarget);
