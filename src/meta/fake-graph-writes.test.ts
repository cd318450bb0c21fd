import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adCopyRequest, copiedAdId, copiedAdsetId, copyRequest, readAds, send, updateRequest } from './adset-writes.ts';
import { MetaClient } from './client.ts';
import { MetaApiError } from './errors.ts';
import { FakeGraphApi } from './fake-graph-api.ts';

const TOKEN = 'EAAfakeWRITEStoken0123456789';

describe('the fake Graph API accepts ad set writes as Meta does', () => {
  let fake: FakeGraphApi;
  let client: MetaClient;
  let plain: string;
  let housing: string;
  beforeAll(async () => {
    fake = new FakeGraphApi({ accessToken: TOKEN, endDate: '2026-11-19', campaigns: 2, adsetsPerCampaign: 2, days: 5 });
    client = new MetaClient({ graphUrl: await fake.listen(), apiVersion: 'v26.0', accessToken: TOKEN, maxRetries: 0 });
    plain = fake.adSetsOf(fake.market.campaigns[0]!.campaignId)[0]!.id;
    housing = fake.adSetsOf(fake.market.campaigns[1]!.campaignId)[0]!.id;
  });
  afterAll(() => fake.close());

  const refusal = async (p: Promise<unknown>) => {
    const e = await p.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MetaApiError);
    return e as MetaApiError;
  };

  it('validate_only validates, changes nothing and is counted apart from writes', async () => {
    const before = JSON.stringify(fake.adSet(plain));
    const targeting = { ...fake.adSet(plain)!.targeting, age_min: 30 };
    await send(client, updateRequest(plain, { targeting, daily_budget: '2500' }), { validateOnly: true });
    expect(JSON.stringify(fake.adSet(plain))).toBe(before);
    expect([fake.writes, fake.validations]).toEqual([0, 1]);
    const bad = await refusal(send(client, updateRequest(plain, { targeting: { ...targeting, age_max: 70 } }), { validateOnly: true }));
    expect(bad.code).toBe(100);
    expect(fake.writes).toBe(0);
  });

  it('an update replaces the targeting whole and sets the budget', async () => {
    const targeting = { geo_locations: { countries: ['ES'] }, age_min: 25, age_max: 54, targeting_automation: { advantage_audience: 0 } };
    await send(client, updateRequest(plain, { targeting, daily_budget: '2500' }), { validateOnly: false });
    expect(fake.adSet(plain)).toMatchObject({ targeting, daily_budget: '2500' });
    expect(fake.adSet(plain)!.targeting!.flexible_spec).toBeUndefined();
  });

  it('refuses what Meta refuses: a missing advantage_audience, frequency caps outside REACH/THRUPLAY, a special category\'s forbidden fields', async () => {
    const base = fake.adSet(housing)!.targeting!;
    expect((await refusal(send(client, updateRequest(plain, { targeting: { geo_locations: { countries: ['ES'] } } }), { validateOnly: true }))).subcode).toBe(1870227);
    expect((await refusal(send(client, updateRequest(plain, { frequency_control_specs: [{ event: 'IMPRESSIONS', interval_days: 7, max_frequency: 2 }] }), { validateOnly: true }))).code).toBe(100);
    for (const forbidden of [{ age_min: 25 }, { genders: [2] }, { flexible_spec: [{ behaviors: [{ id: '6002714895372', name: 'b' }] }] }, { excluded_custom_audiences: [{ id: '1', name: 'x' }] }]) {
      expect((await refusal(send(client, updateRequest(housing, { targeting: { ...base, ...forbidden } }), { validateOnly: true }))).subcode).toBe(2909035);
    }
  });

  it('a copy is a new paused ad set with the original\'s settings, named with the suffix', async () => {
    const answer = await send(client, copyRequest(plain, ' [geo ES]'), { validateOnly: false });
    const id = copiedAdsetId(answer)!;
    const copy = fake.adSet(id)!;
    const original = fake.adSet(plain)!;
    expect(copy).toMatchObject({ status: 'PAUSED', name: `${original.name} [geo ES]`, targeting: original.targeting, daily_budget: original.daily_budget, campaign_id: original.campaign_id });
  });

  it('copies an ad set with its ads in one request only up to three ads; the ads are copied one by one into the copy, each keeping its status', async () => {
    const ads = await readAds(client, plain);
    expect(ads.map((a) => [a.status, a.sourceAdId])).toEqual([['ACTIVE', null], ['ACTIVE', null], ['ACTIVE', null], ['PAUSED', null]]);
    const deep = { ...copyRequest(plain, ' [geo MX]'), params: { ...copyRequest(plain, ' [geo MX]').params, deep_copy: true } };
    expect(await refusal(send(client, deep, { validateOnly: false }))).toMatchObject({ code: 100, subcode: 1885194 });
    const id = copiedAdsetId(await send(client, copyRequest(plain, ' [geo MX]'), { validateOnly: false }))!;
    expect(await readAds(client, id)).toEqual([]);
    const copied: string[] = [];
    for (const ad of ads) copied.push(copiedAdId(await send(client, adCopyRequest(ad.id, id), { validateOnly: false }))!);
    // Each names the ad it was copied from (Meta's source_ad_id): how a copy whose answer was lost is found again.
    expect(await readAds(client, id)).toEqual(ads.map((a, i) => ({ id: copied[i], name: a.name, status: a.status, sourceAdId: a.id })));
    // Into an ad set of another campaign: refused.
    expect((await refusal(send(client, adCopyRequest(ads[0]!.id, housing), { validateOnly: false }))).code).toBe(100);
  });

  it("a copy is never sent for validation: Meta's copies endpoints take no validate_only (the fake refuses the option, as a test must see it)", async () => {
    const before = [fake.writes, fake.validations, fake.adSetsOf(fake.market.campaigns[0]!.campaignId).length];
    await expect(send(client, copyRequest(plain, ' [geo PT]'), { validateOnly: true })).rejects.toThrow(/cannot be validated without being made/);
    const ad = (await readAds(client, plain))[0]!;
    await expect(send(client, adCopyRequest(ad.id, plain), { validateOnly: true })).rejects.toThrow(/cannot be validated without being made/);
    expect([fake.writes, fake.validations, fake.adSetsOf(fake.market.campaigns[0]!.campaignId).length]).toEqual(before);
    const raw = await refusal(client.post(`${plain}/copies`, { ...copyRequest(plain, ' [geo PT]').params, execution_options: ['validate_only'] }, { write: 'once' }));
    expect(raw.message).toMatch(/execution_options is not a parameter of an ad set copy/);
  });

  it('a write fault can wait for the writes before it and skip validations', async () => {
    fake.inject({ kind: 'invalid-parameter', on: 'write', after: 1 });
    const targeting = fake.adSet(plain)!.targeting!;
    await send(client, updateRequest(plain, { targeting }), { validateOnly: true });
    await send(client, updateRequest(plain, { targeting }), { validateOnly: false });
    expect((await refusal(send(client, updateRequest(plain, { targeting }), { validateOnly: false }))).subcode).toBe(1487390);
    await send(client, updateRequest(plain, { targeting }), { validateOnly: false });
  });

  it('an ad set deleted in Ads Manager stays readable by id, leaves its campaign\'s ad sets and refuses every edit', async () => {
    const campaignId = fake.market.campaigns[0]!.campaignId;
    const gone = fake.adSetsOf(campaignId).at(-1)!.id;
    fake.deleteAdSet(gone);
    expect((await client.get<{ status: string }>(`/${gone}`, { fields: 'status' })).status).toBe('DELETED');
    const listed = await client.get<{ data: { id: string }[] }>(`/${campaignId}/adsets`, { fields: 'id' });
    expect(listed.data.map((a) => a.id)).not.toContain(gone);
    const before = JSON.stringify(fake.adSet(gone));
    expect((await refusal(send(client, updateRequest(gone, { daily_budget: '2500' }), { validateOnly: false }))).message).toMatch(/deleted/);
    expect((await refusal(send(client, updateRequest(gone, { status: 'ACTIVE' }), { validateOnly: true }))).message).toMatch(/deleted/);
    expect(JSON.stringify(fake.adSet(gone))).toBe(before);
  });
});
