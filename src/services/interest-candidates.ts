// Discovery during a LIVE sync: Meta's interest suggestions next to each campaign's best-scoring
// interests, kept only when `adinterestvalid` still accepts them and gives both audience size
// bounds. They are stored per campaign and handed to the engine as candidates without delivery,
// which it may choose in exploration slots only (src/engine/exploration.ts).
import type { CampaignSnapshot, DiscoveredCandidate, InsightRow } from '../engine/types.ts';
import type { MetaClient } from '../meta/client.ts';
import { lookUpInterests, suggestInterests } from '../meta/discovery.ts';
import type { MetaAdSet } from '../meta/graph.ts';
import type { Db } from '../store/db.ts';
import { interestCandidatesOf, type StoredInterestCandidate } from '../store/meta.ts';

/** Interests the suggestions are seeded with, per campaign. */
export const DISCOVERY_SEEDS = 5;
/** Suggestions asked for per campaign (Meta's default page is 25). */
export const DISCOVERY_SUGGESTIONS = 25;

export interface SeedInterest {
  id: string;
  name: string;
  score: number | null;
}

/** The campaign's interests by the score of its latest completed run (best first); none before its first run. */
export async function interestsByLatestRun(db: Db, campaignId: string): Promise<SeedInterest[]> {
  const rows = await db.query<{ id: string; name: string; score: number }>(
    `select i->>'interest_id' as id, i->>'interest_name' as name, max((i->>'score')::float8) as score
     from recommendations r cross join jsonb_array_elements(r.document->'interests') as i
     where r.run_id = (select r2.run_id from recommendations r2 join runs on runs.run_id = r2.run_id where r2.campaign_id = $1 and runs.status = 'completed' order by r2.created_at desc limit 1)
       and r.campaign_id = $1
     group by 1, 2 order by score desc, id`,
    [campaignId],
  );
  return rows.map((r) => ({ id: r.id, name: r.name, score: Number(r.score) }));
}

/** Interests by credited ROAS in these rows (best first, ties by id): the seeds before any run. */
export function interestsByCreditedRoas(rows: readonly InsightRow[]): SeedInterest[] {
  const sums = new Map<string, { name: string; spend: number; revenue: number }>();
  for (const r of rows) {
    if (r.segmentType !== 'interest') continue;
    const s = sums.get(r.segmentId) ?? { name: r.segmentName, spend: 0, revenue: 0 };
    s.spend += r.spendMinor;
    s.revenue += r.revenueMinor ?? 0;
    sums.set(r.segmentId, s);
  }
  const roas = (s: { spend: number; revenue: number }) => s.revenue / Math.max(s.spend, 1);
  return [...sums.entries()]
    .sort(([a, x], [b, y]) => roas(y) - roas(x) || (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, s]) => ({ id, name: s.name, score: null }));
}

export interface CampaignToDiscover {
  campaignId: string;
  adsets: readonly MetaAdSet[];
  rows: readonly InsightRow[];
}

/**
 * Per campaign: one `adinterestsuggestion` call seeded with its best DISCOVERY_SEEDS interests that
 * Meta still accepts (`retired` are left out); then one `adinterestvalid` call per 200 distinct
 * suggestions of all campaigns together. A suggestion already in the campaign's targeting, retired,
 * or without both size bounds is dropped: nothing is guessed.
 */
export async function discoverCandidates(db: Db, client: MetaClient, campaigns: readonly CampaignToDiscover[], retired: ReadonlySet<string>): Promise<Map<string, StoredInterestCandidate[]>> {
  const suggested = new Map<string, { id: string; name: string }[]>();
  const seedsOf = new Map<string, string[]>();
  for (const c of campaigns) {
    const targeted = new Set(c.adsets.flatMap((a) => a.interests.map((i) => i.id)));
    const ranked = await interestsByLatestRun(db, c.campaignId);
    const seeds = (ranked.length > 0 ? ranked : interestsByCreditedRoas(c.rows)).filter((s) => targeted.has(s.id) && !retired.has(s.id)).slice(0, DISCOVERY_SEEDS);
    seedsOf.set(c.campaignId, seeds.map((s) => s.name));
    const options = await suggestInterests(client, seeds.map((s) => s.name), DISCOVERY_SUGGESTIONS);
    suggested.set(c.campaignId, options.filter((o) => !targeted.has(o.id)).map((o) => ({ id: o.id, name: o.name })));
  }
  const lookups = new Map((await lookUpInterests(client, [...suggested.values()].flat().map((o) => o.id))).map((x) => [x.id, x]));
  const out = new Map<string, StoredInterestCandidate[]>();
  for (const [campaignId, options] of suggested) {
    const list: StoredInterestCandidate[] = [];
    for (const o of options) {
      const x = lookups.get(o.id);
      if (x === undefined || x.valid !== true || x.bounds === null || list.some((l) => l.interestId === o.id)) continue;
      list.push({ interestId: o.id, name: x.name, sizeLower: x.bounds.lower, sizeUpper: x.bounds.upper, seeds: seedsOf.get(campaignId) ?? [] });
    }
    out.set(campaignId, list);
  }
  return out;
}

/** The snapshot with the campaign's stored candidates (LIVE runs); unchanged when it has none. */
export async function withDiscoveredCandidates(db: Db, snapshot: CampaignSnapshot): Promise<CampaignSnapshot> {
  const stored = await interestCandidatesOf(db, snapshot.campaignId);
  if (stored.length === 0) return snapshot;
  const candidates: DiscoveredCandidate[] = stored.map((c) => ({
    segmentType: 'interest',
    segmentId: c.interestId,
    segmentName: c.name,
    size: { lower: c.sizeLower, upper: c.sizeUpper, source: 'meta' },
    reason: `suggested by Meta next to ${c.seeds.map((n) => JSON.stringify(n)).join(', ')}`,
  }));
  return { ...snapshot, candidates };
}

