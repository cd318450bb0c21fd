// Applying a recommendation to real ad sets. In order: plan (read the ad sets from Meta, map the
// decision onto each, split by country), preview (Meta validates every request with validate_only
// and nothing changes), record (a pending history row, committed before any write), send (each
// write recorded as it lands), settle (applied, or failed with Meta's error after the writes that
// landed are undone). A pending row left by a crash is settled by reconcilePendingChanges.
import type { AppContext } from '../context.ts';
import { flooredCountriesOf } from '../engine/ad-set-groups.ts';
import type { RecommendationDocument as Recommendation } from '../presentation/recommendation-document.ts';
import { biddingNote, countryGroups, decisionForGroup, floorNote, learningNote, pausedNote, POOL_KEY, splitName, splitSteps, unsplitNote, weeklyConversions, type CountryGroup, type SplitStep } from '../meta/adset-split.ts';
import type { MetaClient } from '../meta/client.ts';
import { adStatusRequest, copyRequest, GONE_STATUSES, readAdSet, readAds, send, updateRequest, type AdSetWrite, type GraphRequest, type MetaAd } from '../meta/adset-writes.ts';
import { mirrorAds, type AdMirror } from '../meta/split-ads.ts';
import { adSetUpdateFor, updateDiff, type CampaignRules, type FieldChange, type TargetingDecision, type UpdateNote } from '../meta/targeting-spec.ts';
import type { MetaAdSet } from '../meta/graph.ts';
import { setChangeProgress, settleChange, type StoredMetaError } from '../store/history.ts';
import { metaCampaignOf, recordAdStatuses, recordOptimizerStatuses, saveSplitAds, saveSplitMembers, splitAdsOf, splitMembersOf, splitSourceOf } from '../store/meta.ts';
import { getRecommendationDecision } from '../store/runs.ts';
import { ConflictError, InputError } from './errors.ts';
import { activate, activatedAfterCopy, adCopyInto, adStatusesChanged, adWritesLanded, compensate, deliverySafeOrder, metaErrorOf, sendChange, stateOf, statusesChanged, type AdSetChange, type ChangesDocument } from './live-changes.ts';
import { splitRecordOf } from './split-record.ts';
import { targetingDecisionOf } from './targeting-decision.ts';


export interface LivePlan {
  rec: Recommendation;
  decision: TargetingDecision;
  source: MetaAdSet;
  rules: CampaignRules;
  doc: ChangesDocument;
  /** The plan creates the geo split: no ad set of it exists yet, only the original. */
  firstSplit: boolean;
  /** The original and every copy an earlier split made, deleted ones included: whose spend is the split's history. */
  splitAdsetIds: string[];
  /**
   * The plan moves countries between the ad sets of a split in force (a country joining or leaving
   * the pool, a new group's copy, a group retired): the split's delivering ad sets as Meta holds
   * them now, which its guardrails judge each group's money against. Null otherwise.
   */
  regroup: SplitAdSetInForce[] | null;
}

/** A delivering ad set of a geo split, as Meta holds it now. */
export interface SplitAdSetInForce {
  adsetId: string;
  countries: string[];
  budgetMinor: number;
}

