import { describe, expect, it } from 'vitest';
import { mirrorAds, type MirroredAd } from './split-ads.ts';

const ad = (id: string, status: string) => ({ id, name: `Ad ${id}`, status, sourceAdId: null });
const rec = (sourceAdId: string, adId: string, optimizerStatus: string): MirroredAd => ({ sourceAdId, adId, optimizerStatus });

describe('mirrorAds', () => {
  it('copies an ad the original gained, with its status; nothing to do where the copy already mirrors it', () => {
    expect(mirrorAds([ad('s1', 'ACTIVE'), ad('s2', 'PAUSED'), ad('s3', 'ACTIVE')], [ad('c1', 'ACTIVE')], [rec('s1', 'c1', 'ACTIVE')])).toEqual({
      copies: [{ sourceAdId: 's2', status: 'PAUSED' }, { sourceAdId: 's3', status: 'ACTIVE' }],
      statuses: [],
      leftAlone: [],
    });
  });
  it('an ad turned off or on in the original, or gone from it, is turned off or on in the copy', () => {
    const m = mirrorAds([ad('s1', 'PAUSED'), ad('s2', 'ACTIVE')], [ad('c1', 'ACTIVE'), ad('c2', 'PAUSED'), ad('c3', 'ACTIVE')], [rec('s1', 'c1', 'ACTIVE'), rec('s2', 'c2', 'PAUSED'), rec('s3', 'c3', 'ACTIVE')]);
    expect(m.statuses).toEqual([
      { adId: 'c1', sourceAdId: 's1', before: 'ACTIVE', after: 'PAUSED' },
      { adId: 'c2', sourceAdId: 's2', before: 'PAUSED', after: 'ACTIVE' },
      { adId: 'c3', sourceAdId: 's3', before: 'ACTIVE', after: 'PAUSED' },
    ]);
    expect([m.copies, m.leftAlone]).toEqual([[], []]);
  });
  it('leaves an ad whose status someone else changed in the copy, and one deleted there is not copied again', () => {
    // c1 paused in the copy by the advertiser; c2 turned on there while the original's is off; s3's copy deleted there.
    const m = mirrorAds([ad('s1', 'ACTIVE'), ad('s2', 'PAUSED'), ad('s3', 'ACTIVE')], [ad('c1', 'PAUSED'), ad('c2', 'ACTIVE')], [rec('s1', 'c1', 'ACTIVE'), rec('s2', 'c2', 'PAUSED'), rec('s3', 'c3', 'ACTIVE')]);
    expect(m).toEqual({ copies: [], statuses: [], leftAlone: ['c1', 'c2'] });
  });
});
