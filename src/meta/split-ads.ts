// The ads of a geo split's copies mirror the original's: an ad added to the original is copied into
// each copy, and an ad turned off or on there (or removed) is turned off or on in each copy. Each
// copy's ad records the original ad it came from and the status the optimizer last changed it to;
// an ad whose status someone else changed in a copy since is theirs, and left as they set it. Pure:
// it decides the writes; the service sends them.
import type { MetaAd } from './adset-writes.ts';

/** A copy's ad as recorded: the original's ad it mirrors, and the status the optimizer last left it in. */
export interface MirroredAd {
  sourceAdId: string;
  adId: string;
  optimizerStatus: string;
}

export interface AdMirror {
  /** The original's ads the copy does not have yet, with the status each is to end in (the original's). */
  copies: { sourceAdId: string; status: string }[];
  /** The copy's ads whose status follows the original's ad again. */
  statuses: { adId: string; sourceAdId: string; before: string; after: string }[];
  /** The copy's ads whose status someone else changed since the optimizer set it, where it would change them. */
  leftAlone: string[];
}

/**
 * What mirroring the original's ads in one copy takes. The original's ads are the ones that may
 * deliver again (archived and deleted left out); an ad recorded for the copy but gone from it (deleted
 * there) is not copied again.
 */
export function mirrorAds(sourceAds: readonly MetaAd[], copyAds: readonly MetaAd[], recorded: readonly MirroredAd[]): AdMirror {
  const out: AdMirror = { copies: [], statuses: [], leftAlone: [] };
  const bySource = new Map(recorded.map((r) => [r.sourceAdId, r]));
  const inCopy = new Map(copyAds.map((a) => [a.id, a]));
  const follow = (r: MirroredAd, desired: string) => {
    const ad = inCopy.get(r.adId);
    if (ad === undefined || ad.status === null || ad.status === desired) return;
    if (ad.status !== r.optimizerStatus) out.leftAlone.push(ad.id);
    else out.statuses.push({ adId: ad.id, sourceAdId: r.sourceAdId, before: ad.status, after: desired });
  };
  for (const source of sourceAds) {
    const status = source.status ?? 'ACTIVE';
    const r = bySource.get(source.id);
    if (r === undefined) out.copies.push({ sourceAdId: source.id, status });
    else follow(r, status);
  }
  // An ad gone from the original is turned off in the copy.
  const inSource = new Set(sourceAds.map((a) => a.id));
  for (const r of recorded) if (!inSource.has(r.sourceAdId)) follow(r, 'PAUSED');
  return out;
}
