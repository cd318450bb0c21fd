import { describe, expect, it } from 'vitest';
import { parseAdSet } from '../meta/graph.ts';
import { segmentsKeyOf } from '../meta/rows.ts';
import type { TargetingSeen } from '../store/targetings-seen.ts';
import { changesSeenElsewhere } from './meta-crediting.ts';

const targeting = (ids: string[]) => ({ flexible_spec: [{ interests: ids.map((id) => ({ id, name: id })) }] });
const sight = (ids: string[], first: string, last: string, updated: string | null = null): TargetingSeen => {
  const a = parseAdSet({ id: 'a1', campaign_id: 'c', targeting: targeting(ids) });
  return { adsetId: 'a1', segmentsKey: segmentsKeyOf(a), targeting: a.targeting, firstSeenAt: new Date(first), lastSeenAt: new Date(last), updatedAt: updated === null ? null : new Date(updated) };
};
const now = (ids: string[], updated: string | null) => parseAdSet({ id: 'a1', campaign_id: 'c', targeting: targeting(ids), ...(updated === null ? {} : { updated_time: updated }) });
const dayOf = (at: Date) => at.toISOString().slice(0, 10);
const interests = (e: { adset: { interests: { id: string }[] } | null }) => (e.adset === null ? null : e.adset.interests.map((i) => i.id));

describe('changes of segments the syncs saw and the optimizer did not make', () => {
  it('the days before the last sight of the earlier targeting are its; the days up to the updated_time at the next sight are unknown', () => {
    const seen = [sight(['A'], '2026-11-01T06:00:00Z', '2026-11-03T06:00:00Z')];
    const out = changesSeenElsewhere('c', seen, [now(['B'], '2026-11-05T10:00:00+0000')], new Date('2026-11-06T06:00:00Z'), [], dayOf);
    expect(out.map((e) => [e.changeDay, interests(e)])).toEqual([['2026-11-03', ['A']], ['2026-11-05', null]]);
  });

  it('a change known to one day needs no unknown days; an updated_time before the earlier sight or after the next is not believed', () => {
    const seen = [sight(['A'], '2026-11-01T06:00:00Z', '2026-11-03T06:00:00Z')];
    expect(changesSeenElsewhere('c', seen, [now(['B'], '2026-11-03T09:00:00+0000')], new Date('2026-11-03T18:00:00Z'), [], dayOf).map((e) => [e.changeDay, interests(e)])).toEqual([['2026-11-03', ['A']]]);
    // Earlier than the sight that still saw A: the change came after it, by the next sight.
    expect(changesSeenElsewhere('c', seen, [now(['B'], '2026-10-20T09:00:00+0000')], new Date('2026-11-06T06:00:00Z'), [], dayOf).map((e) => e.changeDay)).toEqual(['2026-11-03', '2026-11-06']);
    // Unknown: as late as the next sight.
    expect(changesSeenElsewhere('c', seen, [now(['B'], null)], new Date('2026-11-06T06:00:00Z'), [], dayOf).map((e) => e.changeDay)).toEqual(['2026-11-03', '2026-11-06']);
  });

  it("says nothing where the segments did not change, or where the optimizer's own change between the sights explains it", () => {
    const seen = [sight(['A'], '2026-11-01T06:00:00Z', '2026-11-03T06:00:00Z')];
    expect(changesSeenElsewhere('c', seen, [now(['A'], '2026-11-05T10:00:00+0000')], new Date('2026-11-06T06:00:00Z'), [], dayOf)).toEqual([]);
    const ours = [{ adsetId: 'a1', changedAt: new Date('2026-11-04T12:00:00Z') }];
    expect(changesSeenElsewhere('c', seen, [now(['B'], '2026-11-04T12:00:00+0000')], new Date('2026-11-06T06:00:00Z'), ours, dayOf)).toEqual([]);
    // Another ad set's change, or one before the earlier sight, explains nothing.
    const others = [{ adsetId: 'a2', changedAt: new Date('2026-11-04T12:00:00Z') }, { adsetId: 'a1', changedAt: new Date('2026-11-02T12:00:00Z') }];
    expect(changesSeenElsewhere('c', seen, [now(['B'], '2026-11-04T12:00:00+0000')], new Date('2026-11-06T06:00:00Z'), others, dayOf)).toHaveLength(2);
  });

  it('reads every pair of sights in order: A, then B, then A again', () => {
    const seen = [sight(['A'], '2026-11-01T06:00:00Z', '2026-11-02T06:00:00Z'), sight(['B'], '2026-11-04T06:00:00Z', '2026-11-04T06:00:00Z', '2026-11-03T10:00:00Z')];
    const out = changesSeenElsewhere('c', seen, [now(['A'], '2026-11-06T01:00:00+0000')], new Date('2026-11-07T06:00:00Z'), [], dayOf);
    expect(out.map((e) => [e.changeDay, interests(e)])).toEqual([['2026-11-02', ['A']], ['2026-11-03', null], ['2026-11-04', ['B']], ['2026-11-06', null]]);
  });
});