/** Reads what the apply starts from and decides every request; sends nothing. */
export async function planLiveApply(ctx: AppContext, client: MetaClient, rec: Recommendation, lookalikes: { id: string; name: string }[] = []): Promise<LivePlan> {
  if (rec.adset_id === null) throw new InputError('recommendation_id', `recommendation ${rec.recommendation_id} is for the whole campaign; a LIVE apply changes ad sets, so it needs a recommendation for one ad set (run --mode live recommends per active ad set)`);
  const madeFrom = await splitSourceOf(ctx.db, rec.adset_id);
  if (madeFrom !== null) throw new ConflictError(`ad set ${rec.adset_id} was made by the geo split of ad set ${madeFrom}: apply a recommendation for ${madeFrom}, which places every country`);
  const campaign = await metaCampaignOf(ctx.db, rec.campaign_id);
  if (campaign === null) throw new InputError('recommendation_id', `campaign ${rec.campaign_id} has no LIVE structure stored; run meta sync --campaign ${rec.campaign_id} first`);
  const rules: CampaignRules = { specialAdCategories: campaign.specialAdCategories, budgetMode: campaign.budgetMode };
  const decided = await getRecommendationDecision(ctx.db, rec.recommendation_id);
  if (decided == null) {
    throw new ConflictError(`recommendation ${rec.recommendation_id} predates the engine's decisions being stored with recommendations, and a LIVE apply maps that decision (not the document) to Meta's requests; run the campaign again (run --campaign ${rec.campaign_id} --mode live) and apply its new recommendation for ad set ${rec.adset_id}`);
  }
  const decision = targetingDecisionOf(decided, ctx.config.meta.advantageAudience, lookalikes);
  const source = await readAdSet(client, rec.adset_id);
  if (source.campaignId !== rec.campaign_id) throw new ConflictError(`ad set ${rec.adset_id} now belongs to campaign ${source.campaignId}, not ${rec.campaign_id}; sync and run again`);
  if (GONE_STATUSES.has(source.status ?? '')) throw new ConflictError(`ad set ${rec.adset_id} is ${source.status} at Meta, which lets nothing of it change again; nothing was applied`);
  // Per-country budgets need ad sets of their own; a campaign budget or a lifetime budget has none to split.
  const splittable = rules.budgetMode === 'adset' && source.lifetimeBudgetMinor === null;
  // Read whether or not it can be split now: copies of an earlier split are retired once it cannot.
  const recorded = await splitMembersOf(ctx.db, source.id);
  // Every ad set of an earlier split is updated or retired below: each is read once, first.
  const current = new Map<string, MetaAdSet>([[source.id, source]]);
  for (const m of recorded) if (!current.has(m.adsetId)) current.set(m.adsetId, await readAdSet(client, m.adsetId));
  // One archived or deleted in Ads Manager can never change again (Meta refuses any edit but its
  // name): it no longer holds its group, which gets a new copy.
  const members = recorded.filter((m) => !GONE_STATUSES.has(current.get(m.adsetId)?.status ?? ''));
  // A country whose own ad set delivers keeps it down to half the minimum (hasOwnAdSet), so that a
  // budget moving around the minimum does not move the country in and out of the pool; one whose
  // share has a floor always has its own, where the floor is its budget.
  const holding = new Set(members.flatMap((m) => (m.groupKey !== null && m.groupKey !== POOL_KEY && current.get(m.adsetId)?.status === 'ACTIVE' ? [m.groupKey] : [])));
  const floored = flooredCountriesOf(decided);
  const groups = splittable ? countryGroups(decision, ctx.config.meta.splitMinDailyBudgetMinor, { holding, floored }) : [{ key: 'all', countries: decision.countries, budgetMinor: 0 }];
  const steps = splitSteps({ adsetId: source.id, name: source.name ?? source.id }, groups, members);
  for (const s of steps) if (s.kind !== 'create' && !current.has(s.adsetId)) current.set(s.adsetId, await readAdSet(client, s.adsetId));
  // What each ad set can expect a week at its budget, against what ends Meta's learning phase.
  const costPerClick = new Map(decided.countries.map((c) => [c.countryCode, c.averageCpcMinor]));
  const weekly = (d: TargetingDecision) => (splittable ? weeklyConversions(d.countryBudgetsMinor, costPerClick, decided.expected.cvr) : null);
  // Why an ad set exists and what it can expect: a floor's own ad set under the minimum, learning it is unlikely to leave.
  const unsplit = splittable ? null : unsplitNote(decision, rules.budgetMode === 'campaign' ? 'campaign_budget' : 'lifetime_budget', floored);
  const notesOf = (group: CountryGroup, groupDecision: TargetingDecision, optimizationGoal: string | null) => [unsplit, floorNote(group, ctx.config.meta.splitMinDailyBudgetMinor, floored), learningNote(optimizationGoal, weekly(groupDecision))].filter((n) => n !== null);
  // Who last set each copy's status: one paused where the optimizer left it active was paused by someone else.
  const pausedElsewhere = new Set(recorded.filter((m) => m.adsetId !== source.id && m.optimizerStatus === 'ACTIVE' && current.get(m.adsetId)?.status === 'PAUSED').map((m) => m.adsetId));
  // A copy of the original gets the original's ads, each copied into it; a copy of an earlier split
  // mirrors them (the ads the original gained, the statuses it changed).
  const mirrored = steps.flatMap((s) => (s.kind === 'update' && s.adsetId !== source.id ? [s.adsetId] : []));
  const ads = steps.some((s) => s.kind === 'create') || mirrored.length > 0 ? await readAds(client, source.id) : [];
  const mirrors = await adMirrors(ctx, client, ads, mirrored);
  const heldBefore = new Map(recorded.map((m) => [m.adsetId, m.groupKey]));
  // Retired ad sets are paused first and ad sets activated again last, so that a country moving into
  // another ad set is never delivered by both if the apply stops part-way (copies are made paused).
  const adsets = deliverySafeOrder(steps.map((s) => changeFor(s, { decision, current, rules, source, notesOf, pausedElsewhere, floored, ads, mirrors, heldBefore, unsplittable: !splittable })));
  // No copy delivering (none made yet, or every one paused by a rollback): the original holds the
  // budget in force, so the split is judged as a first one, against the history's split.
  const copies = members.filter((m) => m.adsetId !== source.id);
  const firstSplit = steps.length > 1 && copies.every((m) => current.get(m.adsetId)?.status !== 'ACTIVE');
  const sameCountries = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();
  // A copy activated again (its group back) delivers nothing now, whatever budget it still holds: its countries' money is judged as new.
  const reactivates = adsets.some((c) => c.step === 'update' && (c.update.params as AdSetWrite).status === 'ACTIVE' && c.before?.status !== 'ACTIVE');
  // Once the original cannot be split, its copies are paused and no daily budget is set: no split's money to judge.
  const regroups = splittable && !firstSplit && members.length > 0 && (reactivates || steps.some((s) => s.kind !== 'update' || !sameCountries(current.get(s.adsetId)!.countries, s.group.countries)));
  const splitAdsetIds = [source.id, ...recorded.map((m) => m.adsetId).filter((id) => id !== source.id)];
  // Every ad set read is the original or one of its split's: the active ones deliver the split now.
  const regroup = regroups ? [...current.values()].filter((a) => a.status === 'ACTIVE' && a.dailyBudgetMinor !== null).map((a) => ({ adsetId: a.id, countries: [...a.countries], budgetMinor: a.dailyBudgetMinor! })) : null;
  return { rec, decision, source, rules, doc: { source_adset_id: source.id, adsets, rolled_back: [] }, firstSplit, splitAdsetIds, regroup };
}

