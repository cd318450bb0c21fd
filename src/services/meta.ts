// LIVE mode's reading of a Meta ad account: `meta check` and `meta sync`. Reading only: nothing
// here sends a write to Meta. A sync reads everything first and then writes it in one transaction,
// so a sync that fails or is killed part-way (an expired token, a crash) leaves the store as it was.
import { metaCredentialProblems } from '../config.ts';
import type { AppContext } from '../context.ts';
import { MetaClient, type MetaCallStats } from '../meta/client.ts';
import { MetaApiError, MetaAsyncJobError, MetaNetworkError, MetaThrottledError, MetaTimeoutError } from '../meta/errors.ts';
import { MetaDataError, parseAdSet, type WireTargeting, readAccount, readAdSets, readCampaign, readCampaigns, readCustomAudiences, readMe, readPermissions, type MetaAccount, type MetaAdSet, type MetaCampaign, type MetaCustomAudience } from '../meta/graph.ts';
import { readInsights } from '../meta/insights.ts';
import { behaviorSizes, lookUpInterests, suggestInterests, validateInterests, type AudienceSizeBounds, type InterestOption, type InterestValidity } from '../meta/discovery.ts';
import { segmentsKeyOf, toInsightRows } from '../meta/rows.ts';
import { accountToday } from '../meta/account-day.ts';
import { unsupportedAccountCurrency } from '../meta/currency.ts';
import { versionStatus, type VersionStatus } from '../meta/versions.ts';
import { type UsageReading } from '../meta/usage.ts';
import { CurrencyConflictError, refreshStatistics, upsertCampaigns, upsertInsights, upsertSegmentSizeRanges, type SegmentSizeRange } from '../store/insights.ts';
import { deleteMetaInsights, getSyncState, replaceInterestCandidates, upsertMetaAccount, metaAdSetsOf, segmentEvidenceOf, replaceMetaAdSets, setSyncState, upsertMetaAudiences, upsertMetaCampaign } from '../store/meta.ts';
import { recordTargetingsSeen, targetingsSeenOf } from '../store/targetings-seen.ts';
import type { InsightRow } from '../engine/types.ts';
import type { Db } from '../store/db.ts';
import { addDays, isoDate } from './dates.ts';
import { ConflictError, InputError, NotFoundError, UnavailableError } from './errors.ts';
import { refreshSegmentPerformance } from './segment-performance.ts';
import { refreshAfterMetrics } from './after-metrics.ts';
import { dailyBudgetsOf } from './adset-budgets.ts';
import { adsetsGoneFromTheEdge, changesSeenElsewhere, earlierTargeting } from './meta-crediting.ts';
import { discoverCandidates, interestsByLatestRun } from './interest-candidates.ts';

/**
 * Meta failed the request after the retries it deserved (or it could not be retried). Its message
 * is Meta's own, with code, subcode and fbtrace_id, and never the token; the HTTP API answers 503
 * with it. `cause` is the client's typed error.
 */
export class MetaUpstreamError extends Error {
  constructor(message: string, cause: Error) {
    super(message, { cause });
    this.name = 'MetaUpstreamError';
  }
}

/** The token is invalid or expired: said plainly, with what to do, and that nothing was stored. */
export class MetaAuthError extends MetaUpstreamError {
  constructor(cause: MetaApiError) {
    super(`the Meta access token was refused (code ${cause.code}${cause.subcode === null ? '' : `, subcode ${cause.subcode}`}: ${cause.userMessage ?? 'invalid or expired'}${cause.fbtraceId ? `, fbtrace_id ${cause.fbtraceId}` : ''}); renew META_ACCESS_TOKEN. Nothing was stored.`, cause);
    this.name = 'MetaAuthError';
  }
}

const CLIENT_ERRORS = [MetaApiError, MetaAsyncJobError, MetaThrottledError, MetaTimeoutError, MetaNetworkError, MetaDataError];

