import type { EngineSettings } from './types.ts';

/** The specification's defaults with its own strategy (`spec`): the settings engine tests and benchmarks start from. */
export const SPEC_SETTINGS: EngineSettings = {
  strategy: 'spec',
  priors: { ctr: 0.015, cvr: 0.02, roas: 2.5, strength: 100 },
  spainMinPct: 35,
  maxInterests: 15,
  maxBehaviors: 10,
  maxLookalikes: 3,
  recentDays: 7,
  fatigueCtrDropRatio: 0.75,
  fatigueMaxFrequency: 4,
  frequencyCap: 3,
  frequencyWindowDays: 7,
  explorationShare: 0,
};
