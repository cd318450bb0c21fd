// What the store keeps of a geo split once a LIVE change is settled: which ad set holds each group
// now, and the ads copied into the split's copies with the status each was left in. Settling a
// change (an apply, or a rollback giving groups back), whether as it ends or when reconciling one a
// crash interrupted, records the same.
import type { SplitAdRow } from '../store/meta.ts';
import { adsCopied, adStatusesChanged, type ChangesDocument } from './live-changes.ts';

export interface SplitMemberRecord {
  groupKey: string;
  adsetId: string;
  name: string;
  createdByHistoryId: number | null;
}

export interface SplitRecord {
  members: SplitMemberRecord[];
  ads: SplitAdRow[];
}

/**
 * Applied: every ad set of the change holds its `group` (the original alone, unsplit, holds none;
 * an ad set with no `group` keeps what it held, or holds nothing once another takes its group).
 * Failed: the copies Meta made (paused again) with every ad copied into them are kept as their
 * groups' ad sets, so that the next apply updates them instead of copying again; one short of ads
 * stays paused, and the next apply copies its group anew. The ads copied into a kept copy, or into a
 * copy of an earlier split, are recorded with the status they were left in.
 */
export function splitRecordOf(doc: ChangesDocument, state: 'applied' | 'failed', historyId: number): SplitRecord {
  const holders = doc.adsets.filter((c) => c.step !== 'retire' && c.group !== null && c.group.key !== 'all' && c.adset_id !== null && (state === 'applied' ? doc.adsets.length > 1 || c.adset_id !== doc.source_adset_id : c.step === 'create' && adsCopied(c)));
  const members = holders.map((c) => ({ groupKey: c.group!.key, adsetId: c.adset_id!, name: c.after.name ?? c.before?.name ?? c.adset_id!, createdByHistoryId: c.step === 'create' ? historyId : null }));
  const held = new Set([...members.map((m) => m.adsetId), ...doc.adsets.filter((c) => c.step === 'update' && c.adset_id !== null).map((c) => c.adset_id!)]);
  const statuses = adStatusesChanged(doc);
  const ads = doc.adsets.flatMap((c) =>
    c.adset_id === null || !held.has(c.adset_id) || c.adset_id === doc.source_adset_id
      ? []
      : (c.ads ?? []).filter((a) => a.copied_ad_id !== null).map((a) => ({ copyAdsetId: c.adset_id!, sourceAdId: a.source_ad_id, adId: a.copied_ad_id!, optimizerStatus: statuses.get(a.copied_ad_id!) ?? a.status ?? 'ACTIVE' })),
  );
  return { members, ads };
}
