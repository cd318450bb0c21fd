// Explains a stored recommendation from what it was decided from (migration 005), and with
// `replay` recomputes it from those stored inputs and says whether it still comes out the same.
import { toMajor } from '../engine/money.ts';
import { optimizeCampaign } from '../engine/optimizer.ts';
import { presentDecision } from '../presentation/present-decision.ts';
import type { RecommendationDocument as Recommendation, TraceEntryDocument as TraceEntry } from '../presentation/recommendation-document.ts';
import { ENGINE_VERSION } from '../engine/version.ts';
import type { AppContext } from '../context.ts';
import { getDecisionInputs, hashDecisionInputs } from '../store/decision-inputs.ts';
import { getRecommendation } from '../store/runs.ts';
import { InputError, NotFoundError, UnavailableError } from './errors.ts';

/** Differences listed in a replay; the count of all of them is given beside. */
export const MAX_DIFFERENCES = 50;

/** One JSON path where the stored recommendation and the replayed one disagree. An absent side (a list got longer or shorter) is left out. */
export interface Difference {
  path: string;
  stored?: unknown;
  replayed?: unknown;
}

export interface ReplayResult {
  /** The replayed recommendation equals the stored one (ignoring recommendation_id, run_id, created_at). */
  same: boolean;
  engine_version_then: number;
  engine_version_now: number;
  /** The stored inputs still hash to the hash taken when the run decided (they were not changed since). */
  hash_verified: boolean;
  /** At most MAX_DIFFERENCES, in the document's field order. */
  differences: Difference[];
  differences_total: number;
  /** The engine refused the stored inputs (e.g. an allocation that breaks a rule); then same is false. */
  error: string | null;
}

export interface ExplainResult {
  recommendation: Recommendation;
  /** Null for a recommendation stored before decision inputs were kept: it cannot be replayed. */
  inputs: {
    run_id: string;
    input_hash: string;
    strategy: string;
    strategy_version: number;
    random_seed: string | null;
    window: { start: string; end: string };
    budget: { currency: string; run_total_budget: number; run_total_budget_minor: number; adset_budget: number };
    created_at: string;
  } | null;
  /** The reasoning trace: every decision with the numbers that made it. */
  trace: TraceEntry[];
  replay?: ReplayResult;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Fields the service adds after the engine decided: they differ on every run by design. */
const NOT_DECIDED = new Set(['recommendation_id', 'run_id', 'created_at']);

export async function explainRecommendation(ctx: AppContext, recommendationId: string, options: { replay: boolean }): Promise<ExplainResult> {
  const id = recommendationId.trim().toLowerCase();
  if (!UUID.test(id)) throw new InputError('recommendation_id', `must be a UUID, got ${JSON.stringify(recommendationId.slice(0, 80))}`);
  const recommendation = await getRecommendation(ctx.db, id);
  if (recommendation === null) throw new NotFoundError(`recommendation ${id} not found`);
  const stored = await getDecisionInputs(ctx.db, recommendation.run_id);
  const result: ExplainResult = {
    recommendation,
    inputs: stored === null ? null : {
      run_id: stored.runId,
      input_hash: stored.inputHash,
      strategy: stored.strategy,
      strategy_version: stored.strategyVersion,
      random_seed: stored.randomSeed,
      window: { start: stored.snapshot.windowStart, end: stored.snapshot.windowEnd },
      budget: {
        currency: stored.snapshot.currency,
        run_total_budget: toMajor(stored.totalBudgetMinor, stored.snapshot.currency),
        run_total_budget_minor: stored.totalBudgetMinor,
        adset_budget: recommendation.total_budget,
      },
      created_at: stored.createdAt,
    },
    trace: recommendation.reasoning.trace,
  };
  if (!options.replay) return result;
  if (stored === null) {
    throw new UnavailableError(
      `recommendation ${id} cannot be replayed: it was stored (run ${recommendation.run_id}) before the inputs of each decision were kept; ` +
        `optimize campaign ${recommendation.campaign_id} again for a replayable one`,
    );
  }

  const hashVerified = hashDecisionInputs(stored) === stored.inputHash;
  const storedDocument = withoutServiceFields(recommendation);
  let replayed: unknown;
  let error: string | null = null;
  try {
    // The stored seed (text, a 32-bit integer) explores exactly as the run did; null: no exploration.
    const randomSeed = stored.randomSeed === null ? undefined : Number(stored.randomSeed);
    const decisions = optimizeCampaign({ snapshot: stored.snapshot, totalBudgetMinor: stored.totalBudgetMinor, settings: stored.settings, randomSeed, ...(stored.earlierRuns === null ? {} : { earlierRuns: stored.earlierRuns }) });
    const decision = decisions.find((d) => d.decision.adsetId === recommendation.adset_id)?.decision;
    const draft = decision === undefined ? undefined : presentDecision(decision);
    if (draft === undefined) error = `the replay decided no recommendation for ad set ${recommendation.adset_id ?? '(whole campaign)'}`;
    // Through JSON, as the stored document went: an undefined field is absent there too.
    else replayed = JSON.parse(JSON.stringify(draft)) as unknown;
  } catch (e) {
    error = `the engine refused the stored inputs: ${e instanceof Error ? e.message : String(e)}`;
  }
  const differences = error === null ? diffJson(storedDocument, replayed) : [{ path: '$', stored: storedDocument }];
  result.replay = {
    same: differences.length === 0,
    engine_version_then: stored.strategyVersion,
    engine_version_now: ENGINE_VERSION,
    hash_verified: hashVerified,
    differences: differences.slice(0, MAX_DIFFERENCES),
    differences_total: differences.length,
    error,
  };
  return result;
}

function withoutServiceFields(r: Recommendation): Record<string, unknown> {
  return Object.fromEntries(Object.entries(r).filter(([k]) => !NOT_DECIDED.has(k)));
}

/**
 * Every path where two JSON values differ, in the replayed document's order (keys only the stored
 * side has come last, sorted). Key order itself is never a difference. Numbers compare exactly: a replay of the same inputs on the same
 * engine gives the same doubles, so any change in the last digit is drift.
 */
export function diffJson(stored: unknown, replayed: unknown, path = '$', out: Difference[] = []): Difference[] {
  if (Array.isArray(stored) && Array.isArray(replayed)) {
    for (let i = 0; i < Math.max(stored.length, replayed.length); i++) {
      diffSide(i < stored.length, stored[i], i < replayed.length, replayed[i], `${path}[${i}]`, out);
    }
    return out;
  }
  if (isRecord(stored) && isRecord(replayed)) {
    // The replayed draft's key order is the engine's, the specification's field order (jsonb's is not).
    const keys = [...Object.keys(replayed), ...Object.keys(stored).filter((k) => !Object.hasOwn(replayed, k)).sort()];
    for (const k of keys) diffSide(Object.hasOwn(stored, k), stored[k], Object.hasOwn(replayed, k), replayed[k], `${path}${/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`}`, out);
    return out;
  }
  if (stored !== replayed) out.push({ path, stored, replayed });
  return out;
}

function diffSide(hasStored: boolean, stored: unknown, hasReplayed: boolean, replayed: unknown, path: string, out: Difference[]): void {
  if (hasStored && hasReplayed) diffJson(stored, replayed, path, out);
  else if (hasStored) out.push({ path, stored });
  else out.push({ path, replayed });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
