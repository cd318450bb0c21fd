// segment_size end to end: imported from the canonical CSV, stored (migration 012), read into the
// snapshot, and used by the bayes set choice only when every candidate has one.
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importInsightsFile } from '../src/services/import-insights.ts';
import { runOptimization } from '../src/services/run-optimization.ts';
import { openTestContext, type TestContext, usingPostgres } from './helpers/db.ts';

// Four interests, each in its own ad set, with equal delivery at the same cost: i-best-tiny converts
// best but holds 10 people; i-poor-small converts worst and holds 1,000; the two big ones 100,000 each.
const INTERESTS: [string, number, number][] = [
  ['i-best-tiny', 200, 10],
  ['i-good-big', 160, 100_000],
  ['i-fair-big', 120, 100_000],
  ['i-poor-small', 60, 1_000],
];

function csv(withSizes: boolean, campaignId: string): string {
  const lines = ['date,campaign_id,adset_id,segment_type,segment_id,segment_name,impressions,clicks,conversions,spend,revenue,currency,segment_size'];
  for (let d = 1; d <= 10; d++) {
    const date = `2026-11-${String(d).padStart(2, '0')}`;
    for (const [id, clicks, size] of INTERESTS) lines.push(`${date},${campaignId},as-${id},interest,${id},${id},100000,${clicks},${clicks / 20},50,${clicks * 2},EUR,${withSizes ? size : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

describe(`segment sizes from the canonical CSV on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await openTestContext();
    // Three slots, none explored: the choice alone.
    ctx.config.engine.maxInterests = 3;
    ctx.config.engine.explorationShare = 0;
    mkdirSync('.tmp', { recursive: true });
  });
  afterAll(async () => {
    await ctx.close();
  });

  const run = async (withSizes: boolean, campaignId: string) => {
    const file = `.tmp/sizes-${campaignId}-${process.pid}.csv`;
    writeFileSync(file, csv(withSizes, campaignId));
    await importInsightsFile(ctx, file);
    const result = await runOptimization(ctx, { campaignId, budget: '100', mode: 'stub' });
    const r = result.recommendations[0]!;
    return { ids: r.interests.map((i) => i.interest_id), score: r.reasoning.trace.find((t) => t.step === 'segments.score')!.numbers };
  };

  it('weighs the set by the sizes the file gives', async () => {
    const { ids, score } = await run(true, 'sized');
    expect(score).toMatchObject({ interest_by_size: true, interest_sized: 4 });
    expect([...ids].sort()).toEqual(['i-best-tiny', 'i-good-big', 'i-poor-small']);
  });

  it('chooses by value when the file gives none, whatever the delivery', async () => {
    const { ids, score } = await run(false, 'unsized');
    expect(score).toMatchObject({ interest_by_size: false, interest_sized: 0 });
    expect(ids).toEqual(['i-best-tiny', 'i-good-big', 'i-fair-big']);
  });
});
