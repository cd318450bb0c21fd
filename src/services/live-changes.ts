// The per-ad-set changes of a LIVE apply as the history keeps them: what each ad set held before
// (exactly as Meta returned it), the request that changes it, what it should hold after, and
// whether it was sent. Apply, reconcile and rollback all work from this one document.
import { canonicalJson } from '../engine/canonical-json.ts';
import type { MetaClient } from '../meta/client.ts';
import { adCopyRequest, adStatusRequest, copiedAdId, copiedAdsetId, readAdSet, send, updateRequest, type AdSetWrite, type GraphRequest, type MetaAd } from '../meta/adset-writes.ts';
import { MetaApiError } from '../meta/errors.ts';
import type { MetaAdSet, WireTargeting } from '../meta/graph.ts';
import type { FieldChange, UpdateNote } from '../meta/targeting-spec.ts';
import type { StoredMetaError } from '../store/history.ts';

/** What an ad set holds that an apply may change, in Meta's wire form. */
export interface AdSetState {
  targeting: WireTargeting;
  /** Minor units as a string of digits, as Meta sends it; null without a daily budget. */
  daily_budget: string | null;
  status: string | null;
  name: string | null;
}

export interface AdSetChange {
  /** update: change an existing ad set; create: copy the original, then update the copy; retire: pause an ad set of a split whose group is gone. */
  step: 'update' | 'create' | 'retire';
  /** The ad set changed; for a create, the copy's id once Meta made it (null before). */
  adset_id: string | null;
  group: { key: string; countries: string[]; budget_minor: number } | null;
  /** A create's copy request (sent first); null otherwise. */
  copy: GraphRequest | null;
  /** The update sent to the ad set (for a create, to the copy: its path is the copy's id once known). */
  update: GraphRequest;
  /**
   * The original's ads copied into this ad set: for a create, every one, after the copy is made; for
   * a copy of an earlier split, those the original gained since (each copy's id once Meta made it).
   * Absent from changes recorded before ads were copied one by one.
   */
  ads?: AdCopy[];
  /** The copy's ads whose status follows the original's ad again (or, in a rollback, goes back). */
  ad_statuses?: AdStatusChange[];
  /**
   * The group of the geo split this ad set held before the change (null: none; `group` is the one
   * it holds once the change has landed). What a rollback gives back. Absent from changes recorded
   * before it was kept.
   */
  held_group?: string | null;
  /** A created ad set is activated last, when the original is active: it stays PAUSED until the whole apply has landed. */
  activate: boolean;
  /** Null for a create (the ad set did not exist). */
  before: AdSetState | null;
  after: Partial<AdSetState>;
  diff: FieldChange[];
  notes: UpdateNote[];
  sent: boolean;
  activated: boolean;
}

export interface AdCopy {
  source_ad_id: string;
  copied_ad_id: string | null;
  /** The status it ends in, the original ad's (absent from changes recorded before it was kept). */
  status?: string;
  /** Copied into a copy of an earlier split: made PAUSED, then set to `status` (activated once sent). */
  activated?: boolean;
}

export interface AdStatusChange {
  ad_id: string;
  source_ad_id: string;
  before: string;
  after: string;
  sent: boolean;
}

/**
 * The copy of one of the original's ads into a change's ad set. Into a new copy (paused) the ad keeps
 * its status; into a copy that may deliver it is made paused and turned on after
 * (activatedAfterCopy), so that an interrupted apply leaves no unrecorded ad delivering.
 */
export function adCopyInto(change: AdSetChange, ad: AdCopy): GraphRequest {
  return adCopyRequest(ad.source_ad_id, change.adset_id ?? '(the copy)', change.step === 'create' ? 'INHERITED_FROM_SOURCE' : 'PAUSED');
}

export function activatedAfterCopy(change: AdSetChange, ad: AdCopy): boolean {
  return change.step !== 'create' && ad.status === 'ACTIVE';
}

/** Whether a change writes to ads: copies them in, or sets their status. */
export function hasAdWork(change: AdSetChange): boolean {
  return (change.ads ?? []).length > 0 || (change.ad_statuses ?? []).length > 0;
}

