// The guardrails around an apply: reads the facts the rules need, asks the pure rules
// (engine/guardrails.ts), and keeps the ledger. An apply calls enforceGuardrails once, inside its
// transaction and under its ad set's lock, before it records a change or sends anything to Meta;
// and runs inside recordingGuardrailBlocks, so that a refusal is kept although the apply's own
// transaction rolls back.
import type { AppContext } from '../context.ts';
import { GUARDRAIL_RULE_KIND, type GuardrailRule, type GuardrailVerdict, judgeGuardrails, judgeGuardrailsAcross, type GuardrailSettings, type SplitGroupFacts } from '../engine/guardrails.ts';
import { adsetSpendByCountry } from '../store/adset-metrics.ts';
import { loadEarlierRuns } from '../store/earlier-runs.ts';
import type { RecommendationDocument as Recommendation } from '../presentation/recommendation-document.ts';
import { minorDigits, moneyText, parseMinor } from '../engine/money.ts';
import type { Db } from '../store/db.ts';
import { budgetChangesSince, budgetMovedSince, type GuardrailEvent, insertGuardrailEvent, knownAdsetBudget, recommendedBudget, withdrawGuardrailPasses } from '../store/guardrails.ts';
import { auditChange } from './audit.ts';
import type { ChangesDocument } from './live-changes.ts';
import type { SplitAdSetInForce } from './live-apply.ts';
import { NotFoundError } from './errors.ts';

const HOUR_MS = 3_600_000;

/** What the guardrails said, as an apply answer carries it. */
export interface GuardrailReport {
  allowed: boolean;
  blocked_by: GuardrailRule | null;
  message: string;
  checks: { rule: GuardrailRule; passed: boolean; detail: string }[];
  current_budget: number | null;
  /** Where the current budget was read: the last LIVE sync, the last applied change, or (LIVE apply) Meta just now; null when unknown. */
  current_budget_source: 'meta_sync' | 'last_applied' | 'meta_read' | null;
  proposed_budget: number;
  currency: string;
  /** The ledger row of a pass (null for a dry run): a LIVE apply that Meta refuses withdraws it. */
  event_id: number | null;
}

/** A change the guardrails refused. `kind` state → HTTP 409, content → 422; the CLI exits with 4. */
export class GuardrailBlockedError extends Error {
  readonly rule: GuardrailRule;
  readonly kind: 'state' | 'content';
  readonly report: GuardrailReport;
  /** The ledger row to write once the apply's transaction has rolled back. */
  readonly event: GuardrailEvent;
  constructor(report: GuardrailReport, event: GuardrailEvent) {
    super(report.message);
    this.name = 'GuardrailBlockedError';
    this.rule = report.blocked_by!;
    this.kind = GUARDRAIL_RULE_KIND[this.rule];
    this.report = report;
    this.event = event;
  }
}

export function guardrailSettings(ctx: AppContext, mode: 'stub' | 'live', currency: string): GuardrailSettings {
  const g = ctx.config.guardrails;
  return {
    applyEnabled: g.applyEnabled[mode],
    approvalRequired: g.approvalRequired,
    minConfidence: g.minConfidence,
    maxBudgetChangePct: g.maxBudgetChangePct,
    maxBudgetChangesPerHour: g.maxBudgetChangesPerHour,
    dailyBudgetMoveCapMinor: g.dailyBudgetMoveCap === null ? null : parseMinor(g.dailyBudgetMoveCap, currency),
  };
}

/**
 * Whether the caller's change counts as approved: without the approval step, always; with it, an
 * apply that comes through an admin's approval, an admin's own apply (admins are the approvers), or
 * the CLI (it runs with the database's own rights). A manager's apply and the scheduler's are not.
 */
export function approvedBy(ctx: AppContext, viaApproval: boolean): boolean {
  return viaApproval || ctx.actor.role === 'admin' || ctx.actor.channel === 'cli';
}

/**
 * Checks the recommendation's change against every guardrail. A dry run only reports. Otherwise a
 * refusal throws GuardrailBlockedError (nothing recorded yet: recordingGuardrailBlocks keeps it),
 * and a pass is written to the ledger in the caller's transaction, so the pass and the change land
 * together. The caller holds the ad set's lock; this adds one lock for the daily cap, which spans
 * ad sets, so that two applies can never both take the last allowed change or amount.
 */