/**
 * What mirroring the original's ads takes in each copy of an earlier split, by copy. A copy with no
 * ad recorded was made before its ads were (its ads came with a deep copy): it is left out (null).
 */
async function adMirrors(ctx: AppContext, client: MetaClient, sourceAds: readonly MetaAd[], copyIds: readonly string[]): Promise<Map<string, AdMirror | null>> {
  const recorded = await splitAdsOf(ctx.db, copyIds);
  const out = new Map<string, AdMirror | null>();
  for (const id of copyIds) {
    const mine = recorded.filter((r) => r.copyAdsetId === id);
    out.set(id, mine.length === 0 ? null : mirrorAds(sourceAds, await readAds(client, id), mine));
  }
  return out;
}

/** The diff lines of a copy's ads: those copied in (by the original's ad) and those whose status changes. */
function adDiff(mirror: AdMirror): FieldChange[] {
  return [...mirror.copies.map((c) => ({ field: `ads.copy_of.${c.sourceAdId}`, before: null, after: c.status })), ...mirror.statuses.map((st) => ({ field: `ads.${st.adId}.status`, before: st.before, after: st.after }))];
}

/** What the plan knows when it maps each step to its change. */
interface PlanFacts {
  decision: TargetingDecision;
  /** Every ad set of the split as Meta holds it now, by id. */
  current: ReadonlyMap<string, MetaAdSet>;
  rules: CampaignRules;
  source: MetaAdSet;
  notesOf: (group: CountryGroup, d: TargetingDecision, optimizationGoal: string | null) => UpdateNote[];
  /** Copies paused by someone else where the optimizer left them active. */
  pausedElsewhere: ReadonlySet<string>;
  floored: ReadonlySet<string>;
  /** The original's ads, copied into each new copy. */
  ads: readonly MetaAd[];
  /** What mirroring the original's ads takes in each copy of an earlier split (null: not recorded). */
  mirrors: ReadonlyMap<string, AdMirror | null>;
  /** The group each ad set of the split holds now (null: none). */
  heldBefore: ReadonlyMap<string, string | null>;
  /** The original can no longer be split (a campaign or lifetime budget): an earlier split's copies are retired. */
  unsplittable: boolean;
}

