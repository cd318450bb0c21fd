import { POOL_KEY } from '../engine/ad-set-groups.ts';
import { adSetsLeftUnfunded, optimizeCampaign } from '../engine/optimizer.ts';
import { moneyText } from '../engine/money.ts';
import { deriveSeed } from '../engine/random.ts';
import type { CampaignSnapshot, EngineSettings, HoldingCountries } from '../engine/types.ts';
import { presentDecision } from '../presentation/present-decision.ts';
import type { RecommendationDocument as Recommendation } from '../presentation/recommendation-document.ts';
import { ENGINE_VERSION } from '../engine/version.ts';
import type { AppContext } from '../context.ts';
import { getCampaign } from '../store/insights.ts';
import { completeRun, failRun, findReusableRun, getRun, insertRecommendations, insertRun, type NewRun, recommendationsOfRun, type RunRecord } from '../store/runs.ts';
import { insertDecisionInputs } from '../store/decision-inputs.ts';
import { loadEarlierRuns } from '../store/earlier-runs.ts';
import { recordRests, restsInForce, withRests } from '../store/resting-segments.ts';
import { loadCampaignSnapshot } from '../store/snapshot.ts';
import { parseDailyBudget } from './campaigns.ts';
import { dailyBudgetsOf } from './adset-budgets.ts';
import { addDays } from './dates.ts';
import { auditChange } from './audit.ts';
import { campaignIdFrom } from './campaign-id.ts';
import { InputError, NotFoundError } from './errors.ts';
import { generateStubHistory } from './generate-stub.ts';
import { metaSync } from './meta.ts';
import { withDiscoveredCandidates } from './interest-candidates.ts';
import { reconcileCampaign } from './reconcile-changes.ts';
import { campaignSplitMembers, metaAdSetsOf, metaCampaignOf, splitCopies, type StoredMetaAdSet } from '../store/meta.ts';
import type { Db } from '../store/db.ts';

export type Mode = 'stub' | 'live';

export interface RunRequest {
  campaignId: string;
  /**
   * Daily budget in major units of the campaign's currency, as text ("1000", "1000.50"). Null:
   * the campaign's stored daily budget.
   */
  budget: string | null;
  mode: Mode;
  /**
   * Generate a synthetic STUB history when the campaign has none (default false: an unknown
   * campaign is a NotFoundError). Refused on a store that holds real (imported or LIVE) data.
   */
  generateStub?: boolean;
}

export interface RunResult {
  run: RunRecord;
  recommendations: Recommendation[];
  /** True when the campaign had no history and, as asked (generateStub), a synthetic one was generated first. */
  generatedHistory: boolean;
  /** True when an earlier run on the same history and budget was returned instead of a new one. */
  reused: boolean;
}

/**
 * What a LIVE run knows of how its decisions will be applied: the campaign's budget mode, its ad
 * sets with a lifetime budget, and the countries that hold a delivering ad set of their own from
 * an earlier split (by original ad set).
 */
export interface LiveStructure {
  budgetMode: 'campaign' | 'adset' | null;
  lifetimeBudgetAdSets: readonly string[];
  holding?: readonly HoldingCountries[];
  /** The daily budget each ad set holds (a split's original with its delivering copies), by ad set. */
  adsetBudgets?: ReadonlyMap<string, number>;
}

/**
 * The engine's settings for a run. A LIVE run applied with Advantage+ audience on says so in its
 * reasoning; one whose campaign budgets its ad sets is applied one ad set per country, which the
 * engine weighs an edit against (countryAdSets), except in the ad sets with a lifetime budget,
 * which are changed as one.
 */
export function engineSettingsFor(ctx: AppContext, mode: Mode, structure: LiveStructure = { budgetMode: null, lifetimeBudgetAdSets: [] }): EngineSettings {
  if (mode !== 'live') return ctx.config.engine;
  const unsplit = [...structure.lifetimeBudgetAdSets].sort();
  const holding = structure.holding ?? [];
  const countryAdSets = { minDailyBudgetMinor: ctx.config.meta.splitMinDailyBudgetMinor, ...(unsplit.length > 0 ? { unsplitAdSets: unsplit } : {}), ...(holding.length > 0 ? { holding: holding.map((h) => ({ adsetId: h.adsetId, countries: [...h.countries] })) } : {}) };
  const budgets = [...(structure.adsetBudgets ?? new Map<string, number>())].sort(([a], [b]) => (a < b ? -1 : 1)).map(([adsetId, amountMinor]) => ({ adsetId, amountMinor }));
  return {
    ...ctx.config.engine,
    ...(ctx.config.meta.advantageAudience === 1 ? { advantageAudience: true } : {}),
    ...(structure.budgetMode === 'adset' ? { countryAdSets } : {}),
    ...(structure.budgetMode === 'adset' && budgets.length > 0 ? { adsetBudgetsMinor: budgets } : {}),
  };
}

