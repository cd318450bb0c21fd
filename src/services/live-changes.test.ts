import { describe, expect, it } from 'vitest';
import { updateRequest, type AdSetWrite } from '../meta/adset-writes.ts';
import { adStatusesChanged, adUndoRequests, adWritesLanded, deliverySafeOrder, readBackAds, statusesChanged, statusLeftBy, type AdSetChange, type AdSetState, type ChangesDocument } from './live-changes.ts';
import { splitRecordOf } from './split-record.ts';

const state = (status: string | null): AdSetState => ({ targeting: { geo_locations: { countries: ['ES'] } }, daily_budget: '1000', status, name: 'a' });

function change(step: AdSetChange['step'], adsetId: string | null, write: AdSetWrite, before: AdSetState | null, sent: boolean, activated = false): AdSetChange {
  return { step, adset_id: adsetId, group: null, copy: null, update: updateRequest(adsetId ?? '(the copy)', write), activate: activated, before, after: {}, diff: [], notes: [], sent, activated };
}

const doc = (adsets: AdSetChange[], rolledBack: ChangesDocument['rolled_back'] = []): ChangesDocument => ({ source_adset_id: 'src', adsets, rolled_back: rolledBack });

describe('statusesChanged', () => {
  it('a copy is made PAUSED and is ACTIVE once activated; an update or retire counts only where it sent a status other than the one read before', () => {
    const statuses = statusesChanged(doc([
      change('create', 'c1', { targeting: {} }, null, true, true),
      change('create', 'c2', { targeting: {} }, null, true, false),
      change('update', 'u1', { targeting: {}, status: 'ACTIVE' }, state('PAUSED'), true),
      change('update', 'u2', { targeting: {} }, state('PAUSED'), true),
      change('update', 'u3', { targeting: {}, status: 'ACTIVE' }, state('ACTIVE'), true),
      change('retire', 'r1', { status: 'PAUSED' }, state('ACTIVE'), true),
      change('update', 'u4', { targeting: {}, status: 'ACTIVE' }, state('PAUSED'), false),
      change('create', null, { targeting: {} }, null, false),
    ]));
    expect(Object.fromEntries(statuses)).toEqual({ c1: 'ACTIVE', c2: 'PAUSED', u1: 'ACTIVE', r1: 'PAUSED' });
  });
  it('a compensating write that put a changed status back records the status it put back; a copy it paused is PAUSED', () => {
    const statuses = statusesChanged(doc(
      [change('create', 'c1', { targeting: {} }, null, true, true), change('retire', 'r1', { status: 'PAUSED' }, state('ACTIVE'), true), change('update', 'u1', { targeting: {}, status: 'ACTIVE' }, state('PAUSED'), true), change('update', 'u2', { targeting: {} }, state('PAUSED'), true)],
      [
        { adset_id: 'u2', step: 'update', restored: true, error: null },
        { adset_id: 'u1', step: 'update', restored: false, error: 'refused' },
        { adset_id: 'r1', step: 'retire', restored: true, error: null },
        { adset_id: 'c1', step: 'create', restored: true, error: null },
      ],
    ));
    // u1's restore failed: it stays as the change left it; u2's status was never changed.
    expect(Object.fromEntries(statuses)).toEqual({ c1: 'PAUSED', r1: 'ACTIVE', u1: 'ACTIVE' });
  });
});