function changeFor(step: SplitStep, facts: PlanFacts): AdSetChange {
  const change = changeWithoutHolding(step, facts);
  return { ...change, held_group: change.adset_id === null ? null : (facts.heldBefore.get(change.adset_id) ?? null) };
}

function changeWithoutHolding(step: SplitStep, { decision, current, rules, source, notesOf, pausedElsewhere, floored, ads, mirrors, unsplittable }: PlanFacts): AdSetChange {
  if (step.kind === 'retire') {
    const a = current.get(step.adsetId)!;
    const write: AdSetWrite = { status: 'PAUSED' };
    return { step: 'retire', adset_id: a.id, group: null, copy: null, update: updateRequest(a.id, write), activate: false, before: stateOf(a), after: { status: 'PAUSED' }, diff: updateDiff({ targeting: a.targeting, dailyBudgetMinor: a.dailyBudgetMinor, status: a.status }, { targeting: a.targeting, status: 'PAUSED' }), notes: [{ kind: 'budget', field: 'status', message: retireReason(step.groupKey, unsplittable) }], sent: false, activated: false };
  }
  // A copy starts as the original: the update is mapped from the original's targeting and settings.
  const base = step.kind === 'update' ? current.get(step.adsetId)! : source;
  const groupDecision = decisionForGroup(decision, step.group);
  const mapped = adSetUpdateFor(groupDecision, { id: base.id, optimizationGoal: base.optimizationGoal, targeting: base.targeting, dailyBudgetMinor: base.dailyBudgetMinor, lifetimeBudgetMinor: base.lifetimeBudgetMinor }, rules);
  const notes = [...mapped.notes, ...notesOf(step.group, groupDecision, base.optimizationGoal)];
  const write: AdSetWrite = { ...mapped.body };
  const group = { key: step.group.key, countries: step.group.countries, budget_minor: step.group.budgetMinor };
  const after = { targeting: mapped.body.targeting, ...(mapped.body.daily_budget === undefined ? {} : { daily_budget: mapped.body.daily_budget }) };
  if (step.kind === 'create') {
    // The copy is named with its group; it stays PAUSED (the copy's status) until the apply completes.
    const copy = copyRequest(source.id, splitName('', step.group.key));
    write.name = step.name;
    notes.push({ kind: 'advisory', field: 'copy', message: `a copy of ad set ${source.id} and of its ${ads.length} ad(s): Meta cannot validate a copy without making it (its copies endpoints take no validate_only), so its settings were validated as an update of the original, and Meta checks the copy itself when the apply makes it` });
    return { step: 'create', adset_id: null, group, copy, ads: ads.map((a) => ({ source_ad_id: a.id, copied_ad_id: null, status: a.status ?? 'ACTIVE' })), update: updateRequest('(the copy)', write), activate: source.status === 'ACTIVE', before: null, after: { ...after, name: step.name }, diff: updateDiff({ targeting: source.targeting, dailyBudgetMinor: source.dailyBudgetMinor }, mapped.body), notes, sent: false, activated: false };
  }
  // An ad set of an earlier split follows the original's status (one retired comes back with its
  // group), unless someone else paused it: that pause is theirs to lift, and the split's change
  // still lands on it (targeting, budget) for when they do.
  if (pausedElsewhere.has(base.id)) {
    if (source.status === 'ACTIVE') notes.push(pausedNote(step.group, floored));
  } else if (base.id !== source.id && base.status !== source.status && source.status !== null) write.status = source.status;
  const expected = write.status === undefined ? after : { ...after, status: write.status };
  const bidding = base.id === source.id ? null : biddingNote(base, source);
  if (bidding !== null) notes.push(bidding);
  const mirror = mirrors.get(base.id);
  if (mirror === null) notes.push({ kind: 'advisory', field: 'ads', message: "made before the optimizer recorded its copies' ads: the original's ads are not mirrored in it (ads added to the original, or turned off or on there, are not changed here)" });
  if (mirror != null && mirror.leftAlone.length > 0) notes.push({ kind: 'advisory', field: 'ads', message: `ads ${mirror.leftAlone.join(', ')} were turned off or on here outside the optimizer since it last set them: left as they are, not as the original's` });
  const adWork = mirror == null ? {} : { ads: mirror.copies.map((c) => ({ source_ad_id: c.sourceAdId, copied_ad_id: null, status: c.status, activated: false })), ad_statuses: mirror.statuses.map((st) => ({ ad_id: st.adId, source_ad_id: st.sourceAdId, before: st.before, after: st.after, sent: false })) };
  const diff = [...updateDiff({ targeting: base.targeting, dailyBudgetMinor: base.dailyBudgetMinor, status: base.status }, write), ...(mirror == null ? [] : adDiff(mirror))];
  return { step: 'update', adset_id: base.id, group, copy: null, update: updateRequest(base.id, write), ...adWork, activate: false, before: stateOf(base), after: expected, diff, notes, sent: false, activated: false };
}