/**
 * The campaign's LIVE structure as the last sync stored it, and its ad sets. A country holds its
 * own ad set from an earlier split where that ad set's status is ACTIVE, as LIVE apply reads it.
 */
async function liveStructureOf(db: Db, campaignId: string, window: { end: string; days: number }): Promise<Required<LiveStructure> & { adsets: StoredMetaAdSet[] }> {
  const campaign = await metaCampaignOf(db, campaignId);
  const adsets = await metaAdSetsOf(db, campaignId);
  const members = await campaignSplitMembers(db, campaignId);
  const active = new Set(adsets.filter((a) => a.status === 'ACTIVE').map((a) => a.adsetId));
  const adsetBudgets = await adsetBudgetsOf(db, campaignId, adsets.filter((a) => a.effectiveStatus === 'ACTIVE'), splitCopies(members), window);
  const holdingBy = new Map<string, string[]>();
  for (const m of members) {
    if (m.groupKey === null || m.groupKey === POOL_KEY || !active.has(m.adsetId)) continue;
    holdingBy.set(m.sourceAdsetId, [...(holdingBy.get(m.sourceAdsetId) ?? []), m.groupKey]);
  }
  const holding = [...holdingBy].sort(([a], [b]) => (a < b ? -1 : 1)).map(([adsetId, countries]) => ({ adsetId, countries: countries.sort() }));
  return { budgetMode: campaign?.budgetMode ?? null, lifetimeBudgetAdSets: adsets.filter((a) => a.lifetimeBudgetMinor !== null).map((a) => a.adsetId), holding, adsetBudgets, adsets };
}

/** The daily budget each delivering ad set holds (dailyBudgetsOf), a geo split's copies counted in their original's. */
async function adsetBudgetsOf(db: Db, campaignId: string, delivering: readonly StoredMetaAdSet[], copyOf: ReadonlyMap<string, string>, window: { end: string; days: number }): Promise<Map<string, number>> {
  const own = await dailyBudgetsOf(db, campaignId, delivering.map((a) => ({ id: a.adsetId, dailyBudgetMinor: a.dailyBudgetMinor, lifetimeBudgetMinor: a.lifetimeBudgetMinor })), window);
  const out = new Map<string, number>();
  for (const [id, amount] of own) {
    const owner = copyOf.get(id) ?? id;
    out.set(owner, (out.get(owner) ?? 0) + amount);
  }
  return out;
}

/** A budget too small to give every ad set that has a share of it at least one minor unit is refused, naming them. */
function refuseUnfundedAdSets(snapshot: CampaignSnapshot, totalBudgetMinor: number, settings: EngineSettings, currency: string): void {
  const { adsetIds, enoughMinor, sharedBy } = adSetsLeftUnfunded(snapshot, totalBudgetMinor, settings);
  if (adsetIds.length === 0) return;
  throw new InputError('budget', `${moneyText(totalBudgetMinor, currency)} a day leaves ad set(s) ${adsetIds.map((id) => id ?? '(campaign)').join(', ')} with nothing: the campaign's budget is shared among its ${snapshot.adsets.length} ad sets by ${sharedBy === 'budgets' ? 'the daily budget each holds' : 'what each spent in the window'}, and ${moneyText(enoughMinor, currency)} a day funds each of them`);
}

/**
 * The exploration seed of a run, where it draws (exploration, budget exploration, or the discovery
 * share with discovered interests to draw among): derived from its id, so every run explores
 * differently and the stored seed replays it. Undefined (stored as null) when it does not draw.
 */
export function explorationSeed(runId: string, settings: EngineSettings, snapshot: Pick<CampaignSnapshot, 'candidates'>): number | undefined {
  if (settings.strategy !== 'bayes') return undefined;
  const draws = settings.explorationShare > 0 || (settings.budgetExplorationShare ?? 0) > 0 || ((settings.discoveryShare ?? 0) > 0 && (snapshot.candidates?.length ?? 0) > 0);
  return draws ? deriveSeed(runId, 'exploration') : undefined;
}

export function validateRunRequest(req: { campaignId?: unknown; budget?: unknown; mode?: unknown }): RunRequest {
  const campaignId = campaignIdFrom(req.campaignId);
  if (req.mode !== 'stub' && req.mode !== 'live') throw new InputError('mode', `must be stub or live, got ${JSON.stringify(req.mode)}`);
  if (req.budget === undefined || req.budget === null) return { campaignId, budget: null, mode: req.mode };
  const budget = typeof req.budget === 'number' ? String(req.budget) : req.budget;
  if (typeof budget !== 'string' || !/^\d+(\.\d+)?$/.test(budget.trim())) throw new InputError('budget', `must be a positive decimal amount such as 1000 or 1000.50, got ${JSON.stringify(req.budget)}`);
  return { campaignId, budget: budget.trim(), mode: req.mode };
}