describe("a change's ads", () => {
  const mirroring = (): AdSetChange => ({
    ...change('update', 'u1', { targeting: {} }, state('ACTIVE'), false),
    ads: [{ source_ad_id: 's4', copied_ad_id: 'a4', status: 'ACTIVE', activated: true }, { source_ad_id: 's5', copied_ad_id: null, status: 'ACTIVE', activated: false }],
    ad_statuses: [{ ad_id: 'a1', source_ad_id: 's1', before: 'ACTIVE', after: 'PAUSED', sent: true }, { ad_id: 'a2', source_ad_id: 's2', before: 'PAUSED', after: 'ACTIVE', sent: false }],
  });
  it('an ad copied into a copy of an earlier split is PAUSED until activated; a status set is recorded once sent', () => {
    expect(Object.fromEntries(adStatusesChanged(doc([mirroring()])))).toEqual({ a4: 'ACTIVE', a1: 'PAUSED' });
    // A new copy's ads keep the original's statuses: recorded with the copy, not here.
    expect(adStatusesChanged(doc([{ ...change('create', 'c1', { targeting: {} }, null, true, true), ads: [{ source_ad_id: 's1', copied_ad_id: 'a9', status: 'ACTIVE' }] }])).size).toBe(0);
  });
  it('undone: every status goes back (landed or not), every ad copied in is paused; the statuses recorded are those put back', () => {
    const c = mirroring();
    expect(adWritesLanded(c)).toBe(true);
    expect(adUndoRequests(c).map((r) => [r.path, r.params.status])).toEqual([['a1', 'ACTIVE'], ['a2', 'PAUSED'], ['a4', 'PAUSED']]);
    expect(Object.fromEntries(adStatusesChanged(doc([c], [{ adset_id: 'u1', step: 'update', restored: true, error: null }])))).toEqual({ a1: 'ACTIVE', a2: 'PAUSED', a4: 'PAUSED' });
    expect(adWritesLanded({ ...c, ads: [], ad_statuses: [] })).toBe(false);
  });
});

describe('readBackAds: what an interrupted change had written to its ads, read from Meta', () => {
  const ad = (id: string, status: string, sourceAdId: string | null) => ({ id, name: `Ad ${id}`, status, sourceAdId });
  const mirroring = (): AdSetChange => ({
    ...change('update', 'u1', { targeting: {} }, state('ACTIVE'), false),
    ads: [{ source_ad_id: 's5', copied_ad_id: null, status: 'ACTIVE', activated: false }],
    ad_statuses: [{ ad_id: 'a1', source_ad_id: 's1', before: 'ACTIVE', after: 'PAUSED', sent: false }],
  });
  it('an ad copy whose id was not recorded is the newest ad copied from the same ad that no split records; a status Meta shows is marked sent', () => {
    const c = mirroring();
    // 30 is recorded for another copy's row, 10 is older: 20 is the one the crash left unrecorded.
    const landed = readBackAds(c, [ad('10', 'PAUSED', 's5'), ad('20', 'PAUSED', 's5'), ad('30', 'PAUSED', 's5'), ad('a1', 'PAUSED', 's1')], new Set(['30']));
    expect(c.ads![0]).toMatchObject({ copied_ad_id: '20', activated: false });
    expect(c.ad_statuses![0]!.sent).toBe(true);
    // Copied in paused, not yet turned on: not every write had landed.
    expect(landed).toBe(false);
    const on = mirroring();
    expect(readBackAds(on, [ad('20', 'ACTIVE', 's5'), ad('a1', 'PAUSED', 's1')], new Set())).toBe(true);
    expect(on.ads![0]).toMatchObject({ copied_ad_id: '20', activated: true });
  });
  it('an ad not copied, or a status not set, has not landed; an ad made otherwise (no source) is never taken for a copy', () => {
    const c = mirroring();
    expect(readBackAds(c, [ad('20', 'ACTIVE', null), ad('a1', 'ACTIVE', 's1')], new Set())).toBe(false);
    expect(c.ads![0]!.copied_ad_id).toBeNull();
    expect(c.ad_statuses![0]!.sent).toBe(false);
  });
  it("a new copy's ads keep their statuses: copied is landed, whatever their status", () => {
    const c: AdSetChange = { ...change('create', 'c1', { targeting: {} }, null, false), ads: [{ source_ad_id: 's1', copied_ad_id: null, status: 'ACTIVE' }, { source_ad_id: 's2', copied_ad_id: null, status: 'PAUSED' }] };
    expect(readBackAds(c, [ad('40', 'ACTIVE', 's1'), ad('41', 'PAUSED', 's2')], new Set())).toBe(true);
    expect(c.ads!.map((a) => a.copied_ad_id)).toEqual(['40', '41']);
  });
});