function retireReason(groupKey: string | null, unsplittable: boolean): string {
  if (unsplittable) return `the original ad set can no longer be split by country (its budget is now a campaign budget or a lifetime budget): this copy${groupKey === null ? '' : ` of group ${groupKey}`} is paused, and the original delivers every country`;
  if (groupKey === null) return "holds no group of the split (another ad set took the one it held): ad set paused, its budget is in the other ad sets' budgets";
  return `group ${groupKey} is no longer in the split: ad set paused, its budget is now in the other ad sets' budgets`;
}

/** A change to an ad set that already holds what it would be sent (a copy is never one). */
export function isNoop(c: AdSetChange): boolean {
  return c.step !== 'create' && c.diff.length === 0;
}

/** Whether the plan changes nothing: every ad set already holds what it would be sent, and nothing is created or retired. */
export function changesNothing(plan: LivePlan): boolean {
  return plan.doc.adsets.every(isNoop);
}

/**
 * The requests in the order they are sent, whether sent yet or not (a create's update is sent to the
 * copy's id, and an ad copied into a copy of an earlier split activated by its own id, each unknown
 * until Meta answers).
 */
export function requestsOf(doc: ChangesDocument): GraphRequest[] {
  const out: GraphRequest[] = [];
  for (const c of doc.adsets) {
    if (isNoop(c)) continue;
    if (c.copy !== null) out.push(c.copy);
    for (const ad of c.ads ?? []) {
      out.push(adCopyInto(c, ad));
      if (activatedAfterCopy(c, ad)) out.push(adStatusRequest(ad.copied_ad_id ?? '(the ad copy)', 'ACTIVE'));
    }
    for (const st of c.ad_statuses ?? []) out.push(adStatusRequest(st.ad_id, st.after));
    out.push(c.update);
  }
  for (const c of doc.adsets) if (c.activate) out.push(updateRequest(c.adset_id ?? '(the copy)', { status: 'ACTIVE' }));
  return out;
}

export interface Validation {
  validated: boolean;
  errors: { path: string; error: StoredMetaError }[];
}

/**
 * Meta validates every request it can without changing anything: updates of ad sets and ads
 * (`validate_only`). Its copies endpoints take no `validate_only` (Meta's reference and SDKs list
 * none for ad set or ad copies), so a copy is never sent in a dry run: it would be refused, or made.
 * A copy's settings are validated as an update of the original (the same spec on the same
 * settings); the copy itself, and each ad copied into it, is checked by Meta when the apply makes it.
 */
export async function validatePlan(client: MetaClient, doc: ChangesDocument): Promise<Validation> {
  const errors: Validation['errors'] = [];
  const check = async (request: GraphRequest) => {
    try {
      await send(client, request, { validateOnly: true });
    } catch (e) {
      errors.push({ path: request.path, error: metaErrorOf(e) });
    }
  };
  for (const c of doc.adsets) {
    if (isNoop(c)) continue;
    if (c.step === 'create') {
      const { name: _name, ...spec } = c.update.params as AdSetWrite;
      await check(updateRequest(doc.source_adset_id, spec));
    } else {
      for (const st of c.ad_statuses ?? []) await check(adStatusRequest(st.ad_id, st.after));
      await check(c.update);
    }
  }
  return { validated: true, errors };
}

