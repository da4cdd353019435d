import { describeConformance } from '../testkit/conformance.js';
import { probe30535Target } from './target.js';

describeConformance(probe30535Target);
