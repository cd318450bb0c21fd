import { describe, expect, it } from 'vitest';
import { updateRequest, type AdSetWrite } from '../meta/adset-writes.ts';
import { adStatusesChanged, adUndoRequests, adWritesLanded, statusesChanged, type AdSetChange, type AdSetState, type ChangesDocument } from './live-changes.ts';

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
