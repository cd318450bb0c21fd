// A LIVE change left pending (the process stopped between recording it and settling it) is settled
// by reading its ad sets and their ads back from Meta: when every change had landed it is applied;
// otherwise the ones that had landed are undone and it is failed. Either way the geo split is
// recorded as the change itself would have recorded it. A pending row younger than the longest an
// apply can take is another apply still at work, and is left alone.
import type { AppContext } from '../context.ts';
import { readAds } from '../meta/adset-writes.ts';
import type { MetaClient } from '../meta/client.ts';
import { readAdSets } from '../meta/graph.ts';
import { pendingChanges, type StoredChange } from '../store/history.ts';
import { splitAdsOf } from '../store/meta.ts';
import { metaClientFor, translate } from './meta.ts';
import { isNoop, settleLiveChange } from './live-apply.ts';
import { compensate, hasAdWork, holds, metaErrorOf, newerFirst, readBackAds, readState, type AdSetChange, type ChangesDocument } from './live-changes.ts';

/** Pending rows younger than this belong to an apply still running. */
export const PENDING_GRACE_MS = 30 * 60_000;

export interface Reconciled {
  historyId: number;
  state: 'applied' | 'failed' | 'pending';
  message: string;
}

/** The run's entry: settles the campaign's interrupted LIVE changes before it optimizes, with its own client. */
export async function reconcileCampaign(ctx: AppContext, campaignId: string): Promise<Reconciled[]> {
  const { client } = metaClientFor(ctx);
  const settled = await translate(() => reconcilePendingChanges(ctx, client, campaignId));
  for (const r of settled) ctx.logger.warn({ historyId: r.historyId, state: r.state }, `interrupted LIVE change settled: ${r.message}`);
  return settled;
}

export async function reconcilePendingChanges(ctx: AppContext, client: MetaClient, campaignId: string | null): Promise<Reconciled[]> {
  const now = ctx.clock.now().getTime();
  const out: Reconciled[] = [];
  for (const row of await pendingChanges(ctx.db, campaignId)) {
    if (row.mode !== 'live' || now - row.appliedAt.getTime() < PENDING_GRACE_MS) continue;
    out.push(await reconcileOne(ctx, client, row));
  }
  return out;
}

async function reconcileOne(ctx: AppContext, client: MetaClient, row: StoredChange): Promise<Reconciled> {
  const doc = row.changes as ChangesDocument;
  const landed: AdSetChange[] = [];
  let complete = true;
  try {
    // Every ad any split records: an ad copy the crash did not record is none of them.
    const recordedAds = new Set((await splitAdsOf(ctx.db, doc.adsets.flatMap((c) => (c.adset_id === null ? [] : [c.adset_id])))).map((r) => r.adId));
    // A copy whose id was not recorded is found by the name the plan gave it.
    if (doc.adsets.some((c) => c.step === 'create' && c.adset_id === null)) {
      const all = await readAdSets(client, row.campaignId);
      // The newest of that name (Meta's ids grow over time): an older one is a copy an earlier apply left paused.
      const newest = (name: string | null | undefined) => all.filter((a) => a.name === name).sort((a, b) => newerFirst(a.id, b.id))[0]?.id ?? null;
      for (const c of doc.adsets) if (c.step === 'create' && c.adset_id === null) c.adset_id = newest(c.after.name);
    }
    for (const c of doc.adsets) {
      if (c.adset_id === null) {
        complete = false;
        continue;
      }
      if (isNoop(c)) continue;
      const now = await readState(client, c.adset_id);
      // Its ads first (sent before its update): the ad copies whose ids the crash did not record are found, and the writes that landed marked.
      const adsLanded = !hasAdWork(c) || readBackAds(c, await readAds(client, c.adset_id), recordedAds);
      const done = adsLanded && holds(now, c.after, c.before);
      // What the crash did not get to record: a rollback restores the changes marked sent.
      c.sent = done;
      if (c.activate) c.activated = now.status === 'ACTIVE';
      // A change that wrote to its ads is undone whole (putting back a status an ad still has changes nothing).
      if (done || c.step === 'create' || hasAdWork(c)) landed.push(c);
      if (!done || (c.activate && now.status !== 'ACTIVE')) complete = false;
    }
  } catch (e) {
    const message = `could not read the ad sets back from Meta to settle this pending change (${metaErrorOf(e).message}); it stays pending`;
    ctx.logger.warn({ historyId: row.id }, message);
    return { historyId: row.id, state: 'pending', message };
  }
  // The split is recorded as the change would have recorded it: an apply's copies hold their groups;
  // a rollback gives back the groups it restores (one recorded before rollbacks kept them, none).
  const split = row.rollsBackHistoryId === null || doc.adsets.every((c) => c.held_group !== undefined) ? { campaignId: row.campaignId } : null;
  if (complete) {
    await settleLiveChange(ctx, row.id, { state: 'applied', changes: doc, metaError: null, errorMessage: null }, split);
    return { historyId: row.id, state: 'applied', message: 'every change of the interrupted apply had landed: settled as applied' };
  }
  await compensate(client, doc, landed);
  const message = `the apply was interrupted; ${landed.length} change(s) that had landed were rolled back${doc.rolled_back.some((r) => !r.restored) ? ` (NOT restored: ${doc.rolled_back.filter((r) => !r.restored).map((r) => r.adset_id).join(', ')})` : ''}`;
  await settleLiveChange(ctx, row.id, { state: 'failed', changes: doc, metaError: null, errorMessage: message }, split);
  return { historyId: row.id, state: 'failed', message };
}