/**
 * Reads an interrupted change's ad writes back from the ads its ad set holds at Meta, and records in
 * the change what had landed: an ad copy whose id was not recorded is the newest ad copied from the
 * same original ad that no split records (`recorded`) and the change does not already name; an ad
 * turned on after its copy, or a status set, is marked so where Meta shows it. Returns whether every
 * write of the change's ads had landed.
 */
export function readBackAds(change: AdSetChange, adsNow: readonly MetaAd[], recorded: ReadonlySet<string>): boolean {
  const taken = new Set([...recorded, ...(change.ads ?? []).flatMap((a) => (a.copied_ad_id === null ? [] : [a.copied_ad_id]))]);
  const statusOf = new Map(adsNow.map((a) => [a.id, a.status]));
  let landed = true;
  for (const ad of change.ads ?? []) {
    if (ad.copied_ad_id === null) {
      const found = adsNow.filter((a) => a.sourceAdId === ad.source_ad_id && !taken.has(a.id)).sort((a, b) => newerFirst(a.id, b.id))[0];
      if (found === undefined) {
        landed = false;
        continue;
      }
      ad.copied_ad_id = found.id;
      taken.add(found.id);
    }
    if (activatedAfterCopy(change, ad) && ad.activated !== true) {
      ad.activated = statusOf.get(ad.copied_ad_id) === 'ACTIVE';
      if (!ad.activated) landed = false;
    }
  }
  for (const st of change.ad_statuses ?? []) {
    if (!st.sent) st.sent = statusOf.get(st.ad_id) === st.after;
    if (!st.sent) landed = false;
  }
  return landed;
}

/** Meta's ids grow over time: the newer of two first. */
export function newerFirst(a: string, b: string): number {
  return BigInt(b) > BigInt(a) ? 1 : BigInt(b) < BigInt(a) ? -1 : 0;
}

/** Whether every ad of a created ad set was copied into it: until then the copy is not its group's ad set. */
export function adsCopied(change: AdSetChange): boolean {
  return (change.ads ?? []).every((a) => a.copied_ad_id !== null);
}

export interface ChangesDocument {
  source_adset_id: string;
  adsets: AdSetChange[];
  /** Compensating writes after a failure: which ad sets were restored (or paused, when created). */
  rolled_back: { adset_id: string; step: AdSetChange['step']; restored: boolean; error: string | null }[];
}

export function stateOf(a: MetaAdSet): AdSetState {
  return { targeting: a.targeting, daily_budget: a.dailyBudgetMinor === null ? null : String(a.dailyBudgetMinor), status: a.status, name: a.name };
}

/** Meta's error in the form the history keeps (the client has already taken any token out of its texts). */
export function metaErrorOf(error: unknown): StoredMetaError {
  if (error instanceof MetaApiError) return { code: error.code, subcode: error.subcode, fbtrace_id: error.fbtraceId, user_message: error.userMessage, message: error.message };
  return { code: null, subcode: null, fbtrace_id: null, user_message: null, message: error instanceof Error ? error.message : String(error) };
}

/**
 * Sends one change: for a create the copy first, then each of its ads into it (recording each new
 * id through `progress`), then the update. A copy that holds its update therefore holds its ads:
 * what reconciling an interrupted apply reads back.
 */
export async function sendChange(client: MetaClient, change: AdSetChange, progress: () => Promise<void>): Promise<void> {
  if (change.step === 'create' && change.adset_id === null) {
    const id = copiedAdsetId(await send(client, change.copy!, { validateOnly: false }));
    if (id === null) throw new Error('Meta answered the ad set copy without copied_adset_id');
    change.adset_id = id;
    change.update = updateRequest(id, change.update.params as AdSetWrite);
    await progress();
  }
  for (const ad of change.ads ?? []) {
    if (ad.copied_ad_id === null) {
      const copied = copiedAdId(await send(client, adCopyInto(change, ad), { validateOnly: false }));
      if (copied === null) throw new Error(`Meta answered the copy of ad ${ad.source_ad_id} without copied_ad_id`);
      ad.copied_ad_id = copied;
      await progress();
    }
    if (activatedAfterCopy(change, ad) && ad.activated !== true) {
      await send(client, adStatusRequest(ad.copied_ad_id, 'ACTIVE'), { validateOnly: false });
      ad.activated = true;
      await progress();
    }
  }
  for (const st of change.ad_statuses ?? []) {
    if (st.sent) continue;
    await send(client, adStatusRequest(st.ad_id, st.after), { validateOnly: false });
    st.sent = true;
    await progress();
  }
  await send(client, change.update, { validateOnly: false });
  change.sent = true;
  await progress();
}