/** Builds the client from the configuration, refusing before any call when LIVE mode lacks credentials. */
export function metaClientFor(ctx: AppContext): { client: MetaClient; accountId: string } {
  const meta = ctx.config.meta;
  const problems = metaCredentialProblems(meta);
  if (problems.length > 0) throw new UnavailableError(`LIVE mode is not set up: ${problems.join('; ')}`);
  const logger = ctx.logger.child({ subsystem: 'meta' });
  const client = new MetaClient({
    graphUrl: meta.graphUrl,
    apiVersion: meta.apiVersion,
    accessToken: meta.accessToken!,
    timeoutMs: meta.requestTimeoutMs,
    maxRetries: meta.maxRetries,
    logger,
    ...(ctx.metaRuntime ? { runtime: ctx.metaRuntime } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  return { client, accountId: meta.adAccountId! };
}

export async function translate<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof MetaApiError && error.tokenProblem) throw new MetaAuthError(error);
    // 100/33: the object does not exist or this token cannot read it (Meta does not say which).
    if (error instanceof MetaApiError && error.code === 100 && error.subcode === 33) throw new NotFoundError(`${error.message}. Nothing was stored.`);
    if (error instanceof CurrencyConflictError) throw new InputError('currency', error.message);
    if (CLIENT_ERRORS.some((type) => error instanceof type)) throw new MetaUpstreamError(`${(error as Error).message}. Nothing was stored.`, error as Error);
    throw error;
  }
}

// ---- check ----

export interface MetaCheckReport {
  user: { id: string; name: string | null };
  permissions: { granted: string[]; missing: string[] };
  account: MetaAccount;
  apiVersion: VersionStatus;
  graphUrl: string;
  usage: UsageReading | null;
  calls: MetaCallStats;
}

export async function metaCheck(ctx: AppContext): Promise<MetaCheckReport> {
  const { client, accountId } = metaClientFor(ctx);
  return translate(async () => {
    const user = await readMe(client);
    const permissions = await readPermissions(client);
    const granted = permissions.filter((p) => p.status === 'granted').map((p) => p.permission).sort();
    const account = await readAccount(client, accountId);
    return {
      user,
      permissions: { granted, missing: ['ads_read'].filter((p) => !granted.includes(p) && !granted.includes('ads_management')) },
      account,
      apiVersion: versionStatus(client.apiVersion, isoDate(ctx.clock.now())),
      graphUrl: ctx.config.meta.graphUrl,
      usage: client.lastUsage,
      calls: { ...client.stats },
    };
  });
}

// ---- sync ----

export interface MetaSyncOptions {
  campaignId?: string;
  /** Read this many days back from the last complete day instead of the incremental range. */
  days?: number;
  onProgress?: (message: string) => void;
}

export interface CampaignSyncReport {
  campaignId: string;
  name: string | null;
  specialAdCategories: string[];
  adsets: number;
  activeAdsets: number;
  /** Days read: null when the campaign was already up to date and no look-back was asked. */
  range: { since: string; until: string } | null;
  rows: { country: number; demographic: number; segment: number };
  skipped: { country: number; demographic: number };
  /** Segments with credited evidence, and how many of them owe it all to a single ad set (their evidence is that ad set's result). */
  segments: { total: number; fromOneAdset: number };
  /** Interests and behaviors in the ad sets' targeting, and how many of them Meta gave an audience size for (stored). */
  sizes: { targeted: number; sized: number };
  /** Interests Meta suggested next to the campaign's best ones, still valid and sized: stored as candidates for exploration. */
  candidates: number;
}

export interface MetaSyncReport {
  /** timezone: the zone the account's days were taken in; lastCompleteDay: yesterday there, the last day read. */
  account: { id: string; currency: string; timezone: string; lastCompleteDay: string };
  audiences: number;
  campaigns: CampaignSyncReport[];
  /** Distinct interests and behaviors targeted across the synced ad sets: what the size lookups asked Meta about. */
  targeted: { interests: number; behaviors: number };
  calls: MetaCallStats;
  durationMs: number;
}