export async function enforceGuardrails(ctx: AppContext, tx: Db, rec: Recommendation, opts: { mode: 'stub' | 'live'; dryRun: boolean; approved: boolean }): Promise<GuardrailReport> {
  const budget = await recommendedBudget(tx, rec.recommendation_id);
  if (budget === null) throw new NotFoundError(`no recommendation ${rec.recommendation_id}`);
  if (!opts.dryRun) await tx.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`apply-guardrails:budget-moved:${budget.currency}`]);
  const now = ctx.clock.now();
  const current = await knownAdsetBudget(tx, rec.campaign_id, rec.adset_id);
  const facts = {
    confidence: rec.confidence,
    currentBudgetMinor: current?.minor ?? null,
    proposedBudgetMinor: budget.minor,
    budgetChangesLastHour: await budgetChangesSince(tx, rec.campaign_id, rec.adset_id, new Date(now.getTime() - HOUR_MS), opts.mode),
    budgetMovedLast24hMinor: await budgetMovedSince(tx, budget.currency, new Date(now.getTime() - 24 * HOUR_MS), opts.mode),
    approved: opts.approved,
  };
  const verdict = judgeGuardrails(facts, guardrailSettings(ctx, opts.mode, budget.currency), (minor) => moneyText(minor, budget.currency));
  const report = reportOf(verdict, current, budget);
  if (opts.dryRun) return report;
  const event: GuardrailEvent = {
    recordedAt: now,
    recommendationId: rec.recommendation_id,
    campaignId: rec.campaign_id,
    adsetId: rec.adset_id,
    mode: opts.mode,
    outcome: verdict.allowed ? 'passed' : 'blocked',
    rule: verdict.blockedBy,
    message: verdict.message,
    currency: budget.currency,
    currentBudgetMinor: facts.currentBudgetMinor,
    proposedBudgetMinor: budget.minor,
    budgetChange: verdict.budgetChange,
    movedMinor: verdict.allowed ? verdict.movedMinor : 0,
    confidence: rec.confidence,
    actor: ctx.actor.id,
  };
  if (!verdict.allowed) throw new GuardrailBlockedError(report, event);
  return { ...report, event_id: await insertGuardrailEvent(tx, event) };
}

/**
 * report: a dry run (every rule's verdict, nothing recorded); precheck: before any write reaches
 * Meta (validate_only included), a refusal is thrown and recorded, a pass records nothing;
 * enforce: under the locks, just before the pending history row, a pass is recorded with it.
 */
export type LiveGuardrailStage = 'report' | 'precheck' | 'enforce';

/** One Meta ad set whose daily budget a LIVE apply sets, as the plan read it from Meta (minor units). */
export interface LiveBudgetChange {
  /** The ad set's place in the plan, so that a pass can be withdrawn when its change did not land. */
  ref: number;
  /** Null for an ad set the apply creates (a geo split's copy). */
  adsetId: string | null;
  currentMinor: number | null;
  proposedMinor: number;
  /** The country group it holds in a geo split (null without one). */
  group?: { key: string; countries: string[] } | null;
}

/** A LIVE apply that creates copies of the original ad set (a geo split), as its guardrails need it. */
export interface LiveSplitFacts {
  originalAdsetId: string;
  /** The original and the copies any earlier split made (paused since, by a rollback say): whose spend in the window is the split the account spent. */
  splitAdsetIds: readonly string[];
  /** The original's daily budget as Meta holds it now; null without one. */
  originalBudgetMinor: number | null;
  /** No ad set of the split exists yet: the apply creates it. */
  first: boolean;
  /** The recommendation's window (YYYY-MM-DD, inclusive): the history whose split of the spend is the baseline. */
  window: { start: string; end: string };
  /** The apply moves countries between the ad sets of a split in force: those ad sets now, and the total the apply proposes. */
  regroup?: { inForce: readonly SplitAdSetInForce[]; proposedTotalMinor: number };
}

