// Which ad sets of a holdout experiment get the recommendation (treatment) and which keep their
// targeting (holdout). A seeded draw, so that the stored seed reproduces and audits the assignment.
// Pure: the seed is given (the service derives it from the run id).
import { createRng } from './random.ts';

export type ExperimentArm = 'treatment' | 'holdout';

export interface ArmAssignment {
  adsetId: string | null;
  arm: ExperimentArm;
}

export const MAX_HOLDOUT_SHARE = 0.5;

/**
 * The number of holdout ad sets: round(share × n), but at least one in each arm when share > 0
 * (a share of 0.2 of 3 ad sets rounds to 1; of 2 ad sets to 0, raised to 1, because an experiment
 * with an empty arm measures nothing). Null when share > 0 and there are fewer than 2 ad sets.
 */
export function holdoutCount(adsets: number, share: number): number | null {
  if (!(share >= 0 && share <= MAX_HOLDOUT_SHARE)) throw new RangeError(`holdout share must be from 0 to ${MAX_HOLDOUT_SHARE}, got ${share}`);
  if (share === 0) return 0;
  if (adsets < 2) return null;
  return Math.min(adsets - 1, Math.max(1, Math.round(share * adsets)));
}

/**
 * Draws the holdout: the ad sets in code-unit order of their ids (not a database collation, so that
 * PGlite and PostgreSQL agree), shuffled by the seeded generator; the first k are the holdout.
 * Every subset of size k is equally likely. Returned in ad set id order.
 */
export function assignArms(adsetIds: readonly (string | null)[], share: number, seed: number): ArmAssignment[] {
  const k = holdoutCount(adsetIds.length, share);
  if (k === null) throw new RangeError(`a holdout needs at least 2 ad sets, got ${adsetIds.length}`);
  const ordered = [...adsetIds].sort(compareIds);
  const holdout = new Set(createRng(seed).shuffle([...ordered]).slice(0, k));
  return ordered.map((adsetId) => ({ adsetId, arm: holdout.has(adsetId) ? 'holdout' : 'treatment' }));
}

function compareIds(a: string | null, b: string | null): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}