interface ReadCampaign {
  campaign: MetaCampaign;
  adsets: MetaAdSet[];
  /** The ad sets whose targeting this sync saw (those Meta no longer lists but reported days of, too), and when. */
  seen: { adsets: MetaAdSet[]; at: Date };
  range: { since: string; until: string } | null;
  rows: InsightRow[];
  report: CampaignSyncReport;
}

const MAX_SYNC_DAYS = 1_110;

export async function metaSync(ctx: AppContext, options: MetaSyncOptions = {}): Promise<MetaSyncReport> {
  const started = performance.now();
  // Whether LIVE mode is set up at all is said first, before anything about the request.
  const { client, accountId } = metaClientFor(ctx);
  if (options.days !== undefined && (!Number.isInteger(options.days) || options.days < 1 || options.days > MAX_SYNC_DAYS)) throw new InputError('days', `must be a whole number from 1 to ${MAX_SYNC_DAYS}`);
  if (options.campaignId !== undefined && !/^\d{1,32}$/.test(options.campaignId)) throw new InputError('campaign', `must be a Meta campaign id (digits), got ${JSON.stringify(options.campaignId)}`);
  const say = options.onProgress ?? (() => {});
  const meta = ctx.config.meta;

  return translate(async () => {
    const account = await readAccount(client, accountId);
    const currencyProblem = unsupportedAccountCurrency(account.currency);
    if (currencyProblem !== null) throw new ConflictError(`${currencyProblem}; nothing was stored`);
    // Meta's days are the account's calendar days; today is still being delivered there, so the
    // last complete day is yesterday in the account's time zone.
    const day = accountToday(ctx.clock.now(), account.timezone, account.timezoneOffsetHours);
    const until = addDays(day.today, -1);
    const audienceList = await readCustomAudiences(client, accountId);
    const audiences = new Map<string, MetaCustomAudience>(audienceList.map((a) => [a.id, a]));
    let campaigns: MetaCampaign[];
    if (options.campaignId !== undefined) {
      const c = await readCampaign(client, options.campaignId);
      if (c.accountId !== null && c.accountId !== accountId) throw new InputError('campaign', `${options.campaignId} belongs to ${c.accountId}, not to META_AD_ACCOUNT_ID ${accountId}`);
      campaigns = [c];
    } else {
      campaigns = (await readCampaigns(client, accountId)).filter((c) => c.effectiveStatus !== 'ARCHIVED' && c.effectiveStatus !== 'DELETED');
    }
    say(`account ${account.id} (${account.currency}, days in ${day.zone}, last complete day ${until}): ${campaigns.length} campaign(s), ${audienceList.length} custom audience(s)`);

    const read: ReadCampaign[] = [];
    for (const campaign of campaigns) {
      const adsets = await readAdSets(client, campaign.id);
      const seen = { adsets, at: ctx.clock.now() };
      const range = await rangeFor(ctx, campaign.id, until, options.days, meta.insightsDays, meta.lookbackDays);
      let converted = { rows: [] as InsightRow[], counts: { country: 0, demographic: 0, segment: 0 }, skipped: { country: 0, demographic: 0 } };
      if (range !== null) {
        const common = { campaignId: campaign.id, since: range.since, until: range.until, currency: account.currency, purchaseActionType: meta.purchaseActionType };
        const countryRows = await readInsights(client, { ...common, breakdown: 'country' });
        const demographicRows = await readInsights(client, { ...common, breakdown: 'age,gender' });
        seen.adsets = [...adsets, ...(await adsetsGoneFromTheEdge(client, adsets, countryRows))];
        const dayOf = (at: Date) => accountToday(at, account.timezone, account.timezoneOffsetHours).today;
        const ours = await earlierTargeting(ctx.db, campaign.id, range.since, dayOf);
        const elsewhere = changesSeenElsewhere(campaign.id, await targetingsSeenOf(ctx.db, campaign.id), seen.adsets, seen.at, ours, dayOf);
        converted = toInsightRows({ campaignId: campaign.id, currency: account.currency, countryRows, demographicRows, adsets: seen.adsets, audiences, earlier: [...ours, ...elsewhere] });
      }
      const report: CampaignSyncReport = {
        campaignId: campaign.id,
        name: campaign.name,
        specialAdCategories: campaign.specialAdCategories,
        adsets: adsets.length,
        activeAdsets: adsets.filter((a) => a.effectiveStatus === 'ACTIVE').length,
        range,
        rows: converted.counts,
        skipped: converted.skipped,
        segments: { total: 0, fromOneAdset: 0 },
        sizes: { targeted: 0, sized: 0 },
        candidates: 0,
      };
      read.push({ campaign, adsets, seen, range, rows: converted.rows, report });
      say(`campaign ${campaign.id}: ${adsets.length} ad set(s), ${range === null ? 'up to date' : `${range.since}..${range.until}`}, ${converted.rows.length} row(s)`);
    }

    // Audience sizes of every targeted interest and behavior, for the whole account at once (a
    // size is Meta's, not a campaign's): the engine weighs the set by them only when they are known.
    const allAdsets = read.flatMap((r) => r.adsets);
    const targeted = { interests: new Set(allAdsets.flatMap((a) => a.interests.map((i) => i.id))).size, behaviors: new Set(allAdsets.flatMap((a) => a.behaviors.map((b) => b.id))).size };
    const sizes = await readSegmentSizes(client, allAdsets);
    const asOf = day.today;
    const sizeRows = read.map((r) => {
      const rows = segmentSizeRows(r.campaign.id, r.adsets, sizes, asOf);
      r.report.sizes = { targeted: rows.targeted, sized: rows.list.length };
      return rows.list;
    });
    say(`audience sizes: ${sizes.interest.size} interest(s) and ${sizes.behavior.size} behavior(s) sized by Meta`);
    // Discovery: candidates for the exploration share, found next to each campaign's best interests.
    const candidates = await discoverCandidates(ctx.db, client, read.map((r) => ({ campaignId: r.campaign.id, adsets: r.adsets, rows: r.rows })), sizes.retired);
    for (const r of read) r.report.candidates = candidates.get(r.campaign.id)?.length ?? 0;
    say(`discovery: ${[...candidates.values()].reduce((n, l) => n + l.length, 0)} suggested interest(s), valid and sized, kept as candidates for exploration`);

    const at = ctx.clock.now();
    ctx.logger.info({ campaigns: read.length, rows: read.reduce((n, r) => n + r.rows.length, 0) }, 'meta sync read everything; writing it in one transaction');
    await ctx.db.transaction(async (tx) => {
      await upsertMetaAccount(tx, { accountId, name: account.name, currency: account.currency, timezoneName: account.timezone, timezoneOffsetHours: account.timezoneOffsetHours }, at);
      await upsertMetaAudiences(tx, audienceList.map((a) => ({ audienceId: a.id, accountId, name: a.name, subtype: a.subtype, sizeLower: a.sizeLower, sizeUpper: a.sizeUpper })), at);
      for (const r of read) {
        const c = r.campaign;
        if (r.range !== null) {
          // Re-reading a day replaces it whole.
          await deleteMetaInsights(tx, c.id, r.range.since, r.range.until);
          await upsertInsights(tx, r.rows, 'meta');
          await setSyncState(tx, c.id, r.range.until, at);
        }
        await upsertCampaigns(tx, new Map([[c.id, { currency: account.currency, name: c.name, dailyBudgetMinor: await defaultDailyBudget(tx, c, r.adsets, { end: until, days: ctx.config.windowDays }) }]]), 'meta');
        await upsertMetaCampaign(tx, { campaignId: c.id, accountId, name: c.name, objective: c.objective, status: c.status, effectiveStatus: c.effectiveStatus, specialAdCategories: c.specialAdCategories, budgetMode: c.budgetMode, dailyBudgetMinor: c.dailyBudgetMinor, lifetimeBudgetMinor: c.lifetimeBudgetMinor }, at);
        await recordTargetingsSeen(tx, c.id, r.seen.adsets.map((a) => ({ adsetId: a.id, segmentsKey: segmentsKeyOf(a), targeting: a.targeting, updatedAt: a.updatedAt })), r.seen.at);
        await replaceMetaAdSets(tx, c.id, r.adsets.map((a) => ({ adsetId: a.id, campaignId: c.id, name: a.name, status: a.status, effectiveStatus: a.effectiveStatus, dailyBudgetMinor: a.dailyBudgetMinor, lifetimeBudgetMinor: a.lifetimeBudgetMinor, optimizationGoal: a.optimizationGoal, targeting: a.targeting })), at);
      }
      await upsertSegmentSizeRanges(tx, sizeRows.flat(), 'meta');
      for (const r of read) await replaceInterestCandidates(tx, r.campaign.id, candidates.get(r.campaign.id) ?? [], at);
      await refreshSegmentPerformance(tx, ctx.config.engine);
      await refreshAfterMetrics(tx, read.map((r) => r.campaign.id));
    });
    await refreshStatistics(ctx.db);
    for (const r of read) {
      const evidence = await segmentEvidenceOf(ctx.db, r.campaign.id);
      r.report.segments = { total: evidence.length, fromOneAdset: evidence.filter((e) => e.adsets === 1).length };
    }
    const report: MetaSyncReport = { account: { id: account.id, currency: account.currency, timezone: day.zone, lastCompleteDay: until }, audiences: audienceList.length, campaigns: read.map((r) => r.report), targeted, calls: { ...client.stats }, durationMs: Math.round(performance.now() - started) };
    ctx.logger.info({ campaigns: report.campaigns.length, requests: report.calls.requests, retries: report.calls.retries, durationMs: report.durationMs }, 'meta sync completed');
    return report;
  });
}

