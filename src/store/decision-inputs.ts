// What a run decided from (migration 005): the campaign snapshot exactly as the engine received
// it, the budget and the engine settings, with a hash that shows whether they were changed since.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../engine/canonical-json.ts';
import type { CampaignSnapshot, EarlierRuns, EngineSettings } from '../engine/types.ts';
import type { Db } from './db.ts';

export interface DecisionInputs {
  runId: string;
  campaignId: string;
  /** sha256 hex of hashDecisionInputs' canonical JSON, taken when the run decided. */
  inputHash: string;
  snapshot: CampaignSnapshot;
  totalBudgetMinor: number;
  settings: EngineSettings;
  strategy: string;
  /** ENGINE_VERSION (src/engine/version.ts) of the engine that decided. */
  strategyVersion: number;
  /** Null: the strategy is deterministic. */
  randomSeed: string | null;
  /** Null: a first run, or a run stored before earlier runs were an input. */
  earlierRuns: EarlierRuns | null;
  createdAt: string;
}

export type NewDecisionInputs = Omit<DecisionInputs, 'inputHash' | 'createdAt'> & { createdAt: Date };

/**
 * sha256 (hex) of the canonical JSON (keys sorted) of `{snapshot, total_budget_minor, settings}`
 * (and `earlier_runs` when there were any: hashes of runs stored before they existed still verify):
 * the same inputs give the same hash whatever order their keys are in, in memory or in jsonb.
 */
export function hashDecisionInputs(inputs: { snapshot: CampaignSnapshot; totalBudgetMinor: number; settings: EngineSettings; earlierRuns?: EarlierRuns | null }): string {
  const base = { snapshot: inputs.snapshot, total_budget_minor: inputs.totalBudgetMinor, settings: inputs.settings };
  const text = canonicalJson(inputs.earlierRuns ? { ...base, earlier_runs: inputs.earlierRuns } : base);
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Stores a run's decision inputs (inside the run's transaction) and returns their hash. */
export async function insertDecisionInputs(tx: Db, inputs: NewDecisionInputs): Promise<string> {
  const inputHash = hashDecisionInputs(inputs);
  await tx.query(
    `insert into decision_inputs (run_id, campaign_id, input_hash, snapshot, total_budget_minor, settings, strategy, strategy_version, random_seed, created_at, earlier_runs)
     values ($1, $2, $3, $4::jsonb, $5, $6::jsonb, $7, $8, $9, $10, $11::jsonb)`,
    [inputs.runId, inputs.campaignId, inputHash, JSON.stringify(inputs.snapshot), inputs.totalBudgetMinor, JSON.stringify(inputs.settings),
      inputs.strategy, inputs.strategyVersion, inputs.randomSeed, inputs.createdAt, inputs.earlierRuns === null ? null : JSON.stringify(inputs.earlierRuns)],
  );
  return inputHash;
}

export async function getDecisionInputs(db: Db, runId: string): Promise<DecisionInputs | null> {
  const rows = await db.query<Record<string, unknown>>(
    `select run_id::text as run_id, campaign_id, input_hash, snapshot, total_budget_minor::float8 as tb, settings, strategy,
       strategy_version, random_seed, created_at, earlier_runs from decision_inputs where run_id = $1`,
    [runId],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    runId: String(r.run_id),
    campaignId: String(r.campaign_id),
    inputHash: String(r.input_hash),
    snapshot: parseJson<CampaignSnapshot>(r.snapshot),
    totalBudgetMinor: Number(r.tb),
    settings: parseJson<EngineSettings>(r.settings),
    strategy: String(r.strategy),
    strategyVersion: Number(r.strategy_version),
    randomSeed: (r.random_seed as string | null) ?? null,
    earlierRuns: r.earlier_runs === null || r.earlier_runs === undefined ? null : parseJson<EarlierRuns>(r.earlier_runs),
    createdAt: new Date(r.created_at as string).toISOString(),
  };
}

// node-postgres and PGlite hand jsonb back parsed; a driver configured otherwise gives text.
function parseJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}