/**
 * The guardrails of a LIVE apply, over the plan's Meta ad sets (one per country with a geo split):
 * the budget-change limit and the hourly count hold per Meta ad set whose budget changes, the daily
 * cap for the total moved across them (a copy's whole budget counts as moved). A pass writes one
 * ledger row per ad set whose budget changes (one row for the apply when none does), in the
 * caller's transaction, so the passes and the pending history row land together; their ids let a
 * change Meta refuses withdraw them. The caller holds the ad set's lock; as for STUB, the daily cap
 * adds its own.
 */
export async function enforceLiveGuardrails(
  ctx: AppContext,
  tx: Db,
  rec: Pick<Recommendation, 'recommendation_id' | 'campaign_id' | 'adset_id' | 'confidence'>,
  changes: LiveBudgetChange[],
  opts: { stage: LiveGuardrailStage; approved: boolean; rollback?: boolean; split?: LiveSplitFacts | null },
): Promise<{ report: GuardrailReport; passes: LivePass[] }> {
  const budget = await recommendedBudget(tx, rec.recommendation_id);
  if (budget === null) throw new NotFoundError(`no recommendation ${rec.recommendation_id}`);
  const currency = budget.currency;
  if (opts.stage === 'enforce') await tx.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`apply-guardrails:budget-moved:${currency}`]);
  const now = ctx.clock.now();
  const hourAgo = new Date(now.getTime() - HOUR_MS);
  const several = changes.length > 1;
  const adsets = [];
  for (const c of changes) {
    adsets.push({
      label: several ? (c.adsetId ?? 'new (geo split copy)') : null,
      isNew: c.adsetId === null,
      currentBudgetMinor: c.currentMinor,
      proposedBudgetMinor: c.proposedMinor,
      // A copy is new: nothing of it in the ledger yet.
      budgetChangesLastHour: c.adsetId === null ? 0 : await budgetChangesSince(tx, rec.campaign_id, c.adsetId, hourAgo, 'live'),
    });
  }
  const creates = changes.some((c) => c.adsetId === null);
  const split = creates && opts.split != null ? opts.split : null;
  const regroup = opts.split?.regroup !== undefined && !opts.split.first ? await regroupFacts(tx, rec.campaign_id, opts.split.originalAdsetId, opts.split.regroup, changes) : null;
  const verdict = judgeGuardrailsAcross(
    {
      confidence: rec.confidence,
      approved: opts.approved,
      budgetMovedLast24hMinor: await budgetMovedSince(tx, currency, new Date(now.getTime() - 24 * HOUR_MS), 'live'),
      adsets,
      firstSplit: split?.first === true && split.originalBudgetMinor !== null ? await firstSplitFacts(tx, rec.campaign_id, split.splitAdsetIds, split.originalBudgetMinor, split.window, changes) : null,
      regroup,
      newAdsetBaseMinor: split?.originalBudgetMinor ?? null,
    },
    opts.rollback === true ? rollbackSettings(guardrailSettings(ctx, 'live', currency)) : guardrailSettings(ctx, 'live', currency),
    (minor) => moneyText(minor, currency),
  );
  const sum = (xs: (number | null)[]) => (xs.some((x) => x === null) ? null : xs.reduce<number>((a, x) => a + x!, 0));
  const currentTotal = changes.length === 0 ? null : sum(changes.filter((c) => c.adsetId !== null).map((c) => c.currentMinor));
  const proposedTotal = changes.reduce((a, c) => a + c.proposedMinor, 0);
  const report: GuardrailReport = {
    allowed: verdict.allowed,
    blocked_by: verdict.blockedBy,
    message: verdict.message,
    checks: verdict.checks,
    current_budget: currentTotal === null ? null : toMajorNumber(currentTotal, currency),
    current_budget_source: currentTotal === null ? null : 'meta_read',
    proposed_budget: toMajorNumber(changes.length === 0 ? budget.minor : proposedTotal, currency),
    currency,
    event_id: null,
  };
  if (opts.stage === 'report') return { report, passes: [] };
  const event = (adsetId: string | null, current: number | null, proposed: number, budgetChange: boolean, moved: number): GuardrailEvent => ({
    recordedAt: now,
    recommendationId: rec.recommendation_id,
    campaignId: rec.campaign_id,
    adsetId,
    mode: 'live',
    outcome: verdict.allowed ? 'passed' : 'blocked',
    rule: verdict.blockedBy,
    message: verdict.message,
    currency,
    currentBudgetMinor: current,
    proposedBudgetMinor: proposed,
    budgetChange,
    movedMinor: verdict.allowed ? moved : 0,
    confidence: rec.confidence,
    actor: ctx.actor.id,
  });
  if (!verdict.allowed) {
    const c = verdict.blockedAdset === null ? null : changes[verdict.blockedAdset]!;
    throw new GuardrailBlockedError(report, event(c?.adsetId ?? rec.adset_id, c?.currentMinor ?? currentTotal, c?.proposedMinor ?? proposedTotal, c !== null, 0));
  }
  if (opts.stage === 'precheck') return { report, passes: [] };
  const passes: LivePass[] = [];
  for (const [i, c] of changes.entries()) {
    if (!verdict.adsets[i]!.budgetChange) continue;
    passes.push({ ref: c.ref, eventId: await insertGuardrailEvent(tx, event(c.adsetId, c.currentMinor, c.proposedMinor, true, verdict.adsets[i]!.movedMinor)) });
  }
  if (passes.length === 0) passes.push({ ref: null, eventId: await insertGuardrailEvent(tx, event(rec.adset_id, currentTotal, proposedTotal, false, 0)) });
  return { report: { ...report, event_id: passes[0]!.eventId }, passes };
}