interface SizesByType {
  interest: Map<string, AudienceSizeBounds>;
  behavior: Map<string, AudienceSizeBounds>;
  /** Targeted interests Meta no longer accepts (adinterestvalid said valid: false). */
  retired: Set<string>;
}

/** Meta's size bounds of the interests and behaviors these ad sets target: ceil(interests / batch) calls, plus one when any behavior is targeted. */
async function readSegmentSizes(client: MetaClient, adsets: readonly MetaAdSet[]): Promise<SizesByType> {
  const interests = await lookUpInterests(client, adsets.flatMap((a) => a.interests.map((i) => i.id)));
  const behaviors = await behaviorSizes(client, adsets.flatMap((a) => a.behaviors.map((b) => b.id)));
  return {
    interest: new Map(interests.flatMap((x) => (x.bounds === null ? [] : [[x.id, x.bounds] as const]))),
    behavior: new Map(behaviors.map((x) => [x.id, x])),
    retired: new Set(interests.filter((x) => x.valid === false).map((x) => x.id)),
  };
}

/** A campaign's segment_sizes rows: each targeted interest and behavior Meta gave a size for; the others stay unsized. */
function segmentSizeRows(campaignId: string, adsets: readonly MetaAdSet[], sizes: SizesByType, asOf: string): { targeted: number; list: SegmentSizeRange[] } {
  const targeted = new Set<string>();
  const list: SegmentSizeRange[] = [];
  for (const type of ['interest', 'behavior'] as const) {
    for (const a of adsets) {
      for (const e of type === 'interest' ? a.interests : a.behaviors) {
        const key = `${type}:${e.id}`;
        if (targeted.has(key)) continue;
        targeted.add(key);
        const b = sizes[type].get(e.id);
        if (b !== undefined) list.push({ campaignId, segmentType: type, segmentId: e.id, lower: b.lower, upper: b.upper, asOf });
      }
    }
  }
  return { targeted: targeted.size, list };
}