describe('splitRecordOf: what the store keeps of a geo split as a change settles', () => {
  const group = (key: string) => ({ key, countries: [key], budget_minor: 1000 });
  const created = (id: string | null, key: string, copied: (string | null)[]): AdSetChange => ({
    ...change('create', id, { targeting: {} }, null, id !== null, id !== null),
    group: group(key),
    after: { name: `Shop [geo ${key}]` },
    ads: copied.map((a, i) => ({ source_ad_id: `s${i}`, copied_ad_id: a, status: 'ACTIVE' })),
  });
  const original = (): AdSetChange => ({ ...change('update', 'src', { targeting: {} }, { ...state('ACTIVE'), name: 'Shop' }, true), group: group('ES') });
  it('applied: every ad set of the split holds its group, each copy with the ads copied into it', () => {
    const r = splitRecordOf(doc([original(), created('c1', 'FR', ['a1', 'a2'])]), 'applied', 7);
    expect(r.members).toEqual([{ groupKey: 'ES', adsetId: 'src', name: 'Shop', createdByHistoryId: null }, { groupKey: 'FR', adsetId: 'c1', name: 'Shop [geo FR]', createdByHistoryId: 7 }]);
    expect(r.ads).toEqual([{ copyAdsetId: 'c1', sourceAdId: 's0', adId: 'a1', optimizerStatus: 'ACTIVE' }, { copyAdsetId: 'c1', sourceAdId: 's1', adId: 'a2', optimizerStatus: 'ACTIVE' }]);
  });
  it('failed: only the copies made with every ad are kept, and nothing of a copy short of ads is', () => {
    const r = splitRecordOf(doc([original(), created('c1', 'FR', ['a1']), created('c2', 'IT', ['a3', null]), created(null, 'PT', [null])]), 'failed', 7);
    expect(r.members.map((m) => m.adsetId)).toEqual(['c1']);
    expect(r.ads.map((a) => a.adId)).toEqual(['a1']);
  });
  it('an original alone, unsplit, holds no group', () => {
    expect(splitRecordOf(doc([{ ...original(), group: group('all') }]), 'applied', 7)).toEqual({ members: [], ads: [] });
  });
});

describe('deliverySafeOrder and statusLeftBy', () => {
  it('pauses first and activations last, each group in its own order', () => {
    const c = (id: string, now: string | null, after: string | undefined) => change(now === null ? 'create' : 'update', id, after === undefined ? { targeting: {} } : { status: after }, now === null ? null : state(now), false);
    const order = deliverySafeOrder([c('widen', 'ACTIVE', undefined), c('back', 'PAUSED', 'ACTIVE'), c('retire', 'ACTIVE', 'PAUSED'), c('copy', null, undefined), c('on', 'ACTIVE', 'ACTIVE'), c('pause2', 'PAUSED', 'PAUSED')]);
    expect(order.map((x) => x.adset_id)).toEqual(['retire', 'pause2', 'widen', 'copy', 'on', 'back']);
  });
  it('a copy is left as activated or not; an update as it sent, or as it found it', () => {
    expect(statusLeftBy(change('create', 'c1', { targeting: {} }, null, true, true))).toBe('ACTIVE');
    expect(statusLeftBy(change('create', 'c1', { targeting: {} }, null, true, false))).toBe('PAUSED');
    expect(statusLeftBy(change('retire', 'r1', { status: 'PAUSED' }, state('ACTIVE'), true))).toBe('PAUSED');
    expect(statusLeftBy(change('update', 'u1', { targeting: {} }, state('ACTIVE'), true))).toBe('ACTIVE');
  });
});