/**
 * Optimizes one campaign and stores the result, all under a per-campaign lock so that a campaign
 * is never optimized twice at once (by any number of processes on one database). The run, its
 * recommendations and its completion are one transaction: a failure rolls all of it back and
 * leaves a failed run record instead, so a failed run never has partial recommendations.
 * Without forceRefresh, a completed run that read the same history with the same budget within
 * the scheduler interval is returned instead of computing the same answer again.
 */
export async function runOptimization(ctx: AppContext, request: RunRequest & { forceRefresh?: boolean }): Promise<RunResult> {
  const req = validateRunRequest(request);
  // LIVE: read the campaign from Meta first, outside the run's transaction so that the lock is not
  // held across network calls. Reading only, except that a change an earlier process left pending
  // is settled first (undoing what of it had landed), so that the sync reads settled ad sets.
  if (req.mode === 'live') {
    // A budget the stored campaign's currency refuses is refused before any call to Meta.
    const known = req.budget === null ? null : await getCampaign(ctx.db, req.campaignId);
    if (known !== null && req.budget !== null) parseDailyBudget(req.budget, known.currency, 'budget');
    await reconcileCampaign(ctx, req.campaignId);
    await metaSync(ctx, { campaignId: req.campaignId });
  }
  // A scheduled job that timed out while it read Meta has been handed back to the queue: its retry runs instead.
  ctx.signal?.throwIfAborted();
  const forceRefresh = request.forceRefresh ?? true;

  let started: NewRun | null = null;
  const t0 = performance.now();
  try {
    return await ctx.db.transaction(async (tx) => {
      const txCtx: AppContext = { ...ctx, db: tx };
      await tx.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`targeting-run:${req.campaignId}`]);

      let campaign = await getCampaign(tx, req.campaignId);
      let generatedHistory = false;
      if (req.mode === 'live' && (campaign === null || campaign.lastDate === null)) {
        throw new InputError('campaign', `${req.campaignId} has no delivery in Meta in the last ${ctx.config.meta.insightsDays} days: nothing to optimize`);
      }
      if (campaign === null || campaign.lastDate === null) {
        // Only when asked: a typo in a campaign id must not create a synthetic campaign that the
        // scheduler then keeps optimising. generateStubHistory refuses a store with real data.
        if (request.generateStub !== true) {
          throw new NotFoundError(`campaign ${JSON.stringify(req.campaignId)} has no stored history; import it first, or ask for a synthetic STUB market explicitly (generate_stub: true, --generate-stub)`);
        }
        // Seeded by the campaign id, so that the same campaign always sees the same market.
        await generateStubHistory(txCtx, { campaigns: 1, days: ctx.config.windowDays, seed: `campaign:${req.campaignId}`, campaignIds: [req.campaignId] });
        campaign = await getCampaign(tx, req.campaignId);
        generatedHistory = true;
        if (campaign === null || campaign.lastDate === null) throw new Error(`stub history for campaign ${req.campaignId} was not stored`);
      }

      const totalBudgetMinor = req.budget === null ? campaign.dailyBudgetMinor : parseDailyBudget(req.budget, campaign.currency, 'budget');
      if (totalBudgetMinor === null) throw new InputError('budget', `campaign ${req.campaignId} has no stored daily budget: give a budget for this run, or store one (campaign set --campaign ID --daily-budget AMOUNT, or PUT /meta/targeting/campaigns/{campaign_id})`);
      if (totalBudgetMinor <= 0) throw new InputError('budget', `must be greater than zero in ${campaign.currency}`);

      const live = req.mode === 'live' ? await liveStructureOf(tx, req.campaignId, { end: campaign.lastDate, days: ctx.config.windowDays }) : null;
      const settings = engineSettingsFor(ctx, req.mode, live ?? undefined);
      if (!forceRefresh) {
        const since = new Date(ctx.clock.now().getTime() - ctx.config.intervalHours * 3_600_000);
        const reusable = await findReusableRun(tx, { campaignId: req.campaignId, historyVersion: campaign.historyVersion, totalBudgetMinor, strategy: ctx.config.engine.strategy, mode: req.mode, since, engineVersion: ENGINE_VERSION, settings, windowDays: ctx.config.windowDays });
        if (reusable !== null) {
          const run = await getRun(tx, reusable);
          await auditChange(tx, ctx, { action: 'run', summary: { campaign_id: req.campaignId, run_id: reusable, outcome: 'reused' } });
          return { run: run!, recommendations: await recommendationsOfRun(tx, reusable), generatedHistory, reused: true };
        }
      }

      started = {
        runId: ctx.newId(),
        mode: req.mode,
        strategy: ctx.config.engine.strategy,
        campaignIds: [req.campaignId],
        totalBudgetMinor,
        currency: campaign.currency,
        startedAt: ctx.clock.now(),
        historyVersion: campaign.historyVersion,
        actor: ctx.actor.id,
      };
      const runId = started.runId;
      await insertRun(tx, started);
      const end = campaign.lastDate;
      // Fatigue rests belong to the bayes strategy; read first so that the snapshot carries the
      // resting segments' daily points.
      const bayes = ctx.config.engine.strategy === 'bayes';
      const resting = bayes ? await restsInForce(tx, req.campaignId) : [];
      const loaded = await loadCampaignSnapshot(tx, req.campaignId, campaign.currency, {
        start: addDays(end, -(ctx.config.windowDays - 1)),
        end,
        recentStart: addDays(end, -(ctx.config.engine.recentDays - 1)),
      }, { segmentDays: bayes, resting });
      // LIVE: the active ad sets only, and the interests discovery found, for the exploration share only.
      const snapshot = live !== null ? await withDiscoveredCandidates(tx, onlyActiveAdsets(loaded, live.adsets)) : loaded;
      refuseUnfundedAdSets(snapshot, totalBudgetMinor, settings, campaign.currency);
      const randomSeed = explorationSeed(runId, settings, snapshot);
      // Read before this run's recommendations exist: the previous split bounds the change per run.
      const earlierRuns = withRests(await loadEarlierRuns(tx, req.campaignId), resting);
      // Stored before the engine sees them, so that `explain --replay` starts from exactly these inputs.
      await insertDecisionInputs(tx, { runId, campaignId: req.campaignId, snapshot, totalBudgetMinor, settings, strategy: settings.strategy, strategyVersion: ENGINE_VERSION, randomSeed: randomSeed === undefined ? null : String(randomSeed), earlierRuns, createdAt: ctx.clock.now() });
      const decisions = optimizeCampaign({ snapshot, totalBudgetMinor, settings, randomSeed, ...(earlierRuns === null ? {} : { earlierRuns }) });
      const createdAt = ctx.clock.now().toISOString();
      const recommendations: Recommendation[] = decisions.map((d) => ({ recommendation_id: ctx.newId(), run_id: runId, created_at: createdAt, ...presentDecision(d.decision) }));
      const durationMs = Math.max(0, Math.round(performance.now() - t0));
      await insertRecommendations(tx, recommendations, campaign.currency, decisions.map((d) => d.decision));
      await recordRests(tx, runId, req.campaignId, { started: decisions.flatMap((d) => d.rests?.started ?? []), ended: decisions.flatMap((d) => d.rests?.ended ?? []) });
      await completeRun(tx, runId, ctx.clock.now(), durationMs, recommendations.length);
      const run = await getRun(tx, runId);
      await auditChange(tx, ctx, { action: 'run', summary: { campaign_id: req.campaignId, run_id: runId, outcome: generatedHistory ? 'completed_with_stub_history' : 'completed' } });
      ctx.logger.info({ runId, campaignId: req.campaignId, recommendations: recommendations.length, durationMs }, 'run completed');
      return { run: run!, recommendations, generatedHistory, reused: false };
    });
  } catch (error) {
    // Only a run that had started leaves a record; bad input changes nothing.
    const run = started as NewRun | null;
    if (run !== null && !(error instanceof InputError)) {
      const message = error instanceof Error ? error.message : String(error);
      ctx.logger.error({ runId: run.runId, campaignId: req.campaignId, err: message }, 'run failed');
      // One transaction: never a run left "running". Should the database be what failed, the
      // record fails too; that is logged, and the caller gets the run's own error.
      await ctx.db
        .transaction(async (tx) => {
          await insertRun(tx, run);
          await failRun(tx, run.runId, ctx.clock.now(), Math.round(performance.now() - t0), message);
        })
        .catch((recordError: unknown) => ctx.logger.error({ runId: run.runId, err: recordError instanceof Error ? recordError.message : String(recordError) }, 'the failed run could not be recorded'));
    }
    throw error;
  }
}

/**
 * LIVE runs recommend for the ad sets Meta reports ACTIVE only: a paused ad set has nothing to
 * change. A geo split is recommended for through its original, which the snapshot reads with its
 * copies: while the original is active (LIVE apply never pauses it; an advertiser who paused it
 * paused the split, whose copies are then left as they are).
 */
function onlyActiveAdsets(snapshot: CampaignSnapshot, metaAdSets: readonly StoredMetaAdSet[]): CampaignSnapshot {
  const active = new Set(metaAdSets.filter((a) => a.effectiveStatus === 'ACTIVE').map((a) => a.adsetId));
  return { ...snapshot, adsets: snapshot.adsets.filter((a) => a.adsetId !== null && active.has(a.adsetId)) };
}