export interface LiveOutcome {
  historyId: number;
  state: 'applied' | 'failed';
  doc: ChangesDocument;
  metaError: StoredMetaError | null;
}

/**
 * Records the change as pending (committed before any write), sends it, and settles it. On a
 * failure the writes that landed are undone, last first, and the row says which.
 */
export async function executeLivePlan(ctx: AppContext, client: MetaClient, plan: LivePlan, historyRow: (state: 'pending', changes: ChangesDocument) => Promise<number>): Promise<LiveOutcome> {
  const historyId = await historyRow('pending', plan.doc);
  return sendChanges(ctx, client, plan.doc, historyId, { campaignId: plan.rec.campaign_id });
}

/**
 * Sends the changes of a recorded (pending) row and settles it: applied, or failed after undoing what
 * had landed. `split`: the change's groups are recorded as it settles (each change's `group` is the
 * one its ad set holds once it has landed); null: none is (a rollback of a change recorded before
 * it kept the groups it found).
 */
export async function sendChanges(ctx: AppContext, client: MetaClient, doc: ChangesDocument, historyId: number, split: SplitOf | null): Promise<LiveOutcome> {
  const progress = () => setChangeProgress(ctx.db, historyId, doc);
  const landed: AdSetChange[] = [];
  try {
    for (const c of doc.adsets) {
      if (isNoop(c)) continue;
      try {
        await sendChange(client, c, progress);
      } finally {
        // A copy that Meta made counts as landed even when its update failed: it must be paused again;
        // so does a change whose ads were written to.
        if (c.sent || (c.step === 'create' && c.adset_id !== null) || adWritesLanded(c)) landed.push(c);
      }
    }
    for (const c of doc.adsets) if (c.activate) await activate(client, c, progress);
  } catch (error) {
    const metaError = metaErrorOf(error);
    await compensate(client, doc, landed);
    const undone = doc.rolled_back.filter((r) => r.restored).length;
    const left = doc.rolled_back.filter((r) => !r.restored).map((r) => r.adset_id);
    const message = `Meta refused a change (${metaError.message}); ${landed.length === 0 ? 'nothing had landed' : `${undone} of ${landed.length} change(s) that had landed rolled back`}${left.length > 0 ? `; NOT restored: ${left.join(', ')}` : ''}`;
    await settleLiveChange(ctx, historyId, { state: 'failed', changes: doc, metaError, errorMessage: message }, split);
    return { historyId, state: 'failed', doc, metaError };
  }
  await settleLiveChange(ctx, historyId, { state: 'applied', changes: doc, metaError: null, errorMessage: null }, split);
  return { historyId, state: 'applied', doc, metaError: null };
}

/** The campaign of an apply whose geo split is recorded as it settles. */
export interface SplitOf {
  campaignId: string;
}

/**
 * Settles a recorded change and records, in the same transaction, what it leaves of a geo split:
 * with `split`, which ad set holds each group and the ads copied into the copies; for any change,
 * the statuses it changed on the split's ad sets and ads (what tells a copy the optimizer paused
 * from one paused by someone else).
 */
export async function settleLiveChange(ctx: AppContext, historyId: number, outcome: { state: 'applied' | 'failed'; changes: ChangesDocument; metaError: StoredMetaError | null; errorMessage: string | null }, split: SplitOf | null): Promise<void> {
  const record = split === null ? null : { campaignId: split.campaignId, ...splitRecordOf(outcome.changes, outcome.state, historyId) };
  await ctx.db.transaction(async (tx) => {
    await settleChange(tx, historyId, outcome);
    if (record !== null) await saveSplitMembers(tx, record.campaignId, outcome.changes.source_adset_id, record.members, ctx.clock.now());
    await recordOptimizerStatuses(tx, statusesChanged(outcome.changes));
    if (record !== null) await saveSplitAds(tx, record.ads);
    await recordAdStatuses(tx, adStatusesChanged(outcome.changes));
  });
}