/**
 * The days to read: with --days, that many back from the last complete day; otherwise from the day
 * after the last complete one already read, less the look-back (Meta restates recent days), or
 * META_INSIGHTS_DAYS on a first sync. Null when there is nothing to read.
 */
async function rangeFor(ctx: AppContext, campaignId: string, until: string, days: number | undefined, insightsDays: number, lookbackDays: number): Promise<{ since: string; until: string } | null> {
  if (days !== undefined) return { since: addDays(until, -(days - 1)), until };
  const windowStart = addDays(until, -(insightsDays - 1));
  const last = await getSyncState(ctx.db, campaignId);
  if (last === null) return { since: windowStart, until };
  const next = addDays(last, 1 - lookbackDays);
  const since = next < windowStart ? windowStart : next;
  return since > until ? null : { since, until };
}

// ---- discovery ----

export interface MetaDiscoverReport {
  campaignId: string;
  /** The interests the suggestions were seeded with: the campaign's best-scoring ones. */
  seeds: { id: string; name: string; score: number | null }[];
  /** Interests in the campaign's current targeting that Meta no longer accepts. */
  retired: InterestValidity[];
  /** Interests Meta suggests next to the seeds, not targeted yet, with their audience size bounds. */
  suggestions: InterestOption[];
  calls: MetaCallStats;
}

