// The sections `npm run bench` (tobira bench-suite) prints, in order. Each engineer adds their
// own section as a function in their own file and one line here.
import type { BenchContext, BenchSection } from './types.js';
import { engineSection } from './engine-section.js';
import { livenessLevelsSection, livenessSection } from './liveness-section.js';
import { faceToDoorSection } from './face-to-door-section.js';
import { fleetCampusSection, fleetOutageSection, fleetSection } from './fleet-section.js';
import { matchingSection } from './matching-section.js';

export type { BenchContext, BenchSection };

export const benchSections: BenchSection[] = [
  engineSection,
  livenessSection,
  faceToDoorSection,
  livenessLevelsSection,
  fleetSection,
  fleetOutageSection,
  fleetCampusSection,
  matchingSection,
];
