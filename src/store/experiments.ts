import type { ExperimentArm } from '../engine/holdout.ts';
import type { Db } from './db.ts';

export interface AssignedAdset {
  adset_id: string | null;
  arm: ExperimentArm;
  /** The recommendation applied (treatment) or withheld (holdout). */
  recommendation_id: string;
  /** The targeting_history row written for the ad set; null in a dry run. */
  history_id: number | null;
}

export interface ExperimentRecord {
  experiment_id: string;
  campaign_id: string;
  run_id: string;
  holdout_share: number;
  seed: number;
  started_at: string;
  assignment: AssignedAdset[];
}

export async function insertExperiment(tx: Db, e: Omit<ExperimentRecord, 'started_at'> & { started_at: Date }): Promise<void> {
  await tx.query(
    `insert into experiments (experiment_id, campaign_id, run_id, holdout_share, seed, started_at, assignment)
     values ($1::uuid, $2, $3::uuid, $4, $5, $6, $7::jsonb)`,
    [e.experiment_id, e.campaign_id, e.run_id, e.holdout_share, e.seed, e.started_at, JSON.stringify(e.assignment)],
  );
}

export async function getExperiment(db: Db, experimentId: string): Promise<ExperimentRecord | null> {
  const rows = await db.query<Record<string, unknown>>(
    `select experiment_id::text as experiment_id, campaign_id, run_id::text as run_id, holdout_share, seed::float8 as seed, started_at, assignment
     from experiments where experiment_id = $1::uuid`,
    [experimentId],
  );
  const r = rows[0];
  if (r === undefined) return null;
  return {
    experiment_id: String(r.experiment_id),
    campaign_id: String(r.campaign_id),
    run_id: String(r.run_id),
    holdout_share: Number(r.holdout_share),
    seed: Number(r.seed),
    started_at: new Date(r.started_at as string).toISOString(),
    assignment: (typeof r.assignment === 'string' ? JSON.parse(r.assignment) : r.assignment) as AssignedAdset[],
  };
}

/** The experiment that already applied this run's recommendations, if any. */
export async function experimentOfRun(db: Db, runId: string): Promise<string | null> {
  const rows = await db.query<{ experiment_id: string }>('select experiment_id::text as experiment_id from experiments where run_id = $1::uuid limit 1', [runId]);
  return rows[0]?.experiment_id ?? null;
}

/** The assignment with the history row ids, once they are written (same transaction as the insert). */
export async function updateExperimentAssignment(tx: Db, experimentId: string, assignment: readonly AssignedAdset[]): Promise<void> {
  await tx.query('update experiments set assignment = $2::jsonb where experiment_id = $1::uuid', [experimentId, JSON.stringify(assignment)]);
}

/**
 * When the first change after the start reached one of the experiment's ad sets (an apply, a
 * rollback, another experiment; not a dry run, not a failed change), or null: from then on its
 * arms no longer hold the targeting the experiment compares.
 */
export async function firstChangeAfter(db: Db, e: Pick<ExperimentRecord, 'experiment_id' | 'campaign_id' | 'started_at' | 'assignment'>): Promise<Date | null> {
  const rows = await db.query<{ at: string | Date | null }>(
    `select min(applied_at) as at from targeting_history
     where campaign_id = $1 and adset_id = any($2::text[]) and not dry_run and state <> 'failed'
       and experiment_id is distinct from $3::uuid and applied_at >= $4`,
    [e.campaign_id, e.assignment.map((a) => a.adset_id ?? ''), e.experiment_id, new Date(e.started_at)],
  );
  const at = rows[0]?.at;
  return at === null || at === undefined ? null : new Date(at);
}