export async function activate(client: MetaClient, change: AdSetChange, progress: () => Promise<void>): Promise<void> {
  await send(client, updateRequest(change.adset_id!, { status: 'ACTIVE' }), { validateOnly: false });
  change.activated = true;
  await progress();
}

/** The request that puts an ad set back as it was: the stored targeting, budget and status exactly; a created one is paused. */
export function restoreRequest(change: AdSetChange): GraphRequest | null {
  if (change.adset_id === null) return null;
  if (change.before === null) return updateRequest(change.adset_id, { status: 'PAUSED' });
  const write: AdSetWrite = { targeting: change.before.targeting };
  if (change.before.daily_budget !== null && change.after.daily_budget !== undefined) write.daily_budget = change.before.daily_budget;
  if (change.before.status !== null) write.status = change.before.status;
  return updateRequest(change.adset_id, write);
}

/**
 * A change's ads put back as they were: statuses it changed go back (with `unsent`, those not marked
 * sent too: a crash may have kept the mark from being recorded, and putting back a status an ad
 * still has changes nothing), and ads it copied into a copy of an earlier split are paused (a new
 * copy's are paused with it). Each as the change left it → as it was.
 */
export function adsPutBack(change: AdSetChange, { unsent }: { unsent: boolean }): AdStatusChange[] {
  const back = (change.ad_statuses ?? []).filter((st) => unsent || st.sent).map((st) => ({ ad_id: st.ad_id, source_ad_id: st.source_ad_id, before: st.after, after: st.before, sent: false }));
  if (change.step !== 'create') for (const ad of change.ads ?? []) if (ad.copied_ad_id !== null) back.push({ ad_id: ad.copied_ad_id, source_ad_id: ad.source_ad_id, before: ad.activated === true ? 'ACTIVE' : 'PAUSED', after: 'PAUSED', sent: false });
  return back;
}

/** The compensating writes of a change's ads (adsPutBack, unsent ones included). */
export function adUndoRequests(change: AdSetChange): GraphRequest[] {
  return adsPutBack(change, { unsent: true }).map((st) => adStatusRequest(st.ad_id, st.after));
}

/** Whether any write of a change's ads was sent: the change must be undone even if its ad set's update was not. */
export function adWritesLanded(change: AdSetChange): boolean {
  return (change.ad_statuses ?? []).some((st) => st.sent) || (change.step !== 'create' && (change.ads ?? []).some((a) => a.copied_ad_id !== null));
}

/** Compensating writes, last change first: each landed change is undone, its ads first; what could not be is said. */
export async function compensate(client: MetaClient, doc: ChangesDocument, landed: readonly AdSetChange[]): Promise<void> {
  for (const change of [...landed].reverse()) {
    const requests = [...adUndoRequests(change), ...(change.sent || change.step === 'create' ? [restoreRequest(change)] : [])].filter((r) => r !== null);
    const errors: string[] = [];
    for (const request of requests) {
      try {
        await send(client, request, { validateOnly: false });
      } catch (e) {
        errors.push(`${request.path}: ${metaErrorOf(e).message}`);
      }
    }
    if (requests.length > 0) doc.rolled_back.push({ adset_id: change.adset_id!, step: change.step, restored: errors.length === 0, error: errors.length === 0 ? null : errors.join('; ') });
  }
}