/**
 * A first geo split judged per audience: each group's previous budget is its countries' share of
 * the spend over the recommendation's window (the history's own split; the original's and any
 * earlier split's copies', as the run read them) times the original's current budget; a group
 * whose countries spent nothing had none.
 */
async function firstSplitFacts(tx: Db, campaignId: string, splitAdsetIds: readonly string[], originalBudgetMinor: number, window: { start: string; end: string }, changes: LiveBudgetChange[]): Promise<{ originalBudgetMinor: number; groups: SplitGroupFacts[] }> {
  const spend = await adsetSpendByCountry(tx, campaignId, splitAdsetIds, window.start, window.end);
  const total = [...spend.values()].reduce((a, x) => a + x, 0);
  const groups = changes.map((c, i) => {
    const countries = c.group?.countries ?? [];
    const groupSpend = countries.reduce((a, k) => a + (spend.get(k) ?? 0), 0);
    // Rounded to a whole minor unit, as budgets are.
    const previous = total === 0 ? 0 : Math.round((groupSpend * originalBudgetMinor) / total);
    return { label: groupLabel(c), adset: i, previousBudgetMinor: previous, proposedBudgetMinor: c.proposedMinor };
  });
  return { originalBudgetMinor, groups };
}

const groupLabel = (c: LiveBudgetChange): string => {
  const countries = c.group?.countries ?? [];
  const key = c.group?.key ?? '?';
  return countries.length === 1 && countries[0] === key ? key : `${key} (${countries.join(', ')})`;
};

/**
 * A split in force regrouped, judged per audience: what each country gets now is its own ad set's
 * budget as Meta holds it, or its part of its pooled ad set's budget in proportion to what the
 * recommendation in force gave the pooled countries (evenly where it gave them nothing); a group's
 * previous budget is the sum over its countries.
 */
async function regroupFacts(tx: Db, campaignId: string, originalAdsetId: string, regroup: NonNullable<LiveSplitFacts['regroup']>, changes: LiveBudgetChange[]): Promise<{ currentTotalMinor: number; proposedTotalMinor: number; groups: SplitGroupFacts[] }> {
  const inForce = (await loadEarlierRuns(tx, campaignId))?.geo?.find((g) => g.adsetId === originalAdsetId);
  const recommended = new Map(inForce?.allocations.map((a) => [a.countryCode, a.amountMinor]) ?? []);
  const now = new Map<string, number>();
  for (const a of regroup.inForce) {
    const weights = a.countries.map((c) => recommended.get(c) ?? 0);
    const sum = weights.reduce((s, w) => s + w, 0);
    a.countries.forEach((c, i) => now.set(c, (now.get(c) ?? 0) + (sum > 0 ? (a.budgetMinor * weights[i]!) / sum : a.budgetMinor / a.countries.length)));
  }
  const groups = changes.map((c, i) => ({
    label: groupLabel(c),
    adset: i,
    previousBudgetMinor: Math.round((c.group?.countries ?? []).reduce((s, k) => s + (now.get(k) ?? 0), 0)),
    proposedBudgetMinor: c.proposedMinor,
  }));
  return { currentTotalMinor: regroup.inForce.reduce((s, a) => s + a.budgetMinor, 0), proposedTotalMinor: regroup.proposedTotalMinor, groups };
}

