import { describeConformance } from '../testkit/conformance.js';
import { goCardlessTarget } from './conformance-target.js';

describeConformance(goCardlessTarget);