/**
 * Checks the campaign's targeted interests with Meta and asks for suggestions next to its best
 * ones. Reading only: nothing is stored or sent; candidates are for the exploration share, not
 * for replacing what the evidence chose.
 */
export async function metaDiscover(ctx: AppContext, options: { campaignId: string; seeds?: number; limit?: number }): Promise<MetaDiscoverReport> {
  if (!/^\d{1,32}$/.test(options.campaignId)) throw new InputError('campaign', `must be a Meta campaign id (digits), got ${JSON.stringify(options.campaignId)}`);
  const stored = await metaAdSetsOf(ctx.db, options.campaignId);
  if (stored.length === 0) throw new InputError('campaign', `${options.campaignId} has no ad sets stored; run meta sync --campaign ${options.campaignId} first`);
  const { client } = metaClientFor(ctx);
  const targeted = new Map<string, string>();
  for (const a of stored) for (const i of parseAdSet({ id: a.adsetId, campaign_id: a.campaignId, targeting: a.targeting as WireTargeting }).interests) targeted.set(i.id, i.name);
  return translate(async () => {
    const validity = await validateInterests(client, [...targeted.keys()]);
    const retired = validity.filter((v) => !v.valid);
    const usable = new Set(validity.filter((v) => v.valid).map((v) => v.id));
    const seeds = (await bestInterests(ctx, options.campaignId)).filter((s) => usable.has(s.id)).slice(0, options.seeds ?? 5);
    const suggestions = (await suggestInterests(client, seeds.map((s) => s.name), options.limit ?? 25)).filter((s) => !targeted.has(s.id));
    return { campaignId: options.campaignId, seeds, retired, suggestions, calls: { ...client.stats } };
  });
}

/** The campaign's interests by the score of its latest completed run, or by credited ROAS when it has none. */
async function bestInterests(ctx: AppContext, campaignId: string): Promise<{ id: string; name: string; score: number | null }[]> {
  const fromRun = await interestsByLatestRun(ctx.db, campaignId);
  if (fromRun.length > 0) return fromRun;
  const credited = await ctx.db.query<{ id: string; name: string }>(
    `select segment_id as id, max(segment_name) as name from insights where campaign_id = $1 and segment_type = 'interest' and source = 'meta'
     group by segment_id order by sum(revenue_minor)::float8 / greatest(sum(spend_minor)::float8, 1) desc, segment_id`,
    [campaignId],
  );
  return credited.map((r) => ({ id: r.id, name: r.name, score: null }));
}

/**
 * The budget a run optimizes by default: the campaign's own, or its delivering ad sets' daily
 * budgets together (dailyBudgetsOf: an ad set on a lifetime budget at what it spent a day).
 */
async function defaultDailyBudget(tx: Db, campaign: MetaCampaign, adsets: readonly MetaAdSet[], window: { end: string; days: number }): Promise<number | null> {
  if (campaign.dailyBudgetMinor !== null) return campaign.dailyBudgetMinor;
  const budgets = await dailyBudgetsOf(tx, campaign.id, adsets.filter((a) => a.effectiveStatus === 'ACTIVE'), window);
  const total = [...budgets.values()].reduce((s, x) => s + x, 0);
  return total > 0 ? total : null;
}