/**
 * A rollback restores a state the account already had, so the rules that judge a new change do not
 * hold it back: not the kill switch (switching applies off must not stop undoing one), not the
 * approval, the confidence, the size of the change or the daily cap. Meta's own limit does: a
 * budget change beyond the hourly count would be refused with code 17 anyway. Its passes are
 * recorded like an apply's, so the budget it moves counts against later applies.
 */
function rollbackSettings(s: GuardrailSettings): GuardrailSettings {
  return { ...s, applyEnabled: true, approvalRequired: false, minConfidence: 0, maxBudgetChangePct: Number.MAX_SAFE_INTEGER, dailyBudgetMoveCapMinor: null };
}

/** The changes of a LIVE document that reached Meta (sent, or a copy Meta made), even if undone since: their indexes. */
export function landedRefs(doc: ChangesDocument): Set<number> {
  return new Set(doc.adsets.flatMap((c, i) => (c.sent || (c.step === 'create' && c.adset_id !== null) ? [i] : [])));
}

/** A ledger row of a LIVE pass: `ref` is the plan's ad set it counts for (null: the apply's one row when no budget changes). */
export interface LivePass {
  ref: number | null;
  eventId: number;
}

/**
 * After Meta refused a LIVE change: the passes of ad sets whose change never landed are withdrawn
 * (they no longer count against the limits). A change that landed and was rolled back stays
 * counted: Meta saw that budget change, and its throttle counts it.
 */
export async function withdrawLivePasses(ctx: AppContext, passes: LivePass[], landed: ReadonlySet<number>): Promise<number[]> {
  const withdrawn = passes.filter((p) => (p.ref === null ? landed.size === 0 : !landed.has(p.ref))).map((p) => p.eventId);
  await ctx.db.transaction((tx) => withdrawGuardrailPasses(tx, withdrawn));
  return withdrawn;
}

/**
 * Runs an apply and, when the guardrails refused it, records the refusal in its own transaction
 * (the apply's rolled back, with nothing else changed) before passing the error on. The CLI's and
 * the scheduler's refusals get their audit row here; the API's gets one from its audit plugin.
 */
export async function recordingGuardrailBlocks<T>(ctx: AppContext, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof GuardrailBlockedError)) throw error;
    await ctx.db.transaction(async (tx) => {
      const id = await insertGuardrailEvent(tx, error.event);
      if (ctx.request == null) await auditChange(tx, ctx, { action: 'apply', summary: { recommendation_id: error.event.recommendationId, adset_id: error.event.adsetId, outcome: 'blocked', rule: error.rule, guardrail_event_id: id } });
    });
    ctx.logger.warn({ recommendationId: error.event.recommendationId, adsetId: error.event.adsetId, rule: error.rule, actor: ctx.actor.id }, 'apply refused by a guardrail');
    throw error;
  }
}

function reportOf(v: GuardrailVerdict, current: { minor: number; source: 'meta_sync' | 'last_applied' } | null, budget: { minor: number; currency: string }): GuardrailReport {
  return {
    allowed: v.allowed,
    blocked_by: v.blockedBy,
    message: v.message,
    checks: v.checks,
    current_budget: current === null ? null : toMajorNumber(current.minor, budget.currency),
    current_budget_source: current?.source ?? null,
    proposed_budget: toMajorNumber(budget.minor, budget.currency),
    currency: budget.currency,
    event_id: null,
  };
}

function toMajorNumber(minor: number, currency: string): number {
  return minor / 10 ** minorDigits(currency);
}