/** The status a settled change left its ad set in: a copy's as activated or not; otherwise the one it sent, or the one it found. */
export function statusLeftBy(change: AdSetChange): string | null {
  if (change.step === 'create') return change.activated ? 'ACTIVE' : 'PAUSED';
  return (change.update.params as AdSetWrite).status ?? change.before?.status ?? null;
}

/**
 * The order that never has two ad sets deliver the same countries between two writes (the crash
 * that stops a sequence of writes can come between any two): the changes that pause an ad set
 * first, those that activate one last, the others between, each group in its own order.
 */
export function deliverySafeOrder(changes: readonly AdSetChange[]): AdSetChange[] {
  const rank = (c: AdSetChange) => {
    const after = (c.update.params as AdSetWrite).status;
    return after === 'PAUSED' ? 0 : after === 'ACTIVE' && c.before?.status !== 'ACTIVE' ? 2 : 1;
  };
  return changes.map((c, i) => ({ c, i, r: rank(c) })).sort((a, b) => a.r - b.r || a.i - b.i).map((x) => x.c);
}

/**
 * The status each ad set was left in where this change (or its compensation) changed it: a copy is
 * made PAUSED and then activated or not; an update or retire that sent a status other than the one
 * read before; a compensating write that put a changed status back, or paused a copy. Ad sets whose
 * status the change did not touch are left out: whoever set it last still did.
 */
export function statusesChanged(doc: ChangesDocument): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of doc.adsets) {
    if (c.adset_id === null) continue;
    const sent = (c.update.params as AdSetWrite).status;
    if (c.step === 'create' || (c.sent && sent !== undefined && sent !== c.before?.status)) out.set(c.adset_id, statusLeftBy(c)!);
  }
  for (const r of doc.rolled_back) {
    if (!r.restored || !out.has(r.adset_id)) continue;
    // restoreRequest: a created ad set is paused; another gets the status read before, where known.
    const before = doc.adsets.find((c) => c.adset_id === r.adset_id)?.before ?? null;
    if (before === null) out.set(r.adset_id, 'PAUSED');
    else if (before.status !== null) out.set(r.adset_id, before.status);
  }
  return out;
}

/**
 * The status each ad of a split's copy was left in where this change (or its compensation) changed
 * it: an ad copied into a copy of an earlier split (PAUSED until activated), an ad whose status was
 * set; an undone change's ads put back.
 */
export function adStatusesChanged(doc: ChangesDocument): Map<string, string> {
  const out = new Map<string, string>();
  const undone = new Set(doc.rolled_back.filter((r) => r.restored).map((r) => r.adset_id));
  for (const c of doc.adsets) {
    const back = c.adset_id !== null && undone.has(c.adset_id);
    for (const st of c.ad_statuses ?? []) if (st.sent || back) out.set(st.ad_id, back ? st.before : st.after);
    if (c.step === 'create') continue;
    for (const ad of c.ads ?? []) if (ad.copied_ad_id !== null) out.set(ad.copied_ad_id, !back && ad.activated === true ? 'ACTIVE' : 'PAUSED');
  }
  return out;
}

/**
 * Whether the ad set holds every targeting field of `expected`, and none that `expected` drops from
 * `other` (the state on the other side of the change). Fields neither names are Meta's own
 * additions to what it returns, and do not count.
 */
export function holds(current: AdSetState, expected: Partial<AdSetState>, other: Partial<AdSetState> | null): boolean {
  if (expected.targeting !== undefined) {
    for (const [k, v] of Object.entries(expected.targeting)) if (canonicalJson(current.targeting[k] ?? null) !== canonicalJson(v ?? null)) return false;
    for (const k of Object.keys(other?.targeting ?? {})) if (!(k in expected.targeting) && current.targeting[k] !== undefined) return false;
  }
  if (expected.daily_budget !== undefined && expected.daily_budget !== current.daily_budget) return false;
  if (expected.status !== undefined && expected.status !== current.status) return false;
  return true;
}

export async function readState(client: MetaClient, adsetId: string): Promise<AdSetState> {
  return stateOf(await readAdSet(client, adsetId));
}
